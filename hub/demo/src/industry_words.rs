//! The words of each key industry that catalog, project and need texts are combined with:
//! typical equipment, processes, customers' trades, industrial chains, and the scenarios its
//! enterprises most often need (`data/industry_words.tsv`, `data/industry_scenarios.tsv`).

use crate::catalog_text::Scenario;
use crate::industry_profiles::IndustryProfile;
use crate::tables::{Tsv, reference};
use crate::{Error, Result};

/// Words about a key industry that texts are combined with.
#[derive(Debug, PartialEq)]
pub(crate) struct IndustryWords {
    /// Key industry code.
    pub code: &'static str,
    /// Short Chinese name used before 行业 (钢铁, 纺织印染).
    pub short_zh: &'static str,
    /// English name used in product names.
    pub name_en: &'static str,
    /// Typical equipment.
    pub equipment: Vec<&'static str>,
    /// Typical processes.
    pub processes: Vec<&'static str>,
    /// Trade words of reference customers.
    pub trades: Vec<&'static str>,
    /// Industrial chains its chain leaders lead.
    pub chains: Vec<&'static str>,
    /// How likely each scenario is as a need or project of the industry.
    pub scenario_weights: Vec<(&'static str, f64)>,
}

/// Reads the industries' words and scenario weights; every word row names an industry of
/// `industries`, every weight an industry and a scenario, and there is a row for `other`
/// (the words of an industry without its own).
pub(crate) fn read(
    words: &Tsv,
    scenario_weights: &Tsv,
    industries: &[IndustryProfile],
    scenarios: &[Scenario],
) -> Result<Vec<IndustryWords>> {
    words.require(&[
        "code",
        "short_zh",
        "name_en",
        "equipment",
        "processes",
        "trades",
        "chains",
    ])?;
    scenario_weights.require(&["industry", "scenario", "weight"])?;
    let industry_codes: Vec<&str> = industries.iter().map(|industry| industry.code).collect();
    let scenario_codes: Vec<&str> = scenarios.iter().map(|scenario| scenario.code).collect();
    let mut all_words = words
        .rows()
        .map(|row| {
            Ok(IndustryWords {
                code: reference(&row, "code", &industry_codes, "industries.tsv")?,
                short_zh: row.required("short_zh")?,
                name_en: row.required("name_en")?,
                equipment: row.list("equipment")?,
                processes: row.list("processes")?,
                trades: row.list("trades")?,
                chains: row.list("chains")?,
                scenario_weights: Vec::new(),
            })
        })
        .collect::<Result<Vec<IndustryWords>>>()?;
    if !all_words.iter().any(|words| words.code == "other") {
        return Err(Error::MissingDataRow {
            file: "industry_words.tsv",
            key: "other",
        });
    }
    for row in scenario_weights.rows() {
        let industry = row.required("industry")?;
        let scenario = reference(&row, "scenario", &scenario_codes, "scenarios.tsv")?;
        let weight = row.number("weight")?;
        let Some(words) = all_words.iter_mut().find(|words| words.code == industry) else {
            return Err(row.unknown("industry", industry, "industry_words.tsv"));
        };
        words.scenario_weights.push((scenario, weight));
    }
    Ok(all_words)
}
