//! Derived columns: values that follow from other columns of the same row, declared in a
//! contract with `derive = "<name>"` on the column and run by the validator for every table
//! that declares them.
//!
//! A derivation fills its column where the source gives no value (no such column, or an empty
//! cell) and may check a value the source does give against the columns it follows from; a row
//! whose value contradicts them is rejected with the reason. A required derived column is not
//! required of the source's header as long as the columns it follows from are there.
//!
//! Adding a derivation is a function here plus its entry in [`DERIVATIONS`].

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Builder, StringBuilder};
use datafusion::arrow::datatypes::Float64Type;

use super::ValidationOptions;
use super::problem::{Problem, ProblemKind};
use crate::contract::{ColumnContract, ColumnType, TableContract};
use crate::energy::ConversionProblem;
use crate::error::Result;
use crate::industry;

/// A way of computing a column from others.
#[derive(Debug)]
pub struct Derivation {
    /// The name contracts give in `derive = "…"`.
    pub name: &'static str,
    /// What it computes, for people reading a contract.
    pub description: &'static str,
    /// The type of the column it fills.
    pub output: ColumnType,
    /// The columns it reads, with their types, in the order it reads them.
    pub inputs: &'static [(&'static str, ColumnType)],
    derive: fn(&Derive<'_>, &mut [Vec<Problem>]) -> Result<ArrayRef>,
}

/// Every derivation a contract can name.
pub static DERIVATIONS: &[Derivation] = &[
    Derivation {
        name: "tce_from_energy",
        description: "tonnes of standard coal equivalent of an energy reading, from its energy \
                      type, value and unit with the park's GB/T 2589-2020 factors; a value \
                      the source gives is kept",
        output: ColumnType::Float64,
        inputs: &[
            ("energy_type", ColumnType::String),
            ("value", ColumnType::Float64),
            ("unit", ColumnType::String),
        ],
        derive: tce_from_energy,
    },
    Derivation {
        name: "key_industry_from_code",
        description: "the key industry a GB/T 4754 industry code belongs to; a value the source \
                      gives must be one the code may be counted in",
        output: ColumnType::String,
        inputs: &[("industry_code", ColumnType::String)],
        derive: key_industry_from_code,
    },
];

/// Returns the derivation with this name.
pub fn derivation(name: &str) -> Option<&'static Derivation> {
    DERIVATIONS
        .iter()
        .find(|derivation| derivation.name == name)
}

/// Returns the derivation `name` for `column` of `contract`, or why it does not fit: unknown,
/// of another type than the column, or reading a column the contract lacks or types otherwise.
pub(crate) fn resolve(
    contract: &TableContract,
    column: &ColumnContract,
    name: &str,
) -> std::result::Result<&'static Derivation, String> {
    let known = || {
        DERIVATIONS
            .iter()
            .map(|derivation| derivation.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let derivation = derivation(name).ok_or_else(|| {
        format!(
            "column '{}': unknown derivation '{name}' (the derivations are: {})",
            column.name,
            known()
        )
    })?;
    if derivation.output != column.column_type {
        return Err(format!(
            "column '{}': derivation '{name}' gives {:?}, not {:?}",
            column.name, derivation.output, column.column_type
        ));
    }
    for (input, input_type) in derivation.inputs {
        match contract.column(input) {
            Some(found) if found.column_type == *input_type => {}
            Some(found) => {
                return Err(format!(
                    "column '{}': derivation '{name}' reads '{input}' as {input_type:?}, but it is {:?}",
                    column.name, found.column_type
                ));
            }
            None => {
                return Err(format!(
                    "column '{}': derivation '{name}' reads column '{input}', which the table does not have",
                    column.name
                ));
            }
        }
    }
    Ok(derivation)
}

/// One column of the batch as a derivation sees it.
pub(crate) struct Labelled<'a> {
    /// The column's contract.
    pub column: &'a ColumnContract,
    /// Its label as the source wrote it (or the contract's first alias).
    pub label: String,
    /// Its coerced values.
    pub values: &'a ArrayRef,
}

