//! `GET /api/catalog/search`: ranked catalog hits with snippets, filters, sort orders and
//! facet counts.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use parkhub_catalog::{EntryKind, SearchRequest, SearchResults, SortOrder};
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
    /// The query text (Chinese, English or both). May be left out (or empty) when `kind` or a
    /// filter is given: the matching entries are then listed (by rating unless `sort` says
    /// otherwise).
    #[serde(default)]
    #[param(required = false, example = "能耗 监测")]
    pub q: String,
    /// `application`, `offering` or `provider`; all kinds when absent.
    #[param(example = "application")]
    pub kind: Option<String>,
    /// Only entries of these key industries: codes (`iron_steel`) or their Chinese or English
    /// names; alternatives separated by `,`.
    #[param(example = "iron_steel,machinery")]
    pub industry: Option<String>,
    /// Only entries of these GB/T 4754 divisions (`C31`); alternatives separated by `,`.
    #[param(example = "C31")]
    pub division: Option<String>,
    /// Only entries of these categories (`platform`, `mes`, `energy`, …); alternatives
    /// separated by `,`.
    #[param(example = "platform")]
    pub category: Option<String>,
    /// Only entries of these scenarios: codes (`predictive_maintenance`) or their Chinese
    /// names; alternatives separated by `,`.
    #[param(example = "predictive_maintenance")]
    pub scenario: Option<String>,
    /// Only entries with these deployments (`saas`, `on_premise`, `hybrid`, `edge`);
    /// alternatives separated by `,`.
    #[param(example = "saas")]
    pub deployment: Option<String>,
    /// Only entries of these providers (provider ids; the provider itself included);
    /// alternatives separated by `,`.
    #[param(example = "SP-01")]
    pub provider: Option<String>,
    /// Only entries whose price range reaches this price, in 10k yuan (their highest price
    /// is at least this).
    #[param(value_type = Option<f64>, minimum = 0, example = 10)]
    pub price_min: Option<String>,
    /// Only entries whose price range starts at or below this price, in 10k yuan.
    #[param(value_type = Option<f64>, minimum = 0, example = 50)]
    pub price_max: Option<String>,
    /// The order of the hits: `relevance` (default; by rating when `q` is empty), `rating`
    /// (highest first), `price` (lowest first) or `newest` (most recently published first).
    #[param(example = "rating")]
    pub sort: Option<String>,
    /// Whether to count the facets over all matches (default true).
    pub facets: Option<bool>,
    /// Hits per page (default 10, at most 100).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    /// Hits to skip.
    pub offset: Option<usize>,
}

/// Returns a price parameter as a number: none when absent or empty.
fn price(name: &str, value: Option<&str>) -> Result<Option<f64>, ApiError> {
    let Some(text) = value.map(str::trim).filter(|text| !text.is_empty()) else {
        return Ok(None);
    };
    match text.parse::<f64>() {
        Ok(number) if number.is_finite() && number >= 0.0 => Ok(Some(number)),
        _ => Err(ApiError::bad_request(
            "invalid_parameters",
            format!("{name} must be a price in 10k yuan (a number, 0 or more), not '{text}'"),
        )),
    }
}

/// Returns the search request of a query string, or a 400 naming the parameter at fault.
pub fn search_request(params: SearchParams) -> Result<SearchRequest, ApiError> {
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
    let sort = params
        .sort
        .as_deref()
        .map(str::trim)
        .filter(|sort| !sort.is_empty())
        .map(str::parse::<SortOrder>)
        .transpose()?
        .unwrap_or_default();
    Ok(SearchRequest {
        query: params.q,
        kind,
        limit,
        offset: params.offset.unwrap_or(0),
        industry: params.industry,
        division: params.division,
        category: params.category,
        scenario: params.scenario,
        deployment: params.deployment,
        provider: params.provider,
        price_min: price("price_min", params.price_min.as_deref())?,
        price_max: price("price_max", params.price_max.as_deref())?,
        sort,
        facets: params.facets.unwrap_or(true),
    })
}

/// Searches the catalog.
///
/// Ranked (BM25) search of shared applications, service offerings and providers, with Chinese
/// (jieba) and English analysis, highlighted snippets and facet counts over all matches.
/// Filters narrow the matches (each takes one value or alternatives separated by `,`); with
/// an empty `q` and at least one filter (or `kind`), the matching entries are listed.
#[utoipa::path(
    get,
    path = "/api/catalog/search",
    operation_id = "search_catalog",
    tag = "catalog",
    params(SearchParams),
    responses(
        (status = 200, description = "One page of hits, best first, with the total and the facets.",
            body = SearchResultsSchema),
        (status = 400, description = "A parameter is unknown or malformed, or `price_min` is \
            above `price_max` (`invalid_parameters`); the query is empty while no filter is given \
            (`empty_query`); the kind (`invalid_kind`) or the sort order (`invalid_sort`) is unknown.",
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
    let request = search_request(params)?;
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
