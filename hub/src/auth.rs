//! Who is asking, and what they did, at the edge: the HTTP token check, the route rules,
//! rate limits and the principal of the command line.
//!
//! The stores live in the `parkhub-access` crate, re-exported here: [`store::TokenStore`]
//! (the data directory's tokens, hashed, in `<data-dir>/auth/`), [`grants::GrantStore`] (the
//! enterprises' grants), [`audit::AuditLog`] (the `_audit` lake table) and [`bootstrap`] (the
//! tokens a hub makes for itself).
//!
//! - [`http`] is the axum middleware that turns `Authorization: Bearer …` into a
//!   [`Principal`] in the request's extensions, checks the route's [`routes::Access`], applies
//!   the per-token [`rate_limit::RateLimiter`] and records the request in the audit log.

pub mod caller;
pub mod http;
pub mod rate_limit;
pub mod role;
pub mod routes;

pub use parkhub_access::{TokenStore, audit, bootstrap, grants, store};
pub use role::{Principal, Role};
