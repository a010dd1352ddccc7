//! The vocabulary of the catalog, projects and needs: transformation scenarios with their
//! Chinese product names, description sentences, benefits, need titles and project names
//! (`data/scenarios.tsv`, `data/scenario_nouns.tsv`, `data/scenario_texts.tsv`).
//!
//! Placeholders in templates: `{industry}` (钢铁行业), `{equipment}` (高炉、转炉等),
//! `{process}` (炼铁、炼钢), and numbers `{a}` 10–40, `{b}` 5–30, `{c}` 90–99, `{d}` 20–60,
//! `{n}` 50–3000, `{h}` 4–16, `{m}` 6–36, `{s}` 1–5, `{x}` 20–45, `{y}` 75–95.

use rand_chacha::ChaCha8Rng;

use crate::Result;
use crate::random::integer;
use crate::tables::{Tsv, reference};

/// A transformation scenario and the words that describe it.
#[derive(Debug, PartialEq)]
pub(crate) struct Scenario {
    /// Code used in `scenarios`, `category` and `scenario` columns.
    pub code: &'static str,
    /// Chinese name.
    pub name_zh: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Category of shared applications of the scenario.
    pub app_category: &'static str,
    /// Categories of service offerings of the scenario.
    pub offering_categories: Vec<&'static str>,
    /// Deployments offerings of the scenario use, most typical first.
    pub deployments: Vec<&'static str>,
    /// Product nouns of offerings (Chinese, English).
    pub offering_nouns: Vec<(&'static str, &'static str)>,
    /// Product nouns of shared applications (Chinese, English).
    pub app_nouns: Vec<(&'static str, &'static str)>,
    /// Opening sentences (with `{industry}`, `{equipment}`, `{process}`).
    pub intros: Vec<&'static str>,
    /// Feature sentences.
    pub features: Vec<&'static str>,
    /// Benefit sentences (with numbers).
    pub benefits: Vec<&'static str>,
    /// Titles of enterprises' needs (with `{equipment}`).
    pub need_titles: Vec<&'static str>,
    /// What an enterprise with the need wants.
    pub need_goals: Vec<&'static str>,
    /// Names of point projects (after the enterprise's short name).
    pub project_nouns: Vec<&'static str>,
    /// Price range of an offering (10k yuan).
    pub offering_price: (f64, f64),
    /// Yearly price range of a shared application (10k yuan).
    pub app_price: (f64, f64),
    /// Maturity levels the scenario suits.
    pub maturity: (i64, i64),
}

/// Reads the scenarios, their product nouns and their sentences; nouns and sentences must
/// name a scenario of `scenarios`.
pub(crate) fn read(scenarios: &Tsv, nouns: &Tsv, texts: &Tsv) -> Result<Vec<Scenario>> {
    scenarios.require(&[
        "code",
        "name_zh",
        "name_en",
        "app_category",
        "offering_categories",
        "deployments",
        "offering_price",
        "app_price",
        "maturity",
    ])?;
    nouns.require(&["scenario", "product", "zh", "en"])?;
    texts.require(&["scenario", "use", "text"])?;
    let mut all = scenarios
        .rows()
        .map(|row| {
            Ok(Scenario {
                code: row.required("code")?,
                name_zh: row.required("name_zh")?,
                name_en: row.required("name_en")?,
                app_category: row.required("app_category")?,
                offering_categories: row.list("offering_categories")?,
                deployments: row.list("deployments")?,
                offering_nouns: Vec::new(),
                app_nouns: Vec::new(),
                intros: Vec::new(),
                features: Vec::new(),
                benefits: Vec::new(),
                need_titles: Vec::new(),
                need_goals: Vec::new(),
                project_nouns: Vec::new(),
                offering_price: row.range("offering_price")?,
                app_price: row.range("app_price")?,
                maturity: row.integer_range("maturity")?,
            })
        })
        .collect::<Result<Vec<Scenario>>>()?;
    let codes: Vec<&'static str> = all.iter().map(|scenario| scenario.code).collect();
    for row in nouns.rows() {
        let code = reference(&row, "scenario", &codes, "scenarios.tsv")?;
        let product = row.choice("product", &["offering", "application"])?;
        let noun = (row.required("zh")?, row.required("en")?);
        if let Some(scenario) = all.iter_mut().find(|scenario| scenario.code == code) {
            match product {
                "offering" => scenario.offering_nouns.push(noun),
                _ => scenario.app_nouns.push(noun),
            }
        }
    }
    const USES: &[&str] = &[
        "intro",
        "feature",
        "benefit",
        "need_title",
        "need_goal",
        "project_noun",
    ];
    for row in texts.rows() {
        let code = reference(&row, "scenario", &codes, "scenarios.tsv")?;
        let used_as = row.choice("use", USES)?;
        let text = row.required("text")?;
        if let Some(scenario) = all.iter_mut().find(|scenario| scenario.code == code) {
            let list = match used_as {
                "intro" => &mut scenario.intros,
                "feature" => &mut scenario.features,
                "benefit" => &mut scenario.benefits,
                "need_title" => &mut scenario.need_titles,
                "need_goal" => &mut scenario.need_goals,
                _ => &mut scenario.project_nouns,
            };
            list.push(text);
        }
    }
    Ok(all)
}

/// Fills the placeholders of a template.
pub(crate) fn fill(
    template: &str,
    rng: &mut ChaCha8Rng,
    industry: &str,
    equipment: &str,
    process: &str,
) -> String {
    let mut text = template
        .replace("{industry}", industry)
        .replace("{equipment}", equipment)
        .replace("{process}", process);
    for (placeholder, low, high, step) in [
        ("{a}", 10, 40, 1),
        ("{b}", 5, 30, 1),
        ("{c}", 90, 99, 1),
        ("{d}", 20, 60, 1),
        ("{n}", 5, 300, 10),
        ("{h}", 4, 16, 1),
        ("{m}", 6, 36, 1),
        ("{s}", 1, 5, 1),
        ("{x}", 20, 45, 1),
        ("{y}", 75, 95, 1),
    ] {
        while text.contains(placeholder) {
            let number = integer(rng, low, high) * step;
            text = text.replacen(placeholder, &number.to_string(), 1);
        }
    }
    text
}

/// Chinese words of the offering categories.
pub(crate) fn category_zh(category: &str) -> &'static str {
    match category {
        "platform" => "平台服务",
        "industrial_software" => "工业软件",
        "integration" => "系统集成服务",
        "equipment_upgrade" => "智能化改造服务",
        "consulting" => "咨询诊断服务",
        _ => "服务",
    }
}

/// Chinese words of the deployments.
pub(crate) fn deployment_zh(deployment: &str) -> &'static str {
    match deployment {
        "saas" => "SaaS订阅",
        "on_premise" => "本地化部署",
        "hybrid" => "云边混合部署",
        "edge" => "边缘侧部署",
        _ => "多种部署方式",
    }
}
