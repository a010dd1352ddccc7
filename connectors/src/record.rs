//! JSON records: checking JSON objects against a table contract on their way into the lake,
//! and a lake row back out as a JSON object.
//!
//! [`validate_records`] is the JSON entry point's counterpart of a decoder plus the
//! [`Validator`]: each field must be a column of the contract and of a JSON type that fits it,
//! and then the contract's checks apply exactly as at ingest. [`record_json`] turns a row of
//! the table back into an object of its columns.
//!
//! ```
//! use std::sync::Arc;
//!
//! use parkhub_connectors::Contracts;
//! use parkhub_connectors::record::{record_json, validate_records};
//! use parkhub_connectors::validate::ValidationOptions;
//!
//! let contracts = Contracts::builtin()?;
//! let contract = Arc::clone(contracts.get("service_offerings")?);
//! let record = serde_json::json!({"offering_id": "OF-900", "provider_id": "SP-01",
//!     "name": "注塑机预测性维护", "category": "platform", "deployment": "私有化部署",
//!     "scenarios": ["predictive_maintenance", "equipment_networking"]});
//! let records = [record.as_object().cloned().unwrap_or_default()];
//! let batch = validate_records(&contract, &ValidationOptions::default(), &records)?;
//! let row = record_json(&contract, &batch, 0);
//! assert_eq!(row["deployment"], "on_premise"); // a value alias of the contract
//! assert_eq!(row["scenarios"], "predictive_maintenance;equipment_networking");
//!
//! let unknown_field = serde_json::json!({"offering_id": "OF-901", "colour": "red"});
//! let records = [unknown_field.as_object().cloned().unwrap_or_default()];
//! let refused = validate_records(&contract, &ValidationOptions::default(), &records);
//! assert!(matches!(refused, Err(parkhub_connectors::Error::InvalidRecords { .. })));
//! # Ok::<(), parkhub_connectors::Error>(())
//! ```

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Date32Array, Float32Array, Float64Array, RecordBatch,
    StringArray,
};
use datafusion::arrow::datatypes::{
    DataType, Field, Int8Type, Int16Type, Int32Type, Int64Type, Schema, TimeUnit, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use serde_json::{Map, Value};

use crate::contract::{ColumnContract, ColumnType, TableContract};
use crate::error::{Error, Result};
use crate::validate::{ValidationOptions, Validator};

/// One JSON record that does not fit its table's contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRecord {
    /// The record's position among those checked, from 0.
    pub index: usize,
    /// Everything wrong with it, each naming its field (`rating: 7 is above the maximum 5`).
    pub problems: Vec<String>,
}

