//! Matching enterprises and their needs to the catalog's service offerings, with an
//! explanation of every score.
//!
//! A request names an enterprise (USCC), a need in words, a scenario and a budget, in any
//! combination with at least one of the first three; [`match_need`] takes all of them from a
//! need in the lake's `enterprise_needs` (its title as the text). Matching then:
//!
//! 1. searches the catalog's offerings with the text and the scenario's Chinese name (with
//!    only an enterprise, lists the offerings of its key industry, or all of them), keeping
//!    up to [`CANDIDATE_POOL`] candidates;
//! 2. reads from the lake the enterprise (industry, latest maturity assessment), the
//!    candidates, their providers and the providers' completed transformation projects;
//! 3. scores every candidate in six parts ([`score`]: text, scenario, industry, budget, track
//!    record, maturity; at most 100 points) and explains each part in a line;
//! 4. ranks by score, then text points, then offering id, so the order is deterministic.
//!
//! ```ignore
//! let results = matching::match_offerings(&services, &MatchRequest {
//!     uscc: Some("91320500887734311U".into()),
//!     text: Some("窑炉能耗监测".into()),
//!     budget: Some(30.0),
//!     ..Default::default()
//! }).await?;
//! for found in &results.matches {
//!     println!("{} {} {:.2}", found.rank, found.offering.name, found.score);
//! }
//! ```

pub mod facts;
pub mod score;
pub mod terms;

use std::sync::Arc;

use parkhub_catalog::{CatalogEntry, EntryKind, SearchHit, SearchRequest, vocabulary};
use parkhub_connectors::uscc::{self, UsccError};
use parkhub_connectors::validate::ValidationOptions;
use serde::{Deserialize, Serialize};

pub use facts::{EnterpriseProfile, Need};
use score::{BudgetFit, Points};

use crate::services::{ServiceError, Services};

/// Matches answered when a request does not say how many.
pub const DEFAULT_LIMIT: usize = 10;
/// The most matches one request may ask for.
pub const MAX_LIMIT: usize = 50;
/// Offerings searched for and scored at least (more when the limit asks for more).
pub const CANDIDATE_POOL: usize = 50;
/// Offerings searched for and scored at most.
pub const MAX_CANDIDATES: usize = 150;

/// What to match: an enterprise, a need in words, a scenario and a budget. At least one of
/// `uscc`, `text` and `scenario` is needed.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"uscc": "91320500887734311U", "text": "窑炉能耗监测与节能改造",
    "scenario": "energy_management", "budget": 30, "limit": 5}))]
pub struct MatchRequest {
    /// The enterprise's Unified Social Credit Code: its industry, maturity level and the
    /// providers' record in its industry count in the score. Must be in the registry.
    pub uscc: Option<String>,
    /// The need in words (Chinese, English or both), searched in the catalog.
    pub text: Option<String>,
    /// The scenario: a code of the catalog (`predictive_maintenance`) or its Chinese or
    /// English name (`预测性维护`).
    pub scenario: Option<String>,
    /// The budget, in 10k yuan.
    pub budget: Option<f64>,
    /// Matches to answer (default 10, at most 50).
    #[schema(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
}

/// Why a match request could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    /// The request is incomplete or a value is out of range.
    #[error("{0}")]
    InvalidRequest(String),
    /// The USCC is malformed.
    #[error("uscc '{uscc}' is not a valid Unified Social Credit Code: {reason}")]
    InvalidUscc {
        /// The code as given.
        uscc: String,
        /// What is wrong with it.
        reason: UsccError,
    },
    /// No enterprise of the registry has this USCC.
    #[error("no enterprise with uscc '{0}' in the enterprises table")]
    UnknownEnterprise(String),
    /// The lake has no need with this id.
    #[error("no need '{0}' in the enterprise_needs table")]
    UnknownNeed(String),
    /// Reading the lake or searching the catalog failed (boxed: it is large and rare).
    #[error(transparent)]
    Service(Box<ServiceError>),
}

impl From<ServiceError> for MatchError {
    fn from(error: ServiceError) -> MatchError {
        MatchError::Service(Box::new(error))
    }
}

impl From<parkhub_catalog::Error> for MatchError {
    fn from(error: parkhub_catalog::Error) -> MatchError {
        ServiceError::Catalog(error).into()
    }
}

