//! `GET /api/catalog/search`: ranked catalog hits with snippets.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use parkhub_catalog::{EntryKind, SearchRequest, SearchResults};
use serde::Deserialize;

use crate::api::ApiError;
use crate::api::error::ErrorBody;
use crate::api::openapi::SearchResultsSchema;
use crate::server::AppState;

/// The most hits one request may ask for.
pub const MAX_LIMIT: usize = 100;

/// The query string of a search.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The query text (Chinese, English or both); may be left out only when `kind` is given.
    #[serde(default)]
    #[param(required = false, pattern = r"\S", example = "能耗 监测")]
    pub q: String,
    /// `application`, `offering` or `provider`; all kinds when absent.
    #[param(example = "application")]
    pub kind: Option<String>,
    /// Hits per page (default 10, at most 100).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    /// Hits to skip.
    pub offset: Option<usize>,
}

/// Searches the catalog.
///
/// Ranked (BM25) search of shared applications, service offerings and providers, with Chinese
/// (jieba) and English analysis, highlighted snippets and facet counts.
#[utoipa::path(
    get,
    path = "/api/catalog/search",
    operation_id = "search_catalog",
    tag = "catalog",
    params(SearchParams),
    responses(
        (status = 200, description = "One page of hits, best first, with the total and the facets.",
            body = SearchResultsSchema),
        (status = 400, description = "A parameter is unknown or malformed (`invalid_parameters`), \
            the query is empty (`empty_query`) or the kind unknown (`invalid_kind`).",
            body = ErrorBody),
        (status = 500, description = "An internal error (details in the server log).", body = ErrorBody),
    )
)]
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
        ..Default::default()
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
