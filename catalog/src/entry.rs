//! Catalog entries: the service providers, service offerings and shared applications of the
//! lake, read from the Arrow batches of their tables.

use std::fmt;
use std::str::FromStr;

use parkhub_connectors::arrow::array::{Array, ArrayRef, AsArray};
use parkhub_connectors::arrow::compute::{can_cast_types, cast};
use parkhub_connectors::arrow::datatypes::{DataType, Date32Type, Float64Type, Int64Type};
use parkhub_connectors::arrow::record_batch::RecordBatch;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What a catalog entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A shared application (`shared_applications`).
    Application,
    /// A service offering of a provider (`service_offerings`).
    Offering,
    /// A service provider (`service_providers`).
    Provider,
}

impl EntryKind {
    /// Every kind, in the order the catalog lists them.
    pub const ALL: [EntryKind; 3] = [
        EntryKind::Application,
        EntryKind::Offering,
        EntryKind::Provider,
    ];

    /// Returns the lower-case name used in JSON, URLs and the index (`application`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Application => "application",
            EntryKind::Offering => "offering",
            EntryKind::Provider => "provider",
        }
    }

    /// Returns the lake table the entries of this kind come from.
    pub fn table(&self) -> &'static str {
        match self {
            EntryKind::Application => "shared_applications",
            EntryKind::Offering => "service_offerings",
            EntryKind::Provider => "service_providers",
        }
    }

    /// Returns the key column of that table.
    pub fn id_column(&self) -> &'static str {
        match self {
            EntryKind::Application => "app_id",
            EntryKind::Offering => "offering_id",
            EntryKind::Provider => "provider_id",
        }
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl FromStr for EntryKind {
    type Err = Error;

    /// Parses `application`, `offering` or `provider` (any case, blanks around ignored).
    fn from_str(text: &str) -> Result<EntryKind> {
        let wanted = text.trim();
        EntryKind::ALL
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| Error::InvalidKind(text.to_string()))
    }
}

/// One entry of the catalog, as indexed. Text is mostly Chinese; list columns of the lake
/// (`a;b;c`) are split into their items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogEntry {
    /// What the entry is.
    pub kind: EntryKind,
    /// Its key in its lake table (`app_id`, `offering_id` or `provider_id`).
    pub id: String,
    /// Its name (`name`, Chinese).
    pub title: String,
    /// Its English name (`name_en`).
    pub title_en: Option<String>,
    /// The one-line summary or profile; empty when the lake has none.
    pub summary: String,
    /// The description; empty when the lake has none.
    pub description: String,
    /// Scenarios: codes of [`crate::vocabulary::SCENARIOS`] or free text.
    pub scenarios: Vec<String>,
    /// Key industry codes (`iron_steel`, `machinery`, …).
    pub key_industries: Vec<String>,
    /// GB/T 4754-2017 divisions (`C34`, …).
    pub divisions: Vec<String>,
    /// Certifications and qualifications (providers).
    pub qualifications: Vec<String>,
    /// Category (`mes`, `energy`, `industrial_software`, …); none for providers.
    pub category: Option<String>,
    /// The provider behind the entry; for a provider, its own id, so that filtering on a
    /// provider finds the provider and everything it offers.
    pub provider_id: Option<String>,
    /// Deployment mode (`saas`, `on_premise`, `hybrid`, `edge`).
    pub deployment: Option<String>,
    /// How an application is charged (`subscription`, `perpetual`, `free`, `usage`).
    pub pricing_model: Option<String>,
    /// Lowest price, in 10k yuan (an application's list price).
    pub price_min: Option<f64>,
    /// Highest price, in 10k yuan (an application's list price).
    pub price_max: Option<f64>,
    /// Rating, 0 to 5.
    pub rating: Option<f64>,
    /// Enterprises in the park subscribed (applications).
    pub subscribers: Option<u64>,
    /// GB/T 39116 maturity level the offering suits best, 1 to 5.
    pub target_maturity_level: Option<u8>,
    /// Reference cases; empty when the lake has none.
    pub cases: String,
    /// Where a provider is based.
    pub region: Option<String>,
    /// When the entry was published, in days since 1970-01-01 (the lake's `published_on`,
    /// an Arrow `Date32`); none for providers.
    #[serde(default)]
    pub published_on: Option<i32>,
}

