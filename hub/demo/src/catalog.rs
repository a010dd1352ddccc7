//! The catalog: service providers, their service offerings and the shared applications, named
//! and described in Chinese (with English names for most) from the vocabulary in
//! [`crate::catalog_text`]. Its size ([`CatalogSize`]) does not depend on the number of
//! enterprises.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use parkhub_connectors::arrow::record_batch::RecordBatch;
use parkhub_connectors::industry::key_industry;
use rand_chacha::ChaCha8Rng;

use crate::arrow_columns::{
    dates, float, int32, int64, optional_dates, optional_float, optional_text, table_batches, text,
};
use crate::calendar::{add_days, date, day_between};
use crate::catalog_text::{Scenario, category_zh, deployment_zh, fill};
use crate::company_names::{draw_customer_name, draw_tech_name, draw_uscc};
use crate::provider_kinds::ProviderKind;
use crate::random::{
    chance, integer, log_uniform, pick, pick_distinct, round_to, stream, uniform, weighted_index,
    weighted_pick,
};
use crate::tables::Tables;
use crate::{DemoParams, Result};

/// How many entries of each kind a generated catalog has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogSize {
    /// Service providers.
    pub providers: usize,
    /// Service offerings.
    pub offerings: usize,
    /// Shared applications.
    pub applications: usize,
}

impl CatalogSize {
    /// The demo park's catalog: 160 providers, 420 offerings and 320 applications.
    pub const DEMO: CatalogSize = CatalogSize {
        providers: 160,
        offerings: 420,
        applications: 320,
    };

    /// A catalog of `entries` entries in all: a sixth of them providers (at least one), the
    /// rest offerings and applications six to four.
    pub fn with_entries(entries: usize) -> CatalogSize {
        let providers = (entries / 6).max(1);
        let products = entries.saturating_sub(providers);
        let offerings = products * 6 / 10;
        CatalogSize {
            providers,
            offerings,
            applications: products - offerings,
        }
    }

    /// Returns the number of entries in all.
    pub fn entries(&self) -> usize {
        self.providers + self.offerings + self.applications
    }
}

/// A service provider.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProviderRow {
    pub provider_id: String,
    pub name: String,
    pub name_en: Option<String>,
    pub uscc: String,
    pub summary: String,
    pub description: String,
    pub region: &'static str,
    pub key_industries: Vec<&'static str>,
    pub scenarios: Vec<&'static str>,
    pub qualifications: String,
    pub rating: f64,
    pub founded: NaiveDate,
    /// Trade name, used as a product brand.
    pub brand_zh: String,
    /// Trade name in pinyin.
    pub brand_en: String,
    /// What kind of provider it is.
    pub kind: &'static ProviderKind,
}

/// A service offering.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OfferingRow {
    pub offering_id: String,
    pub provider_id: String,
    pub name: String,
    pub name_en: Option<String>,
    pub summary: String,
    pub description: String,
    pub category: &'static str,
    pub scenarios: String,
    pub key_industries: String,
    pub divisions: String,
    pub deployment: &'static str,
    pub price_min: f64,
    pub price_max: f64,
    pub target_maturity_level: i32,
    pub cases: String,
    pub rating: f64,
    pub published_on: NaiveDate,
}

/// A shared application.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApplicationRow {
    pub app_id: String,
    pub provider_id: String,
    pub name: String,
    pub name_en: Option<String>,
    pub summary: String,
    pub description: String,
    pub category: &'static str,
    pub scenarios: String,
    pub key_industries: String,
    pub divisions: String,
    pub deployment: &'static str,
    pub price: f64,
    pub pricing_model: &'static str,
    pub subscribers: i64,
    pub rating: f64,
    pub cases: String,
    pub published_on: NaiveDate,
}

/// The three catalog tables.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Catalog {
    pub providers: Vec<ProviderRow>,
    pub offerings: Vec<OfferingRow>,
    pub applications: Vec<ApplicationRow>,
}

