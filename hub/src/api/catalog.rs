//! `GET /api/catalog/search`: ranked catalog hits with snippets.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use parkhub_catalog::{EntryKind, SearchRequest, SearchResults};
use serde::Deserialize;

use crate::api::ApiError;
use crate::server::AppState;

/// The most hits one request may ask for.
pub const MAX_LIMIT: usize = 100;

/// The query string of a search.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// The query text (Chinese, English or both).
    #[serde(default)]
    pub q: String,
    /// `application`, `offering` or `provider`; all kinds when absent.
    pub kind: Option<String>,
    /// Hits per page (default 10, at most 100).
    pub limit: Option<usize>,
    /// Hits to skip.
    pub offset: Option<usize>,
}

/// Searches the catalog.
pub async fn search(
    State(state): State<AppState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<SearchResults>, ApiError> {
    let Query(params) = params
        .map_err(|rejection| ApiError::bad_request("invalid_parameters", rejection.body_text()))?;
    let kind = params
        .kind
        .as_deref()
        .filter(|kind| !kind.is_empty())
        .map(str::parse::<EntryKind>)
        .transpose()?;
    let limit = params.limit.unwrap_or(10);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_request(
            "invalid_parameters",
            format!("limit must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let request = SearchRequest {
        query: params.q,
        kind,
        limit,
        offset: params.offset.unwrap_or(0),
    };
    let catalog = std::sync::Arc::clone(&state.services.catalog);
    let started = std::time::Instant::now();
    let results = tokio::task::spawn_blocking(move || catalog.search(&request))
        .await
        .map_err(|error| ApiError::internal(&error))?;
    let outcome = if results.is_ok() { "ok" } else { "error" };
    state
        .metrics
        .increment("parkhub_searches_total", &[("outcome", outcome)]);
    state
        .metrics
        .observe("parkhub_search_duration_seconds", &[], started.elapsed());
    Ok(Json(results?))
}