impl CatalogEntry {
    /// Returns an entry with only its kind, id and title set.
    pub fn new(kind: EntryKind, id: impl Into<String>, title: impl Into<String>) -> CatalogEntry {
        let id = id.into();
        CatalogEntry {
            kind,
            provider_id: (kind == EntryKind::Provider).then(|| id.clone()),
            id,
            title: title.into(),
            title_en: None,
            summary: String::new(),
            description: String::new(),
            scenarios: Vec::new(),
            key_industries: Vec::new(),
            divisions: Vec::new(),
            qualifications: Vec::new(),
            category: None,
            deployment: None,
            pricing_model: None,
            price_min: None,
            price_max: None,
            rating: None,
            subscribers: None,
            target_maturity_level: None,
            cases: String::new(),
            region: None,
            published_on: None,
        }
    }
}

/// Converts the Arrow batches of one catalog lake table into entries.
///
/// Columns are looked up by name, so their order does not matter and extra columns (such as
/// the lineage columns `_batch_id` and `_ingested_at`) are ignored. Optional columns that are
/// missing leave their fields empty; a missing key or `name` column is
/// [`Error::MissingColumn`]. Text columns may be `Utf8`, `LargeUtf8`, `Utf8View` or
/// dictionary-encoded (DataFusion reads Parquet strings as views); numbers may be any numeric
/// type. Rows with no key or no name are skipped with a warning.
pub fn entries_from_batches(kind: EntryKind, batches: &[RecordBatch]) -> Result<Vec<CatalogEntry>> {
    let mut entries = Vec::with_capacity(batches.iter().map(RecordBatch::num_rows).sum());
    let mut skipped = 0usize;
    for batch in batches {
        let columns = BatchColumns {
            table: kind.table(),
            batch,
        };
        let ids = columns.required_text(kind.id_column())?;
        let names = columns.required_text("name")?;
        let names_en = columns.text("name_en")?;
        let summaries = columns.text("summary")?;
        let descriptions = columns.text("description")?;
        let scenarios = columns.text("scenarios")?;
        let key_industries = columns.text("key_industries")?;
        let divisions = columns.text("divisions")?;
        let qualifications = columns.text("qualifications")?;
        let categories = columns.text("category")?;
        let provider_ids = columns.text("provider_id")?;
        let deployments = columns.text("deployment")?;
        let pricing_models = columns.text("pricing_model")?;
        let list_prices = columns.float("price")?;
        let prices_min = columns.float("price_min")?;
        let prices_max = columns.float("price_max")?;
        let ratings = columns.float("rating")?;
        let subscribers = columns.integer("subscribers")?;
        let maturity_levels = columns.integer("target_maturity_level")?;
        let cases = columns.text("cases")?;
        let regions = columns.text("region")?;
        let published = columns.date("published_on")?;

        for row in 0..batch.num_rows() {
            let (Some(id), Some(title)) = (text_at(Some(&ids), row), text_at(Some(&names), row))
            else {
                skipped += 1;
                continue;
            };
            let provider_id = match kind {
                EntryKind::Provider => Some(id.clone()),
                _ => text_at(provider_ids.as_ref(), row),
            };
            let list_price = float_at(list_prices.as_ref(), row);
            entries.push(CatalogEntry {
                kind,
                id,
                title,
                title_en: text_at(names_en.as_ref(), row),
                summary: text_at(summaries.as_ref(), row).unwrap_or_default(),
                description: text_at(descriptions.as_ref(), row).unwrap_or_default(),
                scenarios: list_at(scenarios.as_ref(), row),
                key_industries: list_at(key_industries.as_ref(), row),
                divisions: list_at(divisions.as_ref(), row),
                qualifications: list_at(qualifications.as_ref(), row),
                category: text_at(categories.as_ref(), row),
                provider_id,
                deployment: text_at(deployments.as_ref(), row),
                pricing_model: text_at(pricing_models.as_ref(), row),
                price_min: float_at(prices_min.as_ref(), row).or(list_price),
                price_max: float_at(prices_max.as_ref(), row).or(list_price),
                rating: float_at(ratings.as_ref(), row),
                subscribers: integer_at(subscribers.as_ref(), row)
                    .and_then(|count| u64::try_from(count).ok()),
                target_maturity_level: integer_at(maturity_levels.as_ref(), row)
                    .and_then(|level| u8::try_from(level).ok()),
                cases: text_at(cases.as_ref(), row).unwrap_or_default(),
                region: text_at(regions.as_ref(), row),
                published_on: date_at(published.as_ref(), row),
            });
        }
    }
    if skipped > 0 {
        tracing::warn!(
            table = kind.table(),
            skipped,
            "catalog rows without key or name skipped"
        );
    }
    Ok(entries)
}

