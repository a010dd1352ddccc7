//! Validation: decoded source rows in, the contract's typed rows out, and every rejected row
//! with all its reasons.
//!
//! A [`Validator`] maps the source's header onto a table contract once
//! ([`headers::HeaderMapping`]), then for each decoded batch coerces each value to its column's
//! type ([`coerce`]), applies the contract's checks (required, allowed values, ranges, USCC
//! check character, GB/T 4754 code), takes the words users write for allowed values (value
//! aliases: 私有化部署 → `on_premise`), normalises units named in headers (元 → 万元), fills
//! and checks the columns the contract declares as derived ([`derive`](mod@derive): an energy reading's
//! tce, an enterprise's key industry), and rejects later rows that repeat a key. A row with any problem is
//! rejected whole, with every problem it has; the others are returned as a batch of the
//! table's data schema.

pub mod coerce;
pub mod derive;
pub mod headers;
pub mod problem;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::FixedOffset;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, BooleanBuilder, Date32Builder, Float64Builder,
    Int32Builder, Int64Builder, RecordBatch, StringArray, StringBuilder,
    TimestampMicrosecondBuilder, UInt64Array,
};
use datafusion::arrow::compute::{CastOptions, cast, cast_with_options, filter_record_batch};
use datafusion::arrow::datatypes::{DataType, Schema, SchemaRef};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use serde_json::Value;

use crate::contract::{ColumnCheck, ColumnContract, ColumnType, TIMESTAMP_ZONE, TableContract};
use crate::energy::EnergyFactors;
use crate::error::{Error, Result};
use derive::{Derivation, Derive, Labelled};
pub use headers::HeaderMapping;
pub use problem::{Problem, ProblemKind};

/// The column that names the enterprise a row belongs to.
pub const OWNER_COLUMN: &str = "uscc";

/// Settings of validation that a park may change.
#[derive(Debug, Clone)]
pub struct ValidationOptions {
    /// USCCs accepted although their check character is wrong (early codes from pilot regions).
    pub uscc_exceptions: BTreeSet<String>,
    /// Factors to convert energy readings to tce.
    pub energy_factors: EnergyFactors,
    /// The offset of times written without one.
    pub local_offset: FixedOffset,
    /// The enterprise (USCC) delivering the source, when an enterprise delivers it: only its
    /// own rows are accepted, any other is rejected as not its enterprise's.
    pub owner: Option<String>,
}

impl ValidationOptions {
    /// File of USCCs accepted despite a wrong check character, one per line, in the data directory.
    pub const USCC_EXCEPTIONS_FILE: &'static str = "uscc_exceptions.txt";

    /// Loads the park's settings from its data directory: `energy_factors.toml` and
    /// `uscc_exceptions.txt` when they exist, defaults otherwise.
    pub fn load(data_dir: &std::path::Path) -> Result<ValidationOptions> {
        let path = data_dir.join(Self::USCC_EXCEPTIONS_FILE);
        let uscc_exceptions = match std::fs::read_to_string(&path) {
            Ok(text) => text
                .lines()
                .map(|line| {
                    line.split('#')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_ascii_uppercase()
                })
                .filter(|line| !line.is_empty())
                .collect(),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => BTreeSet::new(),
            Err(source) => return Err(crate::error::Error::Io { path, source }),
        };
        Ok(ValidationOptions {
            uscc_exceptions,
            energy_factors: EnergyFactors::load(data_dir)?,
            local_offset: coerce::CHINA_STANDARD_TIME,
            owner: None,
        })
    }
}

impl Default for ValidationOptions {
    fn default() -> Self {
        ValidationOptions {
            uscc_exceptions: BTreeSet::new(),
            energy_factors: EnergyFactors::default(),
            local_offset: coerce::CHINA_STANDARD_TIME,
            owner: None,
        }
    }
}

/// A rejected row: where it was, what it said, and everything wrong with it.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedRow {
    /// The row's number in the source, as a user counts it.
    pub source_row: u64,
    /// The row as the source wrote it: header → text.
    pub record: serde_json::Map<String, Value>,
    /// Every problem found.
    pub problems: Vec<Problem>,
}

/// The outcome of validating one decoded batch.
#[derive(Debug, Clone)]
pub struct ValidatedBatch {
    /// The valid rows, in the table's data schema.
    pub valid: RecordBatch,
    /// The rejected rows.
    pub rejected: Vec<RejectedRow>,
}

/// Validates the decoded batches of one source against one contract.
#[derive(Debug)]
pub struct Validator {
    contract: Arc<TableContract>,
    mapping: HeaderMapping,
    options: ValidationOptions,
    data_schema: SchemaRef,
    nullable_schema: SchemaRef,
    /// Key → the source row it first appeared on (upsert tables only).
    seen_keys: HashMap<String, u64>,
    /// The columns the contract derives, in contract order.
    derived: Vec<DerivedColumn>,
}

