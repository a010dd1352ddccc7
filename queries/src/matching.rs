//! A whole match of an enterprise or a need to the catalog's offerings: the request is checked
//! and its facts are read from the lake through the guarded engine ([`facts`]), the catalog
//! finds the candidates, and `parkhub_catalog::matching` scores, explains and ranks them (its
//! documentation shows the scoring on facts given by hand). [`match_offerings`] answers a
//! request, [`match_need`] a need of the lake's `enterprise_needs`. Both answer the crate's
//! [`Error`]: a bad USCC, an unknown enterprise or need, or a catalog refusal of the request
//! ([`Error::is_client_error`]), or a failure reading the lake or searching the catalog.

pub mod facts;

use std::sync::Arc;

use parkhub_catalog::Catalog;
use parkhub_catalog::matching::{self, Criteria, MatchFacts, MatchRequest, MatchResults};
use parkhub_connectors::Lake;
use parkhub_connectors::uscc::{self, UsccError};
use parkhub_connectors::validate::ValidationOptions;

use crate::engine::QueryEngine;
use crate::{Error, Result};

/// Checks a USCC (blanks around it ignored, letters upper-cased): its shape and check
/// character, or its presence in the park's list of accepted exceptions.
pub fn checked_uscc(lake: &Lake, given: &str) -> Result<String> {
    let code = given.trim().to_ascii_uppercase();
    match uscc::validate(&code) {
        Ok(()) => Ok(code),
        Err(reason @ UsccError::CheckDigit { .. }) => {
            let options = ValidationOptions::load(lake.data_dir())?;
            if options.uscc_exceptions.contains(&code) {
                Ok(code)
            } else {
                Err(Error::InvalidUscc {
                    uscc: given.to_string(),
                    reason,
                })
            }
        }
        Err(reason) => Err(Error::InvalidUscc {
            uscc: given.to_string(),
            reason,
        }),
    }
}

/// Matches offerings to a request (see the module documentation): the enterprise it names
/// must be in the registry.
pub async fn match_offerings(
    engine: &QueryEngine,
    catalog: &Arc<Catalog>,
    request: &MatchRequest,
) -> Result<MatchResults> {
    let mut criteria = Criteria::from_request(request)?;
    if let Some(given) = request.uscc() {
        let code = checked_uscc(engine.lake(), &given)?;
        let enterprise = facts::enterprise(engine, &code)
            .await?
            .ok_or(Error::UnknownEnterprise(code))?;
        criteria.enterprise = Some(enterprise);
    }
    run(engine, catalog, criteria).await
}

/// Matches offerings to a need of the lake: its enterprise, title (as the text), scenario and
/// budget.
pub async fn match_need(
    engine: &QueryEngine,
    catalog: &Arc<Catalog>,
    need_id: &str,
    limit: Option<usize>,
) -> Result<MatchResults> {
    let limit = matching::checked_limit(limit)?;
    let need = facts::need(engine, need_id.trim())
        .await?
        .ok_or_else(|| Error::UnknownNeed(need_id.to_string()))?;
    // A need whose enterprise left the registry is still matched, without its profile.
    let enterprise = facts::enterprise(engine, &need.uscc).await?;
    run(engine, catalog, Criteria::for_need(need, enterprise, limit)).await
}

/// Searches the candidates, reads their facts and has the catalog score them.
async fn run(
    engine: &QueryEngine,
    catalog: &Arc<Catalog>,
    criteria: Criteria,
) -> Result<MatchResults> {
    let searcher = Arc::clone(catalog);
    let (criteria, hits) = tokio::task::spawn_blocking(move || {
        let hits = criteria.search_candidates(&searcher);
        (criteria, hits)
    })
    .await?;
    let hits = hits?;

    let ids: Vec<String> = hits.iter().map(|hit| hit.id.clone()).collect();
    let candidates = matching::candidates(&hits, facts::offerings(engine, &ids).await?);
    let provider_ids = matching::provider_ids(&candidates);
    let provider_names = facts::provider_names(engine, &provider_ids).await?;
    let track_records =
        facts::track_records(engine, &provider_ids, criteria.key_industry()).await?;
    let facts = MatchFacts {
        candidates,
        provider_names,
        track_records,
    };
    Ok(matching::rank(criteria, facts, &catalog.dictionary()))
}
