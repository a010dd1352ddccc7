//! `GET /api/sources` and `POST /api/sources/{name}/sync`: the live sources of `parkhub.toml`
//! (admin only; see [`crate::auth::routes`]). The same sources as `parkhub sources` and
//! `parkhub sync`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use parkhub_connectors::ingest::IngestReport;
use parkhub_connectors::live::SourceStatus;

use crate::api::ApiError;
use crate::api::error::ErrorBody;
use crate::server::AppState;

/// Lists every live source with what it is doing.
///
/// Each source's kind, table, state (`idle`, `syncing`, `failing`), schedule, last sync, cursor,
/// rows written and rejected, last error and lag in seconds. Sources declared wrongly in
/// `parkhub.toml` are listed as failing with what is wrong.
#[utoipa::path(
    get,
    path = "/api/sources",
    operation_id = "list_sources",
    tag = "ingest",
    responses(
        (status = 200, description = "Every declared source.", body = [SourceStatus]),
        (status = 401, description = "No valid token.", body = ErrorBody),
        (status = 403, description = "Not an admin token.", body = ErrorBody),
        (status = 500, description = "An internal error (details in the server log).", body = ErrorBody),
    )
)]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<SourceStatus>>, ApiError> {
    Ok(Json(state.services.sources.statuses().await?))
}

/// Runs one sync of a database source now and answers with its ingest report.
///
/// A sync whose server cannot be reached or fails mid-way answers 200 with a `failed` report
/// (nothing was written; the schedule tries again). An MQTT source runs continuously and has
/// no sync to run (422).
#[utoipa::path(
    post,
    path = "/api/sources/{name}/sync",
    operation_id = "sync_source",
    tag = "ingest",
    params(("name" = String, Path, description = "The source's name in parkhub.toml.",
        example = "acme-erp")),
    responses(
        (status = 200, description = "The sync's report (also in `_ingest_log`).", body = IngestReport),
        (status = 401, description = "No valid token.", body = ErrorBody),
        (status = 403, description = "Not an admin token.", body = ErrorBody),
        (status = 404, description = "No source has this name.", body = ErrorBody),
        (status = 409, description = "The source is syncing already (`source_busy`).", body = ErrorBody),
        (status = 422, description = "The source is declared wrongly, or is an MQTT source \
            (`invalid_source`).", body = ErrorBody),
        (status = 500, description = "An internal error (details in the server log).", body = ErrorBody),
    )
)]
pub async fn sync(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<IngestReport>, ApiError> {
    let report = state.services.sources.sync(&name, Arc::default()).await?;
    Ok(Json(report))
}
