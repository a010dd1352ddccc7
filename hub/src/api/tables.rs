//! `GET /api/tables`: the lake's tables with description, columns and row count.

use axum::Json;
use axum::extract::State;
use parkhub_queries::TableInfo;

use crate::api::ApiError;
use crate::server::AppState;

/// Lists the lake tables.
pub async fn list_tables(State(state): State<AppState>) -> Result<Json<Vec<TableInfo>>, ApiError> {
    Ok(Json(state.services.engine.tables().await?))
}