impl Labelled<'_> {
    fn problem(&self, row_value: &str, kind: ProblemKind) -> Problem {
        Problem {
            column: Some(self.column.name.clone()),
            label: Some(self.label.clone()),
            value: Some(row_value.to_string()),
            kind,
        }
    }
}

/// What a derivation is given for one batch.
pub(crate) struct Derive<'a> {
    /// The columns it reads, in the order of [`Derivation::inputs`].
    pub inputs: Vec<Labelled<'a>>,
    /// The derived column as the source gave it (all null when the source lacks it).
    pub given: Labelled<'a>,
    /// The park's settings (energy factors).
    pub options: &'a ValidationOptions,
}

impl Derivation {
    /// Returns the derived column for a batch, adding a problem to each row whose given value
    /// contradicts the columns it follows from.
    pub(crate) fn apply(
        &self,
        derive: &Derive<'_>,
        problems: &mut [Vec<Problem>],
    ) -> Result<ArrayRef> {
        (self.derive)(derive, problems)
    }
}

/// Tonnes of standard coal from energy type, value and unit; a given value is kept.
fn tce_from_energy(derive: &Derive<'_>, problems: &mut [Vec<Problem>]) -> Result<ArrayRef> {
    let [energy_type, value, unit] = &derive.inputs[..] else {
        return Ok(Arc::clone(derive.given.values));
    };
    let energy_types = energy_type.values.as_string::<i32>();
    let values = value.values.as_primitive::<Float64Type>();
    let units = unit.values.as_string::<i32>();
    let given = derive.given.values.as_primitive::<Float64Type>();
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
        match derive.options.energy_factors.tce(
            energy_types.value(row),
            values.value(row),
            units.value(row),
        ) {
            Ok(converted) => tce.append_option(converted),
            Err(ConversionProblem::UnitMismatch { expected }) => {
                row_problems
                    .push(unit.problem(units.value(row), ProblemKind::UnitMismatch { expected }));
                tce.append_null();
            }
            Err(ConversionProblem::UnknownType) => {
                row_problems.push(
                    energy_type.problem(energy_types.value(row), ProblemKind::UnknownEnergyType),
                );
                tce.append_null();
            }
        }
    }
    Ok(Arc::new(tce.finish()))
}

/// The key industry of a GB/T 4754 code; a given key industry must be one the code may be
/// counted in. Rows whose code or key industry is not valid are left to those columns' checks.
fn key_industry_from_code(derive: &Derive<'_>, problems: &mut [Vec<Problem>]) -> Result<ArrayRef> {
    let [industry_code] = &derive.inputs[..] else {
        return Ok(Arc::clone(derive.given.values));
    };
    let codes = industry_code.values.as_string::<i32>();
    let given = derive.given.values.as_string::<i32>();
    let mut key_industries = StringBuilder::with_capacity(given.len(), given.len() * 12);
    for (row, row_problems) in problems.iter_mut().enumerate().take(given.len()) {
        let code = (!codes.is_null(row))
            .then(|| codes.value(row))
            .filter(|code| industry::is_valid_code(code));
        let given_value = (!given.is_null(row)).then(|| given.value(row));
        match (code, given_value) {
            (None, given_value) => key_industries.append_option(given_value),
            (Some(code), None) => key_industries.append_value(industry::key_industry_of(code).code),
            (Some(code), Some(given_value)) => {
                let plausible = industry::plausible_key_industries(code);
                let known = industry::key_industry(given_value).is_some();
                if known
                    && !plausible
                        .iter()
                        .any(|industry| industry.code == given_value)
                {
                    row_problems.push(
                        derive.given.problem(
                            given_value,
                            ProblemKind::Contradicts {
                                from_column: industry_code.column.name.clone(),
                                from_label: industry_code.label.clone(),
                                from_value: code.to_string(),
                                expected: plausible
                                    .iter()
                                    .map(|industry| industry.code.to_string())
                                    .collect(),
                            },
                        ),
                    );
                }
                key_industries.append_value(given_value);
            }
        }
    }
    Ok(Arc::new(key_industries.finish()))
}
