//! Who is asking, and what they did: tokens, their checks on HTTP, rate limits and the audit
//! trail.
//!
//! - [`store::TokenStore`] keeps the data directory's tokens, hashed, in `<data-dir>/auth/`;
//!   `parkhub token create|list|revoke` and a running `serve` share it, and `serve` sees a
//!   change at the next request.
//! - [`http`] is the axum middleware that turns `Authorization: Bearer …` into a
//!   [`Principal`] in the request's extensions, checks the route's [`routes::Access`], applies
//!   the per-token [`rate_limit::RateLimiter`] and records the request in the audit log.
//! - [`audit::AuditLog`] appends what principals did to the `_audit` lake table in batches.

pub mod audit;
pub mod bootstrap;
pub mod caller;
pub mod grants;
pub mod http;
pub mod private_file;
pub mod rate_limit;
pub mod role;
pub mod routes;
pub mod secret;
pub mod store;

pub use role::{Principal, Role};
pub use store::TokenStore;
