//! A three-enterprise park in a temporary lake, for the access-control tests.
//!
//! A (甲机械) is the enterprise the attacks run as; B (乙机械) and C (丙钢铁) are the others.
//! Every value of B and C is a marker ([`MARKERS`]) that must never appear in an answer to A.
//! The lake also holds a park table without a `uscc` column (`park_zones`, hidden from
//! enterprises), `_audit` (admin only), `_quarantine` with the proposed `uscc` column (the
//! delivering enterprise) and `_ingest_log` as it is today (no `uscc`: an enterprise reads none
//! of it).

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray};
use datafusion::arrow::compute::cast;
use parkhub_connectors::contract::{INGEST_LOG_TABLE, QUARANTINE_TABLE, system_contract};
use parkhub_connectors::lake::MemoryBatches;
use parkhub_connectors::{BatchIdentity, Contracts, Lake, TableContract};

use crate::engine::QueryEngine;
use crate::limits::QueryLimits;

/// USCC of A, 甲机械 (machinery), the attacker.
pub const A: &str = "91110000600037341L";
/// USCC of B, 乙机械 (machinery).
pub const B: &str = "91110000710926094P";
/// USCC of C, 丙钢铁 (iron and steel).
pub const C: &str = "91440300568520498A";

/// Strings found only in rows of B and C, of `park_zones` and of `_audit`: an answer to A that
/// contains one of them has leaked.
pub const MARKERS: &[&str] = &[
    B,
    C,
    "乙机械",
    "丙钢铁",
    "B-E1",
    "C-K1",
    "PB",
    "DB",
    "NB",
    "333.25",
    "444.75",
    "777.5",
    "east_zone",
    "audit-secret",
    "batch-B",
];

/// The columns the fixture writes to `_ingest_log` and to `_audit` (a copy of its contract).
const INGEST_LOG_COLUMNS: &[&str] = &[
    "batch_id",
    "table_name",
    "status",
    "who",
    "started_at",
    "finished_at",
];

/// The contract of `park_zones`, a park table whose rows belong to no enterprise.
const PARK_ZONES: &str = r#"
name = "park_zones"
description_zh = "园区分区"
description_en = "Park zones"
mode = "upsert"
key = ["zone"]

[[columns]]
name = "zone"
type = "string"
required = true
description = "Zone"

[[columns]]
name = "area_mu"
type = "float64"
description = "Area (mu)"
"#;

/// One table's rows as text, cast to the contract's types; columns not named are null.
struct Rows {
    contract: TableContract,
    columns: &'static [&'static str],
    rows: Vec<Vec<Option<&'static str>>>,
}

impl Rows {
    fn batch(&self) -> RecordBatch {
        let schema = self.contract.data_schema();
        let arrays: Vec<ArrayRef> = schema
            .fields()
            .iter()
            .map(|field| {
                let position = self.columns.iter().position(|name| name == field.name());
                // A required column the table does not name gets a filler of its type.
                let filler = (!field.is_nullable()).then(|| filler(field.data_type()));
                let texts: StringArray = self
                    .rows
                    .iter()
                    .map(|row| position.and_then(|index| row[index]).or(filler))
                    .collect();
                cast(&texts, field.data_type()).expect("cast")
            })
            .collect();
        RecordBatch::try_new(schema, arrays).expect("batch")
    }
}

/// A value of `data_type`, as text, for required columns a table leaves out.
fn filler(data_type: &datafusion::arrow::datatypes::DataType) -> &'static str {
    use datafusion::arrow::datatypes::DataType;
    match data_type {
        DataType::Date32 => "2024-01-01",
        DataType::Timestamp(..) => "2024-01-01T00:00:00Z",
        DataType::Boolean => "false",
        DataType::Utf8 => "x",
        _ => "0",
    }
}

