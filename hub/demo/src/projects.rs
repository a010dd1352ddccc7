//! Transformation projects (`transformation_projects`) at point, line and area level, and the
//! subsidy payments made to them (`fund_disbursements`).
//!
//! Support for a project never exceeds 20% of its investment; payments never exceed the
//! support granted, fall after the project's start and not after `until`. Statuses follow the
//! dates: planned projects start after `until`, completed ones have an actual end, delayed ones
//! are past their planned end without one.

use chrono::NaiveDate;
use parkhub_connectors::arrow::record_batch::RecordBatch;
use rand_chacha::ChaCha8Rng;

use crate::DEMO_PARK_NAME;
use crate::arrow_columns::{
    dates, float, optional_dates, optional_float, optional_text, table_batches, text,
};
use crate::calendar::add_days;
use crate::catalog::{Catalog, ProviderRow};
use crate::catalog_text::Scenario;
use crate::enterprises::Enterprise;
use crate::industry_profiles::{CHEMICAL_ZONE, Scale};
use crate::random::{
    chance, floor_to, integer, log_uniform, pick, round_to, stream, uniform, weighted_index,
    weighted_pick,
};
use crate::tables::Tables;
use crate::{DemoParams, Result};

/// Highest share of a project's investment that may be subsidised.
pub(crate) const SUBSIDY_CAP: f64 = 0.20;

/// One project.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProjectRow {
    pub project_id: String,
    pub uscc: String,
    pub name: String,
    pub level: &'static str,
    pub category: &'static str,
    pub investment: f64,
    pub subsidy_type: Option<&'static str>,
    pub subsidy_granted: f64,
    pub provider_id: Option<String>,
    pub status: &'static str,
    pub start_date: NaiveDate,
    pub planned_end: NaiveDate,
    pub actual_end: Option<NaiveDate>,
}

/// One payment of subsidy to a project.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DisbursementRow {
    pub disbursement_id: String,
    pub project_id: String,
    pub disbursed_on: NaiveDate,
    pub amount: f64,
    pub fund_source: &'static str,
    pub purpose: String,
}

/// What a project is before its dates, money and provider are drawn.
struct ProjectSeed<'a> {
    lead: &'a Enterprise,
    name: String,
    level: &'static str,
    scenario: &'static Scenario,
    investment: f64,
    duration_days: (i64, i64),
}

/// Line-project names by scenario, after "<leader>牵头<chain>产业链".
fn line_noun(scenario_code: &str) -> &'static str {
    match scenario_code {
        "digital_twin" => "数字孪生协同项目",
        "quality_inspection" => "质量协同追溯项目",
        "equipment_networking" => "工业互联网平台项目",
        "carbon" => "碳足迹协同管理项目",
        _ => "供应链协同平台项目",
    }
}

/// Draws a scenario for a project or need of an enterprise, from its industry's typical ones.
pub(crate) fn draw_enterprise_scenario(
    tables: &'static Tables,
    rng: &mut ChaCha8Rng,
    enterprise: &Enterprise,
) -> &'static Scenario {
    let weights = &tables
        .industry_words(enterprise.industry_code())
        .scenario_weights;
    let level = enterprise.profile.maturity_level;
    let adjusted: Vec<f64> = weights
        .iter()
        .map(|(code, weight)| {
            let advanced = matches!(
                *code,
                "digital_twin" | "aps" | "process_optimization" | "supply_chain"
            );
            match (advanced, level) {
                (true, 1) => weight * 0.3,
                (true, 4..) => weight * 1.8,
                _ => *weight,
            }
        })
        .collect();
    tables.scenario_or_first(
        weights
            .get(weighted_index(rng, &adjusted))
            .map_or("", |(code, _)| *code),
    )
}

/// The providers best placed to carry out a project: those serving the industry and the
/// scenario, else those doing the scenario, else all.
fn candidate_providers<'a>(
    catalog: &'a Catalog,
    industry: &str,
    scenario_code: &str,
) -> Vec<&'a ProviderRow> {
    let does_scenario = |provider: &&ProviderRow| provider.scenarios.contains(&scenario_code);
    let best: Vec<&ProviderRow> = catalog
        .providers
        .iter()
        .filter(does_scenario)
        .filter(|provider| provider.key_industries.contains(&industry))
        .collect();
    if !best.is_empty() {
        return best;
    }
    let good: Vec<&ProviderRow> = catalog.providers.iter().filter(does_scenario).collect();
    if !good.is_empty() {
        return good;
    }
    catalog.providers.iter().collect()
}

