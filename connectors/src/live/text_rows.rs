//! Rows of text cells under the headers a source gave them, as batches the contract's
//! validator reads (the same shape a CSV decoder hands it).

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use sha2::{Digest, Sha256};

use crate::decode::{ROW_ERROR_COLUMN, SOURCE_ROW_COLUMN};
use crate::error::Result;

/// Collects rows of text cells and hands them over as batches.
#[derive(Debug)]
pub(crate) struct TextRows {
    schema: SchemaRef,
    columns: Vec<Vec<Option<String>>>,
    row_errors: Vec<Option<String>>,
    source_rows: Vec<u64>,
}

impl TextRows {
    /// Starts collecting rows with these headers.
    pub(crate) fn new(headers: &[String]) -> TextRows {
        let mut fields: Vec<Field> = headers
            .iter()
            .map(|header| Field::new(header, DataType::Utf8, true))
            .collect();
        fields.push(Field::new(ROW_ERROR_COLUMN, DataType::Utf8, true));
        fields.push(Field::new(SOURCE_ROW_COLUMN, DataType::UInt64, false));
        TextRows {
            schema: Arc::new(Schema::new(fields)),
            columns: vec![Vec::new(); headers.len()],
            row_errors: Vec::new(),
            source_rows: Vec::new(),
        }
    }

    /// The schema of the batches, headers first.
    pub(crate) fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    /// Adds a row (one cell per header; missing cells are null), numbered `row` in the source,
    /// with what is wrong with it when it could not be read whole.
    pub(crate) fn push(&mut self, cells: Vec<Option<String>>, row: u64, error: Option<String>) {
        let mut cells = cells.into_iter();
        for column in &mut self.columns {
            column.push(cells.next().flatten());
        }
        self.row_errors.push(error);
        self.source_rows.push(row);
    }

    /// Rows collected and not yet taken.
    pub(crate) fn len(&self) -> usize {
        self.source_rows.len()
    }

    /// Takes the collected rows as one batch.
    pub(crate) fn take(&mut self) -> Result<RecordBatch> {
        let mut arrays: Vec<ArrayRef> = self
            .columns
            .iter_mut()
            .map(|column| Arc::new(StringArray::from(std::mem::take(column))) as ArrayRef)
            .collect();
        arrays.push(Arc::new(StringArray::from(std::mem::take(
            &mut self.row_errors,
        ))));
        arrays.push(Arc::new(UInt64Array::from(std::mem::take(
            &mut self.source_rows,
        ))));
        Ok(RecordBatch::try_new(Arc::clone(&self.schema), arrays)?)
    }
}

/// A short digest of a row's cells (16 hex digits), to recognise a row read again.
pub(crate) fn row_digest<'a>(cells: impl IntoIterator<Item = Option<&'a str>>) -> String {
    let mut hasher = Sha256::new();
    for cell in cells {
        match cell {
            Some(text) => {
                hasher.update([1u8]);
                hasher.update(text.as_bytes());
            }
            None => hasher.update([0u8]),
        }
        hasher.update([0x1f]);
    }
    hex::encode(&hasher.finalize()[..8])
}
