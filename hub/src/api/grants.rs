//! `GET|POST /api/grants` and `DELETE /api/grants/{id}`: an enterprise's usage contracts —
//! read access to some of its tables, for a token or a role, for a purpose, until a date. The
//! same store as `parkhub grant`; a grant counts from the next request on, on every interface.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use parkhub_queries::policy::park_today;

use crate::api::ApiError;
use crate::api::error::{ErrorBody, run_blocking};
use crate::auth::Principal;
use crate::auth::audit::AuditNote;
use crate::auth::grants::{GrantRecord, NewGrant};
use crate::server::AppState;

/// Lists the grants the caller gave or was given (an admin: every grant), revoked and expired
/// ones too.
#[utoipa::path(
    get,
    path = "/api/grants",
    operation_id = "list_grants",
    tag = "auth",
    responses(
        (status = 200, description = "The grants given by or to the caller.", body = [GrantRecord]),
        (status = 401, description = "No valid token.", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
) -> Result<Json<Vec<GrantRecord>>, ApiError> {
    let grants = Arc::clone(&state.auth.grants);
    let listed = run_blocking(move || grants.list()).await?;
    Ok(Json(
        listed
            .into_iter()
            .filter(|grant| grant.is_visible_to(&caller))
            .collect(),
    ))
}

/// Grants read access to some of the calling enterprise's tables.
///
/// `to` is a token's name or a role (`committee`, `centre`, …); `tables` are lake tables whose
/// rows belong to enterprises; `until` is the last day (park time) the grant is in force. An
/// admin names the granting enterprise in `from`.
#[utoipa::path(
    post,
    path = "/api/grants",
    operation_id = "create_grant",
    tag = "auth",
    request_body(content = NewGrant, example = json!({"to": "centre", "tables": ["energy_readings"],
        "purpose": "能效诊断 energy audit", "until": "2027-06-30"})),
    responses(
        (status = 201, description = "The grant, with its id.", body = GrantRecord),
        (status = 400, description = "A table that cannot be granted, an empty purpose, a day \
            in the past (`invalid_grant`).", body = ErrorBody),
        (status = 401, description = "No valid token.", body = ErrorBody),
        (status = 403, description = "Not an enterprise or admin token.", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    request: Result<Json<NewGrant>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(request) = request
        .map_err(|rejection| ApiError::bad_request("invalid_grant", rejection.body_text()))?;
    let grants = Arc::clone(&state.auth.grants);
    let contracts = state.services.ingestor.contracts()?;
    let by = caller.clone();
    let given = run_blocking(move || grants.give(&by, request, &contracts, park_today())).await?;
    tracing::info!(id = %given.id, from = %given.from, to = %given.to, "grant given");
    let note = AuditNote {
        statement: Some(format!(
            "grant {} of {} to {} until {}: {}",
            given.id,
            given.tables.join(","),
            given.to,
            given.until,
            given.purpose
        )),
        tables: Some(given.tables.join(",")),
        ..AuditNote::default()
    };
    let mut response = (StatusCode::CREATED, Json(given)).into_response();
    response.extensions_mut().insert(note);
    Ok(response)
}

/// Revokes a grant: its rows are no longer read from the next request on.
#[utoipa::path(
    delete,
    path = "/api/grants/{id}",
    operation_id = "revoke_grant",
    tag = "auth",
    params(("id" = String, Path, description = "The grant's id (`g-…`).")),
    responses(
        (status = 200, description = "The revoked grant.", body = GrantRecord),
        (status = 403, description = "Another enterprise's grant (`not_your_grant`).", body = ErrorBody),
        (status = 404, description = "No grant of that id.", body = ErrorBody),
        (status = 409, description = "Revoked already (`grant_revoked`).", body = ErrorBody),
        (status = 401, description = "No valid token.", body = ErrorBody),
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let grants = Arc::clone(&state.auth.grants);
    let revoked = run_blocking(move || grants.revoke(&caller, &id)).await?;
    let note = AuditNote {
        statement: Some(format!("grant revoke {}", revoked.id)),
        tables: Some(revoked.tables.join(",")),
        ..AuditNote::default()
    };
    let mut response = Json(revoked).into_response();
    response.extensions_mut().insert(note);
    Ok(response)
}
