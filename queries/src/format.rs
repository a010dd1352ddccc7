//! Writing query answers: JSON cells, CSV, Arrow IPC streams, aligned text tables and
//! Excel workbooks ([`xlsx`]).

pub mod xlsx;

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Float64Type, Schema, SchemaRef};
use serde::Serialize;
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

/// Writes an answer piece by piece as its batches arrive (the HTTP routes stream CSV and
/// Arrow answers so): the bytes of each batch, then the bytes that end the answer.
pub trait ChunkEncoder: Send + 'static {
    /// Returns the bytes of one batch of the answer.
    fn encode(&mut self, batch: &RecordBatch) -> Result<Vec<u8>>;
    /// Returns the bytes that end the answer.
    fn finish(&mut self) -> Result<Vec<u8>>;
}

/// CSV by the batch, as [`write_csv`] writes it whole: the header row comes with the first.
#[derive(Debug)]
pub struct CsvChunks {
    header: bool,
}

impl Default for CsvChunks {
    fn default() -> CsvChunks {
        CsvChunks { header: true }
    }
}

impl ChunkEncoder for CsvChunks {
    fn encode(&mut self, batch: &RecordBatch) -> Result<Vec<u8>> {
        let mut chunk = Vec::new();
        let mut writer = datafusion::arrow::csv::WriterBuilder::new()
            .with_header(self.header)
            .build(&mut chunk);
        writer.write(&plain_strings(batch)?)?;
        drop(writer);
        self.header = false;
        Ok(chunk)
    }

    fn finish(&mut self) -> Result<Vec<u8>> {
        Ok(Vec::new())
    }
}

/// An Arrow IPC stream by the batch: the schema message with the first chunk, the
/// end-of-stream marker at the end.
pub struct ArrowChunks {
    writer: datafusion::arrow::ipc::writer::StreamWriter<Vec<u8>>,
}

impl std::fmt::Debug for ArrowChunks {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ArrowChunks")
            .finish_non_exhaustive()
    }
}

impl ArrowChunks {
    /// Starts a stream of batches of `schema`.
    pub fn new(schema: &Schema) -> Result<ArrowChunks> {
        Ok(ArrowChunks {
            writer: datafusion::arrow::ipc::writer::StreamWriter::try_new(Vec::new(), schema)?,
        })
    }
}

impl ChunkEncoder for ArrowChunks {
    fn encode(&mut self, batch: &RecordBatch) -> Result<Vec<u8>> {
        self.writer.write(&plain_strings(batch)?)?;
        Ok(std::mem::take(self.writer.get_mut()))
    }

    fn finish(&mut self) -> Result<Vec<u8>> {
        self.writer.finish()?;
        Ok(std::mem::take(self.writer.get_mut()))
    }
}

/// How many digits after the point a text table shows for floating-point columns: a number
/// per column, or one for every float column, else the general rule of [`general_float`].
/// CSV, JSON and Arrow answers always keep full precision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decimals {
    /// Digits after the point for the float columns not named in `columns`; `None` for the
    /// general rule.
    pub default: Option<u8>,
    /// Digits after the point, by column name.
    pub columns: BTreeMap<String, u8>,
}

impl Decimals {
    /// Returns the digits after the point for `column`; `None` for the general rule.
    pub fn for_column(&self, column: &str) -> Option<u8> {
        self.columns.get(column).copied().or(self.default)
    }

    /// Returns `value` as a text table shows it in `column`.
    pub fn format(&self, column: &str, value: f64) -> String {
        match self.for_column(column) {
            Some(digits) => fixed_float(value, digits),
            None => general_float(value),
        }
    }
}

/// The most digits after the point the general rule shows.
const GENERAL_DECIMALS: usize = 6;