/// The columns of one batch, cast to the types the catalog reads.
struct BatchColumns<'a> {
    table: &'static str,
    batch: &'a RecordBatch,
}

impl BatchColumns<'_> {
    fn required_text(&self, name: &'static str) -> Result<ArrayRef> {
        self.text(name)?.ok_or(Error::MissingColumn {
            table: self.table,
            column: name,
        })
    }

    fn text(&self, name: &'static str) -> Result<Option<ArrayRef>> {
        self.cast_column(name, &DataType::Utf8, "text")
    }

    fn float(&self, name: &'static str) -> Result<Option<ArrayRef>> {
        self.cast_column(name, &DataType::Float64, "a number")
    }

    fn integer(&self, name: &'static str) -> Result<Option<ArrayRef>> {
        self.cast_column(name, &DataType::Int64, "an integer")
    }

    fn date(&self, name: &'static str) -> Result<Option<ArrayRef>> {
        self.cast_column(name, &DataType::Date32, "a date")
    }

    fn cast_column(
        &self,
        name: &'static str,
        wanted: &DataType,
        expected: &'static str,
    ) -> Result<Option<ArrayRef>> {
        let Some(column) = self.batch.column_by_name(name) else {
            return Ok(None);
        };
        if column.data_type() == wanted {
            return Ok(Some(column.clone()));
        }
        if !can_cast_types(column.data_type(), wanted) {
            return Err(Error::ColumnType {
                table: self.table,
                column: name,
                found: column.data_type().to_string(),
                expected,
            });
        }
        Ok(Some(cast(column, wanted)?))
    }
}

