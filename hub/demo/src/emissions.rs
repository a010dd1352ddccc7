//! Daily pollutant emission data (`emissions`) of the enterprises of the polluting key
//! industries, over the energy window, with HJ 212-2017 pollutant codes and data flags.
//!
//! Daily values are stamped, as HJ 212 does, with 00:00 local time of their day (16:00 UTC the
//! day before). Air outlets are named `DA001`…, water outlets `DW001`, as in discharge permits.

use chrono::NaiveDate;
use parkhub_connectors::arrow::record_batch::RecordBatch;

use super::arrow_columns::{float, optional_text, table_batches, text, timestamps};
use super::calendar::{LOCAL_UTC_OFFSET_HOURS, add_days, midnight_utc_micros};
use super::energy::energy_window;
use super::enterprises::Enterprise;
use super::industry_profiles::{Scale, reports_emissions};
use super::random::{chance, noise, round_to, stream, uniform};
use super::{DemoError, DemoParams};

/// One daily value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EmissionRow {
    pub uscc: String,
    pub outlet_id: String,
    pub ts_micros: i64,
    pub pollutant: &'static str,
    pub value: f64,
    pub unit: &'static str,
    pub flag: &'static str,
}

/// A pollutant an outlet reports: code, typical daily mean and the permit's limit.
#[derive(Debug, Clone, Copy)]
struct Pollutant {
    code: &'static str,
    typical: f64,
    limit: f64,
}

const fn pollutant(code: &'static str, typical: f64, limit: f64) -> Pollutant {
    Pollutant {
        code,
        typical,
        limit,
    }
}

const STEEL_AIR: &[Pollutant] = &[
    pollutant("a21026", 20.0, 35.0),
    pollutant("a21002", 38.0, 50.0),
    pollutant("a34013", 5.0, 10.0),
];
const STEEL_WATER: &[Pollutant] = &[
    pollutant("w01018", 25.0, 50.0),
    pollutant("w21003", 2.0, 5.0),
];
const CHEMICAL_AIR: &[Pollutant] = &[
    pollutant("a21026", 25.0, 50.0),
    pollutant("a21002", 60.0, 100.0),
    pollutant("a34013", 8.0, 20.0),
];
const CHEMICAL_WATER: &[Pollutant] = &[
    pollutant("w01018", 35.0, 60.0),
    pollutant("w21003", 3.0, 8.0),
];
const SMELTER_AIR: &[Pollutant] = &[
    pollutant("a21026", 70.0, 100.0),
    pollutant("a21002", 60.0, 100.0),
    pollutant("a34013", 6.0, 10.0),
];
const SMELTER_WATER: &[Pollutant] = &[
    pollutant("w01018", 30.0, 60.0),
    pollutant("w21003", 3.0, 8.0),
];
const KILN_AIR: &[Pollutant] = &[
    pollutant("a21026", 30.0, 50.0),
    pollutant("a21002", 70.0, 100.0),
    pollutant("a34013", 6.0, 10.0),
];

/// Air pollutants (mg/m3: SO2, NOx, particulate matter) and water pollutants (mg/L: COD,
/// ammonia nitrogen) by key industry; no water outlet for building materials.
fn pollutants(industry: &str) -> (&'static [Pollutant], &'static [Pollutant]) {
    match industry {
        "iron_steel" => (STEEL_AIR, STEEL_WATER),
        "petrochemicals" => (CHEMICAL_AIR, CHEMICAL_WATER),
        "nonferrous" => (SMELTER_AIR, SMELTER_WATER),
        _ => (KILN_AIR, &[]),
    }
}

/// Generates the daily emission values.
pub(crate) fn generate_emissions(
    params: &DemoParams,
    enterprises: &[Enterprise],
) -> Vec<EmissionRow> {
    let mut rng = stream(params.seed, "emissions");
    let (window_start, days) = energy_window(params);
    let day_stamps: Vec<i64> = (0..i64::from(days))
        .map(|day| {
            let local_day: NaiveDate = add_days(window_start, day);
            midnight_utc_micros(local_day) - LOCAL_UTC_OFFSET_HOURS * 3_600 * 1_000_000
        })
        .collect();
    let mut rows = Vec::new();
    for enterprise in enterprises
        .iter()
        .filter(|enterprise| reports_emissions(enterprise.industry_code()))
    {
        let (air, water) = pollutants(enterprise.industry_code());
        let air_outlets = if enterprise.scale == Scale::Large {
            2
        } else {
            1
        };
        let mut outlets: Vec<(String, &'static [Pollutant], &'static str)> = (1..=air_outlets)
            .map(|number| (format!("DA{number:03}"), air, "mg/m3"))
            .collect();
        if !water.is_empty() {
            outlets.push(("DW001".to_string(), water, "mg/L"));
        }
        for (outlet_id, outlet_pollutants, unit) in outlets {
            // How well this outlet's treatment works, relative to the industry's typical level.
            let outlet_levels: Vec<f64> = outlet_pollutants
                .iter()
                .map(|_| uniform(&mut rng, 0.65, 1.1))
                .collect();
            for stamp in &day_stamps {
                for (pollutant, level) in outlet_pollutants.iter().zip(&outlet_levels) {
                    let typical = pollutant.typical * level;
                    let draw = rng_flag(&mut rng);
                    let (value, flag) = match draw {
                        "T" => (pollutant.limit * uniform(&mut rng, 1.05, 1.6), "T"),
                        "M" => (typical * uniform(&mut rng, 0.02, 0.2), "M"),
                        "D" => (typical * uniform(&mut rng, 0.0, 0.5), "D"),
                        _ => (
                            (typical * noise(&mut rng, 0.18)).min(pollutant.limit * 0.98),
                            "N",
                        ),
                    };
                    rows.push(EmissionRow {
                        uscc: enterprise.uscc.clone(),
                        outlet_id: outlet_id.clone(),
                        ts_micros: *stamp,
                        pollutant: pollutant.code,
                        value: round_to(value, 2),
                        unit,
                        flag,
                    });
                }
            }
        }
    }
    rows
}

/// Draws the data flag of a daily value: mostly normal, a few over-limit, maintenance and
/// fault days.
fn rng_flag(rng: &mut rand_chacha::ChaCha8Rng) -> &'static str {
    if chance(rng, 0.005) {
        "T"
    } else if chance(rng, 0.008) {
        "M"
    } else if chance(rng, 0.004) {
        "D"
    } else {
        "N"
    }
}

/// The `emissions` batches.
pub(crate) fn emission_batches(rows: &[EmissionRow]) -> Result<Vec<RecordBatch>, DemoError> {
    table_batches(
        "emissions",
        vec![
            text(rows.iter().map(|row| row.uscc.as_str())),
            optional_text(rows.iter().map(|row| Some(row.outlet_id.as_str()))),
            timestamps(rows.iter().map(|row| row.ts_micros)),
            text(rows.iter().map(|row| row.pollutant)),
            float(rows.iter().map(|row| row.value)),
            text(rows.iter().map(|row| row.unit)),
            optional_text(rows.iter().map(|row| Some(row.flag))),
        ],
    )
}