/// Draws `count` distinct key industries, weighted by how common they are in parks.
fn draw_industries(
    tables: &'static Tables,
    rng: &mut ChaCha8Rng,
    count: usize,
) -> Vec<&'static str> {
    let mut weights: Vec<f64> = tables
        .industries
        .iter()
        .map(|profile| profile.share + 0.04)
        .collect();
    let mut chosen = Vec::new();
    while chosen.len() < count && weights.iter().any(|weight| *weight > 0.0) {
        let position = weighted_index(rng, &weights);
        if let (Some(profile), Some(weight)) =
            (tables.industries.get(position), weights.get_mut(position))
        {
            *weight = 0.0;
            chosen.push(profile.code);
        }
    }
    chosen
}

/// The GB/T 4754 divisions that go with key industries (`C31;C32`).
fn divisions_of(rng: &mut ChaCha8Rng, industries: &[&str]) -> String {
    let mut divisions: Vec<&'static str> = Vec::new();
    for code in industries {
        let (primary, partial): (&[&'static str], &[&'static str]) = match key_industry(code) {
            Some(industry) if industry.code != "other" => {
                (industry.primary_divisions, industry.partial_divisions)
            }
            _ => (&["C39", "C27", "C41"], &[]),
        };
        let with_partial = chance(rng, 0.4);
        let candidates = primary.iter().chain(
            partial
                .iter()
                .filter(|division| with_partial && division.len() == 3),
        );
        for division in candidates {
            if !divisions.contains(division) {
                divisions.push(division);
            }
        }
    }
    divisions.join(";")
}

/// Joins 2 or 3 items of a list with 、.
fn some_of(rng: &mut ChaCha8Rng, items: &[&str]) -> String {
    let count = integer(rng, 2, 3) as usize;
    pick_distinct(rng, items, count).join("、")
}

/// Fills a template with the words of `industries` (the first one's equipment and processes).
fn industry_text(
    tables: &Tables,
    rng: &mut ChaCha8Rng,
    template: &str,
    industries: &[&str],
) -> String {
    let words = tables.industry_words(industries.first().copied().unwrap_or("other"));
    let equipment = some_of(rng, &words.equipment);
    let process = some_of(rng, &words.processes);
    fill(
        template,
        rng,
        &tables.industry_phrase(industries),
        &equipment,
        &process,
    )
}

/// A description: opening, features, a benefit, an optional secondary scenario and service.
fn describe(
    tables: &Tables,
    rng: &mut ChaCha8Rng,
    primary: &Scenario,
    secondary: Option<&Scenario>,
    industries: &[&str],
    deployment: &str,
) -> String {
    let mut text = String::new();
    if let Some(intro) = pick(rng, &primary.intros) {
        text.push_str(&industry_text(tables, rng, intro, industries));
    }
    for feature in pick_distinct(rng, &primary.features, 2) {
        text.push_str(&industry_text(tables, rng, feature, industries));
    }
    if let Some(benefit) = pick(rng, &primary.benefits) {
        text.push_str(&industry_text(tables, rng, benefit, industries));
    }
    if let Some(secondary) = secondary {
        text.push_str(&format!("方案还可扩展{}能力：", secondary.name_zh));
        if let Some(feature) = pick(rng, &secondary.features) {
            text.push_str(&industry_text(tables, rng, feature, industries));
        }
    }
    text.push_str(&format!(
        "支持{}，提供需求调研、方案设计、实施上线和运维培训全流程服务。",
        deployment_zh(deployment)
    ));
    text
}

