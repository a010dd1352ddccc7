//! `POST /api/match` and `GET /api/match/need/{need_id}`: ranked service offerings for an
//! enterprise or a need, each with its provider and an explanation of its score (see
//! [`parkhub_queries::matching`] and [`parkhub_catalog::matching`]).

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use serde::Deserialize;

use crate::api::ApiError;
use crate::api::error::ErrorBody;
use parkhub_catalog::{MatchRequest, MatchResults};
use parkhub_queries::matching;

use crate::auth::caller::Caller;
use crate::server::AppState;

/// Matches service offerings to an enterprise and/or a need.
///
/// Give at least one of `uscc`, `text` and `scenario`. The catalog's offerings are searched
/// with the text and the scenario (with only `uscc`, those of the enterprise's key industry
/// are listed), then each candidate is scored from the lake's facts in six parts that add up
/// to its `score` (at most 100): text relevance and the words matched, scenario, industry fit
/// (GB/T 4754 division, key industry), budget fit, the provider's completed projects in the
/// park (in all and in the enterprise's key industry) and the enterprise's maturity level
/// against the offering's target level. `scoring` states the rule.
#[utoipa::path(
    post,
    path = "/api/match",
    operation_id = "match_offerings",
    tag = "catalog",
    request_body = MatchRequest,
    responses(
        (status = 200, description = "The best offerings, best first, each with its provider, \
            score and explanation.", body = MatchResults),
        (status = 400, description = "The body is not a JSON match request (`invalid_request`); \
            none of `uscc`, `text` and `scenario` is given, or `limit` or `budget` is out of \
            range (`invalid_parameters`); the USCC is malformed (`invalid_uscc`).",
            body = ErrorBody),
        (status = 404, description = "No enterprise of the registry has this USCC (`not_found`).",
            body = ErrorBody),
        (status = 503, description = "The server is busy; retry after the `Retry-After` seconds.",
            body = ErrorBody, headers(("retry-after" = u32, description = "Seconds to wait."))),
        (status = 500, description = "An internal error (details in the server log).", body = ErrorBody),
    )
)]
pub async fn match_offerings(
    State(state): State<AppState>,
    caller: Caller,
    request: Result<Json<MatchRequest>, JsonRejection>,
) -> Result<Json<MatchResults>, ApiError> {
    let Json(request) = request
        .map_err(|rejection| ApiError::bad_request("invalid_request", rejection.body_text()))?;
    let services = &state.services;
    Ok(Json(
        matching::match_offerings(&caller.engine, &services.catalog, &request).await?,
    ))
}

/// The query string of a need's matches.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NeedMatchParams {
    /// Matches to answer (default 10, at most 50).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
}

/// Matches service offerings to a need of the lake.
///
/// The need's enterprise, title (searched as the text), scenario and budget are matched as by
/// `POST /api/match`; the answer also carries the need.
#[utoipa::path(
    get,
    path = "/api/match/need/{need_id}",
    operation_id = "match_need",
    tag = "catalog",
    params(
        ("need_id" = String, Path, description = "The need's id in `enterprise_needs`.",
            example = "ND0001"),
        NeedMatchParams,
    ),
    responses(
        (status = 200, description = "The best offerings for the need, best first, each with \
            its provider, score and explanation.", body = MatchResults),
        (status = 400, description = "A parameter is unknown or `limit` is out of range \
            (`invalid_parameters`).", body = ErrorBody),
        (status = 404, description = "The lake has no need with this id (`not_found`).",
            body = ErrorBody),
        (status = 503, description = "The server is busy; retry after the `Retry-After` seconds.",
            body = ErrorBody, headers(("retry-after" = u32, description = "Seconds to wait."))),
        (status = 500, description = "An internal error (details in the server log).", body = ErrorBody),
    )
)]
pub async fn match_need(
    State(state): State<AppState>,
    caller: Caller,
    Path(need_id): Path<String>,
    params: Result<Query<NeedMatchParams>, QueryRejection>,
) -> Result<Json<MatchResults>, ApiError> {
    let Query(params) = params
        .map_err(|rejection| ApiError::bad_request("invalid_parameters", rejection.body_text()))?;
    let services = &state.services;
    Ok(Json(
        matching::match_need(&caller.engine, &services.catalog, &need_id, params.limit).await?,
    ))
}
