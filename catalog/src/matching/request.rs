//! What a match asks for: the request as given, checked into [`Criteria`], and the catalog
//! searches that find its candidate offerings.

use serde::Deserialize;

use super::facts::{EnterpriseProfile, Need};
use super::{CANDIDATE_POOL, DEFAULT_LIMIT, MAX_CANDIDATES, MAX_LIMIT};
use crate::entry::EntryKind;
use crate::error::{Error, Result};
use crate::index::Catalog;
use crate::search::{SearchHit, SearchRequest};
use crate::vocabulary;

/// What to match: an enterprise, a need in words, a scenario and a budget. At least one of
/// `uscc`, `text` and `scenario` is needed.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", schema(example = json!({"uscc": "91320500887734311U",
    "text": "窑炉能耗监测与节能改造", "scenario": "energy_management", "budget": 30, "limit": 5})))]
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
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 50))]
    pub limit: Option<usize>,
}

impl MatchRequest {
    /// Returns the USCC given, blanks around it removed, when one is.
    pub fn uscc(&self) -> Option<String> {
        non_empty(self.uscc.as_deref())
    }
}

/// The scenario asked for, resolved against the catalog's vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The code (`safety`) when the scenario is one the catalog knows, else the text given.
    pub code: String,
    /// What is searched for it: the Chinese name of a known code, else the text given.
    pub search_text: String,
}

impl Scenario {
    /// Resolves a scenario given as a code (`Predictive_Maintenance`), a Chinese or English
    /// name (`预测性维护`), or free text.
    pub fn resolve(given: &str) -> Scenario {
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

    /// Returns the scenario as explanations name it: `safety (安全生产)`, or the text given.
    pub fn label(&self) -> String {
        match vocabulary::scenario(&self.code) {
            Some(known) => format!("{} ({})", known.code, known.name_zh),
            None => self.code.clone(),
        }
    }
}

/// A checked request: what is matched and how many matches are answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Criteria {
    /// The enterprise matched for.
    pub enterprise: Option<EnterpriseProfile>,
    /// The need matched, when the request is a need of the lake.
    pub need: Option<Need>,
    /// The need in words.
    pub text: Option<String>,
    /// The scenario.
    pub scenario: Option<Scenario>,
    /// The budget, 10k yuan.
    pub budget: Option<f64>,
    /// Matches to answer, 1 to [`MAX_LIMIT`].
    pub limit: usize,
}

impl Criteria {
    /// Checks a request: its limit, that it names at least one of an enterprise, a text and
    /// a scenario, and its budget. The enterprise is left for the caller to look up (see
    /// [`MatchRequest::uscc`]).
    pub fn from_request(request: &MatchRequest) -> Result<Criteria> {
        let limit = checked_limit(request.limit)?;
        let text = non_empty(request.text.as_deref());
        let scenario = non_empty(request.scenario.as_deref());
        if request.uscc().is_none() && text.is_none() && scenario.is_none() {
            return Err(Error::NothingToMatch);
        }
        if let Some(budget) = request.budget
            && !(budget.is_finite() && budget >= 0.0)
        {
            return Err(Error::InvalidMatchBudget { budget });
        }
        Ok(Criteria {
            enterprise: None,
            need: None,
            text,
            scenario: scenario.as_deref().map(Scenario::resolve),
            budget: request.budget,
            limit,
        })
    }

    /// Returns the criteria of a need: its enterprise (none when it left the registry),
    /// title (as the text), scenario and budget.
    pub fn for_need(need: Need, enterprise: Option<EnterpriseProfile>, limit: usize) -> Criteria {
        Criteria {
            enterprise,
            text: non_empty(Some(&need.title)),
            scenario: non_empty(need.scenario.as_deref()).map(|given| Scenario::resolve(&given)),
            budget: need.budget,
            need: Some(need),
            limit,
        }
    }

