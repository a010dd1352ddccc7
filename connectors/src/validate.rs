//! Validation: decoded source rows in, the contract's typed rows out, and every rejected row
//! with all its reasons.
//!
//! A [`Validator`] maps the source's header onto a table contract once
//! ([`headers::HeaderMapping`]), then for each decoded batch coerces each value to its column's
//! type ([`coerce`]), applies the contract's checks (required, allowed values, ranges, USCC
//! check character, GB/T 4754 code), normalises units named in headers (元 → 万元) and energy
//! quantities to tce, and rejects later rows that repeat a key. A row with any problem is
//! rejected whole, with every problem it has; the others are returned as a batch of the
//! table's data schema.

pub mod coerce;
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
use crate::energy::{ConversionProblem, EnergyFactors};
use crate::error::Result;
pub use headers::HeaderMapping;
pub use problem::{Problem, ProblemKind};

/// Settings of validation that a park may change.
#[derive(Debug, Clone)]
pub struct ValidationOptions {
    /// USCCs accepted although their check character is wrong (early codes from pilot regions).
    pub uscc_exceptions: BTreeSet<String>,
    /// Factors to convert energy readings to tce.
    pub energy_factors: EnergyFactors,
    /// The offset of times written without one.
    pub local_offset: FixedOffset,
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
        })
    }
}

impl Default for ValidationOptions {
    fn default() -> Self {
        ValidationOptions {
            uscc_exceptions: BTreeSet::new(),
            energy_factors: EnergyFactors::default(),
            local_offset: coerce::CHINA_STANDARD_TIME,
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
}

impl Validator {
    /// Prepares validation of a source with `source_schema`; fails when its header lacks
    /// required columns or has none of the table's.
    pub fn new(
        contract: Arc<TableContract>,
        source_schema: &Schema,
        options: ValidationOptions,
    ) -> Result<Validator> {
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
            check_column(
                column,
                self.label_of(position),
                &array,
                &self.options,
                &mut problems,
            );
            columns.push(array);
        }
        if self.contract.name == "energy_readings" {
            self.derive_energy_tce(&mut columns, &mut problems)?;
        }
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

    fn derive_energy_tce(
        &self,
        columns: &mut [ArrayRef],
        problems: &mut [Vec<Problem>],
    ) -> Result<()> {
        let position = |name: &str| {
            self.contract
                .columns
                .iter()
                .position(|column| column.name == name)
        };
        let (Some(type_at), Some(value_at), Some(unit_at), Some(tce_at)) = (
            position("energy_type"),
            position("value"),
            position("unit"),
            position("tce"),
        ) else {
            return Ok(());
        };
        let energy_types = columns[type_at].as_string::<i32>().clone();
        let values = columns[value_at]
            .as_primitive::<datafusion::arrow::datatypes::Float64Type>()
            .clone();
        let units = columns[unit_at].as_string::<i32>().clone();
        let given = columns[tce_at]
            .as_primitive::<datafusion::arrow::datatypes::Float64Type>()
            .clone();
        let mut tce = Float64Builder::with_capacity(values.len());
        for (row, row_problems) in problems.iter_mut().enumerate().take(values.len()) {
            if !given.is_null(row) {
                tce.append_value(given.value(row));
                continue;
            }
            if energy_types.is_null(row) || values.is_null(row) || units.is_null(row) {
                tce.append_null();
                continue;
            }
            match self.options.energy_factors.tce(
                energy_types.value(row),
                values.value(row),
                units.value(row),
            ) {
                Ok(converted) => tce.append_option(converted),
                Err(ConversionProblem::UnitMismatch { expected }) => {
                    row_problems.push(Problem {
                        column: Some("unit".into()),
                        label: Some(self.label_of(unit_at)),
                        value: Some(units.value(row).to_string()),
                        kind: ProblemKind::UnitMismatch { expected },
                    });
                    tce.append_null();
                }
                Err(ConversionProblem::UnknownType) => {
                    row_problems.push(Problem {
                        column: Some("energy_type".into()),
                        label: Some(self.label_of(type_at)),
                        value: Some(energy_types.value(row).to_string()),
                        kind: ProblemKind::UnknownEnergyType,
                    });
                    tce.append_null();
                }
            }
        }
        columns[tce_at] = Arc::new(tce.finish());
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
/// case, USCCs and industry codes are upper case.
fn canonical_text(column: &ColumnContract, value: &str) -> String {
    if let Some(allowed) = column
        .allowed
        .iter()
        .find(|allowed| allowed.eq_ignore_ascii_case(value))
    {
        return allowed.clone();
    }
    match column.check {
        Some(ColumnCheck::Uscc | ColumnCheck::Gbt4754) => value.to_ascii_uppercase(),
        None => value.to_string(),
    }
}

/// Applies the contract's checks to a coerced column.
fn check_column(
    column: &ColumnContract,
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
            if column.required && !already_reported {
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
}
