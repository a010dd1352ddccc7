//! Mapping a source's header to a contract's columns: by name or alias (Chinese headers
//! included), with the unit written in the header (`营业收入（元）`) turned into a scale.

use datafusion::arrow::datatypes::Schema;

use super::derive::derivation;
use crate::contract::{ColumnContract, TableContract};
use crate::decode::{ROW_ERROR_COLUMN, SOURCE_ROW_COLUMN};
use crate::error::{Error, Result};

/// Where a contract column's values come from.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedColumn {
    /// Index of the source column in the decoded batch.
    pub source_index: usize,
    /// The source header as written.
    pub header: String,
    /// Factor from the header's unit to the contract's (元 → 万元 is 0.0001); 1 when the
    /// header names none.
    pub scale: f64,
}

/// The mapping of one source's header.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderMapping {
    /// One entry per contract column, in contract order.
    pub columns: Vec<Option<MappedColumn>>,
    /// Source headers no contract column claims (kept in quarantine records, not written).
    pub unknown_headers: Vec<String>,
    /// Index of the decoder's row-error column.
    pub row_error_index: Option<usize>,
    /// Index of the decoder's source-row column.
    pub source_row_index: Option<usize>,
}

/// Units a header may name in parentheses, by the contract unit they convert into.
const UNIT_SCALES: &[(&str, &[(&str, f64)])] = &[
    (
        "10k_yuan",
        &[
            ("元", 0.0001),
            ("千元", 0.1),
            ("万元", 1.0),
            ("百万元", 100.0),
            ("亿元", 10_000.0),
            ("yuan", 0.0001),
            ("10k yuan", 1.0),
        ],
    ),
    (
        "tce",
        &[
            ("吨标准煤", 1.0),
            ("吨标煤", 1.0),
            ("tce", 1.0),
            ("千克标准煤", 0.001),
            ("kgce", 0.001),
            ("万吨标准煤", 10_000.0),
        ],
    ),
    (
        "mu",
        &[
            ("亩", 1.0),
            ("mu", 1.0),
            ("平方米", 1.0 / 666.667),
            ("㎡", 1.0 / 666.667),
            ("m2", 1.0 / 666.667),
            ("公顷", 15.0),
            ("ha", 15.0),
        ],
    ),
];

/// Splits `营业收入（元）` / `revenue (yuan)` into the name and the unit in parentheses.
fn split_unit(header: &str) -> (&str, Option<&str>) {
    let header = header.trim();
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(stripped) = header.strip_suffix(close)
            && let Some(at) = stripped.rfind(open)
        {
            return (
                stripped[..at].trim(),
                Some(stripped[at + open.len_utf8()..].trim()),
            );
        }
    }
    (header, None)
}

/// Returns the scale from `unit` (as written in a header) into the contract unit, or `None`
/// when the unit is unknown for it.
fn unit_scale(contract_unit: &str, unit: &str) -> Option<f64> {
    UNIT_SCALES
        .iter()
        .find(|(target, _)| *target == contract_unit)
        .and_then(|(_, units)| {
            units
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(unit))
        })
        .map(|(_, scale)| *scale)
}

impl HeaderMapping {
    /// Maps a decoded schema onto a contract. Fails when a required column has no source
    /// column, naming what is missing and what the source has.
    pub fn new(contract: &TableContract, schema: &Schema) -> Result<HeaderMapping> {
        let mut columns: Vec<Option<MappedColumn>> = vec![None; contract.columns.len()];
        let mut unknown_headers = Vec::new();
        let mut row_error_index = None;
        let mut source_row_index = None;
        for (source_index, field) in schema.fields().iter().enumerate() {
            let header = field.name();
            if header == ROW_ERROR_COLUMN {
                row_error_index = Some(source_index);
                continue;
            }
            if header == SOURCE_ROW_COLUMN {
                source_row_index = Some(source_index);
                continue;
            }
            let (name, unit) = split_unit(header);
            let found = contract
                .columns
                .iter()
                .position(|column| column.is_named(header))
                .map(|position| (position, None))
                .or_else(|| {
                    contract
                        .columns
                        .iter()
                        .position(|column| column.is_named(name))
                        .map(|position| (position, unit))
                });
            let Some((position, unit)) = found else {
                unknown_headers.push(header.clone());
                continue;
            };
            if columns[position].is_some() {
                // Two source columns for one contract column: the first wins, the other is kept
                // in quarantine records like any unknown column.
                unknown_headers.push(header.clone());
                continue;
            }
            let contract_column = &contract.columns[position];
            let scale = match (unit, contract_column.unit.as_deref()) {
                (Some(unit), Some(contract_unit)) => {
                    unit_scale(contract_unit, unit).ok_or_else(|| Error::UnknownUnit {
                        header: header.clone(),
                        unit: unit.to_string(),
                        column: contract_column.name.clone(),
                        expected: contract_unit.to_string(),
                    })?
                }
                _ => 1.0,
            };
            columns[position] = Some(MappedColumn {
                source_index,
                header: header.clone(),
                scale,
            });
        }
        let missing: Vec<String> = contract
            .columns
            .iter()
            .zip(&columns)
            .filter(|(column, mapped)| {
                column.required && mapped.is_none() && !derivable(contract, column, &columns)
            })
            .map(|(column, _)| match column.aliases.first() {
                Some(alias) => format!("{} ({alias})", column.name),
                None => column.name.clone(),
            })
            .collect();
        let found: Vec<String> = schema
            .fields()
            .iter()
            .map(|field| field.name().clone())
            .filter(|name| name != ROW_ERROR_COLUMN && name != SOURCE_ROW_COLUMN)
            .collect();
        if found.is_empty() {
            return Err(Error::EmptySource {
                table: contract.name.clone(),
            });
        }
        if columns.iter().all(Option::is_none) {
            return Err(Error::NoKnownColumn {
                table: contract.name.clone(),
                found,
            });
        }
        if !missing.is_empty() {
            return Err(Error::MissingColumns {
                table: contract.name.clone(),
                missing,
                found,
            });
        }
        Ok(HeaderMapping {
            columns,
            unknown_headers,
            row_error_index,
            source_row_index,
        })
    }
}