/// Checks JSON records against `contract` and returns them as a batch of the table's data
/// schema, one row per record, or [`Error::InvalidRecords`] with every problem of every
/// record at fault.
///
/// Every field must be a column of the contract; text columns take strings (list columns
/// also lists of strings, joined with `;`), number columns numbers (or text that reads as
/// one, as in a CSV file), boolean columns booleans, date columns `YYYY-MM-DD`. The
/// contract's checks then apply as at ingest: required values, allowed values, ranges, USCC
/// check characters, and for keyed tables a key that repeats an earlier record's.
pub fn validate_records(
    contract: &Arc<TableContract>,
    options: &ValidationOptions,
    records: &[Map<String, Value>],
) -> Result<RecordBatch> {
    let rejected = unknown_fields(contract, records);
    if !rejected.is_empty() {
        return Err(invalid(contract, rejected));
    }
    let mut rejected = Vec::new();
    let mut fields = Vec::with_capacity(contract.columns.len());
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(contract.columns.len());
    let mut texts: Vec<Vec<Option<String>>> =
        vec![Vec::with_capacity(records.len()); contract.columns.len()];
    for (index, record) in records.iter().enumerate() {
        let mut problems = Vec::new();
        for (column, column_texts) in contract.columns.iter().zip(&mut texts) {
            let text = match record.get(&column.name) {
                None => None,
                Some(value) => cell_text(column, value).unwrap_or_else(|problem| {
                    problems.push(problem);
                    None
                }),
            };
            column_texts.push(text);
        }
        if !problems.is_empty() {
            rejected.push(InvalidRecord { index, problems });
        }
    }
    if !rejected.is_empty() {
        return Err(invalid(contract, rejected));
    }
    for (column, column_texts) in contract.columns.iter().zip(texts) {
        fields.push(Field::new(&column.name, DataType::Utf8, true));
        columns.push(Arc::new(StringArray::from(column_texts)));
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns)?;
    let mut validator = Validator::new(Arc::clone(contract), &schema, options.clone())?;
    let validated = validator.validate(&batch)?;
    if !validated.rejected.is_empty() {
        let rejected = validated
            .rejected
            .iter()
            .map(|row| InvalidRecord {
                // The validator counts rows as a user does, from 1.
                index: usize::try_from(row.source_row.saturating_sub(1)).unwrap_or(usize::MAX),
                problems: row
                    .problems
                    .iter()
                    .map(|problem| problem.reason_en())
                    .collect(),
            })
            .collect();
        return Err(invalid(contract, rejected));
    }
    Ok(validated.valid)
}

fn invalid(contract: &TableContract, rejected: Vec<InvalidRecord>) -> Error {
    Error::InvalidRecords {
        table: contract.name.clone(),
        rejected,
    }
}

/// Returns the records that have fields the contract does not know, each problem naming the
/// field, followed by the list of the contract's fields.
fn unknown_fields(contract: &TableContract, records: &[Map<String, Value>]) -> Vec<InvalidRecord> {
    let mut rejected = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let mut problems: Vec<String> = record
            .keys()
            .filter(|field| contract.column(field).is_none())
            .map(|field| format!("{field}: not a field of {}", contract.name))
            .collect();
        if problems.is_empty() {
            continue;
        }
        let names: Vec<&str> = contract
            .columns
            .iter()
            .map(|column| column.name.as_str())
            .collect();
        problems.push(format!("the fields are: {}", names.join(", ")));
        rejected.push(InvalidRecord { index, problems });
    }
    rejected
}

/// Returns a JSON value as the text the validator reads, or what is wrong with its type.
fn cell_text(column: &ColumnContract, value: &Value) -> Result<Option<String>, String> {
    let name = &column.name;
    let expected = match column.column_type {
        ColumnType::String if column.list => "text or a list of texts",
        ColumnType::String => "text",
        ColumnType::Int32 | ColumnType::Int64 => "an integer",
        ColumnType::Float64 => "a number",
        ColumnType::Boolean => "true or false",
        ColumnType::Date => "a date (YYYY-MM-DD)",
        ColumnType::Timestamp => "a time (RFC 3339)",
    };
    let numeric = matches!(
        column.column_type,
        ColumnType::Int32 | ColumnType::Int64 | ColumnType::Float64
    );
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text.clone())),
        Value::Number(number) if numeric => Ok(Some(number.to_string())),
        Value::Bool(flag) if column.column_type == ColumnType::Boolean => {
            Ok(Some(flag.to_string()))
        }
        Value::Array(items) if column.list => list_text(name, items),
        other => Err(format!(
            "{name}: expected {expected}, found {}",
            json_type(other)
        )),
    }
}

