//! `GET /api/quarantine`: rejected rows with their reasons.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};

use crate::api::ApiError;
use crate::server::AppState;
use crate::services::QuarantineFilter;

/// Lists quarantined rows (`?table=&batch=&limit=&offset=`).
pub async fn list(
    State(state): State<AppState>,
    filter: Result<Query<QuarantineFilter>, QueryRejection>,
) -> Result<Json<Vec<serde_json::Map<String, serde_json::Value>>>, ApiError> {
    let Query(filter) = filter
        .map_err(|rejection| ApiError::bad_request("invalid_parameters", rejection.body_text()))?;
    Ok(Json(state.services.quarantine(&filter).await?))
}