/// A column the contract derives, with the positions of the columns it is derived from.
#[derive(Debug)]
struct DerivedColumn {
    position: usize,
    derivation: &'static Derivation,
    inputs: Vec<usize>,
}

impl Validator {
    /// Prepares validation of a source with `source_schema`; fails when its header lacks
    /// required columns or has none of the table's.
    pub fn new(
        contract: Arc<TableContract>,
        source_schema: &Schema,
        options: ValidationOptions,
    ) -> Result<Validator> {
        let derived = derived_columns(&contract)?;
        let mapping = HeaderMapping::new(&contract, source_schema)?;
        let data_schema = contract.data_schema();
        let nullable_schema = Arc::new(Schema::new(
            data_schema
                .fields()
                .iter()
                .map(|field| field.as_ref().clone().with_nullable(true))
                .collect::<Vec<_>>(),
        ));
        Ok(Validator {
            contract,
            mapping,
            options,
            data_schema,
            nullable_schema,
            seen_keys: HashMap::new(),
            derived,
        })
    }

    /// Returns how the source's header was mapped.
    pub fn mapping(&self) -> &HeaderMapping {
        &self.mapping
    }

    /// Returns the schema of valid batches (the contract's data schema).
    pub fn output_schema(&self) -> SchemaRef {
        Arc::clone(&self.data_schema)
    }

    /// Validates one decoded batch.
    pub fn validate(&mut self, batch: &RecordBatch) -> Result<ValidatedBatch> {
        let rows = batch.num_rows();
        let source_rows: Vec<u64> = match self.mapping.source_row_index {
            Some(index) => match batch.column(index).as_any().downcast_ref::<UInt64Array>() {
                Some(numbers) => numbers
                    .iter()
                    .enumerate()
                    .map(|(at, n)| n.unwrap_or(at as u64 + 1))
                    .collect(),
                None => (1..=rows as u64).collect(),
            },
            None => (1..=rows as u64).collect(),
        };
        let mut problems: Vec<Vec<Problem>> = vec![Vec::new(); rows];
        if let Some(index) = self.mapping.row_error_index {
            let errors = cast(batch.column(index), &DataType::Utf8)?;
            let errors = errors.as_string::<i32>();
            for (row, error) in errors.iter().enumerate() {
                if let Some(detail) = error {
                    problems[row].push(Problem {
                        column: None,
                        label: None,
                        value: None,
                        kind: ProblemKind::Source {
                            detail: detail.to_string(),
                        },
                    });
                }
            }
        }
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(self.contract.columns.len());
        for (position, column) in self.contract.columns.iter().enumerate() {
            let array = match &self.mapping.columns[position] {
                None => {
                    datafusion::arrow::array::new_null_array(&column.column_type.arrow_type(), rows)
                }
                Some(mapped) => {
                    let label = mapped.header.clone();
                    let source = batch.column(mapped.source_index);
                    coerce_column(
                        column,
                        &label,
                        source,
                        mapped.scale,
                        &self.options,
                        &mut problems,
                    )?
                }
            };
            // A derived column may be empty until it is derived.
            let required = column.required && column.derive.is_none();
            check_column(
                column,
                required,
                self.label_of(position),
                &array,
                &self.options,
                &mut problems,
            );
            columns.push(array);
        }
        self.derive_columns(&mut columns, &mut problems)?;
        self.check_owner(&columns, &mut problems)?;
        self.check_duplicate_keys(&columns, &source_rows, &mut problems);

        let keep: BooleanArray = problems.iter().map(|row| Some(row.is_empty())).collect();
        let typed = RecordBatch::try_new(Arc::clone(&self.nullable_schema), columns)?;
        let valid = filter_record_batch(&typed, &keep)?;
        let valid = RecordBatch::try_new(Arc::clone(&self.data_schema), valid.columns().to_vec())?;
        let rejected = if problems.iter().all(Vec::is_empty) {
            Vec::new()
        } else {
            self.rejected_rows(batch, &source_rows, problems)
        };
        Ok(ValidatedBatch { valid, rejected })
    }

    fn label_of(&self, position: usize) -> String {
        match &self.mapping.columns[position] {
            Some(mapped) => mapped.header.clone(),
            None => {
                let column = &self.contract.columns[position];
                column
                    .aliases
                    .first()
                    .cloned()
                    .unwrap_or_else(|| column.name.clone())
            }
        }
    }

