//! `GET /api/indicators` and `GET /api/indicators/{name}?param=value`: the cluster indicators.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse as _, Response};
use parkhub_queries::indicators::{Indicator, run_indicator};
use parkhub_queries::policy::{Grain, MIN_GROUP_ENTERPRISES};

use crate::api::ApiError;
use crate::api::error::ErrorBody;
use crate::api::sql::{AnswerFormat, QueryRecorder, SqlAnswer, answer};
use crate::auth::audit::AuditNote;
use crate::auth::caller::Caller;
use crate::server::AppState;

/// Lists the indicators with their metadata (titles, unit, formula, parameters, grain).
#[utoipa::path(
    get,
    path = "/api/indicators",
    operation_id = "list_indicators",
    tag = "indicators",
    responses(
        (status = 200, description = "Every indicator of the library, with its SQL.",
            body = [Indicator]),
    )
)]
pub async fn list(State(state): State<AppState>) -> Json<Vec<Indicator>> {
    Json(state.services.engine.indicators().list().to_vec())
}

/// Runs one indicator; the query string gives its parameters. Answers like `POST /api/sql`
/// (JSON by default, CSV, Arrow or an XLSX workbook by `Accept`).
///
/// The indicator's parameters (see `GET /api/indicators`) are given as query parameters by
/// name, e.g. `?from=2024-01&to=2024-06`; those with defaults may be left out.
#[utoipa::path(
    get,
    path = "/api/indicators/{name}",
    operation_id = "run_indicator",
    tag = "indicators",
    params(
        ("name" = String, Path, description = "The indicator's name, as `GET /api/indicators` \
            lists it.", example = "output_by_industry"),
        ("parameters" = Option<HashMap<String, String>>, Query, style = Form, explode,
            description = "The indicator's parameters, one query parameter each (`name=value`)."),
    ),
    responses(
        (status = 200, description = "The indicator's rows.",
            content(
                (SqlAnswer = "application/json"),
                (String = "text/csv"),
                ("application/vnd.apache.arrow.stream"),
                ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ),
            headers(("content-disposition" = String,
                description = "`attachment; filename=\"answer.xlsx\"` on an XLSX answer."))),
        (status = 400, description = "A parameter is unknown (`unknown_parameter`), malformed \
            (`bad_parameter`) or missing (`missing_parameter`).", body = ErrorBody),
        (status = 404, description = "No such indicator (`not_found`).", body = ErrorBody),
        (status = 406, description = "`Accept` names no format this route answers.", body = ErrorBody),
        (status = 408, description = "The query ran past the time limit (`query_timeout`).", body = ErrorBody),
        (status = 413, description = "An XLSX answer of more rows than a sheet holds \
            (`too_many_rows`); CSV and Arrow have no cap.", body = ErrorBody),
        (status = 503, description = "Too many queries at once (`busy`) or the memory limit was \
            reached (`resources_exhausted`); retry after the `Retry-After` seconds.",
            body = ErrorBody, headers(("retry-after" = u32, description = "Seconds to wait."))),
        (status = 500, description = "An internal error (details in the server log).", body = ErrorBody),
    )
)]
pub async fn run(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut note = AuditNote {
        statement: Some(format!("indicator {name}")),
        ..Default::default()
    };
    let mut response = plan_and_answer(&state, &caller, &name, params, &headers, &mut note)
        .await
        .into_response();
    response.extensions_mut().insert(note);
    response
}

async fn plan_and_answer(
    state: &AppState,
    caller: &Caller,
    name: &str,
    params: HashMap<String, String>,
    headers: &HeaderMap,
    note: &mut AuditNote,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    let answer_format = AnswerFormat::negotiate(headers)?;
    let recorder = QueryRecorder::new(state, "indicator", started);
    let engine = &caller.engine;
    let indicator = engine.indicators().get(name)?;
    let params: BTreeMap<String, String> = params.into_iter().collect();
    let frame = match run_indicator(engine, indicator, &params).await {
        Ok(frame) => frame,
        Err(error) => return Err(recorder.failed(ApiError::from(error))),
    };
    let mut reads = engine.reads(frame.logical_plan());
    let grain = Grain::parse(&indicator.grain);
    if engine.policy().is_some() && grain.runs_over_whole_park() {
        // Computed over the whole park, then suppressed: no single enterprise's rows leave.
        reads.policies = vec![format!(
            "whole park aggregated by {}; groups of fewer than {MIN_GROUP_ENTERPRISES} enterprises suppressed for the {} role",
            indicator.grain, caller.principal.role
        )];
    }
    note.read(&reads);
    answer(engine, recorder, frame, answer_format).await
}
