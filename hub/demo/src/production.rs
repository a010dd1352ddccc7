//! Monthly production and finance (`production_monthly`): output with seasonality (Spring
//! Festival dip, year-end peak), a growth trend and noise; added value, revenue, profit, tax and
//! R&D derived from the enterprise's profile.
//!
//! A few enterprises are late with the current round ([`late_submissions`]): about 8% have not
//! reported the last month yet, about 2% not the month before either, and their energy
//! readings stop a few days before the window ends (`energy.rs`), so that a park's freshness
//! view has something to show.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use parkhub_connectors::arrow::record_batch::RecordBatch;

use crate::arrow_columns::{dates, float, int64, table_batches, text};
use crate::calendar::{months_ending, spring_festival_share};
use crate::enterprises::Enterprise;
use crate::random::{integer, noise, pick_distinct, round_to, standard_normal, stream};
use crate::{DemoParams, Result};

/// One month of one enterprise.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProductionRow {
    pub uscc: String,
    pub period: NaiveDate,
    pub output_value: f64,
    pub added_value: f64,
    pub revenue: f64,
    pub profit: f64,
    pub tax: f64,
    pub rd_expense: f64,
    pub employees: i64,
}

/// Output of a calendar month relative to an average month, for discrete manufacturers:
/// quarter-end pushes, a summer lull, the National Day week and the year-end peak.
const DISCRETE_SEASON: [f64; 12] = [
    1.02, 1.00, 1.03, 1.00, 1.00, 1.05, 0.96, 0.96, 1.04, 0.95, 1.04, 1.14,
];

/// Seasonal factor of a month: the calendar pattern (muted for continuous plants) and the
/// Spring Festival slowdown.
pub(crate) fn seasonal_factor(month_start: NaiveDate, continuous: bool) -> f64 {
    let calendar = DISCRETE_SEASON
        .get(month_start.month0() as usize)
        .copied()
        .unwrap_or(1.0);
    let (amplitude, festival_depth) = if continuous { (0.3, 0.10) } else { (1.0, 0.65) };
    (1.0 + amplitude * (calendar - 1.0))
        * (1.0 - festival_depth * spring_festival_share(month_start))
}

/// Share of the enterprises that have not reported the last month yet.
const LATE_SHARE: f64 = 0.08;
/// Share of the enterprises that have not reported the month before the last either (part of
/// the late ones).
const TWICE_LATE_SHARE: f64 = 0.02;
/// The fewest and most days before the end of the energy window that a late enterprise's
/// readings stop.
const LATE_ENERGY_DAYS: (i64, i64) = (3, 6);

/// How an enterprise is late with its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LateSubmission {
    /// The last months it has not reported (1 or 2).
    pub months_missed: u32,
    /// The last days of the energy window it has no readings for.
    pub energy_days_missed: u32,
}

/// Returns the enterprises that are late with the current round, by their index: the share
/// [`LATE_SHARE`] of the park (rounded), of which [`TWICE_LATE_SHARE`] miss two months. They
/// are drawn from a stream of their own, so that no other value of the park moves with them.
pub(crate) fn late_submissions(
    params: &DemoParams,
    enterprises: &[Enterprise],
) -> BTreeMap<usize, LateSubmission> {
    let mut rng = stream(params.seed, "submission_lateness");
    let count = enterprises.len() as f64;
    let late = (count * LATE_SHARE).round() as usize;
    let twice_late = ((count * TWICE_LATE_SHARE).round() as usize).min(late);
    let indices: Vec<usize> = enterprises
        .iter()
        .map(|enterprise| enterprise.index)
        .collect();
    pick_distinct(&mut rng, &indices, late)
        .into_iter()
        .enumerate()
        .map(|(position, index)| {
            let energy_days_missed =
                integer(&mut rng, LATE_ENERGY_DAYS.0, LATE_ENERGY_DAYS.1) as u32;
            let months_missed = if position < twice_late { 2 } else { 1 };
            (
                index,
                LateSubmission {
                    months_missed,
                    energy_days_missed,
                },
            )
        })
        .collect()
}

/// Generates the monthly rows: every enterprise, every month of the window, but the last
/// months of the enterprises that are late ([`late_submissions`]).
pub(crate) fn generate_production(
    params: &DemoParams,
    enterprises: &[Enterprise],
) -> Vec<ProductionRow> {
    let mut rng = stream(params.seed, "production_monthly");
    let periods = months_ending(params.until_month(), params.months);
    let last = periods.len().saturating_sub(1);
    let late = late_submissions(params, enterprises);
    let mut rows = Vec::with_capacity(enterprises.len() * periods.len());
    for enterprise in enterprises {
        // The months it has reported: all but its missed ones at the end of the window.
        let months_missed = late
            .get(&enterprise.index)
            .map_or(0, |late| late.months_missed as usize);
        let reported = periods.len().saturating_sub(months_missed);
        let profile = &enterprise.profile;
        let monthly_base = profile.annual_output / 12.0;
        for (position, period) in periods.iter().enumerate() {
            let months_back = (last - position) as f64;
            // The profile's output is that of the last twelve months; earlier months are lower by
            // the growth rate (or higher, for a shrinking enterprise).
            let trend = (1.0 + profile.growth).powf(-(months_back - 5.5) / 12.0);
            let season = seasonal_factor(*period, profile.continuous);
            let output_value = (monthly_base * trend * season * noise(&mut rng, 0.04)).max(0.0);
            let added_value = output_value * profile.added_value_ratio * noise(&mut rng, 0.03);
            let revenue = (output_value * profile.revenue_ratio * noise(&mut rng, 0.03)).max(0.0);
            let margin = profile.margin + 0.012 * standard_normal(&mut rng);
            // A month of stopped lines still carries fixed costs.
            let festival_cost = 0.04 * spring_festival_share(*period) * monthly_base;
            let profit = revenue * margin - festival_cost;
            let tax = (revenue * profile.tax_ratio * noise(&mut rng, 0.10)).max(0.0);
            let rd_expense = (revenue * profile.rd_ratio * noise(&mut rng, 0.15)).max(0.0);
            let staffing = (1.0 + 0.3 * profile.growth * -months_back / 12.0)
                * (1.0 - 0.05 * spring_festival_share(*period))
                * noise(&mut rng, 0.008);
            // A month not reported yet is still drawn, so that every other row keeps its values.
            if position >= reported {
                continue;
            }
            rows.push(ProductionRow {
                uscc: enterprise.uscc.clone(),
                period: *period,
                output_value: round_to(output_value, 2),
                added_value: round_to(added_value, 2),
                revenue: round_to(revenue, 2),
                profit: round_to(profit, 2),
                tax: round_to(tax, 2),
                rd_expense: round_to(rd_expense, 2),
                employees: (enterprise.employees as f64 * staffing).round().max(1.0) as i64,
            });
        }
    }
    rows
}

/// The `production_monthly` batches.
pub(crate) fn production_batches(rows: &[ProductionRow]) -> Result<Vec<RecordBatch>> {
    table_batches(
        "production_monthly",
        vec![
            text(rows.iter().map(|row| row.uscc.as_str())),
            dates(rows.iter().map(|row| row.period)),
            float(rows.iter().map(|row| row.output_value)),
            float(rows.iter().map(|row| row.added_value)),
            float(rows.iter().map(|row| row.revenue)),
            float(rows.iter().map(|row| row.profit)),
            float(rows.iter().map(|row| row.tax)),
            float(rows.iter().map(|row| row.rd_expense)),
            int64(rows.iter().map(|row| row.employees)),
        ],
    )
}