    /// Fills and checks the derived columns; a required one still empty afterwards is missing,
    /// unless a column it is derived from already has a problem on that row.
    fn derive_columns(
        &self,
        columns: &mut [ArrayRef],
        problems: &mut [Vec<Problem>],
    ) -> Result<()> {
        for derived in &self.derived {
            let column = &self.contract.columns[derived.position];
            let labelled = |position: usize| Labelled {
                column: &self.contract.columns[position],
                label: self.label_of(position),
                values: &columns[position],
            };
            let derive = Derive {
                inputs: derived.inputs.iter().copied().map(labelled).collect(),
                given: labelled(derived.position),
                options: &self.options,
            };
            let values = derived.derivation.apply(&derive, problems)?;
            if column.required {
                let concerned: Vec<&str> = std::iter::once(derived.position)
                    .chain(derived.inputs.iter().copied())
                    .map(|position| self.contract.columns[position].name.as_str())
                    .collect();
                for (row, row_problems) in problems.iter_mut().enumerate() {
                    let already_reported = row_problems.iter().any(|problem| {
                        problem
                            .column
                            .as_deref()
                            .is_some_and(|name| concerned.contains(&name))
                    });
                    if values.is_null(row) && !already_reported {
                        row_problems.push(Problem {
                            column: Some(column.name.clone()),
                            label: Some(self.label_of(derived.position)),
                            value: None,
                            kind: ProblemKind::Missing,
                        });
                    }
                }
            }
            columns[derived.position] = values;
        }
        Ok(())
    }

    /// Rejects the rows of other enterprises when an enterprise delivers the source.
    fn check_owner(&self, columns: &[ArrayRef], problems: &mut [Vec<Problem>]) -> Result<()> {
        let Some(owner) = &self.options.owner else {
            return Ok(());
        };
        let Some(position) = self
            .contract
            .columns
            .iter()
            .position(|column| column.name == OWNER_COLUMN)
        else {
            return Err(crate::error::Error::NotOwnedByEnterprises {
                table: self.contract.name.clone(),
            });
        };
        let values = cast(&columns[position], &DataType::Utf8)?;
        let values = values.as_string::<i32>();
        let label = self.label_of(position);
        for (row, value) in values.iter().enumerate() {
            // A row without a USCC belongs to no enterprise, so not to this one either.
            if value != Some(owner.as_str()) {
                problems[row].push(Problem {
                    column: Some(OWNER_COLUMN.to_string()),
                    label: Some(label.clone()),
                    value: value.map(str::to_string),
                    kind: ProblemKind::NotYourEnterprise {
                        owner: owner.clone(),
                    },
                });
            }
        }
        Ok(())
    }

    fn check_duplicate_keys(
        &mut self,
        columns: &[ArrayRef],
        source_rows: &[u64],
        problems: &mut [Vec<Problem>],
    ) {
        if self.contract.key.is_empty() {
            return;
        }
        let key_positions: Vec<usize> = self
            .contract
            .key
            .iter()
            .filter_map(|key| {
                self.contract
                    .columns
                    .iter()
                    .position(|column| &column.name == key)
            })
            .collect();
        let options = FormatOptions::default();
        let formatters: Vec<ArrayFormatter<'_>> = key_positions
            .iter()
            .filter_map(|position| {
                ArrayFormatter::try_new(columns[*position].as_ref(), &options).ok()
            })
            .collect();
        for (row, row_problems) in problems.iter_mut().enumerate() {
            if !row_problems.is_empty() {
                continue;
            }
            let key = formatters
                .iter()
                .map(|formatter| formatter.value(row).to_string())
                .collect::<Vec<_>>()
                .join("\u{1f}");
            match self.seen_keys.get(&key) {
                Some(first_row) => row_problems.push(Problem {
                    column: Some(self.contract.key.join(", ")),
                    label: None,
                    value: Some(key.replace('\u{1f}', ", ")),
                    kind: ProblemKind::DuplicateKey {
                        first_row: *first_row,
                    },
                }),
                None => {
                    self.seen_keys.insert(key, source_rows[row]);
                }
            }
        }
    }

