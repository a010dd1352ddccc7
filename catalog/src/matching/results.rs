//! What a match answers: the ranked offerings, each with its provider, its score and the
//! parts that make the score, each explained in a line.

use serde::Serialize;

use super::facts::{EnterpriseProfile, Need};
use super::score;

/// Ranked offerings for one request, each with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderSummary {
    /// `provider_id`.
    pub id: String,
    /// Name (Chinese), when the provider is in `service_providers`.
    pub name: Option<String>,
}

/// The parts of a score; their `points` add up to the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