/// One or two reference cases of fictional customers.
fn describe_cases(
    tables: &Tables,
    rng: &mut ChaCha8Rng,
    scenario: &Scenario,
    product: &str,
    industries: &[&str],
) -> String {
    let count = integer(rng, 1, 2) as usize;
    (0..count)
        .map(|_| {
            let code = pick(rng, industries).copied().unwrap_or("machinery");
            let trade = pick(rng, &tables.industry_words(code).trades)
                .copied()
                .unwrap_or("制造");
            let customer = draw_customer_name(rng, &tables.names, &tables.cities, trade);
            let benefit = pick(rng, &scenario.benefits).map_or(String::new(), |benefit| {
                industry_text(tables, rng, benefit, &[code])
            });
            format!(
                "{customer}部署{product}，{}",
                benefit.trim_end_matches('。')
            )
        })
        .collect::<Vec<_>>()
        .join("；")
        + "。"
}

/// Makes `name` unique in `taken` by adding an edition, then a number.
fn unique_name(
    editions: &[&str],
    rng: &mut ChaCha8Rng,
    name: String,
    taken: &mut BTreeSet<String>,
) -> String {
    if taken.insert(name.clone()) {
        return name;
    }
    let start = crate::random::index(rng, editions.len());
    for offset in 0..editions.len() {
        let edition = editions
            .get((start + offset) % editions.len())
            .copied()
            .unwrap_or("V2.0");
        let candidate = format!("{name}{edition}");
        if taken.insert(candidate.clone()) {
            return candidate;
        }
    }
    let mut number = 2;
    loop {
        let candidate = format!("{name}（{number}）");
        if taken.insert(candidate.clone()) {
            return candidate;
        }
        number += 1;
    }
}

/// Picks a deployment, the scenario's most typical ones more often.
fn draw_deployment(rng: &mut ChaCha8Rng, scenario: &Scenario) -> &'static str {
    let weights: Vec<f64> = (0..scenario.deployments.len())
        .map(|position| 0.5_f64.powi(position as i32))
        .collect();
    scenario
        .deployments
        .get(weighted_index(rng, &weights))
        .copied()
        .unwrap_or("saas")
}

/// A provider's main scenario most of the time, another of its scenarios otherwise.
fn draw_scenario(
    tables: &'static Tables,
    rng: &mut ChaCha8Rng,
    provider: &ProviderRow,
) -> &'static Scenario {
    let code = if chance(rng, 0.45) {
        provider.scenarios.first().copied()
    } else {
        pick(rng, &provider.scenarios).copied()
    };
    tables.scenario_or_first(code.unwrap_or_default())
}

/// A rating between 3.4 and 5.0, one decimal.
fn draw_rating(rng: &mut ChaCha8Rng) -> f64 {
    round_to(uniform(rng, 3.4, 4.95), 1).min(5.0)
}

