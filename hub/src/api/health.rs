//! `GET /health`: liveness and a glance at the lake.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::api::ApiError;
use crate::server::AppState;

/// Answers `{"status": "ok", "version": ..., "tables": n}`.
pub async fn health(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let tables = state
        .services
        .lake
        .existing_tables()
        .map_err(|error| ApiError::internal(&error))?;
    Ok(Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "tables": tables.len(),
    })))
}
