//! The caller of a request as handlers take it: who is asking, and the query engine as they
//! may use it (their tables and rows, with the grants in force today).
//!
//! A handler that reads the lake takes a [`Caller`] and plans through [`Caller::engine`], never
//! through the services' whole-lake engine, so the row filters apply whatever the handler does.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use parkhub_queries::QueryEngine;

use crate::api::ApiError;
use crate::auth::Principal;
use crate::server::AppState;

/// Who asked, and the engine that answers for them.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's principal.
    pub principal: Principal,
    /// The engine as the principal may use it.
    pub engine: QueryEngine,
}

impl Caller {
    /// The USCC of an enterprise caller.
    pub fn enterprise_uscc(&self) -> Option<&str> {
        self.principal.uscc.as_deref()
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        // The access middleware puts the principal in; only anonymous search lacks one, and
        // search does not take a `Caller`.
        let principal = parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(|| ApiError::unauthorized("this route needs a token"))?;
        let engine = state.auth.engine_for(&state.services.engine, &principal);
        Ok(Caller { principal, engine })
    }
}