/// Ranked offerings for one request, each with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MatchResults {
    /// The enterprise matched for, when one was given (or the need's).
    pub enterprise: Option<EnterpriseProfile>,
    /// The need matched, for `GET /api/match/need/{need_id}`.
    pub need: Option<Need>,
    /// The text searched in the catalog (the request's text and the scenario's name; empty
    /// when only an enterprise was given).
    pub query: String,
    /// The scenario asked for: a catalog code when it is one, else as given.
    pub scenario: Option<String>,
    /// The budget, 10k yuan.
    pub budget: Option<f64>,
    /// How many offerings were scored.
    pub candidates: usize,
    /// How the score is made.
    pub scoring: String,
    /// The best matches, best first.
    pub matches: Vec<Match>,
}

/// One offering proposed, with its provider, score and explanation.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Match {
    /// 1 for the best.
    pub rank: usize,
    /// The sum of the explanation's points, 0 to 100.
    pub score: f64,
    /// The offering.
    pub offering: OfferingSummary,
    /// Its provider.
    pub provider: ProviderSummary,
    /// Each part of the score, with its points and why.
    pub explanation: Explanation,
}

/// The facts of an offering that matching used.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OfferingSummary {
    /// `offering_id`.
    pub id: String,
    /// Name (Chinese).
    pub name: String,
    /// Name (English).
    pub name_en: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Scenario codes.
    pub scenarios: Vec<String>,
    /// Key industries it suits.
    pub key_industries: Vec<String>,
    /// GB/T 4754 divisions it suits.
    pub divisions: Vec<String>,
    /// Lowest price, 10k yuan.
    pub price_min: Option<f64>,
    /// Highest price, 10k yuan.
    pub price_max: Option<f64>,
    /// GB/T 39116 maturity level it suits best.
    pub target_maturity_level: Option<i64>,
    /// Rating, 0 to 5.
    pub rating: Option<f64>,
}

/// A service provider.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProviderSummary {
    /// `provider_id`.
    pub id: String,
    /// Name (Chinese), when the provider is in `service_providers`.
    pub name: Option<String>,
}

/// The parts of a score; their `points` add up to the score.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Explanation {
    /// Words of the query found in the offering.
    pub text: TextPart,
    /// The scenario asked for against the offering's.
    pub scenario: ScenarioPart,
    /// The enterprise's industry against the offering's.
    pub industry: IndustryPart,
    /// The budget against the offering's prices.
    pub budget: BudgetPart,
    /// The provider's completed projects in the park.
    pub track_record: TrackRecordPart,
    /// The enterprise's maturity level against the offering's target level.
    pub maturity: MaturityPart,
}

impl Explanation {
    /// Returns each part's name, points, most points and one-line note, in order.
    pub fn parts(&self) -> [(&'static str, f64, f64, &str); 6] {
        [
            (
                "text",
                self.text.points,
                score::TEXT_POINTS,
                &self.text.note,
            ),
            (
                "scenario",
                self.scenario.points,
                score::SCENARIO_POINTS,
                &self.scenario.note,
            ),
            (
                "industry",
                self.industry.points,
                score::SAME_DIVISION_POINTS + score::SAME_KEY_INDUSTRY_POINTS,
                &self.industry.note,
            ),
            (
                "budget",
                self.budget.points,
                score::BUDGET_POINTS,
                &self.budget.note,
            ),
            (
                "track_record",
                self.track_record.points,
                score::PROJECT_IN_INDUSTRY_POINTS * score::MAX_PROJECTS_IN_INDUSTRY as f64
                    + score::PROJECT_POINTS * score::MAX_PROJECTS as f64,
                &self.track_record.note,
            ),
            (
                "maturity",
                self.maturity.points,
                score::MATURITY_POINTS,
                &self.maturity.note,
            ),
        ]
    }
}

/// The text part.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TextPart {
    /// Points added (up to 40).
    pub points: f64,
    /// The offering's catalog relevance (BM25 with field boosts) for the query.
    pub relevance: f64,
    /// The best relevance among the candidates.
    pub best_relevance: f64,
    /// The query's terms found in the offering's text: typed words, dictionary words inside
    /// them, translations and synonyms.
    pub matched_terms: Vec<String>,
    /// The query's words of which nothing was found.
    pub unmatched_terms: Vec<String>,
    /// Why, in a line.
    pub note: String,
}

