//! The shape every decoder emits: source columns as text, then `__row_error` and
//! `__source_row`; and the builder the text decoders fill it with.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayBuilder, ArrayRef, StringBuilder, UInt64Builder};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;

use super::formats::SourceFormat;
use crate::error::Error;

/// The column holding each row's 1-based row number in the source, as a user would count it.
pub const SOURCE_ROW_COLUMN: &str = "__source_row";

/// The column holding what is wrong with a row that could only be partly decoded (a ragged
/// CSV row, a malformed JSON line, an Excel error cell); null when the row is fine.
pub const ROW_ERROR_COLUMN: &str = "__row_error";

/// The two columns decoders add after the source's own.
pub(crate) fn meta_fields() -> [Field; 2] {
    [
        Field::new(ROW_ERROR_COLUMN, DataType::Utf8, true),
        Field::new(SOURCE_ROW_COLUMN, DataType::UInt64, false),
    ]
}

/// The schema of a text decoder: every source column as nullable Utf8, then the meta columns.
pub(crate) fn text_schema(columns: &[String]) -> SchemaRef {
    let fields = columns
        .iter()
        .map(|name| Field::new(name, DataType::Utf8, true))
        .chain(meta_fields());
    Arc::new(Schema::new(fields.collect::<Vec<_>>()))
}

/// Turns a source's header cells into column names: trimmed; an empty one becomes
/// `column_<label>` (the column's number or letter as the source shows it); a repeated one
/// gets `_2`, `_3`, … so that every column can be told apart downstream.
pub(crate) fn column_names(
    headers: &[String],
    format: SourceFormat,
    label: impl Fn(usize) -> String,
) -> Result<Vec<String>, Error> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut names = Vec::with_capacity(headers.len());
    for (index, header) in headers.iter().enumerate() {
        let header = header.trim();
        if header == SOURCE_ROW_COLUMN || header == ROW_ERROR_COLUMN {
            return Err(Error::Decode {
                format,
                row: None,
                column: Some(header.to_string()),
                reason: format!(
                    "the column name '{header}' is reserved for the decoder's own bookkeeping; \
                     rename the column"
                ),
            });
        }
        let base = if header.is_empty() {
            format!("column_{}", label(index))
        } else {
            header.to_string()
        };
        let mut name = base.clone();
        let mut n = 2;
        while seen.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        seen.insert(name.clone());
        names.push(name);
    }
    Ok(names)
}

/// Builds text batches a row at a time: append each column's value in order, then finish the
/// row with its source row number and problem, if any.
pub(crate) struct TextBatchBuilder {
    schema: SchemaRef,
    columns: Vec<StringBuilder>,
    row_errors: StringBuilder,
    source_rows: UInt64Builder,
    capacity: usize,
}

impl TextBatchBuilder {
    /// A builder for batches of `schema` (made by [`text_schema`]) of `capacity` rows.
    pub(crate) fn new(schema: SchemaRef, capacity: usize) -> TextBatchBuilder {
        let text_columns = schema.fields().len().saturating_sub(2);
        TextBatchBuilder {
            columns: (0..text_columns)
                .map(|_| StringBuilder::with_capacity(capacity, capacity * 8))
                .collect(),
            row_errors: StringBuilder::new(),
            source_rows: UInt64Builder::with_capacity(capacity),
            schema,
            capacity,
        }
    }

    /// The number of source columns.
    pub(crate) fn width(&self) -> usize {
        self.columns.len()
    }

    /// Rows appended since the last batch.
    pub(crate) fn len(&self) -> usize {
        self.source_rows.len()
    }

    /// True when a whole batch is waiting.
    pub(crate) fn is_full(&self) -> bool {
        self.len() >= self.capacity
    }

    /// Appends the value of the next column of the current row.
    pub(crate) fn append(&mut self, column: usize, value: Option<&str>) {
        if let Some(builder) = self.columns.get_mut(column) {
            builder.append_option(value);
        }
    }

    /// Ends the current row (every column appended) with its source row and problem.
    pub(crate) fn finish_row(&mut self, source_row: u64, row_error: Option<&str>) {
        self.row_errors.append_option(row_error);
        self.source_rows.append_value(source_row);
    }

    /// Appends a whole row given as one optional value per column.
    pub(crate) fn push_row(
        &mut self,
        values: &[Option<String>],
        source_row: u64,
        row_error: Option<&str>,
    ) {
        for column in 0..self.width() {
            let value = values.get(column).and_then(|v| v.as_deref());
            self.append(column, value);
        }
        self.finish_row(source_row, row_error);
    }

    /// Takes the rows appended so far as a batch; `None` when there are none.
    pub(crate) fn take(&mut self) -> Result<Option<RecordBatch>, Error> {
        if self.len() == 0 {
            return Ok(None);
        }
        let mut arrays: Vec<ArrayRef> = self
            .columns
            .iter_mut()
            .map(|builder| Arc::new(builder.finish()) as ArrayRef)
            .collect();
        arrays.push(Arc::new(self.row_errors.finish()));
        arrays.push(Arc::new(self.source_rows.finish()));
        Ok(Some(RecordBatch::try_new(self.schema.clone(), arrays)?))
    }
}

/// Joins the problems of one row into its `__row_error` text.
pub(crate) fn join_problems(problems: &[String]) -> Option<String> {
    if problems.is_empty() {
        None
    } else {
        Some(problems.join("; "))
    }
}
