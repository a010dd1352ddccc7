//! The enterprise registry and each enterprise's hidden profile (size of its business, margins,
//! energy use, digital maturity) that the other tables are generated from.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use parkhub_connectors::arrow::record_batch::RecordBatch;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::arrow_columns::{dates, float, int64, table_batches, text};
use crate::calendar::{add_days, add_months, date, day_between};
use crate::company_names::{MakerName, draw_maker_name, draw_uscc, park_division_code};
use crate::industry_profiles::{IndustryClass, IndustryProfile, Scale, ZONES};
use crate::random::{
    chance, log_uniform, noise, round_to, standard_normal, stream, uniform, uniform_in,
    weighted_index, weighted_pick,
};
use crate::tables::Tables;
use crate::{DemoParams, Result};

/// One enterprise of the park: its registry row and the profile behind its other data.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Enterprise {
    /// Position in the registry, from 0.
    pub index: usize,
    /// Unified Social Credit Code.
    pub uscc: String,
    /// Registered name and short name.
    pub name: MakerName,
    /// Key industry profile.
    pub industry: &'static IndustryProfile,
    /// GB/T 4754-2017 class.
    pub class: &'static IndustryClass,
    /// Size class.
    pub scale: Scale,
    /// Zone of the park.
    pub zone: &'static str,
    /// Date of establishment.
    pub founded: NaiveDate,
    /// Employees in the registry.
    pub employees: i64,
    /// Land used (mu).
    pub land_area_mu: f64,
    /// What drives the enterprise's numbers.
    pub profile: BusinessProfile,
}

/// The hidden numbers behind an enterprise's production, energy and digital data.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BusinessProfile {
    /// Gross output over the twelve months ending with `until` (10k yuan).
    pub annual_output: f64,
    /// Added value as a share of output.
    pub added_value_ratio: f64,
    /// Yearly output growth.
    pub growth: f64,
    /// Revenue as a share of output.
    pub revenue_ratio: f64,
    /// Profit margin on revenue.
    pub margin: f64,
    /// Taxes as a share of revenue.
    pub tax_ratio: f64,
    /// R&D expense as a share of revenue.
    pub rd_ratio: f64,
    /// Yearly energy use per 10k yuan of added value (tce).
    pub energy_intensity: f64,
    /// Yearly water use per 10k yuan of added value (m3).
    pub water_intensity: f64,
    /// Runs around the clock.
    pub continuous: bool,
    /// Shifts a day when not continuous (1 to 3).
    pub shifts: u8,
    /// Burns natural gas.
    pub uses_gas: bool,
    /// Uses steam.
    pub uses_steam: bool,
    /// Maturity level (GB/T 39116) at the latest assessment.
    pub maturity_level: i32,
    /// Share of key processes under numerical control.
    pub cnc_rate: f64,
    /// Share of R&D done with digital tools (0 for non-users).
    pub rd_tool_rate: f64,
    /// Share of equipment networked.
    pub networking_rate: f64,
    /// Share of business systems on cloud.
    pub cloud_rate: f64,
}

impl Enterprise {
    /// Yearly added value (10k yuan).
    pub(crate) fn annual_added_value(&self) -> f64 {
        self.profile.annual_output * self.profile.added_value_ratio
    }

    /// The key industry code.
    pub(crate) fn industry_code(&self) -> &'static str {
        self.industry.code
    }
}

/// Allots `total` enterprises to the industries by their shares (largest remainder), so that
/// the mix is close to the intended one whatever the park's size.
fn industry_quota(industries: &[IndustryProfile], total: usize) -> Vec<usize> {
    let shares: f64 = industries.iter().map(|profile| profile.share).sum();
    let exact: Vec<f64> = industries
        .iter()
        .map(|profile| profile.share / shares * total as f64)
        .collect();
    let mut counts: Vec<usize> = exact.iter().map(|value| value.floor() as usize).collect();
    let mut remainders: Vec<(usize, f64)> = exact
        .iter()
        .enumerate()
        .map(|(position, value)| (position, value - value.floor()))
        .collect();
    remainders.sort_by(|left, right| right.1.total_cmp(&left.1).then(left.0.cmp(&right.0)));
    let assigned: usize = counts.iter().sum();
    for (position, _) in remainders.iter().take(total.saturating_sub(assigned)) {
        if let Some(count) = counts.get_mut(*position) {
            *count += 1;
        }
    }
    counts
}

/// Maturity-dependent ranges of the digital rates.
fn digital_rates(rng: &mut ChaCha8Rng, level: i32, cnc_bonus: f64) -> (f64, f64, f64, f64) {
    let (cnc, rd_zero, rd, network, cloud) = match level {
        1 => ((0.38, 0.64), 0.32, (0.15, 0.50), (0.10, 0.35), (0.05, 0.30)),
        2 => ((0.58, 0.78), 0.12, (0.40, 0.75), (0.30, 0.55), (0.20, 0.50)),
        3 => ((0.70, 0.86), 0.0, (0.70, 0.90), (0.50, 0.75), (0.40, 0.70)),
        4 => ((0.80, 0.93), 0.0, (0.80, 0.95), (0.70, 0.90), (0.60, 0.85)),
        _ => ((0.90, 0.98), 0.0, (0.90, 1.00), (0.85, 0.98), (0.75, 0.95)),
    };
    let cnc_rate = (uniform_in(rng, cnc) + cnc_bonus).min(0.98);
    let rd_tool_rate = if chance(rng, rd_zero) {
        0.0
    } else {
        uniform_in(rng, rd)
    };
    (
        cnc_rate,
        rd_tool_rate,
        uniform_in(rng, network),
        uniform_in(rng, cloud),
    )
}

