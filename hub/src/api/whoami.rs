//! `GET /api/whoami`: who the token is, so that a client (the console) can show it and choose
//! what to offer.

use axum::Json;
use axum::response::{IntoResponse, Response};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::prelude::{col, lit};
use serde::Serialize;

use crate::api::ApiError;
use crate::api::error::ErrorBody;
use crate::auth::Role;
use crate::auth::audit::AuditNote;
use crate::auth::caller::Caller;

/// The caller as its token makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"name": "acme-erp", "role": "enterprise", "uscc": "91320500173731290B", "enterprise_name": "苏州精工机械有限公司"}))]
pub struct WhoAmI {
    /// The token's name.
    pub name: String,
    /// Its role: `admin`, `committee`, `centre` or `enterprise`.
    #[schema(value_type = String, example = "committee")]
    pub role: Role,
    /// The enterprise an enterprise token is bound to; null for the other roles.
    pub uscc: Option<String>,
    /// That enterprise's name in the `enterprises` table; null for the other roles, and for an
    /// enterprise the registry no longer lists.
    pub enterprise_name: Option<String>,
}

/// Returns the caller's token name, role and, for an enterprise, its USCC and name.
///
/// Every role may ask. The enterprise's name is read from the `enterprises` table through the
/// caller's own session (an enterprise reads its own row).
#[utoipa::path(
    get,
    path = "/api/whoami",
    operation_id = "whoami",
    tag = "auth",
    responses(
        (status = 200, description = "The caller.", body = WhoAmI),
        (status = 401, description = "No valid token (`unauthorized`).", body = ErrorBody),
        (status = 503, description = "Too many queries at once (`busy`); retry after the \
            `Retry-After` seconds.",
            body = ErrorBody, headers(("retry-after" = u32, description = "Seconds to wait."))),
        (status = 500, description = "An internal error (details in the server log).", body = ErrorBody),
    )
)]
pub async fn whoami(caller: Caller) -> Result<Response, ApiError> {
    let mut note = AuditNote::default();
    let enterprise_name = match caller.enterprise_uscc() {
        Some(uscc) => enterprise_name(&caller, uscc, &mut note).await?,
        None => None,
    };
    let principal = caller.principal;
    let mut response = Json(WhoAmI {
        name: principal.name,
        role: principal.role,
        uscc: principal.uscc,
        enterprise_name,
    })
    .into_response();
    response.extensions_mut().insert(note);
    Ok(response)
}

/// Returns the registry's name of the enterprise `uscc`, read as the caller; `None` when the
/// registry is empty or does not list it.
async fn enterprise_name(
    caller: &Caller,
    uscc: &str,
    note: &mut AuditNote,
) -> Result<Option<String>, ApiError> {
    let engine = &caller.engine;
    if !engine
        .lake()
        .existing_tables()
        .map_err(|error| ApiError::internal(&error))?
        .iter()
        .any(|table| table == "enterprises")
    {
        return Ok(None);
    }
    let frame = engine
        .plan("SELECT uscc, name FROM enterprises")
        .await?
        .filter(col("uscc").eq(lit(uscc)))
        .and_then(|frame| frame.limit(0, Some(1)))
        .map_err(|error| ApiError::internal(&error))?;
    note.read(&engine.reads(frame.logical_plan()));
    let batches = engine.execute(frame)?.collect().await?;
    for batch in &batches {
        let Some(names) = batch.column_by_name("name") else {
            continue;
        };
        let names =
            datafusion::arrow::compute::cast(names, &datafusion::arrow::datatypes::DataType::Utf8)
                .map_err(|error| ApiError::internal(&error))?;
        let names = names.as_string::<i32>();
        if let Some(row) = (0..names.len()).find(|row| !names.is_null(*row)) {
            return Ok(Some(names.value(row).to_string()));
        }
    }
    Ok(None)
}
