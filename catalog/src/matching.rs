//! Matching enterprises and their needs to the catalog's service offerings, with an
//! explanation of every score. The code here is fed plain facts and reads nothing itself:
//! the caller (`parkhub_queries::matching`) gathers them from the lake.
//!
//! A request names an enterprise (USCC), a need in words, a scenario and a budget, in any
//! combination with at least one of the first three ([`MatchRequest`], checked into
//! [`Criteria`]); a need of the lake gives all of them ([`Criteria::for_need`]). Matching
//! then:
//!
//! 1. searches the catalog's offerings with the text and the scenario's Chinese name (with
//!    only an enterprise, lists the offerings of its key industry, or all of them), keeping
//!    up to [`CANDIDATE_POOL`] candidates ([`Criteria::search_candidates`]);
//! 2. takes the facts of the enterprise (industry, latest maturity assessment), the
//!    candidates as the lake holds them, their providers and the providers' completed
//!    transformation projects ([`MatchFacts`]);
//! 3. scores every candidate in six parts ([`score`]: text, scenario, industry, budget, track
//!    record, maturity; at most 100 points) and explains each part in a line;
//! 4. ranks by score, then text points, then offering id, so the order is deterministic
//!    ([`rank`]).
//!
//! ```
//! use std::collections::HashMap;
//!
//! use parkhub_catalog::matching::{self, Criteria, EnterpriseProfile, MatchFacts, MatchRequest};
//! use parkhub_catalog::matching::TrackRecord;
//! use parkhub_catalog::{Catalog, CatalogEntry, EntryKind};
//!
//! let index_dir = tempfile::tempdir()?;
//! let catalog = Catalog::open(index_dir.path())?;
//! let mut offering = CatalogEntry::new(EntryKind::Offering, "O1", "冲压线能耗监测服务");
//! offering.provider_id = Some("P1".into());
//! offering.scenarios = vec!["energy_management".into()];
//! offering.key_industries = vec!["machinery".into()];
//! (offering.price_min, offering.price_max) = (Some(10.0), Some(30.0));
//! offering.target_maturity_level = Some(2);
//! catalog.rebuild(std::slice::from_ref(&offering))?;
//!
//! let mut criteria = Criteria::from_request(&MatchRequest {
//!     text: Some("冲压线能耗监测".into()),
//!     scenario: Some("energy_management".into()),
//!     budget: Some(50.0),
//!     ..Default::default()
//! })?;
//! // The facts the caller reads from the lake (`parkhub_queries::matching` does).
//! criteria.enterprise = Some(EnterpriseProfile {
//!     uscc: "91320506737948226H".into(),
//!     name: "苏州精工机械有限公司".into(),
//!     industry_code: "C3411".into(),
//!     division: Some("C34".into()),
//!     key_industry: "machinery".into(),
//!     scale: Some("small".into()),
//!     maturity_level: Some(2),
//!     assessed_on: Some("2026-05-30".into()),
//! });
//! let hits = criteria.search_candidates(&catalog)?;
//! let facts = MatchFacts {
//!     candidates: matching::candidates(&hits, HashMap::from([("O1".to_string(), offering)])),
//!     provider_names: HashMap::from([("P1".to_string(), "苏州精衡科技有限公司".to_string())]),
//!     track_records: HashMap::from([(
//!         "P1".to_string(),
//!         TrackRecord { completed: 2, completed_in_industry: 1 },
//!     )]),
//! };
//! let results = matching::rank(criteria, facts, &catalog.dictionary());
//! let best = &results.matches[0];
//! for (part, points, most, note) in best.explanation.parts() {
//!     println!("{part:<12} {points:>5.2}/{most}  {note}");
//! }
//! // text 40 (the best relevance) + scenario 15 + industry 5 (its key industry; it lists no
//! // division) + budget 10 + track record 2 + 2 + maturity 10
//! assert_eq!((best.offering.id.as_str(), best.score), ("O1", 84.0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod explain;
pub mod facts;
pub mod request;
pub mod results;
pub mod score;
pub(crate) mod terms;

pub use facts::{
    Candidate, EnterpriseProfile, MatchFacts, Need, TrackRecord, candidates, provider_ids,
};
pub use request::{Criteria, MatchRequest, Scenario, checked_limit};
pub use results::{
    BudgetPart, Explanation, IndustryPart, Match, MatchResults, MaturityPart, OfferingSummary,
    ProviderSummary, ScenarioPart, TextPart, TrackRecordPart,
};

use crate::dictionary::Dictionary;
use score::Points;
use terms::QueryTerms;

/// Matches answered when a request does not say how many.
pub const DEFAULT_LIMIT: usize = 10;
/// The most matches one request may ask for.
pub const MAX_LIMIT: usize = 50;
/// Offerings searched for and scored at least (more when the limit asks for more).
pub const CANDIDATE_POOL: usize = 50;
/// Offerings searched for and scored at most.
pub const MAX_CANDIDATES: usize = 150;

