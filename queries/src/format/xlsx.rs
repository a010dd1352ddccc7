//! Query answers as an Excel workbook: one sheet, a bold header row with the column names,
//! then one row per answer row.
//!
//! Numbers are Excel numbers, booleans Excel booleans, dates and timestamps Excel dates shown
//! `yyyy-mm-dd` and `yyyy-mm-dd hh:mm:ss` (timestamps in UTC, as the JSON and CSV answers
//! write them), nulls empty cells, anything else its text. Values Excel cannot hold as such are
//! written as text rather than changed: integers beyond ±2^53 (Excel's doubles would round
//! them), `NaN` and infinities, dates before 1900-03-01 or after 9999-12-31. A text longer than
//! Excel's 32,767 characters a cell is cut there.
//!
//! A sheet holds at most [`MAX_XLSX_ROWS`] rows under its header: a longer answer is refused
//! ([`Error::TooManyXlsxRows`], naming CSV and Arrow, which have no cap) rather than cut, so a
//! workbook is always the whole answer. [`collect`] reads an answer under that cap and
//! [`workbook`] writes it; the hub's routes send the bytes.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Date64Type, Float16Type, Float32Type, Float64Type, Int8Type, Int16Type,
    Int32Type, Int64Type, SchemaRef, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use futures::StreamExt;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::QueryStream;
use crate::error::{Error, Result};

/// Media type of an XLSX workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The most data rows a workbook holds: Excel's 1,048,576 rows a sheet, less the header.
pub const MAX_XLSX_ROWS: usize = 1_048_575;

/// The most columns a sheet holds.
pub const MAX_XLSX_COLUMNS: usize = 16_384;

/// The most characters Excel keeps in one cell.
const MAX_CELL_CHARS: usize = 32_767;

/// The name of the one sheet.
const SHEET_NAME: &str = "answer";

/// Days from Excel's day 0 (1899-12-30, in its 1900 date system) to 1970-01-01.
const EXCEL_DAYS_TO_UNIX_EPOCH: f64 = 25_569.0;

/// Excel's serial of 1900-03-01: earlier serials count Excel's phantom 1900-02-29.
const FIRST_EXACT_SERIAL: f64 = 61.0;

/// Excel's serial of 9999-12-31, its last day.
const LAST_SERIAL: f64 = 2_958_465.0;

/// The largest integer a double holds exactly.
const MAX_EXACT_INTEGER: u64 = 1 << 53;

/// The widest a column is set (in characters); longer texts wrap in the cell's display only.
const MAX_COLUMN_WIDTH: usize = 60;

/// Rows read to size the columns.
const WIDTH_SAMPLE_ROWS: usize = 1_000;

/// Reads the whole answer from `stream`, refusing it past [`MAX_XLSX_ROWS`] rows (dropping
/// the stream cancels the rest of the query) or [`MAX_XLSX_COLUMNS`] columns before anything
/// is written; returns its batches and rows for [`workbook`].
pub async fn collect(mut stream: QueryStream) -> Result<(Vec<RecordBatch>, usize)> {
    let columns = stream.schema().fields().len();
    if columns > MAX_XLSX_COLUMNS {
        return Err(Error::TooManyXlsxColumns { columns });
    }
    let mut batches = Vec::new();
    let mut rows = 0usize;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        rows += batch.num_rows();
        if rows > MAX_XLSX_ROWS {
            return Err(Error::TooManyXlsxRows);
        }
        batches.push(batch);
    }
    Ok((batches, rows))
}