    fn rejected_rows(
        &self,
        batch: &RecordBatch,
        source_rows: &[u64],
        problems: Vec<Vec<Problem>>,
    ) -> Vec<RejectedRow> {
        let options = FormatOptions::default();
        let schema = batch.schema();
        let shown: Vec<(String, ArrayFormatter<'_>, &ArrayRef)> = schema
            .fields()
            .iter()
            .zip(batch.columns())
            .filter(|(field, _)| {
                field.name() != crate::decode::SOURCE_ROW_COLUMN
                    && field.name() != crate::decode::ROW_ERROR_COLUMN
            })
            .filter_map(|(field, column)| {
                ArrayFormatter::try_new(column.as_ref(), &options)
                    .ok()
                    .map(|formatter| (field.name().clone(), formatter, column))
            })
            .collect();
        problems
            .into_iter()
            .enumerate()
            .filter(|(_, row_problems)| !row_problems.is_empty())
            .map(|(row, row_problems)| {
                let record = shown
                    .iter()
                    .map(|(name, formatter, column)| {
                        let value = if column.is_null(row) {
                            Value::Null
                        } else {
                            Value::String(formatter.value(row).to_string())
                        };
                        (name.clone(), value)
                    })
                    .collect();
                RejectedRow {
                    source_row: source_rows[row],
                    record,
                    problems: row_problems,
                }
            })
            .collect()
    }
}

/// Resolves the derivations a contract declares.
fn derived_columns(contract: &TableContract) -> Result<Vec<DerivedColumn>> {
    let mut derived = Vec::new();
    for (position, column) in contract.columns.iter().enumerate() {
        let Some(name) = &column.derive else {
            continue;
        };
        let derivation =
            derive::resolve(contract, column, name).map_err(|reason| Error::InvalidContract {
                source_name: contract.name.clone(),
                reason,
            })?;
        let inputs = derivation
            .inputs
            .iter()
            .filter_map(|(input, _)| {
                contract
                    .columns
                    .iter()
                    .position(|column| column.name == *input)
            })
            .collect();
        derived.push(DerivedColumn {
            position,
            derivation,
            inputs,
        });
    }
    Ok(derived)
}

/// What each type expects, for messages.
fn expectation(column_type: ColumnType) -> (&'static str, &'static str) {
    match column_type {
        ColumnType::String => ("text", "文本"),
        ColumnType::Int32 | ColumnType::Int64 => ("a whole number", "整数"),
        ColumnType::Float64 => ("a number", "数值"),
        ColumnType::Boolean => ("yes or no (是/否, true/false, 1/0)", "是/否"),
        ColumnType::Date => (
            "a date (YYYY-MM-DD, YYYY-MM, 2025年1月)",
            "日期（如 2025-01-15、2025年1月）",
        ),
        ColumnType::Timestamp => (
            "a time (YYYY-MM-DD HH:MM:SS)",
            "时间（如 2025-01-15 08:00:00）",
        ),
    }
}

/// Coerces one source column to its contract type; unreadable cells become null with a problem.
fn coerce_column(
    column: &ColumnContract,
    label: &str,
    source: &ArrayRef,
    scale: f64,
    options: &ValidationOptions,
    problems: &mut [Vec<Problem>],
) -> Result<ArrayRef> {
    let target = column.column_type.arrow_type();
    let (expected_en, expected_zh) = expectation(column.column_type);
    let mut not_a = |row: usize, value: &str| {
        problems[row].push(Problem {
            column: Some(column.name.clone()),
            label: Some(label.to_string()),
            value: Some(value.to_string()),
            kind: ProblemKind::NotA {
                expected_en,
                expected_zh,
            },
        });
    };
    let is_text = matches!(
        source.data_type(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    );
    let array: ArrayRef = if !is_text {
        // Typed sources (Parquet): cast; a value the cast cannot represent is a problem.
        let cast_options = CastOptions {
            safe: true,
            ..Default::default()
        };
        let converted = cast_with_options(source, &target, &cast_options)?;
        if converted.null_count() > source.null_count() {
            let shown = cast(source, &DataType::Utf8)?;
            let shown = shown.as_string::<i32>();
            for row in 0..source.len() {
                if !source.is_null(row) && converted.is_null(row) {
                    not_a(row, shown.value(row));
                }
            }
        }
        converted
    } else {
        let text = cast(source, &DataType::Utf8)?;
        let text: &StringArray = text.as_string::<i32>();
        let cells = text
            .iter()
            .map(|cell| cell.map(str::trim).filter(|cell| !cell.is_empty()));
        match column.column_type {
            ColumnType::String => {
                let mut builder = StringBuilder::with_capacity(text.len(), text.value_data().len());
                for cell in cells {
                    builder.append_option(cell.map(|value| canonical_text(column, value)));
                }
                Arc::new(builder.finish())
            }
            ColumnType::Int32 => {
                let mut builder = Int32Builder::with_capacity(text.len());
                for (row, cell) in cells.enumerate() {
                    builder.append_option(cell.and_then(|value| {
                        let parsed = coerce::parse_int(value).and_then(|n| i32::try_from(n).ok());
                        if parsed.is_none() {
                            not_a(row, value);
                        }
                        parsed
                    }));
                }
                Arc::new(builder.finish())
            }
            ColumnType::Int64 => {
                let mut builder = Int64Builder::with_capacity(text.len());
                for (row, cell) in cells.enumerate() {
                    builder.append_option(cell.and_then(|value| {
                        let parsed = coerce::parse_int(value);
                        if parsed.is_none() {
                            not_a(row, value);
                        }
                        parsed
                    }));
                }
                Arc::new(builder.finish())
            }
            ColumnType::Float64 => {
                let percent_allowed = column.max == Some(1.0);
                let mut builder = Float64Builder::with_capacity(text.len());
                for (row, cell) in cells.enumerate() {
                    builder.append_option(cell.and_then(|value| {
                        let parsed = coerce::parse_float(value, percent_allowed);
                        if parsed.is_none() {
                            not_a(row, value);
                        }
                        parsed
                    }));
                }
                Arc::new(builder.finish())
            }
            ColumnType::Boolean => {
                let mut builder = BooleanBuilder::with_capacity(text.len());
                for (row, cell) in cells.enumerate() {
                    builder.append_option(cell.and_then(|value| {
                        let parsed = coerce::parse_bool(value);
                        if parsed.is_none() {
                            not_a(row, value);
                        }
                        parsed
                    }));
                }
                Arc::new(builder.finish())
            }
            ColumnType::Date => {
                let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
                let mut builder = Date32Builder::with_capacity(text.len());
                for (row, cell) in cells.enumerate() {
                    builder.append_option(cell.and_then(|value| {
                        let parsed = coerce::parse_date(value).and_then(|date| {
                            i32::try_from(date.signed_duration_since(epoch).num_days()).ok()
                        });
                        if parsed.is_none() {
                            not_a(row, value);
                        }
                        parsed
                    }));
                }
                Arc::new(builder.finish())
            }
            ColumnType::Timestamp => {
                let mut builder = TimestampMicrosecondBuilder::with_capacity(text.len())
                    .with_timezone(TIMESTAMP_ZONE);
                for (row, cell) in cells.enumerate() {
                    builder.append_option(cell.and_then(|value| {
                        let parsed = coerce::parse_timestamp(value, options.local_offset)
                            .map(|instant| instant.timestamp_micros());
                        if parsed.is_none() {
                            not_a(row, value);
                        }
                        parsed
                    }));
                }
                Arc::new(builder.finish())
            }
        }
    };
    if scale != 1.0 && column.column_type == ColumnType::Float64 {
        let values = array.as_primitive::<datafusion::arrow::datatypes::Float64Type>();
        let scaled: datafusion::arrow::array::Float64Array = values
            .iter()
            .map(|value| value.map(|v| v * scale))
            .collect();
        return Ok(Arc::new(scaled));
    }
    Ok(array)
}

/// Returns a text value in the spelling the contract uses: allowed values match regardless of
/// case or through the column's value aliases, USCCs and industry codes are upper case.
fn canonical_text(column: &ColumnContract, value: &str) -> String {
    if let Some(allowed) = column.allowed_value_of(value) {
        return allowed.to_string();
    }
    match column.check {
        Some(ColumnCheck::Uscc | ColumnCheck::Gbt4754) => value.to_ascii_uppercase(),
        None => value.to_string(),
    }
}

/// Applies the contract's checks to a coerced column.
fn check_column(
    column: &ColumnContract,
    required: bool,
    label: String,
    array: &ArrayRef,
    options: &ValidationOptions,
    problems: &mut [Vec<Problem>],
) {
    let problem = |kind: ProblemKind, value: Option<String>| Problem {
        column: Some(column.name.clone()),
        label: Some(label.clone()),
        value,
        kind,
    };
    for (row, row_problems) in problems.iter_mut().enumerate() {
        let already_reported = row_problems
            .iter()
            .any(|p| p.column.as_deref() == Some(column.name.as_str()));
        if array.is_null(row) {
            if required && !already_reported {
                row_problems.push(problem(ProblemKind::Missing, None));
            }
            continue;
        }
        match array.data_type() {
            DataType::Utf8 => {
                let value = array.as_string::<i32>().value(row);
                if !column.allowed.is_empty()
                    && !column.allowed.iter().any(|allowed| allowed == value)
                {
                    row_problems.push(problem(
                        ProblemKind::NotAllowed {
                            allowed: column.allowed.clone(),
                        },
                        Some(value.into()),
                    ));
                }
                match column.check {
                    Some(ColumnCheck::Uscc) if !options.uscc_exceptions.contains(value) => {
                        match crate::uscc::validate(value) {
                            Ok(()) => {}
                            Err(crate::uscc::UsccError::CheckDigit { expected, .. }) => {
                                row_problems.push(problem(
                                    ProblemKind::UsccCheckDigit { expected },
                                    Some(value.into()),
                                ));
                            }
                            Err(error) => row_problems.push(problem(
                                ProblemKind::UsccFormat {
                                    detail: error.to_string(),
                                },
                                Some(value.into()),
                            )),
                        }
                    }
                    Some(ColumnCheck::Gbt4754) if !crate::industry::is_valid_code(value) => {
                        row_problems.push(problem(ProblemKind::IndustryCode, Some(value.into())));
                    }
                    _ => {}
                }
            }
            DataType::Int32 | DataType::Int64 | DataType::Float64 => {
                let value = match array.data_type() {
                    DataType::Int32 => f64::from(
                        array
                            .as_primitive::<datafusion::arrow::datatypes::Int32Type>()
                            .value(row),
                    ),
                    DataType::Int64 => array
                        .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
                        .value(row) as f64,
                    _ => array
                        .as_primitive::<datafusion::arrow::datatypes::Float64Type>()
                        .value(row),
                };
                if let Some(min) = column.min
                    && value < min
                {
                    row_problems.push(problem(
                        ProblemKind::BelowMin { min },
                        Some(format_number(value)),
                    ));
                }
                if let Some(max) = column.max
                    && value > max
                {
                    row_problems.push(problem(
                        ProblemKind::AboveMax { max },
                        Some(format_number(value)),
                    ));
                }
            }
            _ => {}
        }
    }
}

fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::Float64Array;
    use datafusion::arrow::datatypes::Field;

    use super::*;
    use crate::contract::Contracts;
    use crate::decode::{ROW_ERROR_COLUMN, SOURCE_ROW_COLUMN};

    fn source(headers: &[&str], rows: &[&[Option<&str>]]) -> RecordBatch {
        let mut fields: Vec<Field> = headers
            .iter()
            .map(|h| Field::new(*h, DataType::Utf8, true))
            .collect();
        fields.push(Field::new(ROW_ERROR_COLUMN, DataType::Utf8, true));
        fields.push(Field::new(SOURCE_ROW_COLUMN, DataType::UInt64, false));
        let mut columns: Vec<ArrayRef> = (0..headers.len())
            .map(|at| Arc::new(rows.iter().map(|row| row[at]).collect::<StringArray>()) as ArrayRef)
            .collect();
        columns.push(Arc::new(StringArray::from(vec![None::<&str>; rows.len()])));
        columns.push(Arc::new(UInt64Array::from(
            (2..rows.len() as u64 + 2).collect::<Vec<_>>(),
        )));
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).expect("batch")
    }

