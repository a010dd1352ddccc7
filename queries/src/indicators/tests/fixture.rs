//! A small park, written to a lake in a temporary folder, that the indicator tests compute
//! their expected values from by hand.
//!
//! Five enterprises: A and B (machinery), C (iron and steel), D (food), E (textiles, no land
//! area); A and D are in the zone 东区, B and C in 西区, E has no zone. Production for January–March 2023 and 2024 (D misses March 2024, E only reports
//! January 2024), energy readings in early 2024, equipment, assessments, six projects, two
//! providers and six disbursements. The numbers are listed in the builders below; each test
//! repeats the ones it uses in its comments.

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate};
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, RecordBatch,
    StringArray, TimestampMicrosecondArray, new_null_array,
};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use parkhub_connectors::lake::MemoryBatches;
use parkhub_connectors::{BatchIdentity, Contracts, Lake};

use crate::engine::QueryEngine;
use crate::limits::QueryLimits;

/// USCC of A, 甲机械 (machinery, 50 mu, 东区).
pub const A: &str = "91110000600037341L";
/// USCC of B, 乙机械 (machinery, 20 mu, 西区).
pub const B: &str = "91110000710926094P";
/// USCC of C, 丙钢铁 (iron and steel, 100 mu, 西区).
pub const C: &str = "91440300568520498A";
/// USCC of D, 丁食品 (food, 10 mu, 东区).
pub const D: &str = "9144030071526726XG";
/// USCC of E, 戊纺织 (textiles, no land area, no zone).
pub const E: &str = "91310115MA1K3BTP2B";

