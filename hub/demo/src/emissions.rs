//! Daily pollutant emission data (`emissions`) of the enterprises of the polluting key
//! industries, over the energy window, with HJ 212-2017 pollutant codes and data flags.
//!
//! Daily values are stamped, as HJ 212 does, with 00:00 local time of their day (16:00 UTC the
//! day before). Air outlets are named `DA001`…, water outlets `DW001`, as in discharge permits.

use chrono::NaiveDate;
use parkhub_connectors::arrow::record_batch::RecordBatch;

use crate::arrow_columns::{float, optional_text, table_batches, text, timestamps};
use crate::calendar::{LOCAL_UTC_OFFSET_HOURS, add_days, midnight_utc_micros};
use crate::energy::energy_window;
use crate::enterprises::Enterprise;
use crate::industry_profiles::{IndustryProfile, Scale};
use crate::random::{chance, noise, round_to, stream, uniform};
use crate::tables::{Tables, Tsv, reference};
use crate::{DemoParams, Result};

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

/// A pollutant an outlet of an industry reports (`data/pollutants.tsv`): code, typical daily
/// mean and the permit's limit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pollutant {
    industry: &'static str,
    /// `air` (mg/m3) or `water` (mg/L).
    medium: &'static str,
    code: &'static str,
    typical: f64,
    limit: f64,
}

/// Reads the pollutants; each belongs to an industry of `industries`.
pub(crate) fn read(tsv: &Tsv, industries: &[IndustryProfile]) -> Result<Vec<Pollutant>> {
    tsv.require(&["industry", "medium", "pollutant", "typical", "limit"])?;
    let codes: Vec<&str> = industries.iter().map(|industry| industry.code).collect();
    tsv.rows()
        .map(|row| {
            Ok(Pollutant {
                industry: reference(&row, "industry", &codes, "industries.tsv")?,
                medium: row.choice("medium", &["air", "water"])?,
                code: row.required("pollutant")?,
                typical: row.number("typical")?,
                limit: row.number("limit")?,
            })
        })
        .collect()
}

/// True for the industries whose enterprises report pollutant emissions online: those with
/// pollutants in the data.
pub(crate) fn reports_emissions(pollutants: &[Pollutant], industry: &str) -> bool {
    pollutants
        .iter()
        .any(|pollutant| pollutant.industry == industry)
}

/// The pollutants of an industry's outlets in one medium.
fn pollutants<'a>(pollutants: &'a [Pollutant], industry: &str, medium: &str) -> Vec<&'a Pollutant> {
    pollutants
        .iter()
        .filter(|pollutant| pollutant.industry == industry && pollutant.medium == medium)
        .collect()
}

/// Generates the daily emission values.
pub(crate) fn generate_emissions(
    tables: &'static Tables,
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
        .filter(|enterprise| reports_emissions(&tables.pollutants, enterprise.industry_code()))
    {
        let air = pollutants(&tables.pollutants, enterprise.industry_code(), "air");
        let water = pollutants(&tables.pollutants, enterprise.industry_code(), "water");
        let air_outlets = if enterprise.scale == Scale::Large {
            2
        } else {
            1
        };
        let mut outlets: Vec<(String, Vec<&Pollutant>, &'static str)> = (1..=air_outlets)
            .map(|number| (format!("DA{number:03}"), air.clone(), "mg/m3"))
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
pub(crate) fn emission_batches(rows: &[EmissionRow]) -> Result<Vec<RecordBatch>> {
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