    fn validator(table: &str, batch: &RecordBatch) -> Validator {
        let contracts = Contracts::builtin().expect("contracts");
        Validator::new(
            Arc::clone(contracts.get(table).expect("table")),
            &batch.schema(),
            ValidationOptions::default(),
        )
        .expect("validator")
    }

    #[test]
    fn good_rows_pass_and_bad_rows_carry_every_reason() {
        let batch = source(
            &[
                "统一社会信用代码",
                "统计期",
                "工业总产值（元）",
                "营业收入",
                "从业人员",
            ],
            &[
                &[
                    Some("91110000600037341L"),
                    Some("2025年1月"),
                    Some("12,000,000"),
                    Some("1100"),
                    Some("250"),
                ],
                &[
                    Some("91110000600037341N"),
                    Some("2025-13"),
                    Some("abc"),
                    Some("-5"),
                    Some("12.5"),
                ],
                &[
                    Some("91440300568520498a"),
                    Some("202502"),
                    None,
                    Some("900"),
                    None,
                ],
            ],
        );
        let mut validator = validator("production_monthly", &batch);
        let outcome = validator.validate(&batch).expect("validates");
        assert_eq!(outcome.valid.num_rows(), 2);
        let output = outcome.valid.column_by_name("output_value").expect("col");
        let output = output.as_any().downcast_ref::<Float64Array>().expect("f64");
        assert_eq!(output.value(0), 1200.0, "元 are converted to 万元");
        let uscc = outcome
            .valid
            .column_by_name("uscc")
            .expect("col")
            .as_string::<i32>()
            .value(1)
            .to_string();
        assert_eq!(
            uscc, "91440300568520498A",
            "lower case is accepted and normalised"
        );

        assert_eq!(outcome.rejected.len(), 1);
        let rejected = &outcome.rejected[0];
        assert_eq!(rejected.source_row, 3);
        assert_eq!(
            rejected.record["统一社会信用代码"],
            Value::from("91110000600037341N")
        );
        let messages: Vec<String> = rejected
            .problems
            .iter()
            .map(|p| p.message(rejected.source_row))
            .collect();
        assert_eq!(messages.len(), 5, "{messages:#?}");
        assert!(messages[0].starts_with("第 3 行 统一社会信用代码 校验位错误（应为 L） / row 3: uscc: USCC check digit wrong"), "{messages:#?}");
        assert!(
            messages
                .iter()
                .any(|m| m.contains("统计期 的值“2025-13”不是日期")),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("output_value: 'abc' is not a number")),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("revenue: -5 is below the minimum 0")),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("employees: '12.5' is not a whole number")),
            "{messages:#?}"
        );
    }

    #[test]
    fn duplicate_keys_and_missing_required_values_are_rejected() {
        let batch = source(
            &["uscc", "period", "revenue"],
            &[
                &[Some("91110000600037341L"), Some("2025-01"), Some("1")],
                &[Some("91110000600037341L"), Some("2025-01-01"), Some("2")],
                &[None, Some("2025-01"), Some("3")],
            ],
        );
        let mut validator = validator("production_monthly", &batch);
        let outcome = validator.validate(&batch).expect("validates");
        assert_eq!(outcome.valid.num_rows(), 1);
        let reasons: Vec<String> = outcome
            .rejected
            .iter()
            .map(|r| r.problems[0].reason_en())
            .collect();
        assert_eq!(
            reasons,
            vec![
                "duplicate key: same key as row 2".to_string(),
                "uscc is required but empty".to_string()
            ]
        );

        // Keys are remembered across the batches of one source.
        let outcome = validator.validate(&batch).expect("validates");
        assert_eq!(outcome.valid.num_rows(), 0);
    }

    #[test]
    fn energy_readings_get_their_tce_and_wrong_units_are_caught() {
        let batch = source(
            &[
                "统一社会信用代码",
                "表计编号",
                "采集时间",
                "能源类型",
                "读数",
                "单位",
            ],
            &[
                &[
                    Some("91110000600037341L"),
                    Some("E-1"),
                    Some("2025-01-15 08:00:00"),
                    Some("Electricity"),
                    Some("10000"),
                    Some("kWh"),
                ],
                &[
                    Some("91110000600037341L"),
                    Some("W-1"),
                    Some("2025-01-15 08:00:00"),
                    Some("water"),
                    Some("5"),
                    Some("m3"),
                ],
                &[
                    Some("91110000600037341L"),
                    Some("E-1"),
                    Some("2025-01-15 09:00:00"),
                    Some("electricity"),
                    Some("7"),
                    Some("m3"),
                ],
                &[
                    Some("91110000600037341L"),
                    Some("X-1"),
                    Some("2025-01-15 09:00:00"),
                    Some("uranium"),
                    Some("7"),
                    Some("kg"),
                ],
            ],
        );
        let mut validator = validator("energy_readings", &batch);
        let outcome = validator.validate(&batch).expect("validates");
        assert_eq!(outcome.valid.num_rows(), 2);
        let tce = outcome.valid.column_by_name("tce").expect("tce");
        let tce = tce.as_any().downcast_ref::<Float64Array>().expect("f64");
        assert!((tce.value(0) - 1.229).abs() < 1e-9);
        assert!(tce.is_null(1), "water carries no tce");
        let ts = outcome.valid.column_by_name("ts").expect("ts");
        let ts = ts.as_primitive::<datafusion::arrow::datatypes::TimestampMicrosecondType>();
        assert_eq!(
            ts.value(0),
            1_736_899_200_000_000,
            "08:00 in the park is 00:00 UTC"
        );
        assert_eq!(outcome.rejected.len(), 2);
        assert!(
            outcome.rejected[0].problems[0]
                .reason_en()
                .contains("does not fit the energy type (expected kWh)")
        );
        assert!(
            outcome.rejected[1].problems[0]
                .reason_en()
                .contains("not one of electricity")
        );
    }

    #[test]
    fn uscc_exceptions_are_accepted() {
        let batch = source(
            &["uscc", "name", "industry_code", "key_industry"],
            &[&[
                Some("91350100M0001TGQXM"),
                Some("福州甲"),
                Some("C3411"),
                Some("machinery"),
            ]],
        );
        let contracts = Contracts::builtin().expect("contracts");
        let options = ValidationOptions {
            uscc_exceptions: BTreeSet::from(["91350100M0001TGQXM".to_string()]),
            ..ValidationOptions::default()
        };
        let mut validator = Validator::new(
            Arc::clone(contracts.get("enterprises").expect("t")),
            &batch.schema(),
            options,
        )
        .expect("v");
        assert_eq!(
            validator
                .validate(&batch)
                .expect("validates")
                .valid
                .num_rows(),
            1
        );
        let mut strict = validator_for_enterprises(&batch);
        assert_eq!(
            strict.validate(&batch).expect("validates").valid.num_rows(),
            0
        );
    }

    fn validator_for_enterprises(batch: &RecordBatch) -> Validator {
        validator("enterprises", batch)
    }

    fn strings<'a>(batch: &'a RecordBatch, column: &str) -> Vec<Option<&'a str>> {
        batch
            .column_by_name(column)
            .expect("column")
            .as_string::<i32>()
            .iter()
            .collect()
    }

    #[test]
    fn a_registry_without_key_industries_gets_them_from_the_industry_code() {
        let batch = source(
            &["统一社会信用代码", "企业名称", "行业代码"],
            &[
                &[Some("91110000600037341L"), Some("甲"), Some("C3411")],
                &[Some("91110000710926094P"), Some("乙"), Some("C2614")],
                &[Some("91440300568520498A"), Some("丙"), Some("C3982")],
                &[Some("9144030071526726XG"), Some("丁"), Some("X12")],
            ],
        );
        let mut validator = validator_for_enterprises(&batch);
        let outcome = validator.validate(&batch).expect("validates");
        assert_eq!(
            strings(&outcome.valid, "key_industry"),
            [Some("machinery"), Some("petrochemicals"), Some("other")]
        );
        assert_eq!(outcome.rejected.len(), 1);
        let reasons: Vec<String> = outcome.rejected[0]
            .problems
            .iter()
            .map(Problem::reason_en)
            .collect();
        assert_eq!(
            reasons,
            ["industry_code: 'X12' is not a GB/T 4754 industry code (e.g. C3411)"],
            "a bad code is reported once, not again as a missing key industry"
        );
    }

    #[test]
    fn a_given_key_industry_must_fit_the_industry_code() {
        let batch = source(
            &["uscc", "name", "industry_code", "重点行业"],
            &[
                &[
                    Some("91110000600037341L"),
                    Some("甲"),
                    Some("C3411"),
                    Some("petrochemicals"),
                ],
                &[
                    Some("91110000710926094P"),
                    Some("乙"),
                    Some("C2822"),
                    Some("纺织"),
                ],
                &[
                    Some("91440300568520498A"),
                    Some("丙"),
                    Some("C3612"),
                    Some("machinery"),
                ],
                &[
                    Some("9144030071526726XG"),
                    Some("丁"),
                    Some("C3612"),
                    Some("other"),
                ],
                &[Some("91310115MA1K3BTP2B"), Some("戊"), Some("C3411"), None],
            ],
        );
        let mut validator = validator_for_enterprises(&batch);
        let outcome = validator.validate(&batch).expect("validates");
        assert_eq!(
            strings(&outcome.valid, "key_industry"),
            [
                Some("textiles"),
                Some("machinery"),
                Some("other"),
                Some("machinery")
            ],
            "partly included divisions accept each plausible key industry; an empty one is filled"
        );
        assert_eq!(outcome.rejected.len(), 1);
        let rejected = &outcome.rejected[0];
        assert_eq!(rejected.source_row, 2);
        assert_eq!(
            rejected.problems[0].message(2),
            "第 2 行 重点行业 的值“petrochemicals”与industry_code“C3411”不符（应为 machinery） / \
             row 2: key_industry: 'petrochemicals' does not fit industry_code 'C3411' (expected machinery)"
        );
    }

    #[test]
    fn allowed_values_take_the_words_users_write() {
        let batch = source(
            &[
                "offering_id",
                "provider_id",
                "name",
                "category",
                "deployment",
            ],
            &[
                &[
                    Some("o1"),
                    Some("p1"),
                    Some("甲"),
                    Some("MES"),
                    Some("私有化部署"),
                ],
                &[
                    Some("o2"),
                    Some("p1"),
                    Some("乙"),
                    Some("MES"),
                    Some(" Private "),
                ],
                &[
                    Some("o3"),
                    Some("p1"),
                    Some("丙"),
                    Some("MES"),
                    Some("云端"),
                ],
                &[
                    Some("o4"),
                    Some("p1"),
                    Some("丁"),
                    Some("MES"),
                    Some("SaaS"),
                ],
                &[
                    Some("o5"),
                    Some("p1"),
                    Some("戊"),
                    Some("MES"),
                    Some("自建机房"),
                ],
            ],
        );
        let mut offerings = validator("service_offerings", &batch);
        let outcome = offerings.validate(&batch).expect("validates");
        assert_eq!(
            strings(&outcome.valid, "deployment"),
            [
                Some("on_premise"),
                Some("on_premise"),
                Some("saas"),
                Some("saas")
            ]
        );
        assert_eq!(outcome.rejected.len(), 1);
        assert!(
            outcome.rejected[0].problems[0]
                .reason_en()
                .contains("deployment: '自建机房' is not one of saas, on_premise, hybrid, edge"),
            "{:?}",
            outcome.rejected[0].problems
        );

        let readings = source(
            &["uscc", "meter_id", "ts", "能源类型", "value", "单位"],
            &[&[
                Some("91110000600037341L"),
                Some("E-1"),
                Some("2025-01-15 08:00:00"),
                Some("电"),
                Some("10000"),
                Some("度"),
            ]],
        );
        let mut energy = validator("energy_readings", &readings);
        let outcome = energy.validate(&readings).expect("validates");
        assert_eq!(
            strings(&outcome.valid, "energy_type"),
            [Some("electricity")]
        );
        assert_eq!(strings(&outcome.valid, "unit"), [Some("kWh")]);
        let tce = outcome.valid.column_by_name("tce").expect("tce");
        let tce = tce.as_any().downcast_ref::<Float64Array>().expect("f64");
        assert!(
            (tce.value(0) - 1.229).abs() < 1e-9,
            "the tce is derived from the aliased values"
        );
    }
}
