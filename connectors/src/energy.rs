//! Conversion of energy quantities to tonnes of standard coal equivalent (tce), with the
//! GB/T 2589-2020 reference factors as defaults and a factor table the park can change.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One conversion factor: kilograms of standard coal equivalent per `unit` of an energy type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnergyFactor {
    /// The unit the factor applies to (`kWh`, `m3`, `kg`, `MJ`).
    pub unit: String,
    /// kgce per unit; `0` for carriers that are not energy (water).
    pub kgce_per_unit: f64,
}

/// The factor table: energy type → factor. Water is metered but is not energy: it has no
/// factor and its readings carry no tce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnergyFactors {
    /// Factors by energy type (`electricity`, `natural_gas`, …).
    pub factors: BTreeMap<String, EnergyFactor>,
}

/// How units convert into the unit a factor is given in.
const UNIT_SCALES: &[(&str, &str, f64)] = &[
    ("kWh", "kWh", 1.0),
    ("MWh", "kWh", 1_000.0),
    ("m3", "m3", 1.0),
    ("kg", "kg", 1.0),
    ("t", "kg", 1_000.0),
    ("MJ", "MJ", 1.0),
    ("GJ", "MJ", 1_000.0),
];

impl Default for EnergyFactors {
    /// Returns the GB/T 2589-2020 reference factors (natural gas at its default 1.2143).
    fn default() -> Self {
        let factor = |unit: &str, kgce_per_unit: f64| EnergyFactor {
            unit: unit.to_string(),
            kgce_per_unit,
        };
        let factors = BTreeMap::from([
            ("electricity".to_string(), factor("kWh", 0.1229)),
            ("natural_gas".to_string(), factor("m3", 1.2143)),
            ("steam".to_string(), factor("kg", 0.1286)),
            ("heat".to_string(), factor("MJ", 0.03412)),
            ("raw_coal".to_string(), factor("kg", 0.7143)),
            ("coke".to_string(), factor("kg", 0.9714)),
            ("diesel".to_string(), factor("kg", 1.4571)),
            ("gasoline".to_string(), factor("kg", 1.4714)),
        ]);
        EnergyFactors { factors }
    }
}

/// Why a reading cannot be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConversionProblem {
    /// No factor for this energy type.
    UnknownType,
    /// The reading's unit cannot be converted into the factor's.
    UnitMismatch {
        /// The unit the factor expects (or a multiple of it).
        expected: String,
    },
}

impl EnergyFactors {
    /// File name of the park's factor table inside the data directory.
    pub const FILE_NAME: &'static str = "energy_factors.toml";

    /// Loads `<data-dir>/energy_factors.toml` when it exists (its entries replace the defaults
    /// of the same energy type), else returns the defaults.
    pub fn load(data_dir: &Path) -> Result<EnergyFactors> {
        let path = data_dir.join(Self::FILE_NAME);
        let mut factors = EnergyFactors::default();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(factors),
            Err(source) => return Err(Error::Io { path, source }),
        };
        let park: EnergyFactors =
            toml::from_str(&text).map_err(|error| Error::InvalidContract {
                source_name: path.display().to_string(),
                reason: error.to_string(),
            })?;
        factors.factors.extend(park.factors);
        Ok(factors)
    }

    /// Returns the tce of `value` `unit` of `energy_type`: `Ok(None)` for water, an error when
    /// the type is unknown or the unit does not fit it.
    pub fn tce(
        &self,
        energy_type: &str,
        value: f64,
        unit: &str,
    ) -> Result<Option<f64>, ConversionProblem> {
        if energy_type == "water" {
            return Ok(None);
        }
        let factor = self
            .factors
            .get(energy_type)
            .ok_or(ConversionProblem::UnknownType)?;
        let scale = UNIT_SCALES
            .iter()
            .find(|(from, to, _)| from.eq_ignore_ascii_case(unit) && *to == factor.unit)
            .map(|(_, _, scale)| *scale)
            .ok_or_else(|| ConversionProblem::UnitMismatch {
                expected: factor.unit.clone(),
            })?;
        Ok(Some(value * scale * factor.kgce_per_unit / 1_000.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_factors_convert_to_tonnes() {
        let factors = EnergyFactors::default();
        let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9);
        assert!(close(
            factors.tce("electricity", 10_000.0, "kWh").expect("ok"),
            1.229
        ));
        assert!(close(
            factors.tce("electricity", 10.0, "MWh").expect("ok"),
            1.229
        ));
        assert!(close(factors.tce("steam", 2.0, "t").expect("ok"), 0.2572));
        assert!(close(
            factors.tce("natural_gas", 1_000.0, "m3").expect("ok"),
            1.2143
        ));
        assert_eq!(factors.tce("water", 5.0, "m3"), Ok(None));
        assert_eq!(
            factors.tce("electricity", 5.0, "m3"),
            Err(ConversionProblem::UnitMismatch {
                expected: "kWh".into()
            })
        );
        assert_eq!(
            factors.tce("hydrogen", 5.0, "kg"),
            Err(ConversionProblem::UnknownType)
        );
    }

    #[test]
    fn the_park_can_change_a_factor() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join(EnergyFactors::FILE_NAME),
            "[factors.natural_gas]\nunit = \"m3\"\nkgce_per_unit = 1.33\n",
        )
        .expect("write");
        let factors = EnergyFactors::load(dir.path()).expect("load");
        let tce = factors
            .tce("natural_gas", 1_000.0, "m3")
            .expect("ok")
            .expect("some");
        assert!((tce - 1.33).abs() < 1e-9);
        assert!(
            factors.factors.contains_key("electricity"),
            "other defaults stay"
        );
    }
}