fn generate_providers(
    tables: &'static Tables,
    rng: &mut ChaCha8Rng,
    count: usize,
    taken_codes: &mut BTreeSet<String>,
) -> Vec<ProviderRow> {
    let mut taken_names = BTreeSet::new();
    (0..count)
        .map(|position| {
            let kind = weighted_pick(rng, &tables.provider_kinds, |kind| kind.weight).unwrap_or(&tables.provider_kinds[0]);
            let city = weighted_pick(rng, &tables.cities, |city| city.weight).copied().unwrap_or(tables.cities[0]);
            let name = draw_tech_name(rng, &tables.names, &city, (kind.business_zh, kind.business_en), &mut taken_names);
            let founded = day_between(date(2003, 1, 1), date(2021, 12, 31), uniform(rng, 0.0, 1.0));
            let uscc = draw_uscc(rng, city.division_code, founded, taken_codes);
            let mut scenarios: Vec<&'static str> = kind.scenarios.iter().take(1).copied().collect();
            let extra = integer(rng, 1, 3) as usize;
            scenarios.extend(pick_distinct(rng, kind.scenarios.get(1..).unwrap_or(&[]), extra));
            let industry_count = integer(rng, 1, 4) as usize;
            let key_industries = draw_industries(tables, rng, industry_count);
            let qualification_count = integer(rng, 2, 4) as usize;
            let qualifications = pick_distinct(rng, &tables.qualifications, qualification_count);
            let scenario_names: Vec<&str> =
                scenarios.iter().filter_map(|code| tables.scenario(code)).map(|scenario| scenario.name_zh).collect();
            let products: Vec<&str> = scenarios
                .iter()
                .filter_map(|code| tables.scenario(code))
                .filter_map(|scenario| pick(rng, &scenario.offering_nouns).map(|(noun, _)| *noun))
                .take(3)
                .collect();
            let main = tables.scenario_or_first(scenarios.first().copied().unwrap_or_default());
            let opening = pick(rng, &main.intros).map_or(String::new(), |intro| industry_text(tables, rng, intro, &key_industries));
            let description = format!(
                "{}成立于{}年，总部位于{}，是一家专注于{}的{}。公司深耕{}，已服务制造企业{}余家，核心产品包括{}等。{}拥有{}等资质，在苏州设有本地化服务团队，提供诊断咨询、方案设计、实施交付和运维服务。",
                name.full_zh,
                chrono::Datelike::year(&founded),
                city.region,
                scenario_names.join("、"),
                kind.descriptor,
                tables.industry_phrase(&key_industries),
                integer(rng, 3, 80) * 10,
                products.join("、"),
                opening,
                qualifications.join("、"),
            );
            let summary = format!(
                "专注{}的{}，服务{}",
                scenario_names.iter().take(2).copied().collect::<Vec<_>>().join("与"),
                kind.descriptor,
                tables.industry_phrase(&key_industries)
            );
            ProviderRow {
                provider_id: format!("P{:04}", position + 1),
                name: name.full_zh,
                name_en: chance(rng, 0.9).then_some(name.full_en),
                uscc,
                summary,
                description,
                region: city.region,
                key_industries,
                scenarios,
                qualifications: qualifications.join(";"),
                rating: draw_rating(rng),
                founded,
                brand_zh: name.brand_zh,
                brand_en: name.brand_en,
                kind,
            }
        })
        .collect()
}

/// The provider of the `position`-th item: every provider once, then by rating.
fn provider_for<'a>(
    rng: &mut ChaCha8Rng,
    providers: &'a [ProviderRow],
    position: usize,
) -> Option<&'a ProviderRow> {
    providers
        .get(position)
        .or_else(|| weighted_pick(rng, providers, |provider| provider.rating - 3.0))
}