/// A cell of a fixture row.
#[derive(Debug, Clone, Copy)]
pub enum V {
    /// A string.
    S(&'static str),
    /// A number (for float and integer columns).
    F(f64),
    /// A date, `YYYY-MM-DD`.
    D(&'static str),
    /// A timestamp, RFC 3339.
    T(&'static str),
    /// A boolean.
    B(bool),
    /// Null.
    N,
}

use V::{B as Bool, D as Day, F, N, S, T};

/// The rows of one lake table; columns not named are null.
pub struct Table {
    name: &'static str,
    columns: Vec<&'static str>,
    rows: Vec<Vec<V>>,
}

impl Table {
    fn new(name: &'static str, columns: &[&'static str]) -> Table {
        Table {
            name,
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    fn row(mut self, row: Vec<V>) -> Table {
        assert_eq!(row.len(), self.columns.len(), "{}: {row:?}", self.name);
        self.rows.push(row);
        self
    }

    /// Builds the batch in the contract's column order.
    fn batch(
        &self,
        contracts: &Contracts,
    ) -> (Arc<parkhub_connectors::TableContract>, RecordBatch) {
        let contract = Arc::clone(contracts.get(self.name).expect("contract"));
        let schema = contract.data_schema();
        for column in &self.columns {
            assert!(
                schema.field_with_name(column).is_ok(),
                "{} has no column {column}",
                self.name
            );
        }
        let arrays: Vec<ArrayRef> = schema
            .fields()
            .iter()
            .map(
                |field| match self.columns.iter().position(|c| c == field.name()) {
                    None => new_null_array(field.data_type(), self.rows.len()),
                    Some(index) => {
                        let cells: Vec<V> = self.rows.iter().map(|row| row[index]).collect();
                        array(field.data_type(), &cells)
                    }
                },
            )
            .collect();
        let batch = RecordBatch::try_new(schema, arrays).expect("batch");
        (contract, batch)
    }
}

fn array(data_type: &DataType, cells: &[V]) -> ArrayRef {
    match data_type {
        DataType::Utf8 => Arc::new(StringArray::from(
            cells
                .iter()
                .map(|cell| match cell {
                    S(text) => Some(*text),
                    N => None,
                    other => unexpected(other, data_type),
                })
                .collect::<Vec<_>>(),
        )),
        DataType::Float64 => Arc::new(Float64Array::from(
            cells
                .iter()
                .map(|cell| match cell {
                    F(number) => Some(*number),
                    N => None,
                    other => unexpected(other, data_type),
                })
                .collect::<Vec<_>>(),
        )),
        DataType::Int64 => Arc::new(Int64Array::from(
            cells
                .iter()
                .map(|cell| match cell {
                    F(number) => Some(*number as i64),
                    N => None,
                    other => unexpected(other, data_type),
                })
                .collect::<Vec<_>>(),
        )),
        DataType::Int32 => Arc::new(Int32Array::from(
            cells
                .iter()
                .map(|cell| match cell {
                    F(number) => Some(*number as i32),
                    N => None,
                    other => unexpected(other, data_type),
                })
                .collect::<Vec<_>>(),
        )),
        DataType::Boolean => Arc::new(BooleanArray::from(
            cells
                .iter()
                .map(|cell| match cell {
                    Bool(value) => Some(*value),
                    N => None,
                    other => unexpected(other, data_type),
                })
                .collect::<Vec<_>>(),
        )),
        DataType::Date32 => Arc::new(Date32Array::from(
            cells
                .iter()
                .map(|cell| match cell {
                    Day(text) => Some(days(text)),
                    N => None,
                    other => unexpected(other, data_type),
                })
                .collect::<Vec<_>>(),
        )),
        DataType::Timestamp(TimeUnit::Microsecond, zone) => Arc::new(
            TimestampMicrosecondArray::from(
                cells
                    .iter()
                    .map(|cell| match cell {
                        T(text) => Some(
                            DateTime::parse_from_rfc3339(text)
                                .expect("timestamp")
                                .timestamp_micros(),
                        ),
                        N => None,
                        other => unexpected(other, data_type),
                    })
                    .collect::<Vec<_>>(),
            )
            .with_timezone_opt(zone.clone()),
        ),
        other => panic!("the fixture cannot write {other} columns"),
    }
}

fn unexpected(cell: &V, data_type: &DataType) -> ! {
    panic!("{cell:?} in a {data_type} column")
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
fn days(text: &str) -> i32 {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .expect("date")
        .num_days_from_ce()
        - 719_163
}

/// A lake in a temporary folder and an engine over it.
pub struct Park {
    /// Keeps the folder until the test ends.
    _dir: tempfile::TempDir,
    /// The engine over the lake.
    pub engine: QueryEngine,
}

/// The tables of the fixture, by name.
pub fn table(name: &str) -> Table {
    match name {
        "enterprises" => enterprises(),
        "production_monthly" => production(),
        "energy_readings" => energy(),
        "equipment" => equipment(),
        "digital_assessment" => assessments(),
        "transformation_projects" => projects(),
        "fund_disbursements" => disbursements(),
        "service_providers" => providers(),
        other => panic!("no fixture for {other}"),
    }
}

/// Writes the named fixture tables to a new lake.
pub async fn park(tables: &[&str]) -> Park {
    let dir = tempfile::tempdir().expect("tempdir");
    let lake = Arc::new(Lake::open(dir.path()).expect("lake"));
    let contracts = Arc::new(Contracts::builtin().expect("contracts"));
    for name in tables {
        let (contract, batch) = table(name).batch(&contracts);
        lake.commit(
            &contract,
            Arc::new(MemoryBatches::new(batch.schema(), vec![batch])),
            &BatchIdentity::new("test", format!("indicator fixture {name}")),
        )
        .await
        .expect("commit");
    }
    let limits = QueryLimits {
        threads: 2,
        ..QueryLimits::default()
    };
    let engine = QueryEngine::new(lake, contracts, limits).expect("engine");
    Park { _dir: dir, engine }
}

#[rustfmt::skip]
fn enterprises() -> Table {
    Table::new(
        "enterprises",
        &[
            "uscc",
            "name",
            "industry_code",
            "key_industry",
            "land_area_mu",
            "zone",
        ],
    )
    .row(vec![S(A), S("甲机械"), S("C3411"), S("machinery"), F(50.0), S("东区")])
    .row(vec![S(B), S("乙机械"), S("C3520"), S("machinery"), F(20.0), S("西区")])
    .row(vec![S(C), S("丙钢铁"), S("C3120"), S("iron_steel"), F(100.0), S("西区")])
    .row(vec![S(D), S("丁食品"), S("C1431"), S("food"), F(10.0), S("东区")])
    .row(vec![S(E), S("戊纺织"), S("C1711"), S("textiles"), N, N])
}

/// Monthly production: output value, added value, revenue, tax, R&D expense (10k yuan).
///
/// | uscc | period  | output | added | revenue | tax | rd |
/// |------|---------|--------|-------|---------|-----|----|
/// | A    | 2023-01..03 each | 100 | 30 | 110 | 5 | 4 |
/// | A    | 2024-01 | 120 | 36 | 130 | 6 | 5 |
/// | A    | 2024-02 | 110 | 33 | 120 | 6 | 5 |
/// | A    | 2024-03 | 130 | 39 | 140 | 6 | 5 |
/// | B    | 2023-01..03 each | 50 | 10 | 50 | 2 | 1 |
/// | B    | 2024-01 | 40 | 8 | 40 | 2 | 2 |
/// | B    | 2024-02 | 60 | 12 | 60 | 2 | 2 |
/// | B    | 2024-03 | 50 | 10 | 50 | 2 | 2 |
/// | C    | 2023-01 | 300 | 60 | 310 | 10 | 3 |
/// | C    | 2023-02 | 200 | 40 | 210 | 10 | 3 |
/// | C    | 2023-03 | 300 | 60 | 310 | 10 | 3 |
/// | C    | 2024-01 | 330 | 66 | 340 | 12 | 3 |
/// | C    | 2024-02 | 250 | 50 | 260 | 12 | 3 |
/// | C    | 2024-03 | 330 | 66 | 340 | 12 | 3 |
/// | D    | 2023-01..03 each | 80 | 20 | 90 | 4 | 0 |
/// | D    | 2024-01 | 80 | 20 | 90 | 4 | 0 |
/// | D    | 2024-02 | 100 | 25 | 110 | 4 | 0 |
/// | E    | 2024-01 | 10 | 2 | 10 | 1 | 1 |
fn production() -> Table {
    let mut table = Table::new(
        "production_monthly",
        &[
            "uscc",
            "period",
            "output_value",
            "added_value",
            "revenue",
            "tax",
            "rd_expense",
        ],
    );
    let rows: &[(&'static str, &'static str, [f64; 5])] = &[
        (A, "2023-01-01", [100.0, 30.0, 110.0, 5.0, 4.0]),
        (A, "2023-02-01", [100.0, 30.0, 110.0, 5.0, 4.0]),
        (A, "2023-03-01", [100.0, 30.0, 110.0, 5.0, 4.0]),
        (A, "2024-01-01", [120.0, 36.0, 130.0, 6.0, 5.0]),
        (A, "2024-02-01", [110.0, 33.0, 120.0, 6.0, 5.0]),
        (A, "2024-03-01", [130.0, 39.0, 140.0, 6.0, 5.0]),
        (B, "2023-01-01", [50.0, 10.0, 50.0, 2.0, 1.0]),
        (B, "2023-02-01", [50.0, 10.0, 50.0, 2.0, 1.0]),
        (B, "2023-03-01", [50.0, 10.0, 50.0, 2.0, 1.0]),
        (B, "2024-01-01", [40.0, 8.0, 40.0, 2.0, 2.0]),
        (B, "2024-02-01", [60.0, 12.0, 60.0, 2.0, 2.0]),
        (B, "2024-03-01", [50.0, 10.0, 50.0, 2.0, 2.0]),
        (C, "2023-01-01", [300.0, 60.0, 310.0, 10.0, 3.0]),
        (C, "2023-02-01", [200.0, 40.0, 210.0, 10.0, 3.0]),
        (C, "2023-03-01", [300.0, 60.0, 310.0, 10.0, 3.0]),
        (C, "2024-01-01", [330.0, 66.0, 340.0, 12.0, 3.0]),
        (C, "2024-02-01", [250.0, 50.0, 260.0, 12.0, 3.0]),
        (C, "2024-03-01", [330.0, 66.0, 340.0, 12.0, 3.0]),
        (D, "2023-01-01", [80.0, 20.0, 90.0, 4.0, 0.0]),
        (D, "2023-02-01", [80.0, 20.0, 90.0, 4.0, 0.0]),
        (D, "2023-03-01", [80.0, 20.0, 90.0, 4.0, 0.0]),
        (D, "2024-01-01", [80.0, 20.0, 90.0, 4.0, 0.0]),
        (D, "2024-02-01", [100.0, 25.0, 110.0, 4.0, 0.0]),
        (E, "2024-01-01", [10.0, 2.0, 10.0, 1.0, 1.0]),
    ];
    for (uscc, period, [output, added, revenue, tax, rd]) in rows {
        table = table.row(vec![
            S(uscc),
            Day(period),
            F(*output),
            F(*added),
            F(*revenue),
            F(*tax),
            F(*rd),
        ]);
    }
    table
}

/// Energy readings (timestamps in UTC; park time is UTC+8; a reading's `ts` ends its interval).
///
/// | uscc | ts (UTC)             | park time          | type        | tce  |
/// |------|----------------------|--------------------|-------------|------|
/// | A    | 2024-01-15T00:00Z    | Jan                | electricity | 10   |
/// | A    | 2024-01-15T00:00Z    | Jan                | water       | null |
/// | A    | 2024-02-15T00:00Z    | Feb                | electricity | 12   |
/// | A    | 2024-03-15T00:00Z    | Mar                | natural_gas | 8    |
/// | B    | 2024-01-31T16:00Z    | Feb 1 00:00 → Jan  | electricity | 3    |
/// | B    | 2024-01-31T17:00Z    | Feb 1 01:00 → Feb  | electricity | 4    |
/// | B    | 2024-03-10T00:00Z    | Mar                | steam       | 5    |
/// | C    | 2023-12-31T18:00Z    | Jan 1 02:00 → Jan  | raw_coal    | 20   |
/// | C    | 2024-01-10T00:00Z    | Jan                | coke        | 100  |
/// | C    | 2024-02-10T00:00Z    | Feb                | electricity | 90   |
/// | C    | 2024-03-10T00:00Z    | Mar                | electricity | 110  |
/// | D    | 2024-01-20T00:00Z    | Jan                | natural_gas | 6    |
/// | D    | 2024-02-20T00:00Z    | Feb                | natural_gas | 6    |
/// | D    | 2024-03-20T00:00Z    | Mar (no production)| natural_gas | 6    |
fn energy() -> Table {
    let mut table = Table::new(
        "energy_readings",
        &[
            "uscc",
            "meter_id",
            "ts",
            "energy_type",
            "value",
            "unit",
            "tce",
        ],
    );
    let rows: &[(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        Option<f64>,
    )] = &[
        (A, "A-E1", "2024-01-15T00:00:00Z", "electricity", Some(10.0)),
        (A, "A-W1", "2024-01-15T00:00:00Z", "water", None),
        (A, "A-E1", "2024-02-15T00:00:00Z", "electricity", Some(12.0)),
        (A, "A-G1", "2024-03-15T00:00:00Z", "natural_gas", Some(8.0)),
        (B, "B-E1", "2024-01-31T16:00:00Z", "electricity", Some(3.0)),
        (B, "B-E1", "2024-01-31T17:00:00Z", "electricity", Some(4.0)),
        (B, "B-S1", "2024-03-10T00:00:00Z", "steam", Some(5.0)),
        (C, "C-R1", "2023-12-31T18:00:00Z", "raw_coal", Some(20.0)),
        (C, "C-K1", "2024-01-10T00:00:00Z", "coke", Some(100.0)),
        (C, "C-E1", "2024-02-10T00:00:00Z", "electricity", Some(90.0)),
        (
            C,
            "C-E1",
            "2024-03-10T00:00:00Z",
            "electricity",
            Some(110.0),
        ),
        (D, "D-G1", "2024-01-20T00:00:00Z", "natural_gas", Some(6.0)),
        (D, "D-G1", "2024-02-20T00:00:00Z", "natural_gas", Some(6.0)),
        (D, "D-G1", "2024-03-20T00:00:00Z", "natural_gas", Some(6.0)),
    ];
    for (uscc, meter, ts, energy_type, tce) in rows {
        let (value, unit) = match *energy_type {
            "water" => (500.0, "m3"),
            "electricity" => (1000.0, "kWh"),
            "natural_gas" => (100.0, "m3"),
            _ => (10.0, "t"),
        };
        table = table.row(vec![
            S(uscc),
            S(meter),
            T(ts),
            S(energy_type),
            F(value),
            S(unit),
            tce.map_or(N, F),
        ]);
    }
    table
}

/// Equipment: (key process, CNC, networked, status).
///
/// | uscc | id | key | cnc | networked | status      |
/// |------|----|-----|-----|-----------|-------------|
/// | A    | 1  | yes | yes | yes       | running     |
/// | A    | 2  | yes | no  | yes       | running     |
/// | A    | 3  | no  | yes | no        | running     |
/// | A    | 4  | yes | yes | yes       | retired     |
/// | B    | 1  | yes | yes | no        | running     |
/// | B    | 2  | no  | —   | yes       | idle        |
/// | C    | 1  | yes | yes | yes       | running     |
/// | C    | 2  | yes | yes | yes       | maintenance |
/// | C    | 3  | yes | no  | no        | (none)      |
#[rustfmt::skip]
fn equipment() -> Table {
    Table::new(
        "equipment",
        &[
            "uscc",
            "equipment_id",
            "equipment_type",
            "is_key_process",
            "is_cnc",
            "is_networked",
            "status",
        ],
    )
    .row(vec![S(A), S("1"), S("lathe"), Bool(true), Bool(true), Bool(true), S("running")])
    .row(vec![S(A), S("2"), S("press"), Bool(true), Bool(false), Bool(true), S("running")])
    .row(vec![S(A), S("3"), S("crane"), Bool(false), Bool(true), Bool(false), S("running")])
    .row(vec![S(A), S("4"), S("lathe"), Bool(true), Bool(true), Bool(true), S("retired")])
    .row(vec![S(B), S("1"), S("mill"), Bool(true), Bool(true), Bool(false), S("running")])
    .row(vec![S(B), S("2"), S("pump"), Bool(false), N, Bool(true), S("idle")])
    .row(vec![S(C), S("1"), S("furnace"), Bool(true), Bool(true), Bool(true), S("running")])
    .row(vec![S(C), S("2"), S("rolling mill"), Bool(true), Bool(true), Bool(true), S("maintenance")])
    .row(vec![S(C), S("3"), S("caster"), Bool(true), Bool(false), Bool(false), N])
}

/// Digital assessments: (assessed on, maturity level, CNC rate, R&D tool rate, networking rate).
///
/// | uscc | assessed_on | level | cnc | rd tool | networking |
/// |------|-------------|-------|-----|---------|------------|
/// | A    | 2023-06-01  | 1     | 0.5 | 0.0     | 0.4        |
/// | A    | 2024-06-01  | 3     | 0.8 | 0.6     | 0.9        |
/// | B    | 2024-03-01  | 2     | 0.6 | 0.0     | 0.5        |
/// | C    | 2024-05-01  | 2     | 0.7 | 0.3     | 0.6        |
/// | D    | 2023-09-01  | 1     | 0.4 | null    | 0.2        |
#[rustfmt::skip]
fn assessments() -> Table {
    Table::new(
        "digital_assessment",
        &[
            "uscc",
            "assessed_on",
            "maturity_level",
            "key_process_cnc_rate",
            "digital_rd_tool_rate",
            "equipment_networking_rate",
        ],
    )
    .row(vec![S(A), Day("2023-06-01"), F(1.0), F(0.5), F(0.0), F(0.4)])
    .row(vec![S(A), Day("2024-06-01"), F(3.0), F(0.8), F(0.6), F(0.9)])
    .row(vec![S(B), Day("2024-03-01"), F(2.0), F(0.6), F(0.0), F(0.5)])
    .row(vec![S(C), Day("2024-05-01"), F(2.0), F(0.7), F(0.3), F(0.6)])
    .row(vec![S(D), Day("2023-09-01"), F(1.0), F(0.4), N, F(0.2)])
}

/// Transformation projects.
///
/// | id | uscc | level | category               | invest | subsidy type  | subsidy | provider | status      | planned_end | actual_end |
/// |----|------|-------|------------------------|--------|---------------|---------|----------|-------------|-------------|------------|
/// | P1 | A    | point | mes                    | 500    | investment    | 100     | SP1      | completed   | 2023-12-31  | 2023-12-20 |
/// | P2 | A    | point | predictive_maintenance | 200    | loan_interest | 50      | SP1      | in_progress | 2024-03-31  | —          |
/// | P3 | C    | line  | energy_management      | 1000   | investment    | 150     | SP2      | delayed     | 2025-12-31  | —          |
/// | P4 | D    | point | mes                    | 300    | guarantee_fee | 30      | SP2      | completed   | 2024-02-28  | 2024-03-15 |
/// | P5 | B    | area  | platform               | 2000   | investment    | 300     | —        | planned     | 2024-12-31  | —          |
/// | P6 | C    | point | mes                    | 100    | investment    | 30      | SP1      | cancelled   | 2023-06-30  | —          |
fn projects() -> Table {
    let mut table = Table::new(
        "transformation_projects",
        &[
            "project_id",
            "uscc",
            "name",
            "level",
            "category",
            "investment",
            "subsidy_type",
            "subsidy_granted",
            "provider_id",
            "status",
            "start_date",
            "planned_end",
            "actual_end",
        ],
    );
    type ProjectRow = (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        f64,
        &'static str,
        f64,
        Option<&'static str>,
        &'static str,
        &'static str,
        Option<&'static str>,
    );
    #[rustfmt::skip]
    let rows: &[ProjectRow] = &[
        ("P1", A, "point", "mes", 500.0, "investment", 100.0, Some("SP1"), "completed", "2023-12-31", Some("2023-12-20")),
        ("P2", A, "point", "predictive_maintenance", 200.0, "loan_interest", 50.0, Some("SP1"), "in_progress", "2024-03-31", None),
        ("P3", C, "line", "energy_management", 1000.0, "investment", 150.0, Some("SP2"), "delayed", "2025-12-31", None),
        ("P4", D, "point", "mes", 300.0, "guarantee_fee", 30.0, Some("SP2"), "completed", "2024-02-28", Some("2024-03-15")),
        ("P5", B, "area", "platform", 2000.0, "investment", 300.0, None, "planned", "2024-12-31", None),
        ("P6", C, "point", "mes", 100.0, "investment", 30.0, Some("SP1"), "cancelled", "2023-06-30", None),
    ];
    for (
        id,
        uscc,
        level,
        category,
        investment,
        subsidy_type,
        subsidy,
        provider,
        status,
        planned_end,
        actual_end,
    ) in rows
    {
        table = table.row(vec![
            S(id),
            S(uscc),
            S(id),
            S(level),
            S(category),
            F(*investment),
            S(subsidy_type),
            F(*subsidy),
            provider.map_or(N, S),
            S(status),
            Day("2023-01-01"),
            Day(planned_end),
            actual_end.map_or(N, Day),
        ]);
    }
    table
}

/// Fund disbursements.
///
/// | id | project | date       | amount | source     |
/// |----|---------|------------|--------|------------|
/// | D1 | P1      | 2023-04-01 | 50     | central    |
/// | D2 | P1      | 2023-12-25 | 50     | provincial |
/// | D3 | P2      | 2024-02-01 | 20     | central    |
/// | D4 | P3      | 2024-01-15 | 60     | local      |
/// | D5 | P3      | 2024-07-01 | 30     | central    |
/// | D6 | P4      | 2024-03-20 | 30     | local      |
fn disbursements() -> Table {
    Table::new(
        "fund_disbursements",
        &[
            "disbursement_id",
            "project_id",
            "disbursed_on",
            "amount",
            "fund_source",
        ],
    )
    .row(vec![
        S("D1"),
        S("P1"),
        Day("2023-04-01"),
        F(50.0),
        S("central"),
    ])
    .row(vec![
        S("D2"),
        S("P1"),
        Day("2023-12-25"),
        F(50.0),
        S("provincial"),
    ])
    .row(vec![
        S("D3"),
        S("P2"),
        Day("2024-02-01"),
        F(20.0),
        S("central"),
    ])
    .row(vec![
        S("D4"),
        S("P3"),
        Day("2024-01-15"),
        F(60.0),
        S("local"),
    ])
    .row(vec![
        S("D5"),
        S("P3"),
        Day("2024-07-01"),
        F(30.0),
        S("central"),
    ])
    .row(vec![
        S("D6"),
        S("P4"),
        Day("2024-03-20"),
        F(30.0),
        S("local"),
    ])
}

fn providers() -> Table {
    Table::new("service_providers", &["provider_id", "name"])
        .row(vec![S("SP1"), S("数智科技")])
        .row(vec![S("SP2"), S("云工服务")])
}
