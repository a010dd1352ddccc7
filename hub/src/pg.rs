//! The Postgres wire server's wiring: the server is the `parkhub-pgwire` crate; the hub gives
//! it its [`AuthState`] (the token store, the audit log, the rate limit shared with HTTP and the
//! principals' engines) through [`WireAuth`].

use std::sync::Arc;
use std::time::Duration;

use parkhub_access::TokenStore;
use parkhub_access::audit::AuditLog;
pub use parkhub_pgwire::{MAX_CONNECTIONS, PgServer, STARTUP_DEADLINE, WireAuth};
use parkhub_queries::QueryEngine;

use crate::auth::Principal;
use crate::auth::http::AuthState;

impl WireAuth for AuthState {
    fn tokens(&self) -> &Arc<TokenStore> {
        &self.tokens
    }

    fn audit(&self) -> &Arc<AuditLog> {
        &self.audit
    }

    fn check_rate(&self, key: &str) -> Result<(), Duration> {
        self.limiter.check(key)
    }

    fn engine_for(&self, engine: &QueryEngine, principal: &Principal) -> QueryEngine {
        AuthState::engine_for(self, engine, principal)
    }
}