/// The scenario part.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ScenarioPart {
    /// Points added (15 or 0).
    pub points: f64,
    /// The scenario asked for.
    pub asked: Option<String>,
    /// Whether the offering lists it; none when no scenario was asked for.
    pub fits: Option<bool>,
    /// Why, in a line.
    pub note: String,
}

/// The industry part.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct IndustryPart {
    /// Points added (10 for the division, 5 for the key industry).
    pub points: f64,
    /// The enterprise's GB/T 4754 division.
    pub division: Option<String>,
    /// The enterprise's key industry.
    pub key_industry: Option<String>,
    /// Whether the offering suits the enterprise's division; none without an enterprise.
    pub same_division: Option<bool>,
    /// Whether the offering suits the enterprise's key industry; none without an enterprise.
    pub same_key_industry: Option<bool>,
    /// Why, in a line.
    pub note: String,
}

/// The budget part.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BudgetPart {
    /// Points added (10 for the whole price range, 5 for the lowest price only).
    pub points: f64,
    /// The budget, 10k yuan.
    pub budget: Option<f64>,
    /// Whether the offering's lowest price is within the budget; none without a budget or
    /// a price.
    pub fits: Option<bool>,
    /// Whether its highest price is within the budget too.
    pub whole_range_fits: Option<bool>,
    /// Why, in a line.
    pub note: String,
}

/// The track-record part.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TrackRecordPart {
    /// Points added (2 per project in the enterprise's key industry up to 3, 1 per project
    /// up to 4).
    pub points: f64,
    /// The provider's completed transformation projects in the park.
    pub completed_projects: u64,
    /// Those whose enterprise is of the enterprise's key industry; none without an
    /// enterprise.
    pub completed_in_industry: Option<u64>,
    /// That key industry.
    pub industry: Option<String>,
    /// Why, in a line.
    pub note: String,
}

/// The maturity part.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MaturityPart {
    /// Points added (10 for the same level, 5 one level apart).
    pub points: f64,
    /// The enterprise's latest assessed GB/T 39116 level.
    pub enterprise_level: Option<i64>,
    /// The level the offering suits best.
    pub target_level: Option<i64>,
    /// Why, in a line.
    pub note: String,
}

/// The scenario asked for, resolved against the catalog's vocabulary.
#[derive(Debug, Clone, PartialEq)]
struct Scenario {
    /// The code (`safety`) when the scenario is one the catalog knows, else the text given.
    code: String,
    /// What is searched for it: the Chinese name of a known code, else the text given.
    search_text: String,
}

impl Scenario {
    fn resolve(given: &str) -> Scenario {
        if let Some(known) = vocabulary::scenario(given) {
            return Scenario {
                code: known.code.to_string(),
                search_text: known.name_zh.to_string(),
            };
        }
        let named = vocabulary::SCENARIOS
            .iter()
            .find(|known| known.name_zh == given || known.name_en.eq_ignore_ascii_case(given));
        Scenario {
            code: named.map_or_else(|| given.to_string(), |known| known.code.to_string()),
            search_text: given.to_string(),
        }
    }

    fn label(&self) -> String {
        match vocabulary::scenario(&self.code) {
            Some(known) => format!("{} ({})", known.code, known.name_zh),
            None => self.code.clone(),
        }
    }
}

/// A validated request.
#[derive(Debug, Clone)]
struct Criteria {
    enterprise: Option<EnterpriseProfile>,
    need: Option<Need>,
    text: Option<String>,
    scenario: Option<Scenario>,
    budget: Option<f64>,
    limit: usize,
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_string)
}

/// Checks a limit: 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] when absent.
pub fn checked_limit(limit: Option<usize>) -> Result<usize, MatchError> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
        Some(limit) => Err(MatchError::InvalidRequest(format!(
            "limit must be between 1 and {MAX_LIMIT}, not {limit}"
        ))),
    }
}

/// Checks a USCC (blanks around it ignored, letters upper-cased): its shape and check
/// character, or its presence in the park's list of accepted exceptions.
pub fn checked_uscc(services: &Services, given: &str) -> Result<String, MatchError> {
    let code = given.trim().to_ascii_uppercase();
    match uscc::validate(&code) {
        Ok(()) => Ok(code),
        Err(reason @ UsccError::CheckDigit { .. }) => {
            let options = ValidationOptions::load(services.lake.data_dir())
                .map_err(|error| MatchError::from(ServiceError::Lake(error)))?;
            if options.uscc_exceptions.contains(&code) {
                Ok(code)
            } else {
                Err(MatchError::InvalidUscc {
                    uscc: given.to_string(),
                    reason,
                })
            }
        }
        Err(reason) => Err(MatchError::InvalidUscc {
            uscc: given.to_string(),
            reason,
        }),
    }
}