/// Returns the trimmed text of a `Utf8` column at `row`; none when null or blank.
fn text_at(column: Option<&ArrayRef>, row: usize) -> Option<String> {
    let strings = column?.as_string_opt::<i32>()?;
    if strings.is_null(row) {
        return None;
    }
    let value = strings.value(row).trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// Returns the items of a `;`-separated list (a full-width `；` also separates).
fn list_at(column: Option<&ArrayRef>, row: usize) -> Vec<String> {
    text_at(column, row)
        .map(|text| {
            text.split([';', '；'])
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn float_at(column: Option<&ArrayRef>, row: usize) -> Option<f64> {
    let numbers = column?.as_primitive_opt::<Float64Type>()?;
    (!numbers.is_null(row))
        .then(|| numbers.value(row))
        .filter(|value| value.is_finite())
}

fn integer_at(column: Option<&ArrayRef>, row: usize) -> Option<i64> {
    let numbers = column?.as_primitive_opt::<Int64Type>()?;
    (!numbers.is_null(row)).then(|| numbers.value(row))
}

fn date_at(column: Option<&ArrayRef>, row: usize) -> Option<i32> {
    let days = column?.as_primitive_opt::<Date32Type>()?;
    (!days.is_null(row)).then(|| days.value(row))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use parkhub_connectors::Contracts;
    use parkhub_connectors::arrow::array::{
        Date32Array, Float64Array, Int32Array, StringArray, StringViewArray,
        TimestampMicrosecondArray,
    };
    use parkhub_connectors::arrow::datatypes::{Field, Schema};

    use super::*;

    fn offerings_batch() -> RecordBatch {
        let contracts = Contracts::builtin().expect("built-in contracts");
        let schema = contracts
            .get("service_offerings")
            .expect("offerings contract")
            .lake_schema();
        let columns: Vec<ArrayRef> = schema
            .fields()
            .iter()
            .map(|field| -> ArrayRef {
                match field.name().as_str() {
                    "offering_id" => {
                        Arc::new(StringArray::from(vec!["OF-001", "OF-002", "OF-003"]))
                    }
                    "provider_id" => Arc::new(StringArray::from(vec!["SP-01", "SP-02", "SP-01"])),
                    "name" => Arc::new(StringArray::from(vec![
                        Some("高炉预测性维护"),
                        Some("视觉检测"),
                        Some("  "),
                    ])),
                    "name_en" => Arc::new(StringArray::from(vec![
                        Some("Blast furnace predictive maintenance"),
                        None,
                        None,
                    ])),
                    "category" => Arc::new(StringArray::from(vec![
                        "platform",
                        "integration",
                        "consulting",
                    ])),
                    "scenarios" => Arc::new(StringArray::from(vec![
                        Some("predictive_maintenance; equipment_management"),
                        Some("visual_inspection；quality_inspection;;"),
                        None,
                    ])),
                    "divisions" => Arc::new(StringArray::from(vec![Some("C31"), None, None])),
                    "deployment" => {
                        Arc::new(StringArray::from(vec![Some("hybrid"), Some("edge"), None]))
                    }
                    "price_min" => Arc::new(Float64Array::from(vec![Some(30.0), None, None])),
                    "price_max" => Arc::new(Float64Array::from(vec![Some(80.0), None, None])),
                    "target_maturity_level" => {
                        Arc::new(Int32Array::from(vec![Some(3), None, None]))
                    }
                    "rating" => Arc::new(Float64Array::from(vec![Some(4.5), Some(f64::NAN), None])),
                    "published_on" => Arc::new(Date32Array::from(vec![Some(20_000), None, None])),
                    "_ingested_at" => Arc::new(
                        TimestampMicrosecondArray::from(vec![0, 0, 0]).with_timezone("UTC"),
                    ),
                    "_batch_id" => Arc::new(StringArray::from(vec!["b1", "b1", "b1"])),
                    _ => parkhub_connectors::arrow::array::new_null_array(field.data_type(), 3),
                }
            })
            .collect();
        RecordBatch::try_new(schema, columns).expect("batch fits the contract schema")
    }

    #[test]
    fn kinds_parse_print_and_name_their_tables() {
        assert_eq!(
            "Offering".parse::<EntryKind>().ok(),
            Some(EntryKind::Offering)
        );
        assert_eq!(
            " provider ".parse::<EntryKind>().ok(),
            Some(EntryKind::Provider)
        );
        let error = "apps".parse::<EntryKind>().expect_err("not a kind");
        assert!(matches!(&error, Error::InvalidKind(kind) if kind == "apps"));
        assert!(
            error
                .to_string()
                .contains("application, offering, provider")
        );
        assert_eq!(EntryKind::Application.table(), "shared_applications");
        assert_eq!(EntryKind::Offering.table(), "service_offerings");
        assert_eq!(EntryKind::Provider.table(), "service_providers");
        assert_eq!(
            serde_json::to_string(&EntryKind::Application)
                .ok()
                .as_deref(),
            Some("\"application\"")
        );
        assert_eq!(
            serde_json::from_str::<EntryKind>("\"provider\"").ok(),
            Some(EntryKind::Provider)
        );
    }

    #[test]
    fn offerings_are_read_from_a_lake_schema_batch() {
        let entries = entries_from_batches(EntryKind::Offering, &[offerings_batch()])
            .expect("entries from the lake batch");
        assert_eq!(entries.len(), 2, "the row with a blank name is skipped");
        let first = &entries[0];
        assert_eq!(first.kind, EntryKind::Offering);
        assert_eq!(first.id, "OF-001");
        assert_eq!(first.title, "高炉预测性维护");
        assert_eq!(
            first.title_en.as_deref(),
            Some("Blast furnace predictive maintenance")
        );
        assert_eq!(first.provider_id.as_deref(), Some("SP-01"));
        assert_eq!(first.category.as_deref(), Some("platform"));
        assert_eq!(
            first.scenarios,
            ["predictive_maintenance", "equipment_management"]
        );
        assert_eq!(first.divisions, ["C31"]);
        assert_eq!(first.deployment.as_deref(), Some("hybrid"));
        assert_eq!((first.price_min, first.price_max), (Some(30.0), Some(80.0)));
        assert_eq!(first.target_maturity_level, Some(3));
        assert_eq!(first.rating, Some(4.5));
        assert_eq!(first.published_on, Some(20_000));
        assert_eq!(first.summary, "");
        assert!(first.key_industries.is_empty());
        let second = &entries[1];
        assert_eq!(
            second.scenarios,
            ["visual_inspection", "quality_inspection"]
        );
        assert_eq!(second.rating, None, "NaN is no rating");
        assert_eq!(second.title_en, None);
    }

    #[test]
    fn a_batch_without_name_is_an_error_naming_it() {
        let batch = offerings_batch();
        let keep: Vec<usize> = (0..batch.num_columns())
            .filter(|index| batch.schema().field(*index).name() != "name")
            .collect();
        let without_name = batch.project(&keep).expect("projection");
        let error = entries_from_batches(EntryKind::Offering, &[without_name])
            .expect_err("name is required");
        assert!(matches!(
            error,
            Error::MissingColumn {
                column: "name",
                table: "service_offerings"
            }
        ));
        assert!(error.to_string().contains("'name'"));

        let without_id = batch.project(&[2]).expect("projection");
        let error =
            entries_from_batches(EntryKind::Offering, &[without_id]).expect_err("id is required");
        assert!(matches!(
            error,
            Error::MissingColumn {
                column: "offering_id",
                ..
            }
        ));
    }

    #[test]
    fn view_strings_and_missing_optional_columns_are_accepted() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8View, true),
            Field::new("app_id", DataType::Utf8View, false),
            Field::new("price", DataType::Int32, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringViewArray::from(vec!["能耗监测平台"])),
                Arc::new(StringViewArray::from(vec!["APP-9"])),
                Arc::new(Int32Array::from(vec![12])),
            ],
        )
        .expect("batch");
        let entries = entries_from_batches(EntryKind::Application, &[batch]).expect("entries");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].id, "APP-9");
        assert_eq!(entries[0].title, "能耗监测平台");
        assert_eq!(
            (entries[0].price_min, entries[0].price_max),
            (Some(12.0), Some(12.0))
        );
        assert_eq!(entries[0].provider_id, None);
    }

    #[test]
    fn providers_are_their_own_provider() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("provider_id", DataType::Utf8, false),
            Field::new("name", DataType::Utf8, false),
            Field::new("qualifications", DataType::Utf8, true),
            Field::new("region", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec!["SP-01"])),
                Arc::new(StringArray::from(vec!["苏州智造科技"])),
                Arc::new(StringArray::from(vec!["ISO9001;CMMI3"])),
                Arc::new(StringArray::from(vec!["江苏省苏州市"])),
            ],
        )
        .expect("batch");
        let entries = entries_from_batches(EntryKind::Provider, &[batch]).expect("entries");
        assert_eq!(entries[0].provider_id.as_deref(), Some("SP-01"));
        assert_eq!(entries[0].qualifications, ["ISO9001", "CMMI3"]);
        assert_eq!(entries[0].region.as_deref(), Some("江苏省苏州市"));
    }

    #[test]
    fn an_uncastable_column_is_a_type_error() {
        use parkhub_connectors::arrow::array::ListArray;
        use parkhub_connectors::arrow::datatypes::Int32Type;
        let list = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1)])]);
        let schema = Arc::new(Schema::new(vec![
            Field::new("provider_id", DataType::Utf8, false),
            Field::new("name", DataType::Utf8, false),
            Field::new("rating", list.data_type().clone(), true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec!["SP-01"])),
                Arc::new(StringArray::from(vec!["x"])),
                Arc::new(list),
            ],
        )
        .expect("batch");
        let error = entries_from_batches(EntryKind::Provider, &[batch]).expect_err("list rating");
        assert!(
            matches!(
                error,
                Error::ColumnType {
                    column: "rating",
                    ..
                }
            ),
            "{error}"
        );
    }
}