fn generate_offerings(
    tables: &'static Tables,
    rng: &mut ChaCha8Rng,
    count: usize,
    providers: &[ProviderRow],
    until: NaiveDate,
) -> Vec<OfferingRow> {
    let mut taken_names = BTreeSet::new();
    let mut offerings = Vec::with_capacity(count);
    for position in 0..count {
        let Some(provider) = provider_for(rng, providers, position) else {
            break;
        };
        let primary = draw_scenario(tables, rng, provider);
        let secondary = if chance(rng, 0.3) {
            pick(rng, &provider.scenarios)
                .and_then(|code| tables.scenario(code))
                .filter(|other| other.code != primary.code)
        } else {
            None
        };
        let industry_count = integer(rng, 1, provider.key_industries.len() as i64) as usize;
        let industries = pick_distinct(rng, &provider.key_industries, industry_count);
        let (noun_zh, noun_en) = pick(rng, &primary.offering_nouns)
            .copied()
            .unwrap_or(("解决方案", "Solution"));
        let first_industry = industries.first().copied().unwrap_or("machinery");
        let first_words = tables.industry_words(first_industry);
        let short = first_words.short_zh;
        let (name, name_en) = match integer(rng, 0, 4) {
            0 => (
                format!("{}{noun_zh}", provider.brand_zh),
                format!("{} {noun_en}", provider.brand_en),
            ),
            1 => (
                format!("{short}{noun_zh}"),
                format!("{noun_en} for {}", first_words.name_en),
            ),
            2 => (
                format!("{short}行业{noun_zh}"),
                format!("{noun_en} for the {} Industry", first_words.name_en),
            ),
            3 => (
                format!("{}云·{noun_zh}", provider.brand_zh),
                format!("{} Cloud {noun_en}", provider.brand_en),
            ),
            _ => (noun_zh.to_string(), noun_en.to_string()),
        };
        let name = unique_name(&tables.editions, rng, name, &mut taken_names);
        let category = if provider.kind.business_zh == "管理咨询" {
            "consulting"
        } else {
            pick(rng, &primary.offering_categories)
                .copied()
                .unwrap_or("platform")
        };
        let deployment = draw_deployment(rng, primary);
        let price_min = round_to(
            log_uniform(
                rng,
                primary.offering_price.0,
                primary.offering_price.1 * 0.5,
            ),
            1,
        );
        let price_max = round_to(price_min * uniform(rng, 1.5, 4.0), 1);
        let mut scenario_codes = vec![primary.code];
        scenario_codes.extend(secondary.map(|secondary| secondary.code));
        let summary = format!(
            "面向{}的{}{}，支持{}",
            tables.industry_phrase(&industries),
            primary.name_zh,
            category_zh(category),
            deployment_zh(deployment)
        );
        offerings.push(OfferingRow {
            offering_id: format!("O{:04}", position + 1),
            provider_id: provider.provider_id.clone(),
            description: describe(tables, rng, primary, secondary, &industries, deployment),
            cases: describe_cases(tables, rng, primary, noun_zh, &industries),
            name,
            name_en: chance(rng, 0.85).then_some(name_en),
            summary,
            category,
            scenarios: scenario_codes.join(";"),
            key_industries: industries.join(";"),
            divisions: divisions_of(rng, &industries),
            deployment,
            price_min,
            price_max,
            target_maturity_level: integer(rng, primary.maturity.0, primary.maturity.1) as i32,
            rating: draw_rating(rng),
            published_on: add_days(until, -integer(rng, 0, 1000)),
        });
    }
    offerings
}

