//! The plain facts matching is fed: who the enterprise is, what it needs, the candidate
//! offerings as the lake holds them with their catalog relevance, the providers' names and
//! their track records. Gathering them (from the lake, with SQL) is the caller's job; here
//! they are only data.

use std::collections::HashMap;

use serde::Serialize;

use crate::entry::CatalogEntry;
use crate::search::SearchHit;

/// An enterprise of the registry, with its latest maturity assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnterpriseProfile {
    /// Unified Social Credit Code.
    pub uscc: String,
    /// Registered name.
    pub name: String,
    /// GB/T 4754-2017 industry code (`C3411`).
    pub industry_code: String,
    /// Its division (`C34`), when the code has one.
    pub division: Option<String>,
    /// Key industry of the park programme (`machinery`).
    pub key_industry: String,
    /// Size class.
    pub scale: Option<String>,
    /// Latest GB/T 39116 maturity level (1 to 5), when assessed.
    pub maturity_level: Option<i64>,
    /// Date of that assessment.
    pub assessed_on: Option<String>,
}

/// A need of the lake's `enterprise_needs`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Need {
    /// Need identifier.
    pub need_id: String,
    /// The enterprise that has it.
    pub uscc: String,
    /// Short title.
    pub title: String,
    /// What the enterprise wants to achieve.
    pub description: Option<String>,
    /// Scenario (the catalog's vocabulary).
    pub scenario: Option<String>,
    /// Budget, 10k yuan.
    pub budget: Option<f64>,
    /// `open`, `matched` or `closed`.
    pub status: Option<String>,
}

/// A provider's completed transformation projects in the park.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrackRecord {
    /// Completed projects in all.
    pub completed: u64,
    /// Completed projects whose (lead) enterprise is of the asked key industry.
    pub completed_in_industry: u64,
}

/// An offering to score: its facts as the lake holds them and its catalog relevance.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The offering, read from the lake.
    pub offering: CatalogEntry,
    /// Its catalog relevance (BM25 with field boosts) for the match query; 0 without one.
    pub relevance: f64,
    /// Its provider: the lake's, else the index's, else empty.
    pub provider_id: String,
}

/// Pairs the catalog's hits with the offerings the lake holds for them (by id), in the hits'
/// order. Hits the lake no longer has are left out: the index may briefly hold an offering
/// that was just deleted.
pub fn candidates(
    hits: &[SearchHit],
    mut offerings: HashMap<String, CatalogEntry>,
) -> Vec<Candidate> {
    hits.iter()
        .filter_map(|hit| {
            let offering = offerings.remove(&hit.id)?;
            let provider_id = offering
                .provider_id
                .clone()
                .or_else(|| hit.provider_id.clone())
                .unwrap_or_default();
            Some(Candidate {
                offering,
                relevance: f64::from(hit.score),
                provider_id,
            })
        })
        .collect()
}

/// Returns the providers of the lake's candidate offerings whose names and track records
/// matching reads, sorted, each once.
pub fn provider_ids(candidates: &[Candidate]) -> Vec<String> {
    let mut ids: Vec<String> = candidates
        .iter()
        .filter_map(|candidate| candidate.offering.provider_id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Everything known about the candidates of one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchFacts {
    /// The offerings to score (see [`candidates`]).
    pub candidates: Vec<Candidate>,
    /// The providers' names (from `service_providers`), by provider id.
    pub provider_names: HashMap<String, String>,
    /// The providers' completed projects, by provider id; a provider without any may be
    /// left out.
    pub track_records: HashMap<String, TrackRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::EntryKind;

    fn hit(id: &str, score: f32, provider_id: Option<&str>) -> SearchHit {
        SearchHit {
            kind: EntryKind::Offering,
            id: id.into(),
            title: id.into(),
            snippet: String::new(),
            score,
            category: None,
            provider_id: provider_id.map(str::to_string),
            rating: None,
            price_min: None,
            price_max: None,
            published_on: None,
        }
    }

    #[test]
    fn candidates_are_the_hits_the_lake_still_has() {
        let mut with_provider = CatalogEntry::new(EntryKind::Offering, "O1", "窑炉能耗监测");
        with_provider.provider_id = Some("P2".into());
        let without_provider = CatalogEntry::new(EntryKind::Offering, "O3", "设备联网");
        let offerings = HashMap::from([
            ("O1".to_string(), with_provider),
            ("O3".to_string(), without_provider),
        ]);
        let hits = [
            hit("O3", 2.5, Some("P9")),
            hit("O2", 2.0, Some("P1")),
            hit("O1", 1.5, Some("P1")),
        ];

        let found = candidates(&hits, offerings);
        let summary: Vec<(&str, f64, &str)> = found
            .iter()
            .map(|candidate| {
                (
                    candidate.offering.id.as_str(),
                    candidate.relevance,
                    candidate.provider_id.as_str(),
                )
            })
            .collect();
        assert_eq!(summary, [("O3", 2.5, "P9"), ("O1", 1.5, "P2")]);
        // Only the lake's providers are looked up.
        assert_eq!(provider_ids(&found), ["P2"]);
    }
}