/// Matches offerings to a request (see the module documentation).
pub async fn match_offerings(
    services: &Services,
    request: &MatchRequest,
) -> Result<MatchResults, MatchError> {
    let limit = checked_limit(request.limit)?;
    let uscc = non_empty(request.uscc.as_deref());
    let text = non_empty(request.text.as_deref());
    let scenario = non_empty(request.scenario.as_deref());
    if uscc.is_none() && text.is_none() && scenario.is_none() {
        return Err(MatchError::InvalidRequest(
            "give at least one of uscc, text and scenario".to_string(),
        ));
    }
    if let Some(budget) = request.budget
        && !(budget.is_finite() && budget >= 0.0)
    {
        return Err(MatchError::InvalidRequest(format!(
            "budget must be an amount in 10k yuan (0 or more), not {budget}"
        )));
    }
    let enterprise = match uscc {
        Some(given) => {
            let code = checked_uscc(services, &given)?;
            Some(
                facts::enterprise(services, &code)
                    .await?
                    .ok_or(MatchError::UnknownEnterprise(code))?,
            )
        }
        None => None,
    };
    let criteria = Criteria {
        enterprise,
        need: None,
        text,
        scenario: scenario.as_deref().map(Scenario::resolve),
        budget: request.budget,
        limit,
    };
    run(services, criteria).await
}

/// Matches offerings to a need of the lake: its enterprise, title (as the text), scenario and
/// budget.
pub async fn match_need(
    services: &Services,
    need_id: &str,
    limit: Option<usize>,
) -> Result<MatchResults, MatchError> {
    let limit = checked_limit(limit)?;
    let need = facts::need(services, need_id.trim())
        .await?
        .ok_or_else(|| MatchError::UnknownNeed(need_id.to_string()))?;
    // A need whose enterprise left the registry is still matched, without its profile.
    let enterprise = facts::enterprise(services, &need.uscc).await?;
    let criteria = Criteria {
        enterprise,
        text: non_empty(Some(&need.title)),
        scenario: non_empty(need.scenario.as_deref()).map(|given| Scenario::resolve(&given)),
        budget: need.budget,
        need: Some(need),
        limit,
    };
    run(services, criteria).await
}