/// Generates the park's enterprises.
pub(crate) fn generate_enterprises(
    tables: &'static Tables,
    params: &DemoParams,
) -> Vec<Enterprise> {
    let mut rng = stream(params.seed, "enterprises");
    let mut industries: Vec<&'static IndustryProfile> =
        industry_quota(&tables.industries, params.enterprises)
            .into_iter()
            .zip(tables.industries.iter())
            .flat_map(|(count, profile)| std::iter::repeat_n(profile, count))
            .collect();
    industries.shuffle(&mut rng);

    let first_period = add_months(params.until_month(), -i64::from(params.months.max(12)));
    let founded_latest = date(2022, 12, 31).min(add_days(first_period, -365));
    let mut taken_codes = BTreeSet::new();
    let mut taken_names = BTreeSet::new();
    industries
        .into_iter()
        .enumerate()
        .map(|(index, industry)| {
            let class = weighted_pick(&mut rng, &industry.classes, |class| class.weight)
                .unwrap_or(&industry.classes[0]);
            let scale = match Scale::ALL[weighted_index(&mut rng, &industry.scale_weights)] {
                // Furnaces, kilns and spinning lines are not run by micro enterprises.
                Scale::Micro if class.continuous => Scale::Small,
                scale => scale,
            };
            let zone = ZONES[weighted_index(&mut rng, &industry.zone_weights)];
            let founded_earliest = match scale {
                Scale::Large | Scale::Medium => date(1995, 1, 1),
                Scale::Small => date(1998, 1, 1),
                Scale::Micro => date(2005, 1, 1),
            };
            let founded_until = match scale {
                Scale::Large => date(2012, 12, 31).min(founded_latest),
                _ => founded_latest,
            };
            let founded = day_between(
                founded_earliest,
                founded_until.max(founded_earliest),
                uniform(&mut rng, 0.0, 1.0),
            );
            let (low, high) = scale.employee_range();
            let employees = log_uniform(&mut rng, low, high).round() as i64;
            let productivity =
                uniform_in(&mut rng, industry.productivity) * scale.productivity_factor();
            let annual_output = employees as f64 * productivity * noise(&mut rng, 0.08);
            let land_area_mu =
                (employees as f64 * uniform_in(&mut rng, industry.land_per_employee)).max(2.0);
            let division_code = park_division_code(&mut rng, &tables.park_divisions);
            let uscc = draw_uscc(&mut rng, division_code, founded, &mut taken_codes);
            let name = draw_maker_name(
                &mut rng,
                &tables.names,
                &class.trade_words,
                scale == Scale::Large,
                &mut taken_names,
            );

            let maturity_level = 1 + weighted_index(&mut rng, &scale.maturity_weights()) as i32;
            let (cnc_rate, rd_tool_rate, networking_rate, cloud_rate) =
                digital_rates(&mut rng, maturity_level, industry.cnc_bonus);
            let loss_making = chance(&mut rng, 0.07);
            let margin = if loss_making {
                uniform(&mut rng, -0.08, -0.01)
            } else {
                uniform_in(&mut rng, industry.margin)
            };
            let rd_ratio = uniform_in(&mut rng, industry.rd_ratio)
                * if maturity_level >= 3 { 1.2 } else { 1.0 };
            let continuous = class.continuous;
            let shifts = if continuous {
                3
            } else {
                1 + weighted_index(&mut rng, &[0.35, 0.5, 0.15]) as u8
            };
            let profile = BusinessProfile {
                annual_output: round_to(annual_output, 2),
                added_value_ratio: uniform_in(&mut rng, industry.added_value_ratio),
                growth: (0.06 + 0.07 * standard_normal(&mut rng)).clamp(-0.15, 0.30),
                revenue_ratio: uniform(&mut rng, 0.90, 1.05),
                margin,
                tax_ratio: uniform(&mut rng, 0.025, 0.05),
                rd_ratio: rd_ratio.min(0.05),
                energy_intensity: uniform_in(&mut rng, industry.energy_intensity)
                    * class.intensity_factor,
                water_intensity: uniform_in(&mut rng, industry.water_intensity),
                continuous,
                shifts,
                uses_gas: chance(&mut rng, class.gas_probability),
                uses_steam: chance(&mut rng, class.steam_probability),
                maturity_level,
                cnc_rate,
                rd_tool_rate,
                networking_rate,
                cloud_rate,
            };
            Enterprise {
                index,
                uscc,
                name,
                industry,
                class,
                scale,
                zone,
                founded,
                employees,
                land_area_mu: round_to(land_area_mu, 1),
                profile,
            }
        })
        .collect()
}

/// The `enterprises` batches.
pub(crate) fn enterprise_batches(enterprises: &[Enterprise]) -> Result<Vec<RecordBatch>> {
    table_batches(
        "enterprises",
        vec![
            text(
                enterprises
                    .iter()
                    .map(|enterprise| enterprise.uscc.as_str()),
            ),
            text(
                enterprises
                    .iter()
                    .map(|enterprise| enterprise.name.full.as_str()),
            ),
            text(enterprises.iter().map(|enterprise| enterprise.class.code)),
            text(
                enterprises
                    .iter()
                    .map(|enterprise| enterprise.industry.code),
            ),
            text(enterprises.iter().map(|enterprise| enterprise.scale.code())),
            text(enterprises.iter().map(|enterprise| enterprise.zone)),
            dates(enterprises.iter().map(|enterprise| enterprise.founded)),
            int64(enterprises.iter().map(|enterprise| enterprise.employees)),
            float(enterprises.iter().map(|enterprise| enterprise.land_area_mu)),
        ],
    )
}
