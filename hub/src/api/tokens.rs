//! `GET|POST /api/tokens` and `DELETE /api/tokens/{name}`: token management over HTTP, for
//! admin tokens only (see [`crate::auth::routes`]). The same store as `parkhub token`.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::api::ApiError;
use crate::api::error::{ErrorBody, run_blocking};
use crate::auth::audit::AuditNote;
use crate::auth::store::{NewToken, TokenInfo};
use crate::auth::{Principal, Role, TokenStore, bootstrap};
use crate::server::AppState;

/// The body of `POST /api/tokens`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "energy-office", "role": "committee", "expires_on": "2027-06-30"}))]
pub struct CreateToken {
    /// A unique name: 1 to 64 letters, digits, `.`, `_`, `-` or `@`.
    pub name: String,
    /// `admin`, `committee`, `centre` or `enterprise`.
    #[schema(value_type = String, example = "committee")]
    pub role: Role,
    /// The enterprise's USCC: required for an enterprise token, refused for the others.
    pub uscc: Option<String>,
    /// The last day the token is valid (UTC); it never expires when absent.
    pub expires_on: Option<NaiveDate>,
}

/// The answer of `POST /api/tokens`: the token, shown this once, and its record.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    /// The token: send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// What `GET /api/tokens` shows of it.
    #[serde(flatten)]
    pub info: TokenInfo,
}

/// Lists every token (revoked ones too), never their secrets.
#[utoipa::path(
    get,
    path = "/api/tokens",
    operation_id = "list_tokens",
    tag = "auth",
    responses(
        (status = 200, description = "Every token's name, role, USCC, creation, expiry, last \
            use and revocation.", body = [TokenInfo]),
        (status = 401, description = "No valid token.", body = ErrorBody),
        (status = 403, description = "Not an admin token.", body = ErrorBody),
    )
)]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<TokenInfo>>, ApiError> {
    let tokens = Arc::clone(&state.auth.tokens);
    let listed = run_blocking(move || tokens.list()).await?;
    Ok(Json(listed))
}

/// Creates a token and answers it, once.
#[utoipa::path(
    post,
    path = "/api/tokens",
    operation_id = "create_token",
    tag = "auth",
    request_body = CreateToken,
    responses(
        (status = 201, description = "The token (shown only in this answer) and its record.",
            body = CreatedToken),
        (status = 400, description = "A bad name, role or USCC (`invalid_token_request`), or \
            a USCC not in the registry (`unknown_enterprise`).", body = ErrorBody),
        (status = 409, description = "A token of that name exists (`token_exists`).", body = ErrorBody),
        (status = 401, description = "No valid token.", body = ErrorBody),
        (status = 403, description = "Not an admin token.", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    request: Result<Json<CreateToken>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(request) = request.map_err(|rejection| {
        ApiError::bad_request("invalid_token_request", rejection.body_text())
    })?;
    let uscc = match &request.uscc {
        Some(code) if request.role == Role::Enterprise => {
            Some(bootstrap::check_enterprise(&state.services.engine, code).await?)
        }
        other => other.clone(),
    };
    let new = NewToken {
        name: request.name,
        role: request.role,
        uscc,
        expires_on: request.expires_on,
    };
    let tokens = Arc::clone(&state.auth.tokens);
    let (token, info) = run_blocking(move || tokens.create(new)).await?;
    tracing::info!(name = %info.name, role = %info.role, by = %caller.name, "token created");
    let note = AuditNote {
        statement: Some(format!("token create {} --role {}", info.name, info.role)),
        ..AuditNote::default()
    };
    let mut response = (StatusCode::CREATED, Json(CreatedToken { token, info })).into_response();
    response.extensions_mut().insert(note);
    Ok(response)
}

/// Revokes a token: it is refused from the next request on, on every interface.
#[utoipa::path(
    delete,
    path = "/api/tokens/{name}",
    operation_id = "revoke_token",
    tag = "auth",
    params(("name" = String, Path, description = "The token's name.")),
    responses(
        (status = 200, description = "The revoked token's record.", body = TokenInfo),
        (status = 404, description = "No token of that name.", body = ErrorBody),
        (status = 409, description = "Revoked already (`token_revoked`).", body = ErrorBody),
        (status = 401, description = "No valid token.", body = ErrorBody),
        (status = 403, description = "Not an admin token.", body = ErrorBody),
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let tokens: Arc<TokenStore> = Arc::clone(&state.auth.tokens);
    let revoked = run_blocking(move || tokens.revoke(&name)).await?;
    let note = AuditNote {
        statement: Some(format!("token revoke {}", revoked.name)),
        ..AuditNote::default()
    };
    let mut response = Json(revoked).into_response();
    response.extensions_mut().insert(note);
    Ok(response)
}
