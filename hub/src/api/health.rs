//! `GET /health`: liveness and a glance at the lake.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::api::ApiError;
use crate::api::error::ErrorBody;
use crate::server::AppState;

/// The answer of `GET /health`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"status": "ok", "version": "0.1.0", "tables": 12}))]
pub struct HealthStatus {
    /// Always `ok` when the server answers.
    pub status: &'static str,
    /// The server's version.
    pub version: &'static str,
    /// The number of tables in the lake.
    pub tables: usize,
}

/// Answers `{"status": "ok", "version": ..., "tables": n}`.
///
/// A liveness check that also lists the lake's tables, so it fails when the lake cannot be
/// read.
#[utoipa::path(
    get,
    path = "/health",
    operation_id = "health",
    tag = "health",
    responses(
        (status = 200, description = "The server is up and can read its lake.", body = HealthStatus),
        (status = 500, description = "The lake cannot be read.", body = ErrorBody),
    )
)]
pub async fn health(State(state): State<AppState>) -> Result<Json<HealthStatus>, ApiError> {
    let tables = state.services.lake.existing_tables()?;
    Ok(Json(HealthStatus {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        tables: tables.len(),
    }))
}