/// Chooses the point, line and area projects of the park.
fn project_seeds<'a>(
    tables: &'static Tables,
    rng: &mut ChaCha8Rng,
    enterprises: &'a [Enterprise],
) -> Vec<ProjectSeed<'a>> {
    let mut seeds = Vec::new();
    if enterprises.is_empty() {
        return seeds;
    }
    // Point projects: about 45% of enterprises, the more mature and larger ones more often.
    let point_count = ((enterprises.len() as f64) * 0.45).round().max(1.0) as usize;
    let mut weights: Vec<f64> = enterprises
        .iter()
        .map(|enterprise| {
            let level = f64::from(enterprise.profile.maturity_level);
            let size = match enterprise.scale {
                Scale::Large => 2.5,
                Scale::Medium => 1.8,
                Scale::Small => 1.0,
                Scale::Micro => 0.4,
            };
            (0.6 + 0.4 * level) * size
        })
        .collect();
    let mut chosen = Vec::with_capacity(point_count);
    while chosen.len() < point_count && weights.iter().any(|weight| *weight > 0.0) {
        let position = weighted_index(rng, &weights);
        if let Some(weight) = weights.get_mut(position) {
            *weight = 0.0;
            chosen.push(position);
        }
    }
    chosen.sort_unstable();
    for position in chosen {
        let Some(enterprise) = enterprises.get(position) else {
            continue;
        };
        let scenario = draw_enterprise_scenario(tables, rng, enterprise);
        let noun = pick(rng, &scenario.project_nouns)
            .copied()
            .unwrap_or("数字化改造项目");
        let (low, high) = enterprise.scale.point_investment_range();
        seeds.push(ProjectSeed {
            lead: enterprise,
            name: format!("{}{noun}", enterprise.name.short),
            level: "point",
            scenario,
            investment: round_to(log_uniform(rng, low, high), 1),
            duration_days: (180, 365),
        });
    }

    // Line projects: led by chain leaders, the largest enterprises of an industry.
    let mut by_size: Vec<&Enterprise> = enterprises.iter().collect();
    by_size.sort_by(|left, right| {
        right
            .profile
            .annual_output
            .total_cmp(&left.profile.annual_output)
            .then(left.index.cmp(&right.index))
    });
    let line_count = ((enterprises.len() as f64) / 30.0).round().max(1.0) as usize;
    let mut led_industries: Vec<&str> = Vec::new();
    let mut leaders: Vec<&Enterprise> = Vec::new();
    for enterprise in &by_size {
        if leaders.len() >= line_count {
            break;
        }
        // One chain per industry first; a second one once every industry has its leader.
        if !led_industries.contains(&enterprise.industry_code()) || led_industries.len() >= 9 {
            led_industries.push(enterprise.industry_code());
            leaders.push(enterprise);
        }
    }
    for enterprise in leaders {
        let scenario_code = [
            "supply_chain",
            "supply_chain",
            "supply_chain",
            "equipment_networking",
            "quality_inspection",
            "digital_twin",
            "carbon",
        ]
        .get(integer(rng, 0, 6) as usize)
        .copied()
        .unwrap_or("supply_chain");
        let scenario = tables.scenario_or_first(scenario_code);
        let chain = if enterprise.class.code.starts_with("C36") {
            "汽车零部件"
        } else {
            pick(
                rng,
                &tables.industry_words(enterprise.industry_code()).chains,
            )
            .copied()
            .unwrap_or("制造业")
        };
        seeds.push(ProjectSeed {
            lead: enterprise,
            name: format!(
                "{}牵头{chain}产业链{}",
                enterprise.name.short,
                line_noun(scenario_code)
            ),
            level: "line",
            scenario,
            investment: round_to(log_uniform(rng, 1500.0, 8000.0), 1),
            duration_days: (300, 540),
        });
    }

    // Area projects: the park's own platforms, carried by its largest enterprises.
    let area_projects = [
        ("工业互联网平台（园区级）建设项目", "equipment_networking"),
        ("能源管理与碳排放监测平台项目", "energy_management"),
        ("安全生产与应急管理一体化平台项目", "safety"),
        ("数字孪生园区建设项目", "digital_twin"),
    ];
    let area_count = ((enterprises.len() as f64) / 100.0).round().clamp(1.0, 4.0) as usize;
    for (position, (noun, scenario_code)) in area_projects.iter().take(area_count).enumerate() {
        let chemical_lead = by_size
            .iter()
            .find(|enterprise| enterprise.zone == CHEMICAL_ZONE);
        let lead = match (*scenario_code, chemical_lead) {
            ("safety", Some(enterprise)) => enterprise,
            _ => by_size.get(position % by_size.len()).unwrap_or(&by_size[0]),
        };
        seeds.push(ProjectSeed {
            lead,
            name: format!("{DEMO_PARK_NAME}{noun}"),
            level: "area",
            scenario: tables.scenario_or_first(scenario_code),
            investment: round_to(log_uniform(rng, 5000.0, 30000.0), 1),
            duration_days: (450, 900),
        });
    }
    seeds
}

