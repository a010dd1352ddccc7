//! The Parquet decoder: the file's own Arrow types, plus the row-number columns.
//!
//! Parquet keeps its metadata in a footer at the end of the file, so the reader needs random
//! access. A source that is not a file (an HTTP body, a pipe) is first spooled to an anonymous
//! temporary file — disk, not memory, holds the copy — which disappears with the decoder.
//! Reading then goes a batch at a time.

use std::fs::File;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, UInt64Array, new_null_array};
use datafusion::arrow::datatypes::{DataType, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::arrow_reader::{
    ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder,
};

use super::RowDecoder;
use super::batch::{ROW_ERROR_COLUMN, SOURCE_ROW_COLUMN, meta_fields};
use super::formats::{Format, Open, SourceFormat};
use super::options::DecodeOptions;
use super::source::ByteCounter;
use crate::error::Error;

/// Parquet's entry in the format registry.
pub(crate) static FORMAT: Format = Format {
    name: "parquet",
    label: "Parquet",
    other_names: &[],
    media_types: &["application/vnd.apache.parquet", "application/x-parquet"],
    extensions: &["parquet"],
    summary: "Parquet",
    text: false,
    open: Open::File(|file, counter, options| {
        Ok(Box::new(ParquetDecoder::open(file, counter, options)?))
    }),
};

/// Decodes Parquet batches, numbering their rows.
pub(crate) struct ParquetDecoder {
    reader: ParquetRecordBatchReader,
    schema: SchemaRef,
    /// Rows handed out so far: the next row's index.
    rows: u64,
    counter: ByteCounter,
    done: bool,
}

fn decode_error(reason: impl std::fmt::Display, row: Option<u64>) -> Error {
    Error::Decode {
        format: SourceFormat::PARQUET,
        row,
        column: None,
        reason: reason.to_string(),
    }
}

impl ParquetDecoder {
    /// Opens a Parquet file; `counter` already holds the bytes read to get it.
    pub(crate) fn open(
        file: File,
        counter: ByteCounter,
        options: &DecodeOptions,
    ) -> Result<ParquetDecoder, Error> {
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| decode_error(format!("not a readable Parquet file: {e}"), None))?;
        let source_schema = builder.schema().clone();
        for reserved in [SOURCE_ROW_COLUMN, ROW_ERROR_COLUMN] {
            if source_schema.field_with_name(reserved).is_ok() {
                return Err(Error::Decode {
                    format: SourceFormat::PARQUET,
                    row: None,
                    column: Some(reserved.to_string()),
                    reason: format!(
                        "the column name '{reserved}' is reserved for the decoder's own \
                         bookkeeping; rename the column"
                    ),
                });
            }
        }
        let fields = source_schema
            .fields()
            .iter()
            .map(|field| field.as_ref().clone())
            .chain(meta_fields())
            .collect::<Vec<_>>();
        let schema = Arc::new(Schema::new_with_metadata(
            fields,
            source_schema.metadata().clone(),
        ));
        let reader = builder
            .with_batch_size(options.rows_per_batch())
            .build()
            .map_err(|e| decode_error(e, None))?;
        Ok(ParquetDecoder {
            reader,
            schema,
            rows: 0,
            counter,
            done: false,
        })
    }
}

impl Iterator for ParquetDecoder {
    type Item = Result<RecordBatch, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let batch = match self.reader.next()? {
            Ok(batch) => batch,
            Err(e) => {
                self.done = true;
                return Some(Err(decode_error(e, Some(self.rows + 1))));
            }
        };
        let first = self.rows + 1;
        let n = batch.num_rows();
        self.rows += n as u64;
        let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
        columns.push(new_null_array(&DataType::Utf8, n));
        columns.push(Arc::new(UInt64Array::from_iter_values(
            first..first + n as u64,
        )));
        Some(RecordBatch::try_new(self.schema.clone(), columns).map_err(Error::from))
    }
}

impl RowDecoder for ParquetDecoder {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn bytes_read(&self) -> u64 {
        self.counter.get()
    }
}