/// Searches the candidates, reads their facts and scores them.
async fn run(services: &Services, criteria: Criteria) -> Result<MatchResults, MatchError> {
    let query = [
        criteria.text.clone(),
        criteria
            .scenario
            .as_ref()
            .map(|scenario| scenario.search_text.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let hits = candidates(services, &criteria, &query).await?;

    let ids: Vec<String> = hits.iter().map(|hit| hit.id.clone()).collect();
    let offerings = facts::offerings(services, &ids).await?;
    let mut provider_ids: Vec<String> = offerings
        .values()
        .filter_map(|offering| offering.provider_id.clone())
        .collect();
    provider_ids.sort();
    provider_ids.dedup();
    let provider_names = facts::provider_names(services, &provider_ids).await?;
    let key_industry = criteria
        .enterprise
        .as_ref()
        .map(|enterprise| enterprise.key_industry.as_str());
    let records = facts::track_records(services, &provider_ids, key_industry).await?;

    let terms =
        (!query.is_empty()).then(|| terms::QueryTerms::new(&query, &services.catalog.dictionary()));
    let best_relevance = hits
        .iter()
        .filter(|hit| offerings.contains_key(&hit.id))
        .map(|hit| f64::from(hit.score))
        .fold(0.0, f64::max);
    let mut scored = Vec::with_capacity(hits.len());
    for hit in &hits {
        // The index may briefly hold an offering the lake no longer has.
        let Some(offering) = offerings.get(&hit.id) else {
            continue;
        };
        let provider_id = offering
            .provider_id
            .clone()
            .or_else(|| hit.provider_id.clone())
            .unwrap_or_default();
        let record = records.get(&provider_id).copied().unwrap_or_default();
        let text_part = text_part(
            terms.as_ref(),
            offering,
            f64::from(hit.score),
            best_relevance,
        );
        let explanation = Explanation {
            text: text_part,
            scenario: scenario_part(criteria.scenario.as_ref(), offering),
            industry: industry_part(criteria.enterprise.as_ref(), offering),
            budget: budget_part(criteria.budget, offering),
            track_record: track_record_part(record, key_industry),
            maturity: maturity_part(criteria.enterprise.as_ref(), offering),
        };
        let total: Points = explanation
            .parts()
            .iter()
            .map(|(_, points, _, _)| Points::new(*points))
            .sum();
        scored.push(Match {
            rank: 0,
            score: total.value(),
            offering: summary(offering),
            provider: ProviderSummary {
                name: provider_names.get(&provider_id).cloned(),
                id: provider_id,
            },
            explanation,
        });
    }
    let candidates = scored.len();
    scored.sort_by(|left, right| {
        right
            .score
            .total_cmp(&left.score)
            .then(
                right
                    .explanation
                    .text
                    .points
                    .total_cmp(&left.explanation.text.points),
            )
            .then_with(|| left.offering.id.cmp(&right.offering.id))
    });
    scored.truncate(criteria.limit);
    for (index, found) in scored.iter_mut().enumerate() {
        found.rank = index + 1;
    }
    Ok(MatchResults {
        enterprise: criteria.enterprise,
        need: criteria.need,
        query,
        scenario: criteria.scenario.map(|scenario| scenario.code),
        budget: criteria.budget,
        candidates,
        scoring: score::SCORING.to_string(),
        matches: scored,
    })
}

/// Returns the candidate offerings: the best catalog hits for the query, or without a query
/// the offerings of the enterprise's key industry (all offerings when it has none).
async fn candidates(
    services: &Services,
    criteria: &Criteria,
    query: &str,
) -> Result<Vec<SearchHit>, MatchError> {
    let pool = (criteria.limit * 3).clamp(CANDIDATE_POOL, MAX_CANDIDATES);
    let base = SearchRequest {
        query: query.to_string(),
        kind: Some(EntryKind::Offering),
        limit: pool,
        facets: false,
        ..SearchRequest::default()
    };
    let mut requests = Vec::new();
    if query.is_empty()
        && let Some(enterprise) = &criteria.enterprise
    {
        requests.push(SearchRequest {
            industry: Some(enterprise.key_industry.clone()),
            ..base.clone()
        });
    }
    requests.push(base);
    for request in requests {
        let catalog = Arc::clone(&services.catalog);
        let results = tokio::task::spawn_blocking(move || catalog.search(&request))
            .await
            .map_err(|error| ServiceError::Background(error.to_string()))??;
        if !results.hits.is_empty() {
            return Ok(results.hits);
        }
    }
    Ok(Vec::new())
}

fn summary(offering: &CatalogEntry) -> OfferingSummary {
    OfferingSummary {
        id: offering.id.clone(),
        name: offering.title.clone(),
        name_en: offering.title_en.clone(),
        category: offering.category.clone(),
        scenarios: offering.scenarios.clone(),
        key_industries: offering.key_industries.clone(),
        divisions: offering.divisions.clone(),
        price_min: offering.price_min,
        price_max: offering.price_max,
        target_maturity_level: offering.target_maturity_level.map(i64::from),
        rating: offering.rating,
    }
}

fn text_part(
    terms: Option<&terms::QueryTerms>,
    offering: &CatalogEntry,
    relevance: f64,
    best_relevance: f64,
) -> TextPart {
    let Some(terms) = terms else {
        return TextPart {
            points: 0.0,
            relevance: 0.0,
            best_relevance: 0.0,
            matched_terms: Vec::new(),
            unmatched_terms: Vec::new(),
            note: "no text or scenario to search: offerings of the enterprise's industry listed"
                .to_string(),
        };
    };
    let found = terms.matches(offering);
    let points = score::text_points(relevance, best_relevance).value();
    let matched = if found.matched.is_empty() {
        "no query word found as such (a close spelling matched)".to_string()
    } else {
        format!("matched {}", found.matched.join(", "))
    };
    let missing = if found.unmatched.is_empty() {
        String::new()
    } else {
        format!("; not found: {}", found.unmatched.join(", "))
    };
    TextPart {
        points,
        relevance: round2(relevance),
        best_relevance: round2(best_relevance),
        note: format!("{matched}{missing} (relevance {relevance:.2} of best {best_relevance:.2})"),
        matched_terms: found.matched,
        unmatched_terms: found.unmatched,
    }
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn scenario_part(scenario: Option<&Scenario>, offering: &CatalogEntry) -> ScenarioPart {
    let offered = if offering.scenarios.is_empty() {
        "none".to_string()
    } else {
        offering.scenarios.join(", ")
    };
    let Some(scenario) = scenario else {
        return ScenarioPart {
            points: 0.0,
            asked: None,
            fits: None,
            note: format!("no scenario asked (offers {offered})"),
        };
    };
    let fits = offering
        .scenarios
        .iter()
        .any(|code| code.trim().eq_ignore_ascii_case(&scenario.code));
    ScenarioPart {
        points: score::scenario_points(Some(fits)).value(),
        asked: Some(scenario.code.clone()),
        fits: Some(fits),
        note: if fits {
            format!("offers {}", scenario.label())
        } else {
            format!("does not list {} (offers {offered})", scenario.label())
        },
    }
}

fn industry_part(enterprise: Option<&EnterpriseProfile>, offering: &CatalogEntry) -> IndustryPart {
    let Some(enterprise) = enterprise else {
        return IndustryPart {
            points: 0.0,
            division: None,
            key_industry: None,
            same_division: None,
            same_key_industry: None,
            note: "no enterprise given".to_string(),
        };
    };
    let same_division = enterprise
        .division
        .as_ref()
        .map(|division| offering.divisions.contains(division));
    let same_key_industry = Some(offering.key_industries.contains(&enterprise.key_industry));
    let division = enterprise.division.as_deref().unwrap_or("(none)");
    let key_industry = enterprise.key_industry.as_str();
    let note = match (same_division == Some(true), same_key_industry == Some(true)) {
        (true, true) => format!("same division {division} and key industry {key_industry}"),
        (true, false) => format!(
            "same division {division}; key industry {key_industry} not listed (suits {})",
            offering.key_industries.join(", ")
        ),
        (false, true) => format!(
            "same key industry {key_industry}; division {division} not listed (suits {})",
            offering.divisions.join(", ")
        ),
        (false, false) => format!(
            "neither division {division} nor key industry {key_industry} (suits {})",
            offering.key_industries.join(", ")
        ),
    };
    IndustryPart {
        points: score::industry_points(same_division, same_key_industry).value(),
        division: enterprise.division.clone(),
        key_industry: Some(enterprise.key_industry.clone()),
        same_division,
        same_key_industry,
        note,
    }
}

fn price_range(offering: &CatalogEntry) -> String {
    match (offering.price_min, offering.price_max) {
        (Some(low), Some(high)) if low != high => format!("{low}–{high}"),
        (Some(price), _) | (None, Some(price)) => format!("{price}"),
        (None, None) => "unknown".to_string(),
    }
}

fn budget_part(budget: Option<f64>, offering: &CatalogEntry) -> BudgetPart {
    let fit = score::budget_fit(budget, offering.price_min, offering.price_max);
    let prices = price_range(offering);
    let (fits, whole_range_fits, note) = match (fit, budget) {
        (BudgetFit::Whole, Some(budget)) => (
            Some(true),
            Some(true),
            format!("price {prices} within budget {budget}"),
        ),
        (BudgetFit::Part, Some(budget)) => (
            Some(true),
            Some(false),
            format!("price {prices} starts within budget {budget}"),
        ),
        (BudgetFit::Over, Some(budget)) => (
            Some(false),
            Some(false),
            format!("price {prices} over budget {budget}"),
        ),
        (_, None) => (None, None, format!("no budget given (price {prices})")),
        (_, Some(budget)) => (
            None,
            None,
            format!("no price to compare with budget {budget}"),
        ),
    };
    BudgetPart {
        points: score::budget_points(fit).value(),
        budget,
        fits,
        whole_range_fits,
        note,
    }
}

fn projects(count: u64) -> String {
    if count == 1 {
        "1 completed project".to_string()
    } else {
        format!("{count} completed projects")
    }
}

fn track_record_part(record: facts::TrackRecord, key_industry: Option<&str>) -> TrackRecordPart {
    let completed_in_industry = key_industry.map(|_| record.completed_in_industry);
    let note = match key_industry {
        Some(industry) => format!(
            "provider has {} in the park, {} in {industry}",
            projects(record.completed),
            record.completed_in_industry
        ),
        None => format!("provider has {} in the park", projects(record.completed)),
    };
    TrackRecordPart {
        points: score::track_record_points(record.completed, completed_in_industry).value(),
        completed_projects: record.completed,
        completed_in_industry,
        industry: key_industry.map(str::to_string),
        note,
    }
}

fn maturity_part(enterprise: Option<&EnterpriseProfile>, offering: &CatalogEntry) -> MaturityPart {
    let enterprise_level = enterprise.and_then(|enterprise| enterprise.maturity_level);
    let target_level = offering.target_maturity_level.map(i64::from);
    let note = match (enterprise, enterprise_level, target_level) {
        (None, _, _) => "no enterprise given".to_string(),
        (Some(_), None, _) => "the enterprise has no maturity assessment".to_string(),
        (Some(_), Some(_), None) => "the offering names no target maturity level".to_string(),
        (Some(enterprise), Some(level), Some(target)) => {
            let assessed = enterprise
                .assessed_on
                .as_deref()
                .map_or_else(String::new, |date| format!(" (assessed {date})"));
            let gap = match target - level {
                0 => "the same level".to_string(),
                1 => "one level above".to_string(),
                -1 => "one level below".to_string(),
                gap if gap > 0 => format!("{gap} levels above"),
                gap => format!("{} levels below", -gap),
            };
            format!("enterprise at level {level}{assessed}, offering targets {target}: {gap}")
        }
    };
    MaturityPart {
        points: score::maturity_points(enterprise_level, target_level).value(),
        enterprise_level,
        target_level,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_resolve_codes_and_names() {
        let by_code = Scenario::resolve("Predictive_Maintenance");
        assert_eq!(by_code.code, "predictive_maintenance");
        assert_eq!(by_code.search_text, "预测性维护");
        let by_name = Scenario::resolve("预测性维护");
        assert_eq!(by_name.code, "predictive_maintenance");
        assert_eq!(by_name.search_text, "预测性维护");
        let free = Scenario::resolve("注塑机联网");
        assert_eq!(free.code, "注塑机联网");
        assert_eq!(free.label(), "注塑机联网");
    }

    #[test]
    fn limits_are_checked() {
        assert_eq!(checked_limit(None).expect("default"), DEFAULT_LIMIT);
        assert_eq!(checked_limit(Some(3)).expect("three"), 3);
        assert!(matches!(
            checked_limit(Some(0)),
            Err(MatchError::InvalidRequest(_))
        ));
        assert!(checked_limit(Some(MAX_LIMIT + 1)).is_err());
    }

    #[test]
    fn parts_explain_what_they_compare() {
        let mut offering = CatalogEntry::new(EntryKind::Offering, "O1", "窑炉能耗监测");
        offering.price_min = Some(20.0);
        offering.price_max = Some(60.0);
        offering.divisions = vec!["C30".into()];
        offering.key_industries = vec!["building_materials".into()];
        offering.target_maturity_level = Some(3);
        let enterprise = EnterpriseProfile {
            uscc: "91320500887734311U".into(),
            name: "昌邦碳素".into(),
            industry_code: "C3091".into(),
            division: Some("C30".into()),
            key_industry: "building_materials".into(),
            scale: None,
            maturity_level: Some(2),
            assessed_on: Some("2026-08-23".into()),
        };

        let budget = budget_part(Some(30.0), &offering);
        assert_eq!(
            (budget.points, budget.fits, budget.whole_range_fits),
            (5.0, Some(true), Some(false))
        );
        assert_eq!(budget_part(Some(10.0), &offering).fits, Some(false));
        assert_eq!(budget_part(None, &offering).fits, None);

        let industry = industry_part(Some(&enterprise), &offering);
        assert_eq!(industry.points, 15.0);
        assert_eq!(
            industry.note,
            "same division C30 and key industry building_materials"
        );
        assert_eq!(industry_part(None, &offering).points, 0.0);

        let maturity = maturity_part(Some(&enterprise), &offering);
        assert_eq!(maturity.points, 5.0);
        assert!(
            maturity.note.contains("one level above"),
            "{}",
            maturity.note
        );

        let record = track_record_part(
            facts::TrackRecord {
                completed: 2,
                completed_in_industry: 1,
            },
            Some("building_materials"),
        );
        assert_eq!(record.points, 4.0);
        assert_eq!(record.completed_in_industry, Some(1));
    }
}