/// Draws the subsidy of a project: type and amount (at most [`SUBSIDY_CAP`] of the investment).
fn draw_subsidy(rng: &mut ChaCha8Rng, level: &str, investment: f64) -> (Option<&'static str>, f64) {
    if level != "area" && chance(rng, 0.1) {
        return (None, 0.0);
    }
    let (subsidy_type, rate) = if level == "area" {
        ("investment", uniform(rng, 0.15, SUBSIDY_CAP))
    } else {
        match weighted_index(rng, &[0.65, 0.2, 0.15]) {
            0 => ("investment", uniform(rng, 0.08, SUBSIDY_CAP)),
            1 => ("loan_interest", uniform(rng, 0.03, 0.08)),
            _ => ("guarantee_fee", uniform(rng, 0.01, 0.03)),
        }
    };
    (
        Some(subsidy_type),
        floor_to(investment * rate.min(SUBSIDY_CAP), 2),
    )
}

/// Generates the projects and their disbursements.
pub(crate) fn generate_projects(
    tables: &'static Tables,
    params: &DemoParams,
    enterprises: &[Enterprise],
    catalog: &Catalog,
) -> (Vec<ProjectRow>, Vec<DisbursementRow>) {
    let mut rng = stream(params.seed, "transformation_projects");
    let mut payment_rng = stream(params.seed, "fund_disbursements");
    let until = params.until_month();
    let mut projects = Vec::new();
    let mut disbursements = Vec::new();
    for (position, seed) in project_seeds(tables, &mut rng, enterprises)
        .into_iter()
        .enumerate()
    {
        let start_date = add_days(until, -integer(&mut rng, -90, 900));
        let planned_end = add_days(
            start_date,
            integer(&mut rng, seed.duration_days.0, seed.duration_days.1),
        );
        let (status, actual_end) = if start_date > until {
            ("planned", None)
        } else if planned_end < until {
            match weighted_index(&mut rng, &[0.78, 0.17, 0.05]) {
                0 => {
                    let end = add_days(planned_end, integer(&mut rng, -30, 60));
                    (
                        "completed",
                        Some(end.min(until).max(add_days(start_date, 30))),
                    )
                }
                1 => ("delayed", None),
                _ => ("cancelled", None),
            }
        } else if chance(&mut rng, 0.04) {
            ("cancelled", None)
        } else {
            ("in_progress", None)
        };
        let (mut subsidy_type, mut subsidy_granted) =
            draw_subsidy(&mut rng, seed.level, seed.investment);
        if status == "cancelled" || (status == "planned" && chance(&mut rng, 0.5)) {
            // Support is withdrawn from cancelled projects and not yet decided for some planned ones.
            (subsidy_type, subsidy_granted) = (None, 0.0);
        }
        let candidates =
            candidate_providers(catalog, seed.lead.industry_code(), seed.scenario.code);
        let provider_id = if status == "planned" && chance(&mut rng, 0.3) {
            None
        } else {
            weighted_pick(&mut rng, &candidates, |provider| provider.rating - 3.0)
                .map(|provider| provider.provider_id.clone())
        };
        let project = ProjectRow {
            project_id: format!("PJ{:04}", position + 1),
            uscc: seed.lead.uscc.clone(),
            name: seed.name,
            level: seed.level,
            category: seed.scenario.code,
            investment: seed.investment,
            subsidy_type,
            subsidy_granted,
            provider_id,
            status,
            start_date,
            planned_end,
            actual_end,
        };
        disburse(&mut payment_rng, &project, until, &mut disbursements);
        projects.push(project);
    }
    (projects, disbursements)
}