/// Returns a float as text tables show it by default: rounded to at most six digits after
/// the point with trailing zeros trimmed (`0.373292`, `15479.667259`, `2`); a number that is
/// not zero but would round to zero keeps six significant digits in scientific notation
/// (`1.5e-9`); `NaN`, `inf` and `-inf` as such.
pub fn general_float(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let fixed = format!("{value:.GENERAL_DECIMALS$}");
    let trimmed = trim_fraction(&fixed);
    if trimmed != "0" {
        return trimmed.to_string();
    }
    if value == 0.0 {
        return "0".to_string();
    }
    let scientific = format!("{value:.prec$e}", prec = GENERAL_DECIMALS - 1);
    match scientific.split_once('e') {
        Some((mantissa, exponent)) => format!("{}e{exponent}", trim_fraction(mantissa)),
        None => scientific,
    }
}

/// Returns a float with exactly `digits` digits after the point (`15479.67`), without the
/// sign of a number that rounds to zero; `NaN`, `inf` and `-inf` as such.
pub fn fixed_float(value: f64, digits: u8) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let fixed = format!("{value:.*}", usize::from(digits));
    match fixed.strip_prefix('-') {
        Some(unsigned) if unsigned.bytes().all(|byte| matches!(byte, b'0' | b'.')) => {
            unsigned.to_string()
        }
        _ => fixed,
    }
}

/// Trims the trailing zeros of a decimal fraction, and the point when nothing follows it; a
/// negative zero becomes `0`.
fn trim_fraction(number: &str) -> &str {
    let trimmed = if number.contains('.') {
        number.trim_end_matches('0').trim_end_matches('.')
    } else {
        number
    };
    if trimmed == "-0" { "0" } else { trimmed }
}