/// Scores every candidate of `facts` for `criteria`, ranks them (by score, then text points,
/// then offering id) and keeps the best `criteria.limit`. Query terms are planned with
/// `dictionary`, as the catalog search planned them.
pub fn rank(criteria: Criteria, facts: MatchFacts, dictionary: &Dictionary) -> MatchResults {
    let query = criteria.query();
    let key_industry = criteria.key_industry();
    let terms = (!query.is_empty()).then(|| QueryTerms::new(&query, dictionary));
    let best_relevance = facts
        .candidates
        .iter()
        .map(|candidate| candidate.relevance)
        .fold(0.0, f64::max);
    let mut scored = Vec::with_capacity(facts.candidates.len());
    for candidate in facts.candidates {
        let offering = &candidate.offering;
        let record = facts
            .track_records
            .get(&candidate.provider_id)
            .copied()
            .unwrap_or_default();
        let explanation = Explanation {
            text: explain::text_part(
                terms.as_ref(),
                offering,
                candidate.relevance,
                best_relevance,
            ),
            scenario: explain::scenario_part(criteria.scenario.as_ref(), offering),
            industry: explain::industry_part(criteria.enterprise.as_ref(), offering),
            budget: explain::budget_part(criteria.budget, offering),
            track_record: explain::track_record_part(record, key_industry),
            maturity: explain::maturity_part(criteria.enterprise.as_ref(), offering),
        };
        let total: Points = explanation
            .parts()
            .iter()
            .map(|(_, points, _, _)| Points::new(*points))
            .sum();
        scored.push(Match {
            rank: 0,
            score: total.value(),
            offering: explain::summary(offering),
            provider: ProviderSummary {
                name: facts.provider_names.get(&candidate.provider_id).cloned(),
                id: candidate.provider_id,
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
    MatchResults {
        enterprise: criteria.enterprise,
        need: criteria.need,
        query,
        scenario: criteria.scenario.map(|scenario| scenario.code),
        budget: criteria.budget,
        candidates,
        scoring: score::SCORING.to_string(),
        matches: scored,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::entry::{CatalogEntry, EntryKind};

    fn candidate(id: &str, relevance: f64, provider_id: &str, scenarios: &[&str]) -> Candidate {
        let mut offering = CatalogEntry::new(EntryKind::Offering, id, "设备预测性维护");
        offering.provider_id = Some(provider_id.into());
        offering.scenarios = scenarios.iter().map(|code| code.to_string()).collect();
        Candidate {
            offering,
            relevance,
            provider_id: provider_id.into(),
        }
    }

    #[test]
    fn candidates_are_ranked_by_score_then_text_then_id() {
        let criteria = Criteria {
            enterprise: None,
            need: None,
            text: Some("预测性维护".into()),
            scenario: Some(Scenario::resolve("predictive_maintenance")),
            budget: None,
            limit: 3,
        };
        let facts = MatchFacts {
            candidates: vec![
                candidate("O4", 1.0, "P1", &[]),
                candidate("O3", 2.0, "P2", &["predictive_maintenance"]),
                candidate("O2", 4.0, "P1", &[]),
                candidate("O1", 2.0, "P2", &["predictive_maintenance"]),
            ],
            provider_names: HashMap::from([("P2".to_string(), "诚达智能".to_string())]),
            track_records: HashMap::from([(
                "P1".to_string(),
                TrackRecord {
                    completed: 9,
                    completed_in_industry: 0,
                },
            )]),
        };

        let results = rank(criteria, facts, &Dictionary::builtin());
        assert_eq!(results.query, "预测性维护 预测性维护");
        assert_eq!(results.scenario.as_deref(), Some("predictive_maintenance"));
        assert_eq!(results.candidates, 4);
        let ranked: Vec<(usize, &str, f64, Option<&str>)> = results
            .matches
            .iter()
            .map(|found| {
                (
                    found.rank,
                    found.offering.id.as_str(),
                    found.score,
                    found.provider.name.as_deref(),
                )
            })
            .collect();
        // O2: all the text points and 4 for its provider's record; O1 and O3: half the text
        // points and the scenario, equal, so by id.
        assert_eq!(
            ranked,
            [
                (1, "O2", 44.0, None),
                (2, "O1", 35.0, Some("诚达智能")),
                (3, "O3", 35.0, Some("诚达智能")),
            ]
        );
        for found in &results.matches {
            let parts: Points = found
                .explanation
                .parts()
                .iter()
                .map(|(_, points, _, _)| Points::new(*points))
                .sum();
            assert_eq!(parts.value(), found.score);
        }
    }
}
