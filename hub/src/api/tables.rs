//! `GET /api/tables`: the lake's tables with description, columns and row count.

use axum::Json;
use parkhub_queries::TableInfo;

use crate::api::ApiError;
use crate::api::error::ErrorBody;
use crate::auth::caller::Caller;

/// Lists the lake tables.
///
/// Every table of the lake with its description (from its contract), its columns (lineage
/// columns `_batch_id` and `_ingested_at` included) and its row count at the latest version.
#[utoipa::path(
    get,
    path = "/api/tables",
    operation_id = "list_tables",
    tag = "tables",
    responses(
        (status = 200, description = "The lake's tables.", body = [TableInfo]),
        (status = 503, description = "The server is busy; retry after the `Retry-After` seconds.",
            body = ErrorBody, headers(("retry-after" = u32, description = "Seconds to wait."))),
        (status = 500, description = "The lake cannot be read.", body = ErrorBody),
    )
)]
pub async fn list_tables(caller: Caller) -> Result<Json<Vec<TableInfo>>, ApiError> {
    Ok(Json(caller.engine.tables().await?))
}
