//! The kinds of service providers in the catalog: what their names say they do and the
//! scenarios they serve (`data/provider_kinds.tsv`).

use crate::Result;
use crate::catalog_text::Scenario;
use crate::tables::Tsv;

/// A kind of service provider: its business words and the scenarios it does.
#[derive(Debug, PartialEq)]
pub(crate) struct ProviderKind {
    /// The business in the registered name (工业互联网科技).
    pub business_zh: &'static str,
    /// The business in the English name.
    pub business_en: &'static str,
    /// What it calls itself in its profile.
    pub descriptor: &'static str,
    /// Scenarios it does, main one first (never empty).
    pub scenarios: Vec<&'static str>,
    /// Relative frequency.
    pub weight: f64,
}

/// Reads the kinds of providers; each does at least one scenario of `scenarios`.
pub(crate) fn read(tsv: &Tsv, scenarios: &[Scenario]) -> Result<Vec<ProviderKind>> {
    tsv.require(&[
        "business_zh",
        "business_en",
        "descriptor",
        "scenarios",
        "weight",
    ])?;
    let codes: Vec<&str> = scenarios.iter().map(|scenario| scenario.code).collect();
    tsv.rows()
        .map(|row| {
            let kind_scenarios = row.list("scenarios")?;
            if kind_scenarios.is_empty() {
                return Err(row.bad("scenarios", "", "a list of scenarios"));
            }
            if let Some(unknown) = kind_scenarios.iter().find(|code| !codes.contains(code)) {
                return Err(row.unknown("scenarios", unknown, "scenarios.tsv"));
            }
            Ok(ProviderKind {
                business_zh: row.required("business_zh")?,
                business_en: row.required("business_en")?,
                descriptor: row.required("descriptor")?,
                scenarios: kind_scenarios,
                weight: row.number("weight")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn a_kind_must_do_known_scenarios() {
        let tsv = Tsv::parse(
            "kinds.tsv",
            "business_zh\tbusiness_en\tdescriptor\tscenarios\tweight\n软件\tSoftware\t开发商\tmes;cad\t1\n",
        )
        .expect("parses");
        let error = read(&tsv, &[]).expect_err("unknown scenario");
        assert!(
            matches!(&error, Error::UnknownDataReference { value, .. } if value == "mes"),
            "{error}"
        );
    }
}
