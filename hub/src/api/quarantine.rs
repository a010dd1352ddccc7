//! `GET /api/quarantine`: rejected rows with their reasons.

use axum::Json;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;

use crate::api::ApiError;
use crate::api::error::ErrorBody;
use crate::api::openapi::QuarantinedRowSchema;
use crate::auth::caller::Caller;
use crate::services::QuarantineFilter;

/// Lists quarantined rows (`?table=&batch=&limit=&offset=`).
///
/// Rows that ingestion rejected, newest batches first, each with its raw record and every
/// reason it was rejected.
#[utoipa::path(
    get,
    path = "/api/quarantine",
    operation_id = "list_quarantine",
    tag = "quarantine",
    params(
        ("table" = Option<String>, Query, description = "Only rows meant for this table.",
            example = "enterprises"),
        ("batch" = Option<String>, Query, description = "Only rows of this batch."),
        ("limit" = Option<usize>, Query, description = "At most this many rows (default 1000)."),
        ("offset" = Option<usize>, Query, description = "Rows to skip."),
    ),
    responses(
        (status = 200, description = "The quarantined rows.", body = [QuarantinedRowSchema]),
        (status = 400, description = "A parameter is unknown or malformed (`invalid_parameters`).",
            body = ErrorBody),
        (status = 503, description = "The server is busy; retry after the `Retry-After` seconds.",
            body = ErrorBody, headers(("retry-after" = u32, description = "Seconds to wait."))),
        (status = 500, description = "An internal error (details in the server log).", body = ErrorBody),
    )
)]
pub async fn list(
    caller: Caller,
    filter: Result<Query<QuarantineFilter>, QueryRejection>,
) -> Result<Json<Vec<serde_json::Map<String, serde_json::Value>>>, ApiError> {
    let Query(filter) = filter
        .map_err(|rejection| ApiError::bad_request("invalid_parameters", rejection.body_text()))?;
    Ok(Json(
        crate::services::quarantine(&caller.engine, &filter).await?,
    ))
}
