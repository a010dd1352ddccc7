//! Digital-level assessments (`digital_assessment`): one or two per enterprise, a year apart,
//! with the GB/T 39116 maturity level rising for about a third of those assessed twice and
//! rates that go with the level (the latest ones are the enterprise's profile, which its
//! equipment register also follows).

use chrono::NaiveDate;
use parkhub_connectors::arrow::record_batch::RecordBatch;

use crate::arrow_columns::{dates, optional_float, optional_text, table_batches, text};
use crate::calendar::add_days;
use crate::enterprises::Enterprise;
use crate::industry_profiles::Scale;
use crate::random::{chance, integer, noise, pick, round_to, stream, uniform};
use crate::tables::Tables;
use crate::{DemoParams, Result};

/// One assessment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AssessmentRow {
    pub uscc: String,
    pub assessed_on: NaiveDate,
    pub maturity_level: i32,
    pub key_process_cnc_rate: f64,
    pub digital_rd_tool_rate: f64,
    pub equipment_networking_rate: f64,
    pub cloud_adoption_rate: f64,
    pub assessor: &'static str,
}

fn rate(value: f64) -> f64 {
    round_to(value.clamp(0.0, 1.0), 3)
}

/// Generates the assessments, the earlier one first for each enterprise.
pub(crate) fn generate_assessments(
    tables: &'static Tables,
    params: &DemoParams,
    enterprises: &[Enterprise],
) -> Vec<AssessmentRow> {
    let mut rng = stream(params.seed, "digital_assessment");
    let until = params.until_month();
    let mut rows = Vec::with_capacity(enterprises.len() * 2);
    for enterprise in enterprises {
        let profile = &enterprise.profile;
        let latest_on = add_days(until, -integer(&mut rng, 20, 240)).max(enterprise.founded);
        let latest = AssessmentRow {
            uscc: enterprise.uscc.clone(),
            assessed_on: latest_on,
            maturity_level: profile.maturity_level,
            key_process_cnc_rate: rate(profile.cnc_rate * noise(&mut rng, 0.02)),
            digital_rd_tool_rate: rate(profile.rd_tool_rate * noise(&mut rng, 0.03)),
            equipment_networking_rate: rate(profile.networking_rate * noise(&mut rng, 0.03)),
            cloud_adoption_rate: rate(profile.cloud_rate * noise(&mut rng, 0.03)),
            assessor: pick(&mut rng, &tables.assessors)
                .copied()
                .unwrap_or("园区数字化转型促进中心"),
        };
        let twice_probability = match enterprise.scale {
            Scale::Large | Scale::Medium => 0.85,
            Scale::Small => 0.65,
            Scale::Micro => 0.4,
        };
        let earlier_on = add_days(latest_on, -integer(&mut rng, 330, 400));
        if chance(&mut rng, twice_probability) && earlier_on > enterprise.founded {
            let rose = latest.maturity_level > 1 && chance(&mut rng, 0.35);
            let (low, high) = if rose { (0.70, 0.88) } else { (0.84, 0.97) };
            let became_user = latest.digital_rd_tool_rate > 0.0
                && chance(&mut rng, if rose { 0.3 } else { 0.08 });
            rows.push(AssessmentRow {
                uscc: enterprise.uscc.clone(),
                assessed_on: earlier_on,
                maturity_level: latest.maturity_level - i32::from(rose),
                key_process_cnc_rate: rate(
                    latest.key_process_cnc_rate * uniform(&mut rng, low, high),
                ),
                digital_rd_tool_rate: if became_user {
                    0.0
                } else {
                    rate(latest.digital_rd_tool_rate * uniform(&mut rng, low, high))
                },
                equipment_networking_rate: rate(
                    latest.equipment_networking_rate * uniform(&mut rng, low, high),
                ),
                cloud_adoption_rate: rate(
                    latest.cloud_adoption_rate * uniform(&mut rng, low - 0.1, high),
                ),
                assessor: pick(&mut rng, &tables.assessors)
                    .copied()
                    .unwrap_or("园区数字化转型促进中心"),
            });
        }
        rows.push(latest);
    }
    rows
}

/// The `digital_assessment` batches.
pub(crate) fn assessment_batches(rows: &[AssessmentRow]) -> Result<Vec<RecordBatch>> {
    table_batches(
        "digital_assessment",
        vec![
            text(rows.iter().map(|row| row.uscc.as_str())),
            dates(rows.iter().map(|row| row.assessed_on)),
            crate::arrow_columns::int32(rows.iter().map(|row| row.maturity_level)),
            optional_float(rows.iter().map(|row| Some(row.key_process_cnc_rate))),
            optional_float(rows.iter().map(|row| Some(row.digital_rd_tool_rate))),
            optional_float(rows.iter().map(|row| Some(row.equipment_networking_rate))),
            optional_float(rows.iter().map(|row| Some(row.cloud_adoption_rate))),
            optional_text(rows.iter().map(|row| Some(row.assessor))),
        ],
    )
}