/// Returns batches as an aligned text table (CJK text counted at its display width), floats
/// rounded as `decimals` says. `schema` gives the header when there are no batches.
pub fn text_table(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    decimals: &Decimals,
) -> Result<String> {
    let is_float = |data_type: &DataType| {
        matches!(
            data_type,
            DataType::Float16 | DataType::Float32 | DataType::Float64
        )
    };
    let text_schema = Arc::new(Schema::new_with_metadata(
        schema
            .fields()
            .iter()
            .map(|field| {
                if is_float(field.data_type()) {
                    field.as_ref().clone().with_data_type(DataType::Utf8)
                } else {
                    field.as_ref().clone()
                }
            })
            .collect::<Vec<_>>(),
        schema.metadata().clone(),
    ));
    let text_batches = batches
        .iter()
        .map(|batch| -> Result<RecordBatch> {
            let columns = batch
                .columns()
                .iter()
                .zip(text_schema.fields())
                .map(|(column, field)| -> Result<ArrayRef> {
                    if !is_float(column.data_type()) {
                        return Ok(column.clone());
                    }
                    let values = datafusion::arrow::compute::cast(column, &DataType::Float64)?;
                    let text: StringArray = values
                        .as_primitive::<Float64Type>()
                        .iter()
                        .map(|value| value.map(|value| decimals.format(field.name(), value)))
                        .collect();
                    Ok(Arc::new(text))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(RecordBatch::try_new(text_schema.clone(), columns)?)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(
        datafusion::arrow::util::pretty::pretty_format_batches_with_schema(
            text_schema,
            &text_batches,
        )?
        .to_string(),
    )
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
    fn chunked_answers_equal_the_whole_ones() {
        let batches = [sample(), sample()];
        let mut whole = Vec::new();
        write_csv(&batches, &mut whole).expect("csv");
        let mut csv = CsvChunks::default();
        let mut chunked = Vec::new();
        for batch in &batches {
            chunked.extend(csv.encode(batch).expect("chunk"));
        }
        chunked.extend(csv.finish().expect("end"));
        assert_eq!(String::from_utf8(chunked), String::from_utf8(whole));

        let schema = plain_string_schema(&sample().schema());
        let mut arrow = ArrowChunks::new(&schema).expect("writer");
        let mut stream = Vec::new();
        for batch in &batches {
            stream.extend(arrow.encode(batch).expect("chunk"));
        }
        stream.extend(arrow.finish().expect("end"));
        let reader = datafusion::arrow::ipc::reader::StreamReader::try_new(
            std::io::Cursor::new(stream),
            None,
        )
        .expect("an Arrow stream");
        let rows: usize = reader.map(|batch| batch.expect("batch").num_rows()).sum();
        assert_eq!(rows, 2 * sample().num_rows());
    }

    #[test]
    fn general_rule_keeps_six_decimals_at_most() {
        assert_eq!(general_float(15479.667258884601), "15479.667259");
        assert_eq!(general_float(0.3732918707811799), "0.373292");
        assert_eq!(general_float(2.0), "2");
        assert_eq!(general_float(1.5), "1.5");
        assert_eq!(general_float(-0.25), "-0.25");
        assert_eq!(general_float(0.0), "0");
        assert_eq!(general_float(-0.0), "0");
        assert_eq!(general_float(1.5e-9), "1.5e-9");
        assert_eq!(general_float(-1.234_567_89e-7), "-1.23457e-7");
        assert_eq!(general_float(1e20), "100000000000000000000");
        assert_eq!(general_float(f64::NAN), "NaN");
        assert_eq!(general_float(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn fixed_decimals_round_and_pad() {
        assert_eq!(fixed_float(15479.667258884601, 2), "15479.67");
        assert_eq!(fixed_float(0.3732918707811799, 4), "0.3733");
        assert_eq!(fixed_float(3.0, 2), "3.00");
        assert_eq!(fixed_float(7.6, 0), "8");
        assert_eq!(fixed_float(-0.001, 2), "0.00");
        assert_eq!(fixed_float(-0.5, 2), "-0.50");
        assert_eq!(fixed_float(f64::INFINITY, 2), "inf");
    }

    #[test]
    fn text_tables_round_floats_by_column() {
        let batch = sample();
        let decimals = Decimals {
            default: None,
            columns: BTreeMap::from([("x".to_string(), 3)]),
        };
        let table =
            text_table(&batch.schema(), std::slice::from_ref(&batch), &decimals).expect("table");
        assert!(table.contains("| 1.500 |"), "{table}");
        assert!(table.contains("| NaN   |"), "{table}");
        // Integers are left alone, and so are the other formats.
        assert!(table.contains("| 3 "), "{table}");
        let mut csv = Vec::new();
        write_csv(std::slice::from_ref(&batch), &mut csv).expect("csv");
        assert!(String::from_utf8(csv).expect("utf8").contains(",1.5,"));

        let precise = RecordBatch::try_new(
            Arc::new(Schema::new(vec![
                Field::new("ratio", DataType::Float64, true),
                Field::new("amount", DataType::Float32, true),
            ])),
            vec![
                Arc::new(Float64Array::from(vec![Some(0.3732918707811799), None])),
                Arc::new(datafusion::arrow::array::Float32Array::from(vec![
                    Some(15479.667),
                    Some(0.1),
                ])),
            ],
        )
        .expect("batch");
        let general = text_table(
            &precise.schema(),
            std::slice::from_ref(&precise),
            &Decimals::default(),
        )
        .expect("table");
        assert!(general.contains("| 0.373292 | 15479.666992 |"), "{general}");
        assert!(general.contains("|          | 0.1          |"), "{general}");
        let fixed = Decimals {
            default: Some(2),
            columns: BTreeMap::from([("ratio".to_string(), 4)]),
        };
        let table = text_table(&precise.schema(), &[precise], &fixed).expect("table");
        assert!(table.contains("| 0.3733 | 15479.67 |"), "{table}");
        assert!(table.contains("|        | 0.10     |"), "{table}");
    }

    #[test]
    fn an_empty_answer_still_has_its_header() {
        let schema = sample().schema();
        let table = text_table(&schema, &[], &Decimals::default()).expect("table");
        assert!(table.contains("| name | n | x | d | ts |"), "{table}");
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
