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

use std::path::PathBuf;

pub use role::{Principal, Role};
pub use store::TokenStore;

/// What can go wrong while managing tokens.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A file of the token store cannot be read or written.
    #[error("token store {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The token file is not what this hub writes.
    #[error("token store {path} is damaged: {source}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Why it cannot be read.
        #[source]
        source: serde_json::Error,
    },
    /// The key file is not 32 bytes in hex.
    #[error(
        "the token hashing key {path} is damaged; restore it from a backup (tokens hashed with another key no longer work)"
    )]
    CorruptKey {
        /// The file.
        path: PathBuf,
    },
    /// The operating system's random source failed.
    #[error("cannot draw random bytes for a token: {0}")]
    Random(#[from] rand::rand_core::OsError),
    /// A token name that cannot be used.
    #[error(
        "token name '{name}' is not allowed: use 1 to 64 letters, digits, '.', '_', '-' or '@' \
         ('cli' and 'anonymous' are reserved)"
    )]
    InvalidName {
        /// The name given.
        name: String,
    },
    /// A token of that name exists (revoked tokens keep their names).
    #[error("a token named '{name}' exists already; pick another name")]
    DuplicateName {
        /// The name given.
        name: String,
    },
    /// No token of that name.
    #[error("no token is named '{name}'")]
    UnknownToken {
        /// The name given.
        name: String,
    },
    /// The token was revoked before.
    #[error("the token '{name}' is revoked already")]
    AlreadyRevoked {
        /// The name given.
        name: String,
    },
    /// An enterprise token without `--uscc`.
    #[error("an enterprise token needs the enterprise's USCC (--uscc)")]
    UsccRequired,
    /// A USCC given for a role that is not bound to an enterprise.
    #[error("only enterprise tokens carry a USCC; a {role} token cannot have one")]
    UsccNotAllowed {
        /// The role asked for.
        role: Role,
    },
    /// The USCC is not a valid code.
    #[error("USCC '{uscc}' is not valid: {source}")]
    InvalidUscc {
        /// The code given.
        uscc: String,
        /// What is wrong with it.
        #[source]
        source: parkhub_connectors::uscc::UsccError,
    },
    /// The USCC is valid but no enterprise of the registry has it.
    #[error("no enterprise with USCC '{uscc}' is in the enterprises table; ingest it first")]
    UnknownEnterprise {
        /// The code given.
        uscc: String,
    },
    /// Looking the enterprise up failed.
    #[error("cannot look the enterprise up: {0}")]
    Query(#[from] parkhub_queries::Error),
    /// Writing the audit table failed.
    #[error("cannot write the audit table: {0}")]
    Lake(#[from] parkhub_connectors::Error),
    /// Running the enterprise look-up failed.
    #[error("cannot look the enterprise up: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// Building an audit batch failed.
    #[error("cannot build an audit batch: {0}")]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
}