fn generate_applications(
    tables: &'static Tables,
    rng: &mut ChaCha8Rng,
    count: usize,
    providers: &[ProviderRow],
    until: NaiveDate,
    enterprises: usize,
) -> Vec<ApplicationRow> {
    let mut taken_names = BTreeSet::new();
    let mut applications = Vec::with_capacity(count);
    for position in 0..count {
        let Some(provider) = weighted_pick(rng, providers, |provider| provider.rating - 3.0) else {
            break;
        };
        let primary = draw_scenario(tables, rng, provider);
        let industry_specific = chance(rng, 0.5);
        let industries: Vec<&'static str> = if industry_specific {
            pick_distinct(rng, &provider.key_industries, 1)
        } else {
            provider.key_industries.clone()
        };
        let (noun_zh, noun_en) = pick(rng, &primary.app_nouns)
            .copied()
            .unwrap_or(("轻应用", "App"));
        let first_industry = industries.first().copied().unwrap_or("machinery");
        let first_words = tables.industry_words(first_industry);
        let short = first_words.short_zh;
        let industry_en = first_words.name_en;
        let (name, name_en) = match (industry_specific, integer(rng, 0, 2)) {
            (true, 0) => (
                format!("{noun_zh}（{short}版）"),
                format!("{noun_en} ({industry_en} edition)"),
            ),
            (true, _) => (
                format!("{}{noun_zh}（{short}版）", provider.brand_zh),
                format!("{} {noun_en} ({industry_en} edition)", provider.brand_en),
            ),
            (false, 0) => (
                format!("{}云{noun_zh}", provider.brand_zh),
                format!("{} Cloud {noun_en}", provider.brand_en),
            ),
            (false, _) => (
                format!("{}{noun_zh}", provider.brand_zh),
                format!("{} {noun_en}", provider.brand_en),
            ),
        };
        let name = unique_name(&tables.editions, rng, name, &mut taken_names);
        let deployment = ["saas", "hybrid", "edge", "on_premise"]
            .get(weighted_index(rng, &[0.65, 0.15, 0.1, 0.1]))
            .copied()
            .unwrap_or("saas");
        let pricing_model = ["subscription", "free", "perpetual", "usage"]
            .get(weighted_index(rng, &[0.6, 0.15, 0.12, 0.13]))
            .copied()
            .unwrap_or("subscription");
        let yearly = log_uniform(rng, primary.app_price.0, primary.app_price.1);
        let price = match pricing_model {
            "free" => 0.0,
            "perpetual" => round_to(yearly * 3.0, 2),
            "usage" => round_to(yearly * 0.6, 2),
            _ => round_to(yearly, 2),
        };
        let reach = if pricing_model == "free" {
            uniform(rng, 0.02, 0.2)
        } else {
            uniform(rng, 0.0, 0.1)
        };
        let subscribers = (reach * enterprises as f64).round() as i64;
        let mut description = format!("{name}是{}推出的{}应用。", provider.name, primary.name_zh);
        description.push_str(&describe(
            tables,
            rng,
            primary,
            None,
            &industries,
            deployment,
        ));
        let summary = format!(
            "面向{}的{}{}，{}，开箱即用",
            tables.industry_phrase(&industries),
            primary.name_zh,
            if deployment == "saas" {
                "SaaS应用"
            } else {
                "工业APP"
            },
            deployment_zh(deployment)
        );
        applications.push(ApplicationRow {
            app_id: format!("A{:04}", position + 1),
            provider_id: provider.provider_id.clone(),
            cases: describe_cases(tables, rng, primary, noun_zh, &industries),
            name,
            name_en: chance(rng, 0.85).then_some(name_en),
            summary,
            description,
            category: primary.app_category,
            scenarios: primary.code.to_string(),
            key_industries: industries.join(";"),
            divisions: divisions_of(rng, &industries),
            deployment,
            price,
            pricing_model,
            subscribers,
            rating: draw_rating(rng),
            published_on: add_days(until, -integer(rng, 0, 900)),
        });
    }
    applications
}

/// Generates a catalog of `size` (providers, offerings, applications), each from its own
/// stream.
pub(crate) fn generate_catalog(
    tables: &'static Tables,
    params: &DemoParams,
    size: CatalogSize,
) -> Catalog {
    let until = params.until_month();
    let mut taken_codes = BTreeSet::new();
    let providers = generate_providers(
        tables,
        &mut stream(params.seed, "service_providers"),
        size.providers,
        &mut taken_codes,
    );
    let offerings = generate_offerings(
        tables,
        &mut stream(params.seed, "service_offerings"),
        size.offerings,
        &providers,
        until,
    );
    let applications = generate_applications(
        tables,
        &mut stream(params.seed, "shared_applications"),
        size.applications,
        &providers,
        until,
        params.enterprises,
    );
    Catalog {
        providers,
        offerings,
        applications,
    }
}

/// The batches of one catalog table (`service_providers`, `service_offerings` or
/// `shared_applications`; no batch for another name).
pub(crate) fn catalog_batches(catalog: &Catalog, table: &str) -> Result<Vec<RecordBatch>> {
    match table {
        "service_providers" => provider_batches(catalog),
        "service_offerings" => offering_batches(catalog),
        "shared_applications" => application_batches(catalog),
        _ => Ok(Vec::new()),
    }
}

