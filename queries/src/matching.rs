//! A whole match of an enterprise or a need to the catalog's offerings: the request is checked
//! and its facts are read from the lake through the guarded engine ([`facts`]), the catalog
//! finds the candidates, and `parkhub_catalog::matching` scores, explains and ranks them (its
//! documentation shows the scoring on facts given by hand). [`match_offerings`] answers a
//! request, [`match_need`] a need of the lake's `enterprise_needs`.

pub mod facts;

use std::sync::Arc;

use parkhub_catalog::Catalog;
use parkhub_catalog::matching::{self, Criteria, MatchFacts, MatchRequest, MatchResults};
use parkhub_connectors::Lake;
use parkhub_connectors::uscc::{self, UsccError};
use parkhub_connectors::validate::ValidationOptions;

use crate::engine::QueryEngine;

/// Why a match request could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
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
    /// The request is incomplete or a value is out of range
    /// ([`parkhub_catalog::Error::NothingToMatch`], …), or searching the catalog failed.
    #[error(transparent)]
    Catalog(#[from] parkhub_catalog::Error),
    /// Planning or running a query over the lake failed (boxed: it is large and rare).
    #[error(transparent)]
    Query(Box<crate::Error>),
    /// Binding a request's values to a query's parameters failed.
    #[error(transparent)]
    DataFusion(Box<datafusion::error::DataFusionError>),
    /// Reading the lake's table list or the park's validation options failed.
    #[error(transparent)]
    Lake(#[from] parkhub_connectors::Error),
    /// The catalog search, run off the async threads, panicked or was cancelled.
    #[error("the catalog search failed: {0}")]
    Background(#[from] tokio::task::JoinError),
}

impl From<crate::Error> for MatchError {
    fn from(error: crate::Error) -> MatchError {
        MatchError::Query(Box::new(error))
    }
}

impl From<datafusion::error::DataFusionError> for MatchError {
    fn from(error: datafusion::error::DataFusionError) -> MatchError {
        MatchError::DataFusion(Box::new(error))
    }
}

/// Checks a USCC (blanks around it ignored, letters upper-cased): its shape and check
/// character, or its presence in the park's list of accepted exceptions.
pub fn checked_uscc(lake: &Lake, given: &str) -> Result<String, MatchError> {
    let code = given.trim().to_ascii_uppercase();
    match uscc::validate(&code) {
        Ok(()) => Ok(code),
        Err(reason @ UsccError::CheckDigit { .. }) => {
            let options = ValidationOptions::load(lake.data_dir())?;
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

/// Matches offerings to a request (see the module documentation): the enterprise it names
/// must be in the registry.
pub async fn match_offerings(
    engine: &QueryEngine,
    catalog: &Arc<Catalog>,
    request: &MatchRequest,
) -> Result<MatchResults, MatchError> {
    let mut criteria = Criteria::from_request(request)?;
    if let Some(given) = request.uscc() {
        let code = checked_uscc(engine.lake(), &given)?;
        let enterprise = facts::enterprise(engine, &code)
            .await?
            .ok_or(MatchError::UnknownEnterprise(code))?;
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
) -> Result<MatchResults, MatchError> {
    let limit = matching::checked_limit(limit)?;
    let need = facts::need(engine, need_id.trim())
        .await?
        .ok_or_else(|| MatchError::UnknownNeed(need_id.to_string()))?;
    // A need whose enterprise left the registry is still matched, without its profile.
    let enterprise = facts::enterprise(engine, &need.uscc).await?;
    run(engine, catalog, Criteria::for_need(need, enterprise, limit)).await
}

/// Searches the candidates, reads their facts and has the catalog score them.
async fn run(
    engine: &QueryEngine,
    catalog: &Arc<Catalog>,
    criteria: Criteria,
) -> Result<MatchResults, MatchError> {
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
