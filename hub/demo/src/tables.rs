//! The word and name tables the generators draw from, kept as data files under `data/`.
//!
//! The files are embedded in the crate and read once, on first use, into [`Tables`]; a file
//! that does not parse, or that refers to an industry or scenario no other file defines, is a
//! [`crate::Error`] naming the file, line and column, never a panic. The order of rows matters:
//! the generators draw by position, so reordering a file changes the park a seed gives.

mod tsv;

use std::sync::OnceLock;

pub(crate) use self::tsv::{Row, Tsv};
use crate::Result;
use crate::catalog_text::{self, Scenario};
use crate::company_names::{self, City, TradeNames};
use crate::emissions::{self, Pollutant};
use crate::equipment::{self, EquipmentKind};
use crate::industry_profiles::{self, IndustryProfile};
use crate::industry_words::{self, IndustryWords};
use crate::provider_kinds::{self, ProviderKind};

/// Embeds a data file and names it after its path under `data/`.
macro_rules! data_file {
    ($name:literal) => {
        ($name, include_str!(concat!("../data/", $name)))
    };
}

/// Parses one embedded data file.
pub(crate) fn parse((file, text): (&'static str, &'static str)) -> Result<Tsv> {
    Tsv::parse(file, text)
}

/// Every table the generators read.
#[derive(Debug)]
pub(crate) struct Tables {
    /// Characters of trade names.
    pub names: TradeNames,
    /// Division codes of the park's enterprises, with weights.
    pub park_divisions: Vec<(&'static str, f64)>,
    /// Cities of providers and customers (never empty).
    pub cities: Vec<City>,
    /// The key industries' profiles, in seed order (never empty; each has classes).
    pub industries: Vec<IndustryProfile>,
    /// The key industries' words (with one for `other`).
    pub words: Vec<IndustryWords>,
    /// The catalog's scenarios (never empty).
    pub scenarios: Vec<Scenario>,
    /// Editions that keep product names unique.
    pub editions: Vec<&'static str>,
    /// Kinds of service providers (never empty).
    pub provider_kinds: Vec<ProviderKind>,
    /// Providers' qualifications.
    pub qualifications: Vec<&'static str>,
    /// Kinds of equipment by industry.
    pub equipment: Vec<EquipmentKind>,
    /// Pollutants by industry and medium.
    pub pollutants: Vec<Pollutant>,
    /// Assessors of digital levels.
    pub assessors: Vec<&'static str>,
}

/// The tables, kept once read.
static TABLES: OnceLock<Tables> = OnceLock::new();

impl Tables {
    /// Returns the tables, reading the data files the first time. A failed read is not kept:
    /// the caller owns its error, and reading the embedded files again fails the same way.
    pub(crate) fn get() -> Result<&'static Tables> {
        if let Some(tables) = TABLES.get() {
            return Ok(tables);
        }
        let tables = Tables::read()?;
        Ok(TABLES.get_or_init(|| tables))
    }

    /// Reads and checks every data file.
    pub(crate) fn read() -> Result<Tables> {
        let industries = industry_profiles::read(
            &parse(data_file!("industries.tsv"))?,
            &parse(data_file!("industry_classes.tsv"))?,
        )?;
        let scenarios = catalog_text::read(
            &parse(data_file!("scenarios.tsv"))?,
            &parse(data_file!("scenario_nouns.tsv"))?,
            &parse(data_file!("scenario_texts.tsv"))?,
        )?;
        let words = industry_words::read(
            &parse(data_file!("industry_words.tsv"))?,
            &parse(data_file!("industry_scenarios.tsv"))?,
            &industries,
            &scenarios,
        )?;
        Ok(Tables {
            names: company_names::read_trade_names(&parse(data_file!("trade_names.tsv"))?)?,
            park_divisions: company_names::read_park_divisions(&parse(data_file!(
                "park_divisions.tsv"
            ))?)?,
            cities: company_names::read_cities(&parse(data_file!("cities.tsv"))?)?,
            editions: single_column(&parse(data_file!("editions.tsv"))?, "edition")?,
            provider_kinds: provider_kinds::read(
                &parse(data_file!("provider_kinds.tsv"))?,
                &scenarios,
            )?,
            qualifications: single_column(
                &parse(data_file!("qualifications.tsv"))?,
                "qualification",
            )?,
            equipment: equipment::read(&parse(data_file!("equipment.tsv"))?, &industries)?,
            pollutants: emissions::read(&parse(data_file!("pollutants.tsv"))?, &industries)?,
            assessors: single_column(&parse(data_file!("assessors.tsv"))?, "assessor")?,
            industries,
            words,
            scenarios,
        })
    }