/// Returns the bytes of a workbook of one sheet holding `batches` under a bold header row of
/// `schema`'s column names.
pub fn workbook(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<Vec<u8>> {
    let columns = schema.fields().len();
    if columns > MAX_XLSX_COLUMNS {
        return Err(Error::TooManyXlsxColumns { columns });
    }
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    if rows > MAX_XLSX_ROWS {
        return Err(Error::TooManyXlsxRows);
    }
    let formats = Formats {
        header: Format::new().set_bold(),
        date: Format::new().set_num_format("yyyy-mm-dd"),
        timestamp: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
    };
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(SHEET_NAME)?;
    let mut widths: Vec<usize> = Vec::with_capacity(columns);
    for (position, field) in schema.fields().iter().enumerate() {
        let column = column_number(position);
        sheet.write_string_with_format(0, column, field.name(), &formats.header)?;
        widths.push(field.name().chars().count());
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut row_number: u32 = 1;
    let mut sampled_rows = 0usize;
    for batch in batches {
        let sample = batch
            .num_rows()
            .min(WIDTH_SAMPLE_ROWS.saturating_sub(sampled_rows));
        for (position, array) in batch.columns().iter().enumerate() {
            let column = column_number(position);
            let writer = CellWriter::new(array)?;
            for row in 0..batch.num_rows() {
                let shown_chars =
                    writer.write(sheet, &formats, row_number + row as u32, column, row)?;
                if row < sample
                    && let Some(width) = widths.get_mut(position)
                {
                    *width = (*width).max(shown_chars);
                }
            }
        }
        sampled_rows += sample;
        row_number += batch.num_rows() as u32;
    }
    for (position, width) in widths.into_iter().enumerate() {
        // A little room for the filter arrow and the bold header.
        let width = (width + 2).clamp(8, MAX_COLUMN_WIDTH);
        sheet.set_column_width(column_number(position), width as f64)?;
    }
    Ok(book.save_to_buffer()?)
}

/// The cell formats of a workbook.
struct Formats {
    header: Format,
    date: Format,
    timestamp: Format,
}

/// Returns the sheet column of the `position`-th answer column (checked against
/// [`MAX_XLSX_COLUMNS`] before).
fn column_number(position: usize) -> u16 {
    u16::try_from(position).unwrap_or(u16::MAX)
}

/// Writes the cells of one column of a batch.
enum CellWriter<'a> {
    /// Excel numbers.
    Number(&'a ArrayRef),
    /// Excel booleans.
    Boolean(&'a ArrayRef),
    /// Excel dates.
    Date(&'a ArrayRef),
    /// Excel date-times, from a timestamp column.
    Timestamp(&'a ArrayRef, TimeUnit),
    /// Plain text.
    Text(&'a ArrayRef),
    /// Decimals, cast to doubles.
    Decimal(ArrayRef),
    /// Anything else, as Arrow displays it.
    Display(&'a ArrayRef, ArrayFormatter<'a>),
}

impl<'a> CellWriter<'a> {
    fn new(array: &'a ArrayRef) -> Result<CellWriter<'a>> {
        Ok(match array.data_type() {
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Float16
            | DataType::Float32
            | DataType::Float64 => CellWriter::Number(array),
            DataType::Boolean => CellWriter::Boolean(array),
            DataType::Date32 | DataType::Date64 => CellWriter::Date(array),
            DataType::Timestamp(unit, _) => CellWriter::Timestamp(array, *unit),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => CellWriter::Text(array),
            DataType::Decimal32(..)
            | DataType::Decimal64(..)
            | DataType::Decimal128(..)
            | DataType::Decimal256(..) => {
                CellWriter::Decimal(datafusion::arrow::compute::cast(array, &DataType::Float64)?)
            }
            _ => {
                let options = FormatOptions::default().with_null("");
                let formatter = ArrayFormatter::try_new(array.as_ref(), &options)?;
                CellWriter::Display(array, formatter)
            }
        })
    }

    /// Writes the cell of `row` at (`sheet_row`, `column`); returns the characters it shows
    /// (about), to size the column. A null writes nothing: an empty cell.
    fn write(
        &self,
        sheet: &mut Worksheet,
        formats: &Formats,
        sheet_row: u32,
        column: u16,
        row: usize,
    ) -> Result<usize, XlsxError> {
        let array = match self {
            CellWriter::Number(array)
            | CellWriter::Boolean(array)
            | CellWriter::Date(array)
            | CellWriter::Timestamp(array, _)
            | CellWriter::Text(array)
            | CellWriter::Display(array, _) => *array,
            CellWriter::Decimal(array) => array,
        };
        if array.is_null(row) {
            return Ok(0);
        }
        match self {
            CellWriter::Number(array) => write_number(sheet, sheet_row, column, number(array, row)),
            CellWriter::Decimal(array) => write_number(
                sheet,
                sheet_row,
                column,
                Numeric::Float(array.as_primitive::<Float64Type>().value(row)),
            ),
            CellWriter::Boolean(array) => {
                sheet.write_boolean(sheet_row, column, array.as_boolean().value(row))?;
                Ok(5)
            }
            CellWriter::Date(array) => {
                let days = match array.data_type() {
                    DataType::Date64 => {
                        array.as_primitive::<Date64Type>().value(row) as f64 / 86_400_000.0
                    }
                    _ => f64::from(array.as_primitive::<Date32Type>().value(row)),
                };
                write_serial(
                    sheet,
                    sheet_row,
                    column,
                    days,
                    &formats.date,
                    array,
                    row,
                    10,
                )
            }
            CellWriter::Timestamp(array, unit) => {
                let (value, per_day) = match unit {
                    TimeUnit::Second => (
                        array.as_primitive::<TimestampSecondType>().value(row),
                        86_400.0,
                    ),
                    TimeUnit::Millisecond => (
                        array.as_primitive::<TimestampMillisecondType>().value(row),
                        86_400_000.0,
                    ),
                    TimeUnit::Microsecond => (
                        array.as_primitive::<TimestampMicrosecondType>().value(row),
                        86_400_000_000.0,
                    ),
                    TimeUnit::Nanosecond => (
                        array.as_primitive::<TimestampNanosecondType>().value(row),
                        86_400_000_000_000.0,
                    ),
                };
                let days = value as f64 / per_day;
                write_serial(
                    sheet,
                    sheet_row,
                    column,
                    days,
                    &formats.timestamp,
                    array,
                    row,
                    19,
                )
            }
            CellWriter::Text(array) => {
                let text = match array.data_type() {
                    DataType::LargeUtf8 => array.as_string::<i64>().value(row),
                    DataType::Utf8View => array.as_string_view().value(row),
                    _ => array.as_string::<i32>().value(row),
                };
                write_text(sheet, sheet_row, column, text)
            }
            CellWriter::Display(_, formatter) => {
                write_text(sheet, sheet_row, column, &formatter.value(row).to_string())
            }
        }
    }
}

/// A number as the column holds it.
enum Numeric {
    Signed(i64),
    Unsigned(u64),
    Float(f64),
}

fn number(array: &ArrayRef, row: usize) -> Numeric {
    match array.data_type() {
        DataType::Int8 => Numeric::Signed(i64::from(array.as_primitive::<Int8Type>().value(row))),
        DataType::Int16 => Numeric::Signed(i64::from(array.as_primitive::<Int16Type>().value(row))),
        DataType::Int32 => Numeric::Signed(i64::from(array.as_primitive::<Int32Type>().value(row))),
        DataType::Int64 => Numeric::Signed(array.as_primitive::<Int64Type>().value(row)),
        DataType::UInt8 => {
            Numeric::Unsigned(u64::from(array.as_primitive::<UInt8Type>().value(row)))
        }
        DataType::UInt16 => {
            Numeric::Unsigned(u64::from(array.as_primitive::<UInt16Type>().value(row)))
        }
        DataType::UInt32 => {
            Numeric::Unsigned(u64::from(array.as_primitive::<UInt32Type>().value(row)))
        }
        DataType::UInt64 => Numeric::Unsigned(array.as_primitive::<UInt64Type>().value(row)),
        DataType::Float16 => {
            Numeric::Float(f64::from(array.as_primitive::<Float16Type>().value(row)))
        }
        DataType::Float32 => {
            Numeric::Float(f64::from(array.as_primitive::<Float32Type>().value(row)))
        }
        _ => Numeric::Float(array.as_primitive::<Float64Type>().value(row)),
    }
}

/// Writes a number as an Excel number, or as text when a double would not hold it as it is.
fn write_number(
    sheet: &mut Worksheet,
    sheet_row: u32,
    column: u16,
    value: Numeric,
) -> Result<usize, XlsxError> {
    let exact = match value {
        Numeric::Signed(integer) if integer.unsigned_abs() <= MAX_EXACT_INTEGER => {
            Ok(integer as f64)
        }
        Numeric::Unsigned(integer) if integer <= MAX_EXACT_INTEGER => Ok(integer as f64),
        Numeric::Float(float) if float.is_finite() => Ok(float),
        Numeric::Signed(integer) => Err(integer.to_string()),
        Numeric::Unsigned(integer) => Err(integer.to_string()),
        Numeric::Float(float) => Err(float.to_string()),
    };
    match exact {
        Ok(number) => {
            sheet.write_number(sheet_row, column, number)?;
            Ok(crate::format::general_float(number).len())
        }
        Err(text) => write_text(sheet, sheet_row, column, &text),
    }
}

/// Writes a day count from 1970-01-01 (with a fraction for the time of day) as an Excel date,
/// or as Arrow's text of the cell when Excel's calendar does not reach it.
#[allow(clippy::too_many_arguments)]
fn write_serial(
    sheet: &mut Worksheet,
    sheet_row: u32,
    column: u16,
    days_since_epoch: f64,
    format: &Format,
    array: &ArrayRef,
    row: usize,
    shown_chars: usize,
) -> Result<usize, XlsxError> {
    let serial = days_since_epoch + EXCEL_DAYS_TO_UNIX_EPOCH;
    if (FIRST_EXACT_SERIAL..LAST_SERIAL + 1.0).contains(&serial) {
        sheet.write_number_with_format(sheet_row, column, serial, format)?;
        return Ok(shown_chars);
    }
    let options = FormatOptions::default().with_null("");
    let text = ArrayFormatter::try_new(array.as_ref(), &options)
        .map(|formatter| formatter.value(row).to_string())
        .map_err(|error| XlsxError::ParameterError(error.to_string()))?;
    write_text(sheet, sheet_row, column, &text)
}

/// Writes a text, cut at Excel's limit of a cell.
fn write_text(
    sheet: &mut Worksheet,
    sheet_row: u32,
    column: u16,
    text: &str,
) -> Result<usize, XlsxError> {
    let shown = match text.char_indices().nth(MAX_CELL_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    };
    sheet.write_string(sheet_row, column, shown)?;
    // Wide (CJK) characters take about two columns.
    Ok(shown
        .chars()
        .take(MAX_COLUMN_WIDTH)
        .map(|character| if character.len_utf8() > 2 { 2 } else { 1 })
        .sum())
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;
    use std::sync::Arc;

    use datafusion::arrow::array::{
        BooleanArray, Date32Array, Float64Array, Int64Array, StringArray, TimestampMicrosecondArray,
    };
    use datafusion::arrow::datatypes::{Field, Schema};

    use super::*;

    /// Returns the text of `xl/worksheets/sheet1.xml` and of the shared strings.
    fn sheet_xml(bytes: &[u8]) -> (String, String) {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let mut read = |name: &str| {
            let mut text = String::new();
            if let Ok(mut file) = archive.by_name(name) {
                file.read_to_string(&mut text).expect("UTF-8");
            }
            text
        };
        (
            read("xl/worksheets/sheet1.xml"),
            read("xl/sharedStrings.xml"),
        )
    }

    #[test]
    fn a_workbook_has_a_bold_header_typed_cells_and_empty_nulls() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, true),
            Field::new("count", DataType::Int64, true),
            Field::new("share", DataType::Float64, true),
            Field::new("late", DataType::Boolean, true),
            Field::new("day", DataType::Date32, true),
            Field::new(
                "ts",
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                true,
            ),
        ]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(StringArray::from(vec![Some("甲公司"), None])),
                Arc::new(Int64Array::from(vec![Some(42), Some(i64::MAX)])),
                Arc::new(Float64Array::from(vec![Some(0.25), Some(f64::NAN)])),
                Arc::new(BooleanArray::from(vec![Some(true), None])),
                // 2026-10-01, and a day before Excel's calendar.
                Arc::new(Date32Array::from(vec![Some(20_727), Some(-40_000)])),
                Arc::new(
                    TimestampMicrosecondArray::from(vec![
                        Some(1_790_812_800_000_000 + 43_200_000_000),
                        None,
                    ])
                    .with_timezone("UTC"),
                ),
            ],
        )
        .expect("batch");
        let bytes = workbook(&schema, &[batch]).expect("workbook");
        let (sheet, strings) = sheet_xml(&bytes);
        assert!(sheet.contains(r#"<pane ySplit="1""#), "{sheet}");
        // Row 1: the names, as shared strings in the bold style.
        assert!(strings.contains("<t>name</t>") && strings.contains("<t>share</t>"));
        assert!(sheet.contains(r#"<c r="A1" s="1" t="s">"#), "{sheet}");
        // Row 2: text, numbers, a boolean, a date and a timestamp (Excel serials).
        assert!(strings.contains("<t>甲公司</t>"), "{strings}");
        assert!(sheet.contains(r#"<c r="B2"><v>42</v></c>"#), "{sheet}");
        assert!(sheet.contains(r#"<c r="C2"><v>0.25</v></c>"#), "{sheet}");
        assert!(sheet.contains(r#"<c r="D2" t="b"><v>1</v></c>"#), "{sheet}");
        assert!(
            sheet.contains(r#"<c r="E2" s="2"><v>46296</v></c>"#),
            "{sheet}"
        );
        assert!(
            sheet.contains(r#"<c r="F2" s="3"><v>46296.5</v></c>"#),
            "{sheet}"
        );
        // Row 3: nulls are no cells; what a double or Excel's calendar cannot hold is text.
        assert!(!sheet.contains(r#"r="A3""#) && !sheet.contains(r#"r="D3""#));
        assert!(!sheet.contains(r#"r="F3""#));
        assert!(
            strings.contains(&format!("<t>{}</t>", i64::MAX)),
            "{strings}"
        );
        assert!(strings.contains("<t>NaN</t>"), "{strings}");
        assert!(strings.contains("<t>1860-06-26</t>"), "{strings}");
    }

    #[test]
    fn more_rows_than_a_sheet_holds_are_refused_not_cut() {
        let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, false)]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![Arc::new(Int64Array::from(vec![1; MAX_XLSX_ROWS + 1]))],
        )
        .expect("batch");
        let refused = workbook(&schema, &[batch]);
        assert!(matches!(refused, Err(Error::TooManyXlsxRows)));
        let message = refused
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(message.contains("text/csv"), "{message}");
    }
}
