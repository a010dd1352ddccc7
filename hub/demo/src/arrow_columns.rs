//! Turning generated rows into Arrow batches with the contracts' schemas.

use std::sync::Arc;

use parkhub_connectors::Contracts;
use parkhub_connectors::arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, StringArray,
    TimestampMicrosecondArray,
};
use parkhub_connectors::arrow::datatypes::SchemaRef;
use parkhub_connectors::arrow::record_batch::RecordBatch;
use parkhub_connectors::contract::TIMESTAMP_ZONE;

use crate::Result;
use crate::calendar::date32;

/// The most rows one in-memory table hands out per batch.
pub(crate) const MAX_BATCH_ROWS: usize = 65_536;

/// Returns the `data_schema()` of a built-in table contract.
pub(crate) fn contract_schema(table: &str) -> Result<SchemaRef> {
    let contracts = Contracts::builtin()?;
    Ok(contracts.get(table)?.data_schema())
}

/// Assembles the columns of a table (in contract order) into batches of at most
/// [`MAX_BATCH_ROWS`] rows; no batch when there are no rows.
pub(crate) fn table_batches(table: &str, columns: Vec<ArrayRef>) -> Result<Vec<RecordBatch>> {
    let batch = RecordBatch::try_new(contract_schema(table)?, columns)?;
    let rows = batch.num_rows();
    Ok((0..rows)
        .step_by(MAX_BATCH_ROWS)
        .map(|offset| batch.slice(offset, MAX_BATCH_ROWS.min(rows - offset)))
        .collect())
}

/// A required text column.
pub(crate) fn text<'a>(values: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(values.map(Some).collect::<StringArray>())
}

/// An optional text column.
pub(crate) fn optional_text<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(values.collect::<StringArray>())
}

/// A float column.
pub(crate) fn float(values: impl Iterator<Item = f64>) -> ArrayRef {
    Arc::new(values.map(Some).collect::<Float64Array>())
}

/// An optional float column.
pub(crate) fn optional_float(values: impl Iterator<Item = Option<f64>>) -> ArrayRef {
    Arc::new(values.collect::<Float64Array>())
}

/// An int32 column.
pub(crate) fn int32(values: impl Iterator<Item = i32>) -> ArrayRef {
    Arc::new(values.map(Some).collect::<Int32Array>())
}

/// An int64 column.
pub(crate) fn int64(values: impl Iterator<Item = i64>) -> ArrayRef {
    Arc::new(values.map(Some).collect::<Int64Array>())
}

/// A boolean column.
pub(crate) fn boolean(values: impl Iterator<Item = bool>) -> ArrayRef {
    Arc::new(values.map(Some).collect::<BooleanArray>())
}

/// A date column.
pub(crate) fn dates(values: impl Iterator<Item = chrono::NaiveDate>) -> ArrayRef {
    Arc::new(values.map(|day| Some(date32(day))).collect::<Date32Array>())
}

/// An optional date column.
pub(crate) fn optional_dates(values: impl Iterator<Item = Option<chrono::NaiveDate>>) -> ArrayRef {
    Arc::new(values.map(|day| day.map(date32)).collect::<Date32Array>())
}

/// A UTC timestamp column from microseconds since the epoch.
pub(crate) fn timestamps(values: impl Iterator<Item = i64>) -> ArrayRef {
    Arc::new(
        values
            .map(Some)
            .collect::<TimestampMicrosecondArray>()
            .with_timezone(TIMESTAMP_ZONE),
    )
}