fn rows(
    contract: TableContract,
    columns: &'static [&'static str],
    rows: &[&[&'static str]],
) -> Rows {
    let rows = rows
        .iter()
        .map(|row| {
            assert_eq!(row.len(), columns.len(), "{}", contract.name);
            row.iter()
                .map(|cell| (!cell.is_empty()).then_some(*cell))
                .collect()
        })
        .collect();
    Rows {
        contract,
        columns,
        rows,
    }
}

/// A system contract under another name.
fn system_table(name: &str, base: &str) -> TableContract {
    let mut contract = system_contract(base).expect("system contract");
    contract.name = name.to_string();
    contract
}

/// The lake in its folder, and an engine over it that reads everything (the admin's view).
pub struct Park {
    /// Keeps the folder until the test ends.
    _dir: tempfile::TempDir,
    /// The engine over the lake, without a principal.
    pub engine: QueryEngine,
}

/// Writes the fixture park to a new lake.
pub async fn park() -> Park {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Arc::new(Lake::open(dir.path()).expect("lake"));
    Contracts::add_park_contract(dir.path(), "park_zones.toml", PARK_ZONES).expect("contract");
    let contracts = Arc::new(Contracts::load(dir.path()).expect("contracts"));
    let get = |name: &str| contracts.get(name).expect("contract").as_ref().clone();
    let tables = vec![
        rows(
            get("enterprises"),
            &["uscc", "name", "key_industry"],
            &[
                &[A, "甲机械", "machinery"],
                &[B, "乙机械", "machinery"],
                &[C, "丙钢铁", "iron_steel"],
            ],
        ),
        rows(
            get("energy_readings"),
            &[
                "uscc",
                "meter_id",
                "ts",
                "energy_type",
                "value",
                "unit",
                "tce",
            ],
            &[
                &[
                    A,
                    "A-E1",
                    "2024-01-15T00:00:00Z",
                    "electricity",
                    "1000",
                    "kWh",
                    "10",
                ],
                &[
                    A,
                    "A-E1",
                    "2024-02-15T00:00:00Z",
                    "electricity",
                    "1000",
                    "kWh",
                    "12",
                ],
                &[
                    B,
                    "B-E1",
                    "2024-01-15T00:00:00Z",
                    "electricity",
                    "1000",
                    "kWh",
                    "333.25",
                ],
                &[
                    C,
                    "C-K1",
                    "2024-01-10T00:00:00Z",
                    "coke",
                    "10",
                    "t",
                    "444.75",
                ],
            ],
        ),
        rows(
            get("production_monthly"),
            &["uscc", "period", "output_value", "added_value"],
            &[
                &[A, "2024-01-01", "100", "30"],
                &[B, "2024-01-01", "777.5", "333.25"],
                &[C, "2024-01-01", "444.75", "444.75"],
            ],
        ),
        rows(
            get("equipment"),
            &["uscc", "equipment_id", "equipment_type"],
            &[&[A, "A-1", "lathe"], &[B, "B-E1", "press"]],
        ),
        rows(
            get("transformation_projects"),
            &["project_id", "uscc", "name", "level", "investment"],
            &[
                &["PA", A, "MES", "point", "100"],
                &["PB", B, "PB 平台", "area", "777.5"],
            ],
        ),
        rows(
            get("fund_disbursements"),
            &[
                "disbursement_id",
                "project_id",
                "disbursed_on",
                "amount",
                "fund_source",
            ],
            &[
                &["DA", "PA", "2024-02-01", "50", "central"],
                &["DB", "PB", "2024-02-01", "777.5", "local"],
            ],
        ),
        rows(
            get("enterprise_needs"),
            &["need_id", "uscc", "title"],
            &[&["NA", A, "设备联网"], &["NB", B, "乙机械 MES"]],
        ),
        rows(
            get("service_providers"),
            &["provider_id", "name"],
            &[&["SP1", "数智科技"]],
        ),
        rows(
            get("park_zones"),
            &["zone", "area_mu"],
            &[&["east_zone", "120"]],
        ),
        rows(
            system_table(QUARANTINE_TABLE, QUARANTINE_TABLE),
            &[
                "table_name",
                "batch_id",
                "source_row",
                "reasons",
                "quarantined_at",
                "uscc",
            ],
            &[
                &[
                    "energy_readings",
                    "batch-A",
                    "2",
                    "bad tce",
                    "2024-03-01T00:00:00Z",
                    A,
                ],
                &[
                    "energy_readings",
                    "batch-B",
                    "7",
                    "bad tce",
                    "2024-03-01T00:00:00Z",
                    B,
                ],
            ],
        ),
        rows(
            system_contract(INGEST_LOG_TABLE).expect("contract"),
            INGEST_LOG_COLUMNS,
            &[&[
                "batch-B",
                "energy_readings",
                "committed",
                "乙机械",
                "2024-03-01T00:00:00Z",
                "2024-03-01T00:00:01Z",
            ]],
        ),
        rows(
            system_table(crate::policy::rules::AUDIT_TABLE, INGEST_LOG_TABLE),
            INGEST_LOG_COLUMNS,
            &[&[
                "audit-secret",
                "energy_readings",
                "committed",
                "committee",
                "2024-03-01T00:00:00Z",
                "2024-03-01T00:00:01Z",
            ]],
        ),
    ];
    for table in tables {
        let batch = table.batch();
        lake.commit(
            &table.contract,
            Arc::new(MemoryBatches::new(batch.schema(), vec![batch])),
            &BatchIdentity::new("test", format!("policy fixture {}", table.contract.name)),
        )
        .await
        .expect("commit");
    }
    let engine = QueryEngine::new(lake, contracts, QueryLimits::default()).expect("engine");
    Park { _dir: dir, engine }
}
