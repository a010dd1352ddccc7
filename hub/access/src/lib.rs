//! ParkHub's access-control stores: who may ask (tokens), what enterprises shared (grants) and
//! what was done (the audit trail). The edges (hub's HTTP middleware, the Postgres wire server,
//! the command line) check callers with these; the row-level policy they feed is the query
//! layer's ([`parkhub_queries::policy`]).
//!
//! - [`store::TokenStore`] keeps the data directory's tokens, hashed ([`secret`]), in
//!   `<data-dir>/auth/`; `parkhub token create|list|revoke` and a running `serve` share it, and
//!   `serve` sees a change at the next request.
//! - [`grants::GrantStore`] keeps the enterprises' grants (usage contracts) beside it.
//! - [`audit::AuditLog`] appends what principals did to the `_audit` lake table in batches.
//! - [`bootstrap`] makes the tokens a hub makes for itself and checks an enterprise token's
//!   USCC against the registry.
//!
//! Dependencies run one way: this crate reads the lake through the query engine and writes
//! `_audit` through the connectors' lake writer; nothing here knows HTTP or the wire protocol.

pub mod audit;
pub mod bootstrap;
pub mod error;
pub mod grants;
mod private_file;
pub mod secret;
pub mod store;

pub use error::{Error, Result};
pub use grants::GrantStore;
pub use store::TokenStore;

use parkhub_queries::QueryEngine;
use parkhub_queries::policy::{Policy, Principal, Role, park_today};

/// The principal name audit rows carry for an anonymous caller (reserved: no token has it).
pub const ANONYMOUS_NAME: &str = "anonymous";

/// The name the command line acts under: it opens the data directory directly, as admin
/// (reserved: no token has it).
pub const CLI_PRINCIPAL_NAME: &str = "cli";

/// Returns the principal of the command line, which acts as admin.
pub fn cli_principal() -> Principal {
    Principal::admin(CLI_PRINCIPAL_NAME)
}

/// Returns `engine` as `principal` may use it: its role's tables and rows, plus the grants of
/// `grants` in force for it today (park time). An admin's engine reads the whole lake.
pub fn engine_for(grants: &GrantStore, engine: &QueryEngine, principal: &Principal) -> QueryEngine {
    if principal.role == Role::Admin {
        return engine.whole_park();
    }
    let grants = grants.current();
    engine.for_principal(Policy::new(principal.clone(), &grants, park_today()))
}