    /// Returns the text searched in the catalog: the text and the scenario's search text;
    /// empty when only an enterprise is given.
    pub fn query(&self) -> String {
        [
            self.text.clone(),
            self.scenario
                .as_ref()
                .map(|scenario| scenario.search_text.clone()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
    }

    /// Returns the enterprise's key industry, when an enterprise is matched for.
    pub fn key_industry(&self) -> Option<&str> {
        self.enterprise
            .as_ref()
            .map(|enterprise| enterprise.key_industry.as_str())
    }

    /// Returns the searches that find the candidates, to try in order until one has hits:
    /// the query's best offerings, or without a query the offerings of the enterprise's key
    /// industry, then all offerings.
    fn candidate_searches(&self) -> Vec<SearchRequest> {
        let query = self.query();
        let pool = (self.limit * 3).clamp(CANDIDATE_POOL, MAX_CANDIDATES);
        let all = SearchRequest {
            kind: Some(EntryKind::Offering),
            limit: pool,
            facets: false,
            ..SearchRequest::default()
        };
        let mut searches = Vec::new();
        if query.is_empty()
            && let Some(key_industry) = self.key_industry()
        {
            searches.push(SearchRequest {
                industry: Some(key_industry.to_string()),
                ..all.clone()
            });
        }
        searches.push(SearchRequest { query, ..all });
        searches
    }

    /// Searches the catalog for the candidate offerings (see [`Criteria::query`]): up to
    /// [`CANDIDATE_POOL`] of them, more when the limit asks for more, at most
    /// [`MAX_CANDIDATES`]. A blocking call, like [`Catalog::search`].
    pub fn search_candidates(&self, catalog: &Catalog) -> Result<Vec<SearchHit>> {
        for search in self.candidate_searches() {
            let results = catalog.search(&search)?;
            if !results.hits.is_empty() {
                return Ok(results.hits);
            }
        }
        Ok(Vec::new())
    }
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_string)
}

/// Checks a limit: 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] when absent.
pub fn checked_limit(limit: Option<usize>) -> Result<usize> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
        Some(limit) => Err(Error::InvalidMatchLimit {
            limit,
            max: MAX_LIMIT,
        }),
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
            Err(Error::InvalidMatchLimit { limit: 0, .. })
        ));
        assert!(checked_limit(Some(MAX_LIMIT + 1)).is_err());
    }

    #[test]
    fn requests_are_checked_in_order() {
        let nothing = MatchRequest {
            uscc: Some("  ".into()),
            text: Some("".into()),
            ..MatchRequest::default()
        };
        let error = Criteria::from_request(&nothing).expect_err("nothing to match");
        assert_eq!(
            error.to_string(),
            "give at least one of uscc, text and scenario"
        );
        let negative = MatchRequest {
            text: Some("窑炉".into()),
            budget: Some(-1.0),
            ..MatchRequest::default()
        };
        let error = Criteria::from_request(&negative).expect_err("negative budget");
        assert_eq!(
            error.to_string(),
            "budget must be an amount in 10k yuan (0 or more), not -1"
        );
        // The limit is checked first.
        let both = MatchRequest {
            limit: Some(51),
            ..nothing
        };
        let error = Criteria::from_request(&both).expect_err("limit");
        assert_eq!(error.to_string(), "limit must be between 1 and 50, not 51");

        let request = MatchRequest {
            uscc: Some(" 91320500887734311U ".into()),
            text: Some(" 窑炉能耗监测 ".into()),
            scenario: Some("能源管理".into()),
            budget: Some(30.0),
            limit: None,
        };
        let criteria = Criteria::from_request(&request).expect("valid");
        assert_eq!(request.uscc().as_deref(), Some("91320500887734311U"));
        assert_eq!(criteria.limit, DEFAULT_LIMIT);
        assert_eq!(criteria.query(), "窑炉能耗监测 能源管理");
        assert_eq!(
            criteria.scenario.map(|scenario| scenario.code).as_deref(),
            Some("energy_management")
        );
    }

    #[test]
    fn an_enterprise_alone_lists_its_industry_then_everything() {
        let enterprise = EnterpriseProfile {
            uscc: "91320500887734311U".into(),
            name: "昌邦碳素".into(),
            industry_code: "C3091".into(),
            division: Some("C30".into()),
            key_industry: "building_materials".into(),
            scale: None,
            maturity_level: None,
            assessed_on: None,
        };
        let criteria = Criteria {
            enterprise: Some(enterprise),
            need: None,
            text: None,
            scenario: None,
            budget: None,
            limit: 60,
        };
        let searches = criteria.candidate_searches();
        assert_eq!(searches.len(), 2);
        assert_eq!(searches[0].industry.as_deref(), Some("building_materials"));
        assert_eq!(searches[1].industry, None);
        assert!(searches.iter().all(|search| search.query.is_empty()
            && search.limit == 150
            && search.kind == Some(EntryKind::Offering)));

        let with_text = Criteria {
            text: Some("窑炉".into()),
            limit: 5,
            ..criteria
        };
        let searches = with_text.candidate_searches();
        assert_eq!(searches.len(), 1);
        assert_eq!(
            (searches[0].query.as_str(), searches[0].limit),
            ("窑炉", CANDIDATE_POOL)
        );
    }
}