/// The `service_providers` batches.
fn provider_batches(catalog: &Catalog) -> Result<Vec<RecordBatch>> {
    let rows = &catalog.providers;
    let key_industries: Vec<String> = rows
        .iter()
        .map(|row| row.key_industries.join(";"))
        .collect();
    let scenarios: Vec<String> = rows.iter().map(|row| row.scenarios.join(";")).collect();
    table_batches(
        "service_providers",
        vec![
            text(rows.iter().map(|row| row.provider_id.as_str())),
            text(rows.iter().map(|row| row.name.as_str())),
            optional_text(rows.iter().map(|row| row.name_en.as_deref())),
            optional_text(rows.iter().map(|row| Some(row.uscc.as_str()))),
            optional_text(rows.iter().map(|row| Some(row.summary.as_str()))),
            optional_text(rows.iter().map(|row| Some(row.description.as_str()))),
            optional_text(rows.iter().map(|row| Some(row.region))),
            optional_text(key_industries.iter().map(|value| Some(value.as_str()))),
            optional_text(scenarios.iter().map(|value| Some(value.as_str()))),
            optional_text(rows.iter().map(|row| Some(row.qualifications.as_str()))),
            optional_float(rows.iter().map(|row| Some(row.rating))),
            optional_dates(rows.iter().map(|row| Some(row.founded))),
        ],
    )
}

/// The `service_offerings` batches.
fn offering_batches(catalog: &Catalog) -> Result<Vec<RecordBatch>> {
    let rows = &catalog.offerings;
    table_batches(
        "service_offerings",
        vec![
            text(rows.iter().map(|row| row.offering_id.as_str())),
            text(rows.iter().map(|row| row.provider_id.as_str())),
            text(rows.iter().map(|row| row.name.as_str())),
            optional_text(rows.iter().map(|row| row.name_en.as_deref())),
            optional_text(rows.iter().map(|row| Some(row.summary.as_str()))),
            optional_text(rows.iter().map(|row| Some(row.description.as_str()))),
            text(rows.iter().map(|row| row.category)),
            optional_text(rows.iter().map(|row| Some(row.scenarios.as_str()))),
            optional_text(rows.iter().map(|row| Some(row.key_industries.as_str()))),
            optional_text(rows.iter().map(|row| Some(row.divisions.as_str()))),
            optional_text(rows.iter().map(|row| Some(row.deployment))),
            float(rows.iter().map(|row| row.price_min)),
            float(rows.iter().map(|row| row.price_max)),
            int32(rows.iter().map(|row| row.target_maturity_level)),
            optional_text(rows.iter().map(|row| Some(row.cases.as_str()))),
            float(rows.iter().map(|row| row.rating)),
            dates(rows.iter().map(|row| row.published_on)),
        ],
    )
}

/// The `shared_applications` batches.
fn application_batches(catalog: &Catalog) -> Result<Vec<RecordBatch>> {
    let rows = &catalog.applications;
    table_batches(
        "shared_applications",
        vec![
            text(rows.iter().map(|row| row.app_id.as_str())),
            text(rows.iter().map(|row| row.provider_id.as_str())),
            text(rows.iter().map(|row| row.name.as_str())),
            optional_text(rows.iter().map(|row| row.name_en.as_deref())),
            optional_text(rows.iter().map(|row| Some(row.summary.as_str()))),
            optional_text(rows.iter().map(|row| Some(row.description.as_str()))),
            text(rows.iter().map(|row| row.category)),
            optional_text(rows.iter().map(|row| Some(row.scenarios.as_str()))),
            optional_text(rows.iter().map(|row| Some(row.key_industries.as_str()))),
            optional_text(rows.iter().map(|row| Some(row.divisions.as_str()))),
            optional_text(rows.iter().map(|row| Some(row.deployment))),
            float(rows.iter().map(|row| row.price)),
            optional_text(rows.iter().map(|row| Some(row.pricing_model))),
            int64(rows.iter().map(|row| row.subscribers)),
            float(rows.iter().map(|row| row.rating)),
            optional_text(rows.iter().map(|row| Some(row.cases.as_str()))),
            dates(rows.iter().map(|row| row.published_on)),
        ],
    )
}