/// Pays a project's subsidy in tranches: half after selection, more at mid-term, the rest
/// after acceptance (only for completed projects).
fn disburse(
    rng: &mut ChaCha8Rng,
    project: &ProjectRow,
    until: NaiveDate,
    payments: &mut Vec<DisbursementRow>,
) {
    let Some(subsidy_type) = project.subsidy_type else {
        return;
    };
    if project.subsidy_granted <= 0.0
        || !matches!(project.status, "completed" | "in_progress" | "delayed")
    {
        return;
    }
    let duration = project
        .planned_end
        .signed_duration_since(project.start_date)
        .num_days();
    let tranche_dates = [
        add_days(project.start_date, integer(rng, 30, 120)),
        add_days(project.start_date, duration / 2 + integer(rng, 0, 60)),
        add_days(
            project.actual_end.unwrap_or(project.planned_end),
            integer(rng, 30, 90),
        ),
    ];
    let shares: &[f64] = match project.status {
        "completed" if chance(rng, 0.5) => &[0.5, 0.3, 0.2],
        "completed" => &[0.5, 0.0, 0.5],
        _ => &[0.5, 0.3],
    };
    let purposes = match subsidy_type {
        "loan_interest" => ["首期贷款贴息资金", "第二期贷款贴息资金", "贷款贴息清算资金"],
        "guarantee_fee" => ["首期担保费补贴", "第二期担保费补贴", "担保费补贴清算资金"],
        _ => [
            "首期补助资金（项目入选后拨付）",
            "中期补助资金（中期评估后拨付）",
            "剩余补助资金（验收通过后拨付）",
        ],
    };
    for ((share, disbursed_on), purpose) in shares.iter().zip(tranche_dates).zip(purposes) {
        if *share <= 0.0 || disbursed_on > until || disbursed_on <= project.start_date {
            continue;
        }
        let fund_source = if project.level == "area" {
            // Public platforms are paid from local funds.
            "local"
        } else {
            ["central", "provincial", "local"]
                .get(weighted_index(rng, &[0.6, 0.25, 0.15]))
                .copied()
                .unwrap_or("local")
        };
        payments.push(DisbursementRow {
            disbursement_id: format!("FD{:05}", payments.len() + 1),
            project_id: project.project_id.clone(),
            disbursed_on,
            amount: floor_to(project.subsidy_granted * share, 2),
            fund_source,
            purpose: purpose.to_string(),
        });
    }
}

/// The `transformation_projects` batches.
pub(crate) fn project_batches(rows: &[ProjectRow]) -> Result<Vec<RecordBatch>> {
    table_batches(
        "transformation_projects",
        vec![
            text(rows.iter().map(|row| row.project_id.as_str())),
            text(rows.iter().map(|row| row.uscc.as_str())),
            text(rows.iter().map(|row| row.name.as_str())),
            text(rows.iter().map(|row| row.level)),
            optional_text(rows.iter().map(|row| Some(row.category))),
            float(rows.iter().map(|row| row.investment)),
            optional_text(rows.iter().map(|row| row.subsidy_type)),
            optional_float(rows.iter().map(|row| Some(row.subsidy_granted))),
            optional_text(rows.iter().map(|row| row.provider_id.as_deref())),
            text(rows.iter().map(|row| row.status)),
            optional_dates(rows.iter().map(|row| Some(row.start_date))),
            optional_dates(rows.iter().map(|row| Some(row.planned_end))),
            optional_dates(rows.iter().map(|row| row.actual_end)),
        ],
    )
}

/// The `fund_disbursements` batches.
pub(crate) fn disbursement_batches(rows: &[DisbursementRow]) -> Result<Vec<RecordBatch>> {
    table_batches(
        "fund_disbursements",
        vec![
            text(rows.iter().map(|row| row.disbursement_id.as_str())),
            text(rows.iter().map(|row| row.project_id.as_str())),
            dates(rows.iter().map(|row| row.disbursed_on)),
            float(rows.iter().map(|row| row.amount)),
            text(rows.iter().map(|row| row.fund_source)),
            optional_text(rows.iter().map(|row| Some(row.purpose.as_str()))),
        ],
    )
}
