//! The HTTP edge of access control: `Authorization: Bearer …` on every route but `/health`,
//! the route's roles, the per-token rate limit, and one audit row per request.
//!
//! Handlers read the caller from the request's extensions: `Extension<Principal>` (absent only
//! for an anonymous catalog search, so take `Option<Extension<Principal>>` there). A handler
//! that knows more than the route (the SQL, the tables read) puts an
//! [`AuditNote`](parkhub_access::audit::AuditNote) in its response's extensions.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::ApiError;
use crate::api::error::ErrorCode;
use crate::auth::Principal;
use crate::auth::rate_limit::RateLimiter;
use crate::auth::routes::{self, Access, Action};
use crate::server::{AppState, REQUEST_ID_HEADER};
use parkhub_access::audit::{AuditLog, AuditNote, AuditRecord, Interface};
use parkhub_access::store::Rejection;
use parkhub_access::{ANONYMOUS_NAME, GrantStore, TokenStore};
use parkhub_queries::QueryEngine;

/// What the servers (HTTP and the Postgres wire) need to know who is asking, what they may
/// see and to record what they did.
#[derive(Debug)]
pub struct AuthState {
    /// The data directory's tokens.
    pub tokens: Arc<TokenStore>,
    /// The enterprises' grants.
    pub grants: Arc<GrantStore>,
    /// Requests per token.
    pub limiter: RateLimiter,
    /// Where requests are recorded.
    pub audit: Arc<AuditLog>,
    /// Whether `GET /api/catalog/search` answers without a token.
    pub allow_anonymous_search: bool,
}

impl AuthState {
    /// Returns `engine` as `principal` may use it: its role's tables and rows, plus the grants
    /// in force for it today (park time). An admin's engine reads the whole lake.
    pub fn engine_for(&self, engine: &QueryEngine, principal: &Principal) -> QueryEngine {
        parkhub_access::engine_for(&self.grants, engine, principal)
    }
}

/// Authenticates a request, checks its route's roles and rate limit, runs it with the
/// [`Principal`] in its extensions, and records it in the audit log.
pub async fn authorize(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let auth = Arc::clone(&state.auth);
    let matched_path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_string());
    let (access, action) = routes::rule(request.method(), matched_path.as_deref());
    if access == Access::Public {
        return next.run(request).await;
    }
    let statement = match request.uri().query() {
        Some(query) => format!("{} {}?{query}", request.method(), request.uri().path()),
        None => format!("{} {}", request.method(), request.uri().path()),
    };
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);

    let principal = match bearer_token(&request) {
        Ok(None) if access == Access::SearchRoles && auth.allow_anonymous_search => None,
        Ok(None) => return unauthorized(&Rejection::Missing),
        Ok(Some(token)) => match authenticate(&auth.tokens, token).await {
            Ok(principal) => Some(principal),
            Err(rejection) => return unauthorized(&rejection),
        },
        Err(rejection) => return unauthorized(&rejection),
    };
    let limiter_key = principal
        .as_ref()
        .map_or(ANONYMOUS_NAME, |principal| principal.name.as_str());
    if let Err(wait) = auth.limiter.check(limiter_key) {
        return rate_limited(wait);
    }

    let mut record = AuditRecord::new(principal.as_ref(), Interface::Http, action.as_str());
    record.statement = Some(statement);
    record.request_id = request_id;
    let allowed = match (access, &principal) {
        (Access::Roles(roles), Some(principal)) => roles.contains(&principal.role),
        (Access::SearchRoles, _) => true,
        // `Roles` without a principal cannot happen: only search lets anonymous callers in.
        (Access::Roles(_) | Access::Public, None) => false,
        (Access::Public, Some(_)) => true,
    };
    let response = if !allowed {
        let role = principal
            .as_ref()
            .map_or("anonymous", |principal| principal.role.as_str());
        ApiError::forbidden(format!(
            "the {role} role may not call {}; ask the park's administrator for a token of a \
             role that may",
            record.statement.as_deref().unwrap_or_default()
        ))
        .into_response()
    } else if action != Action::Ingest
        && declared_length(&request).is_some_and(|length| length > state.edge.max_request_bytes)
    {
        // Refused before a byte is read; a body without a declared length is cut at the same
        // size by the extractors (`DefaultBodyLimit`). Ingest streams its own, larger limit.
        ApiError {
            status: axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            code: "payload_too_large",
            message: format!(
                "the request body is larger than {} bytes ([limits] max_request_bytes)",
                state.edge.max_request_bytes
            ),
        }
        .into_response()
    } else {
        if let Some(principal) = principal.clone() {
            request.extensions_mut().insert(principal);
        }
        next.run(request).await
    };

    let status = response.status();
    record.outcome = if status.is_success() || status.is_redirection() {
        "ok".to_string()
    } else {
        response.extensions().get::<ErrorCode>().map_or_else(
            || format!("http_{}", status.as_u16()),
            |code| code.0.to_string(),
        )
    };
    if let Some(note) = response.extensions().get::<AuditNote>() {
        if let Some(statement) = &note.statement {
            record.statement = Some(statement.clone());
        }
        record.tables = note.tables.clone();
        record.rows = note.rows;
        record.policies = note.policies.clone();
    }
    record.duration_ms = Some(i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX));
    auth.audit.record(record).await;
    response
}

/// Returns the body length a request declares in `Content-Length`.
fn declared_length(request: &Request) -> Option<usize> {
    request
        .headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Returns the token of an `Authorization: Bearer` header, `None` when there is no header.
fn bearer_token(request: &Request) -> Result<Option<&str>, Rejection> {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| Rejection::Malformed)?;
    let (scheme, token) = text.trim().split_once(' ').ok_or(Rejection::Malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Rejection::Malformed);
    }
    Ok(Some(token.trim()))
}

/// Checks a token; writes its last use off the request threads when it is due.
async fn authenticate(tokens: &Arc<TokenStore>, token: &str) -> Result<Principal, Rejection> {
    let authenticated = tokens.authenticate(token)?;
    if authenticated.touch_due {
        tokens.touch_off_thread(&authenticated.principal.name).await;
    }
    Ok(authenticated.principal)
}

fn unauthorized(rejection: &Rejection) -> Response {
    tracing::info!(reason = %rejection, "request refused: no valid token");
    ApiError::unauthorized(rejection.to_string()).into_response()
}

fn rate_limited(wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut response = ApiError::too_many_requests(format!(
        "too many requests for this token; retry in {} s",
        seconds.max(1)
    ))
    .into_response();
    if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}