    /// Returns the scenario with this code.
    pub(crate) fn scenario(&self, code: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|scenario| scenario.code == code)
    }

    /// Returns the scenario with this code, or the first one for an unknown code.
    pub(crate) fn scenario_or_first(&self, code: &str) -> &Scenario {
        self.scenario(code).unwrap_or(&self.scenarios[0])
    }

    /// Returns the words of a key industry (those of `other` for an unknown code).
    pub(crate) fn industry_words(&self, code: &str) -> &IndustryWords {
        self.words
            .iter()
            .find(|words| words.code == code)
            .or_else(|| self.words.iter().find(|words| words.code == "other"))
            .unwrap_or(&self.words[0])
    }

    /// Names the industries for a text: "钢铁行业", "钢铁、建材行业", "钢铁、建材等行业".
    pub(crate) fn industry_phrase(&self, codes: &[&str]) -> String {
        let names: Vec<&str> = codes
            .iter()
            .map(|code| self.industry_words(code).short_zh)
            .collect();
        match names.len() {
            0 => "制造业".to_string(),
            1 | 2 => format!("{}行业", names.join("、")),
            _ => format!("{}、{}等行业", names[0], names[1]),
        }
    }
}

/// The cells of the one column of a list file.
fn single_column(tsv: &Tsv, column: &'static str) -> Result<Vec<&'static str>> {
    tsv.require(&[column])?;
    tsv.rows().map(|row| row.required(column)).collect()
}

/// Checks that the cell of `column` names one of `known`, defined in `defined_in`.
pub(crate) fn reference(
    row: &Row<'_>,
    column: &'static str,
    known: &[&str],
    defined_in: &'static str,
) -> Result<&'static str> {
    let value = row.required(column)?;
    if known.contains(&value) {
        return Ok(value);
    }
    Err(row.unknown(column, value, defined_in))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_files_parse_and_refer_to_each_other() {
        let tables = Tables::read().expect("the data files parse");
        assert_eq!(tables.industries.len(), 9);
        assert_eq!(tables.words.len(), 9);
        assert_eq!(tables.scenarios.len(), 14);
        assert_eq!(tables.provider_kinds.len(), 16);
        assert!(
            tables
                .industries
                .iter()
                .all(|industry| !industry.classes.is_empty())
        );
        assert_eq!(tables.industry_words("no such industry").code, "other");
        assert_eq!(tables.industry_phrase(&["iron_steel"]), "钢铁行业");
        assert_eq!(
            tables.industry_phrase(&["iron_steel", "textiles", "food"]),
            "钢铁、纺织印染等行业"
        );
        assert!(Tables::get().is_ok());
    }

    #[test]
    fn a_reference_to_an_unknown_key_names_the_file_that_should_define_it() {
        let tsv = Tsv::parse("classes.tsv", "industry\nsteel\n").expect("parses");
        let row = tsv.rows().next().expect("row");
        let error = reference(&row, "industry", &["iron_steel"], "industries.tsv")
            .expect_err("unknown industry");
        assert_eq!(
            error.to_string(),
            "data file classes.tsv, line 2, column industry: 'steel' is not defined in \
             industries.tsv"
        );
    }
}