/// Joins the items of a list column's JSON list with `;`, blank items left out.
fn list_text(name: &str, items: &[Value]) -> Result<Option<String>, String> {
    let mut texts = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(text) if text.contains([';', '；']) => {
                return Err(format!(
                    "{name}: the item '{text}' holds a ';', which separates items"
                ));
            }
            Value::String(text) if !text.trim().is_empty() => {
                texts.push(text.trim().to_string());
            }
            Value::String(_) => {}
            other => {
                return Err(format!(
                    "{name}: expected a list of texts, found the item {other}"
                ));
            }
        }
    }
    Ok((!texts.is_empty()).then(|| texts.join(";")))
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Returns row `row` of `batch` as a JSON object of the contract's columns (lists as their
/// `;`-separated text), empty ones left out.
pub fn record_json(
    contract: &TableContract,
    batch: &RecordBatch,
    row: usize,
) -> Map<String, Value> {
    let mut record = Map::new();
    for column in &contract.columns {
        let Some(array) = batch.column_by_name(&column.name) else {
            continue;
        };
        let value = json_cell(array, row);
        if !value.is_null() {
            record.insert(column.name.clone(), value);
        }
    }
    record
}

/// Returns one cell as JSON: numbers as numbers (non-finite floats as null), booleans as
/// booleans, dates as `YYYY-MM-DD`, timestamps as RFC 3339, everything else as its text.
pub fn json_cell(array: &ArrayRef, row: usize) -> Value {
    if array.is_null(row) {
        return Value::Null;
    }
    match array.data_type() {
        DataType::Boolean => array
            .as_any()
            .downcast_ref::<BooleanArray>()
            .map_or(Value::Null, |values| Value::Bool(values.value(row))),
        DataType::Int8 => Value::from(array.as_primitive::<Int8Type>().value(row)),
        DataType::Int16 => Value::from(array.as_primitive::<Int16Type>().value(row)),
        DataType::Int32 => Value::from(array.as_primitive::<Int32Type>().value(row)),
        DataType::Int64 => Value::from(array.as_primitive::<Int64Type>().value(row)),
        DataType::UInt8 => Value::from(array.as_primitive::<UInt8Type>().value(row)),
        DataType::UInt16 => Value::from(array.as_primitive::<UInt16Type>().value(row)),
        DataType::UInt32 => Value::from(array.as_primitive::<UInt32Type>().value(row)),
        DataType::UInt64 => Value::from(array.as_primitive::<UInt64Type>().value(row)),
        DataType::Float32 => array
            .as_any()
            .downcast_ref::<Float32Array>()
            .and_then(|values| serde_json::Number::from_f64(f64::from(values.value(row))))
            .map_or(Value::Null, Value::Number),
        DataType::Float64 => array
            .as_any()
            .downcast_ref::<Float64Array>()
            .and_then(|values| serde_json::Number::from_f64(values.value(row)))
            .map_or(Value::Null, Value::Number),
        DataType::Utf8 => Value::String(array.as_string::<i32>().value(row).to_string()),
        DataType::LargeUtf8 => Value::String(array.as_string::<i64>().value(row).to_string()),
        DataType::Utf8View => Value::String(array.as_string_view().value(row).to_string()),
        DataType::Date32 => array
            .as_any()
            .downcast_ref::<Date32Array>()
            .and_then(|values| values.value_as_date(row))
            .map_or(Value::Null, |date| {
                Value::String(date.format("%Y-%m-%d").to_string())
            }),
        DataType::Timestamp(TimeUnit::Microsecond, Some(_)) => {
            let micros = array
                .as_primitive::<datafusion::arrow::datatypes::TimestampMicrosecondType>()
                .value(row);
            chrono::DateTime::from_timestamp_micros(micros).map_or(Value::Null, |instant| {
                Value::String(instant.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
            })
        }
        _ => display_cell(array, row),
    }
}

fn display_cell(array: &ArrayRef, row: usize) -> Value {
    let options = FormatOptions::default().with_null("");
    match ArrayFormatter::try_new(array.as_ref(), &options) {
        Ok(formatter) => Value::String(formatter.value(row).to_string()),
        Err(_) => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::contract::Contracts;

    fn contract(table: &str) -> Arc<TableContract> {
        let contracts = Contracts::builtin().expect("built-in contracts");
        Arc::clone(contracts.get(table).expect("contract"))
    }

    fn check(table: &str, records: &[Value]) -> Result<RecordBatch> {
        let records: Vec<Map<String, Value>> = records
            .iter()
            .map(|record| record.as_object().cloned().expect("an object"))
            .collect();
        validate_records(&contract(table), &ValidationOptions::default(), &records)
    }

    /// Returns the problems of the one record at fault, joined as an edit reports them.
    fn reasons(result: Result<RecordBatch>) -> String {
        match result {
            Err(Error::InvalidRecords { rejected, .. }) => {
                assert_eq!(rejected.len(), 1, "{rejected:?}");
                rejected[0].problems.join("; ")
            }
            other => panic!("expected invalid records, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_offering_becomes_one_typed_row() {
        let batch = check(
            "service_offerings",
            &[json!({
                "offering_id": " OF-900 ",
                "provider_id": "SP-01",
                "name": "注塑机预测性维护",
                "category": "platform",
                "scenarios": ["predictive_maintenance", "equipment_management"],
                "deployment": "edge",
                "price_min": 20,
                "price_max": "45.5",
                "target_maturity_level": 3,
                "published_on": "2026-03-01"
            })],
        )
        .expect("valid");
        assert_eq!(batch.num_rows(), 1);
        assert_eq!(batch.schema(), contract("service_offerings").data_schema());
        let record = record_json(&contract("service_offerings"), &batch, 0);
        assert_eq!(record["offering_id"], "OF-900");
        assert_eq!(
            record["scenarios"],
            "predictive_maintenance;equipment_management"
        );
        assert_eq!(record["price_min"], json!(20.0));
        assert_eq!(record["price_max"], 45.5);
        assert_eq!(record["target_maturity_level"], 3);
        assert_eq!(record["published_on"], "2026-03-01");
        assert!(!record.contains_key("rating"), "empty fields are left out");
    }

    #[test]
    fn list_columns_are_the_ones_the_contract_declares() {
        let providers = contract("service_providers");
        let lists: Vec<&str> = providers
            .columns
            .iter()
            .filter(|column| column.list)
            .map(|column| column.name.as_str())
            .collect();
        assert_eq!(lists, ["key_industries", "scenarios", "qualifications"]);
        let text = reasons(check(
            "service_providers",
            &[json!({"provider_id": "SP-9", "name": ["华兴"],
                     "scenarios": ["mes", " ", "aps"], "qualifications": "ISO 9001;CMMI 3"})],
        ));
        assert_eq!(text, "name: expected text, found a list");
        let batch = check(
            "service_providers",
            &[json!({"provider_id": "SP-9", "name": "华兴",
                     "scenarios": ["mes", " ", "aps"], "qualifications": "ISO 9001;CMMI 3"})],
        )
        .expect("valid");
        let record = record_json(&providers, &batch, 0);
        assert_eq!(record["scenarios"], "mes;aps");
        assert_eq!(record["qualifications"], "ISO 9001;CMMI 3");
        let text = reasons(check(
            "service_providers",
            &[json!({"provider_id": "SP-9", "name": "华兴", "scenarios": ["mes；aps"]})],
        ));
        assert_eq!(
            text,
            "scenarios: the item 'mes；aps' holds a ';', which separates items"
        );
    }

    #[test]
    fn a_list_on_a_column_that_is_not_text_is_refused_in_the_contract() {
        let refused = TableContract::from_toml(
            "t.toml",
            "name = \"t\"\ndescription_zh = \"t\"\ndescription_en = \"t\"\nmode = \"append\"\n\
             [[columns]]\nname = \"n\"\ntype = \"int64\"\nlist = true\n",
        );
        match refused {
            Err(Error::InvalidContract { reason, .. }) => {
                assert_eq!(reason, "column 'n': only a string column can be a list");
            }
            other => panic!("expected an invalid contract, got {other:?}"),
        }
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let text = reasons(check(
            "service_offerings",
            &[json!({
                "offering_id": "OF-1",
                "name": "x",
                "category": "platform",
                "deployment": "cloud",
                "rating": 7,
                "published_on": "next week"
            })],
        ));
        for expected in [
            "provider_id is required",
            "deployment: 'cloud' is not one of saas, on_premise, hybrid, edge",
            "rating: 7 is above the maximum 5",
            "published_on: 'next week' is not",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }

        let text = reasons(check(
            "shared_applications",
            &[json!({"app_id": "A-1", "colour": "red", "name": "x"})],
        ));
        assert!(
            text.contains("colour: not a field of shared_applications"),
            "{text}"
        );
        assert!(text.contains("app_id, provider_id, name"), "{text}");

        let text = reasons(check(
            "service_providers",
            &[json!({"provider_id": "SP-9", "name": 42, "rating": "high",
                     "scenarios": ["mes", 3], "region": {"city": "苏州"}})],
        ));
        for expected in [
            "name: expected text, found a number",
            "scenarios: expected a list of texts, found the item 3",
            "region: expected text, found an object",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
        let text = reasons(check(
            "service_providers",
            &[json!({"provider_id": "SP-9", "name": "华兴", "rating": "high"})],
        ));
        assert!(text.contains("rating: 'high' is not a number"), "{text}");
        let text = reasons(check(
            "service_providers",
            &[json!({"provider_id": "SP-9", "name": "华兴", "uscc": "91320500MA1N0B000C"})],
        ));
        assert!(text.contains("uscc: USCC check digit wrong"), "{text}");
        let text = reasons(check(
            "service_providers",
            &[json!({"provider_id": "SP-9", "name": "  "})],
        ));
        assert!(text.contains("name is required but empty"), "{text}");
    }

    #[test]
    fn several_records_become_rows_and_each_fault_names_its_record() {
        let batch = check(
            "service_providers",
            &[
                json!({"provider_id": "SP-1", "name": "华兴"}),
                json!({"provider_id": "SP-2", "name": "智造"}),
            ],
        )
        .expect("valid");
        assert_eq!(batch.num_rows(), 2);
        assert_eq!(
            record_json(&contract("service_providers"), &batch, 1)["name"],
            "智造"
        );

        let result = check(
            "service_providers",
            &[
                json!({"provider_id": "SP-1", "name": "华兴"}),
                json!({"provider_id": "SP-2", "name": "智造", "rating": 9}),
                json!({"provider_id": "SP-1", "name": "again"}),
            ],
        );
        let message = result.as_ref().err().map(ToString::to_string);
        assert_eq!(
            message.as_deref(),
            Some(
                "records do not fit table 'service_providers': record 2: rating: 9 is above \
                 the maximum 5; record 3: duplicate key: same key as row 1"
            )
        );
        match result {
            Err(Error::InvalidRecords { table, rejected }) => {
                assert_eq!(table, "service_providers");
                let indexes: Vec<usize> = rejected.iter().map(|record| record.index).collect();
                assert_eq!(indexes, [1, 2]);
                assert_eq!(rejected[0].problems, ["rating: 9 is above the maximum 5"]);
                // Rows count from 1, as the records do in the error's message.
                assert_eq!(rejected[1].problems, ["duplicate key: same key as row 1"]);
            }
            other => panic!("expected invalid records, got {other:?}"),
        }
    }

    #[test]
    fn cells_become_json_of_their_type() {
        let array: ArrayRef = Arc::new(Date32Array::from(vec![Some(20_000), None]));
        assert_eq!(json_cell(&array, 0), "2024-10-04");
        assert_eq!(json_cell(&array, 1), Value::Null);
        let array: ArrayRef = Arc::new(Float64Array::from(vec![f64::NAN, 1.5]));
        assert_eq!(json_cell(&array, 0), Value::Null);
        assert_eq!(json_cell(&array, 1), 1.5);
    }
}
