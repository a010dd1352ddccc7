//! Enterprises' transformation needs (`enterprise_needs`): about one for every two
//! enterprises, titled and described in Chinese with the catalog's scenario vocabulary so that
//! matching finds offerings for them.

use chrono::NaiveDate;
use parkhub_connectors::arrow::record_batch::RecordBatch;

use crate::arrow_columns::{optional_dates, optional_float, optional_text, table_batches, text};
use crate::calendar::add_days;
use crate::catalog_text::fill;
use crate::enterprises::Enterprise;
use crate::industry_profiles::Scale;
use crate::projects::draw_enterprise_scenario;
use crate::random::{integer, pick, round_to, stream, uniform, weighted_index};
use crate::tables::Tables;
use crate::{DemoParams, Result};

/// One need.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NeedRow {
    pub need_id: String,
    pub uscc: String,
    pub title: String,
    pub description: String,
    pub scenario: &'static str,
    pub budget: f64,
    pub status: &'static str,
    pub created_on: NaiveDate,
}

/// How an enterprise describes its starting point, by maturity level.
fn starting_point(level: i32) -> &'static str {
    match level {
        1 => "数字化基础较薄弱，生产数据主要依靠人工记录和Excel汇总",
        2 => "已上线ERP和财务等基础信息系统，车间层数据采集不足",
        3 => "已建成MES并实现部分设备联网，各系统之间数据尚未完全打通",
        _ => "已建成较完善的数字化车间，正在向智能工厂升级",
    }
}

/// Generates the needs.
pub(crate) fn generate_needs(
    tables: &'static Tables,
    params: &DemoParams,
    enterprises: &[Enterprise],
) -> Vec<NeedRow> {
    let mut rng = stream(params.seed, "enterprise_needs");
    let until = params.until_month();
    let mut needs = Vec::new();
    for enterprise in enterprises {
        let count = weighted_index(&mut rng, &[0.6, 0.3, 0.1]);
        let mut used_scenarios: Vec<&str> = Vec::new();
        for _ in 0..count {
            let scenario = draw_enterprise_scenario(tables, &mut rng, enterprise);
            if used_scenarios.contains(&scenario.code) {
                continue;
            }
            used_scenarios.push(scenario.code);
            let words = tables.industry_words(enterprise.industry_code());
            let equipment = pick(&mut rng, &words.equipment)
                .copied()
                .unwrap_or("关键设备");
            let title_template = pick(&mut rng, &scenario.need_titles)
                .copied()
                .unwrap_or("数字化改造需求");
            let title = fill(title_template, &mut rng, "", equipment, "");
            let goal_template = pick(&mut rng, &scenario.need_goals).copied().unwrap_or("");
            let goal = fill(goal_template, &mut rng, "", equipment, "");
            let (low, high) = match enterprise.scale {
                Scale::Large => (100.0, 800.0),
                Scale::Medium => (30.0, 300.0),
                Scale::Small => (8.0, 80.0),
                Scale::Micro => (3.0, 20.0),
            };
            let budget = round_to(uniform(&mut rng, low, high) * 2.0, 0) / 2.0;
            let months = integer(&mut rng, 3, 12);
            let description = format!(
                "我公司主要从事{}生产，现有主要生产设备约{}台（套），{}。{}预算约{}万元，计划{}个月内完成建设。",
                enterprise
                    .class
                    .trade_words
                    .first()
                    .copied()
                    .unwrap_or("制造"),
                integer(&mut rng, 1, 4) * enterprise.scale.equipment_range().0,
                starting_point(enterprise.profile.maturity_level),
                goal,
                budget,
                months,
            );
            let status = ["open", "matched", "closed"]
                .get(weighted_index(&mut rng, &[0.5, 0.35, 0.15]))
                .copied()
                .unwrap_or("open");
            // Matched and closed needs were registered longer ago.
            let age = match status {
                "open" => integer(&mut rng, 0, 120),
                _ => integer(&mut rng, 60, 365),
            };
            needs.push(NeedRow {
                need_id: format!("ND{:04}", needs.len() + 1),
                uscc: enterprise.uscc.clone(),
                title,
                description,
                scenario: scenario.code,
                budget,
                status,
                created_on: add_days(until, -age),
            });
        }
    }
    needs
}

/// The `enterprise_needs` batches.
pub(crate) fn need_batches(rows: &[NeedRow]) -> Result<Vec<RecordBatch>> {
    table_batches(
        "enterprise_needs",
        vec![
            text(rows.iter().map(|row| row.need_id.as_str())),
            text(rows.iter().map(|row| row.uscc.as_str())),
            text(rows.iter().map(|row| row.title.as_str())),
            optional_text(rows.iter().map(|row| Some(row.description.as_str()))),
            optional_text(rows.iter().map(|row| Some(row.scenario))),
            optional_float(rows.iter().map(|row| Some(row.budget))),
            optional_text(rows.iter().map(|row| Some(row.status))),
            optional_dates(rows.iter().map(|row| Some(row.created_on))),
        ],
    )
}