/// True when `column` is derived and every column it is derived from is in the source.
fn derivable(
    contract: &TableContract,
    column: &ColumnContract,
    mapped: &[Option<MappedColumn>],
) -> bool {
    let Some(derivation) = column.derive.as_deref().and_then(derivation) else {
        return false;
    };
    derivation.inputs.iter().all(|(input, _)| {
        contract
            .columns
            .iter()
            .position(|candidate| candidate.name == *input)
            .is_some_and(|position| mapped[position].is_some())
    })
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::datatypes::{DataType, Field};

    use super::*;
    use crate::contract::Contracts;

    fn schema(headers: &[&str]) -> Schema {
        let mut fields: Vec<Field> = headers
            .iter()
            .map(|h| Field::new(*h, DataType::Utf8, true))
            .collect();
        fields.push(Field::new(ROW_ERROR_COLUMN, DataType::Utf8, true));
        fields.push(Field::new(SOURCE_ROW_COLUMN, DataType::UInt64, false));
        Schema::new(fields)
    }

    #[test]
    fn chinese_headers_and_units_map_onto_the_contract() {
        let contracts = Contracts::builtin().expect("contracts");
        let contract = contracts.get("production_monthly").expect("table");
        let mapping = HeaderMapping::new(
            contract,
            &schema(&[
                "统一社会信用代码",
                "统计期",
                "营业收入（元）",
                "工业总产值(万元)",
                "备注",
            ]),
        )
        .expect("maps");
        let revenue = contract
            .columns
            .iter()
            .position(|c| c.name == "revenue")
            .expect("revenue");
        let revenue = mapping.columns[revenue].as_ref().expect("mapped");
        assert_eq!((revenue.source_index, revenue.scale), (2, 0.0001));
        let output = contract
            .columns
            .iter()
            .position(|c| c.name == "output_value")
            .expect("output");
        assert_eq!(mapping.columns[output].as_ref().map(|c| c.scale), Some(1.0));
        assert_eq!(mapping.unknown_headers, vec!["备注".to_string()]);
        assert_eq!(
            (mapping.row_error_index, mapping.source_row_index),
            (Some(5), Some(6))
        );
    }

    #[test]
    fn missing_required_and_unknown_headers_are_named() {
        let contracts = Contracts::builtin().expect("contracts");
        let contract = contracts.get("production_monthly").expect("table");
        let error = HeaderMapping::new(contract, &schema(&["统一社会信用代码", "营业收入"]))
            .expect_err("no period");
        assert_eq!(
            error.to_string(),
            "table 'production_monthly' needs columns the source does not have: period (统计期); the source has: 统一社会信用代码, 营业收入"
        );
        let error = HeaderMapping::new(contract, &schema(&["a", "b"])).expect_err("nothing known");
        assert!(
            error
                .to_string()
                .contains("no column of the source is a column of table 'production_monthly'"),
            "{error}"
        );
        let error = HeaderMapping::new(contract, &schema(&["uscc", "period", "revenue (美元)"]))
            .expect_err("unit");
        assert!(error.to_string().contains("unit '美元'"), "{error}");
    }

    #[test]
    fn a_derived_column_is_required_only_when_what_it_follows_from_is_missing() {
        let contracts = Contracts::builtin().expect("contracts");
        let contract = contracts.get("enterprises").expect("table");
        let mapping = HeaderMapping::new(contract, &schema(&["uscc", "name", "industry_code"]))
            .expect("key_industry follows from industry_code");
        assert!(mapping.columns.iter().flatten().count() == 3);
        let error = HeaderMapping::new(contract, &schema(&["uscc", "name"])).expect_err("no code");
        assert_eq!(
            error.to_string(),
            "table 'enterprises' needs columns the source does not have: industry_code (行业代码), key_industry (重点行业); the source has: uscc, name"
        );
    }
}
