//! Source decoders: bytes as enterprises deliver them in, Arrow batches out.
//!
//! A decoder turns a byte source — a CSV export in GBK with a title line above the header, an
//! Excel workbook, JSON from another system, Parquet — into a stream of [`RecordBatch`]es of
//! at most [`DecodeOptions::batch_rows`] rows, with memory bounded by one batch (plus one
//! record), however large the source.
//!
//! Decoders do not interpret types: that is the validation step's job, which coerces to the
//! contract's types and reports per-row errors. So every source column arrives as nullable
//! `Utf8` text named by the source's header as written (trimmed), except from Parquet, which
//! keeps its own Arrow types. Two columns follow the source's own:
//!
//! - [`ROW_ERROR_COLUMN`] (`__row_error`, Utf8): null, or what is wrong with a row that could
//!   only partly be decoded (a ragged CSV row, a malformed JSON line, an Excel error cell),
//!   for the validator to reject with that reason;
//! - [`SOURCE_ROW_COLUMN`] (`__source_row`, UInt64): the row's 1-based number in the source as
//!   a user counts it — CSV: the line its record starts on, the header line being a line
//!   like any other (a header on line 1 makes the first data row 2); XLSX: the sheet row;
//!   NDJSON: the line; JSON array: the element's index + 1; Parquet: the row index + 1.
//!
//! Empty values (an empty CSV field, an empty cell, JSON `null`) are null, not empty text.
//! A source with no data rows (empty, or only a header) yields no batches and no error: the
//! caller decides what that means.
//!
//! ```
//! use parkhub_connectors::arrow::array::AsArray;
//! use parkhub_connectors::arrow::datatypes::UInt64Type;
//! use parkhub_connectors::decode::{DecodeOptions, SOURCE_ROW_COLUMN, SourceFormat, decoder};
//!
//! // A GBK export with a title line above its header, as enterprises send them.
//! let text = "2025年1月企业名录\n统一社会信用代码,企业名称\n91320506737948226H,苏州金瑞鞋业有限公司\n";
//! let (gbk, _, _) = encoding_rs::GBK.encode(text);
//! let options = DecodeOptions {
//!     // The contract's names and aliases, which find the header below the title.
//!     known_headers: vec!["统一社会信用代码".into(), "企业名称".into()],
//!     ..DecodeOptions::new(SourceFormat::CSV)
//! };
//! let mut rows = decoder(Box::new(std::io::Cursor::new(gbk.into_owned())), &options)?;
//! let batch = rows.next().expect("one batch")?;
//! assert_eq!(batch.column(1).as_string::<i32>().value(0), "苏州金瑞鞋业有限公司");
//! let source_rows = batch.column_by_name(SOURCE_ROW_COLUMN).expect("always there");
//! assert_eq!(source_rows.as_primitive::<UInt64Type>().value(0), 3); // the file's line 3
//! # Ok::<(), parkhub_connectors::Error>(())
//! ```

mod batch;
mod csv;
mod encoding;
mod formats;
mod json;
mod options;
mod parquet;
mod source;
mod xlsx;

#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::Read;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;

pub use batch::{ROW_ERROR_COLUMN, SOURCE_ROW_COLUMN};
pub use formats::{FORMATS, Format, SourceFormat};
pub use options::{DEFAULT_BATCH_ROWS, DEFAULT_MAX_RECORD_BYTES, DecodeOptions, TextEncoding};

use crate::error::Error;
use formats::Open;
use source::ByteCounter;

/// A stream of decoded batches with a stable schema.
///
/// After an error the stream ends: the batches before it are good, the rest of the source is
/// not read.
pub trait RowDecoder: Iterator<Item = Result<RecordBatch, Error>> + Send {
    /// The schema of every batch: the source's columns, then [`ROW_ERROR_COLUMN`] and
    /// [`SOURCE_ROW_COLUMN`]. Known before the first batch.
    fn schema(&self) -> SchemaRef;

    /// Bytes consumed from the source so far, for progress reporting. Parquet and XLSX read
    /// the whole source before the first batch (they need random access), so theirs is the
    /// source's size from the start.
    fn bytes_read(&self) -> u64;
}

/// Returns a decoder of `source` in `options.format`.
///
/// CSV, NDJSON and JSON are decoded as they are read. Parquet and XLSX need random access, so
/// `source` is first copied to an anonymous temporary file (deleted with the decoder); use
/// [`decoder_for_file`] when the source is a local file already. The header (CSV, XLSX) or
/// the first batch (JSON) is read before this returns, so that [`RowDecoder::schema`] is
/// known: errors found there (wrong encoding, no header, not a zip archive) are returned here.
pub fn decoder(
    source: Box<dyn Read + Send>,
    options: &DecodeOptions,
) -> Result<Box<dyn RowDecoder>, Error> {
    match options.format.opener() {
        Open::Stream(open) => open(source, options),
        Open::File(open) => {
            let mut source = source;
            let counter = ByteCounter::default();
            let file = source::spool(&mut source, &counter)?;
            open(file, counter, options)
        }
    }
}

/// Returns a decoder of a local file, which Parquet and XLSX read in place instead of copying.
pub fn decoder_for_file(file: File, options: &DecodeOptions) -> Result<Box<dyn RowDecoder>, Error> {
    match options.format.opener() {
        Open::Stream(open) => open(Box::new(file), options),
        Open::File(open) => {
            let counter = ByteCounter::default();
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            counter.add(size);
            open(file, counter, options)
        }
    }
}
