//! `GET /api/indicators` and `GET /api/indicators/{name}?param=value`: the cluster indicators.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use parkhub_queries::indicators::{Indicator, run_indicator};

use crate::api::ApiError;
use crate::api::sql::{AnswerFormat, QueryRecorder, answer};
use crate::server::AppState;

/// Lists the indicators with their metadata (titles, unit, formula, parameters, grain).
pub async fn list(State(state): State<AppState>) -> Json<Vec<Indicator>> {
    Json(state.services.engine.indicators().list().to_vec())
}

/// Runs one indicator; the query string gives its parameters. Answers like `POST /api/sql`
/// (JSON by default, CSV or Arrow by `Accept`).
pub async fn run(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    let answer_format = AnswerFormat::negotiate(&headers)?;
    let recorder = QueryRecorder::new(&state, "indicator", started);
    let engine = &state.services.engine;
    let indicator = engine
        .indicators()
        .get(&name)
        .map_err(|error| ApiError::not_found(error.to_string()))?;
    let params: BTreeMap<String, String> = params.into_iter().collect();
    let frame = match run_indicator(engine, indicator, &params).await {
        Ok(frame) => frame,
        Err(error) => return Err(recorder.failed(ApiError::from(error))),
    };
    answer(engine, recorder, frame, answer_format).await
}
