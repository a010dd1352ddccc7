//! Writing query answers: JSON cells, CSV, Arrow IPC streams and aligned text tables.

use datafusion::arrow::array::{Array, ArrayRef, RecordBatch};
use datafusion::arrow::datatypes::DataType;
use serde_json::Value;

use crate::error::Result;

/// Returns the name clients see for an Arrow type: the contract's names for the lake's types
/// (`string`, `int64`, `float64`, `boolean`, `date`, `timestamp`), Arrow's own otherwise.
pub fn type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".into(),
        DataType::Int8 => "int8".into(),
        DataType::Int16 => "int16".into(),
        DataType::Int32 => "int32".into(),
        DataType::Int64 => "int64".into(),
        DataType::UInt8 => "uint8".into(),
        DataType::UInt16 => "uint16".into(),
        DataType::UInt32 => "uint32".into(),
        DataType::UInt64 => "uint64".into(),
        DataType::Float16 | DataType::Float32 => "float32".into(),
        DataType::Float64 => "float64".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Timestamp(_, _) => "timestamp".into(),
        DataType::Decimal128(precision, scale) | DataType::Decimal256(precision, scale) => {
            format!("decimal({precision},{scale})")
        }
        DataType::Null => "null".into(),
        other => other.to_string(),
    }
}

/// Returns one cell as JSON; the lake's rows and query answers share one rendering.
pub use parkhub_connectors::record::json_cell;

/// Returns the rows of `batches` as JSON arrays, at most `limit` of them, and whether more
/// rows were left out.
pub fn json_rows(batches: &[RecordBatch], limit: usize) -> (Vec<Vec<Value>>, bool) {
    let mut rows = Vec::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            if rows.len() == limit {
                return (rows, true);
            }
            rows.push(
                batch
                    .columns()
                    .iter()
                    .map(|column| json_cell(column, row))
                    .collect(),
            );
        }
    }
    (rows, false)
}

/// Writes batches as CSV with a header row.
pub fn write_csv(batches: &[RecordBatch], output: impl std::io::Write) -> Result<()> {
    let mut writer = datafusion::arrow::csv::WriterBuilder::new()
        .with_header(true)
        .build(output);
    for batch in batches {
        writer.write(&plain_strings(batch)?)?;
    }
    Ok(())
}

/// Writes batches as an Arrow IPC stream.
pub fn write_arrow_ipc(
    schema: &datafusion::arrow::datatypes::Schema,
    batches: &[RecordBatch],
    output: impl std::io::Write,
) -> Result<()> {
    let mut writer = datafusion::arrow::ipc::writer::StreamWriter::try_new(output, schema)?;
    for batch in batches {
        writer.write(batch)?;
    }
    writer.finish()?;
    Ok(())
}

/// Returns batches as an aligned text table (CJK text counted at its display width).
pub fn text_table(batches: &[RecordBatch]) -> Result<String> {
    Ok(datafusion::arrow::util::pretty::pretty_format_batches(batches)?.to_string())
}

/// Casts string views to plain strings, which every CSV and IPC consumer reads.
pub fn plain_strings(batch: &RecordBatch) -> Result<RecordBatch> {
    if !batch
        .schema()
        .fields()
        .iter()
        .any(|field| field.data_type() == &DataType::Utf8View)
    {
        return Ok(batch.clone());
    }
    let schema = plain_string_schema(&batch.schema());
    let columns = batch
        .columns()
        .iter()
        .map(|column| -> Result<ArrayRef> {
            if column.data_type() == &DataType::Utf8View {
                Ok(datafusion::arrow::compute::cast(column, &DataType::Utf8)?)
            } else {
                Ok(column.clone())
            }
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(RecordBatch::try_new(schema, columns)?)
}

/// Returns `schema` with string views replaced by plain strings.
pub fn plain_string_schema(
    schema: &datafusion::arrow::datatypes::SchemaRef,
) -> datafusion::arrow::datatypes::SchemaRef {
    std::sync::Arc::new(datafusion::arrow::datatypes::Schema::new_with_metadata(
        schema
            .fields()
            .iter()
            .map(|field| {
                if field.data_type() == &DataType::Utf8View {
                    field.as_ref().clone().with_data_type(DataType::Utf8)
                } else {
                    field.as_ref().clone()
                }
            })
            .collect::<Vec<_>>(),
        schema.metadata().clone(),
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{
        Date32Array, Float64Array, Int64Array, StringViewArray, TimestampMicrosecondArray,
    };
    use datafusion::arrow::datatypes::{Field, Schema, TimeUnit};

    use super::*;

    fn sample() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8View, true),
            Field::new("n", DataType::Int64, true),
            Field::new("x", DataType::Float64, true),
            Field::new("d", DataType::Date32, true),
            Field::new(
                "ts",
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                true,
            ),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringViewArray::from(vec![Some("钢铁"), None])),
                Arc::new(Int64Array::from(vec![Some(3), None])),
                Arc::new(Float64Array::from(vec![Some(1.5), Some(f64::NAN)])),
                Arc::new(Date32Array::from(vec![Some(20_000), None])),
                Arc::new(
                    TimestampMicrosecondArray::from(vec![Some(1_700_000_000_000_000), None])
                        .with_timezone("UTC"),
                ),
            ],
        )
        .expect("batch")
    }

    #[test]
    fn cells_become_typed_json() {
        let (rows, truncated) = json_rows(&[sample()], 10);
        assert!(!truncated);
        assert_eq!(
            rows[0],
            vec![
                Value::from("钢铁"),
                Value::from(3),
                Value::from(1.5),
                Value::from("2024-10-04"),
                Value::from("2023-11-14T22:13:20Z")
            ]
        );
        assert_eq!(rows[1], vec![Value::Null; 5]);
    }

    #[test]
    fn json_rows_stop_at_the_limit() {
        let (rows, truncated) = json_rows(&[sample(), sample()], 3);
        assert_eq!((rows.len(), truncated), (3, true));
    }

    #[test]
    fn csv_has_a_header_and_plain_values() {
        let mut output = Vec::new();
        write_csv(&[sample()], &mut output).expect("csv");
        let text = String::from_utf8(output).expect("utf8");
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("name,n,x,d,ts"));
        assert_eq!(
            lines.next(),
            Some("钢铁,3,1.5,2024-10-04,2023-11-14T22:13:20Z")
        );
    }

    #[test]
    fn type_names_follow_the_contracts() {
        assert_eq!(type_name(&DataType::Utf8View), "string");
        assert_eq!(type_name(&DataType::Date32), "date");
        assert_eq!(
            type_name(&DataType::Timestamp(TimeUnit::Microsecond, None)),
            "timestamp"
        );
    }
}
