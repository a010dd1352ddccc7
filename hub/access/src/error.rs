//! The error type of the access-control stores: their files, tokens, grants, the audit log
//! and the registry checks of enterprise tokens.
//!
//! The hub answers these through its own error (`parkhub::Error::Access`), which gives each
//! variant its HTTP status and code; the command line prints them with their sources.

use std::path::PathBuf;

use chrono::NaiveDate;
use parkhub_queries::policy::Role;

use crate::grants::MAX_PURPOSE_CHARS;

/// Everything that can go wrong in the access-control stores.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    // The files of the token and grant stores.
    /// A file of the token or grant store cannot be read or written.
    #[error("token store {path}: {source}")]
    StoreIo {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file of the token or grant store is not what this hub writes.
    #[error("token store {path} is damaged: {source}")]
    StoreCorrupt {
        /// The file.
        path: PathBuf,
        /// Why it cannot be read.
        #[source]
        source: serde_json::Error,
    },
    /// The token hashing key file is not 32 bytes in hex.
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

    // Tokens.
    /// A token name that cannot be used.
    #[error(
        "token name '{name}' is not allowed: use 1 to 64 letters, digits, '.', '_', '-' or '@' \
         ('cli' and 'anonymous' are reserved)"
    )]
    InvalidTokenName {
        /// The name given.
        name: String,
    },
    /// A token of that name exists (revoked tokens keep their names).
    #[error("a token named '{name}' exists already; pick another name")]
    DuplicateTokenName {
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
    TokenAlreadyRevoked {
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
    /// Looking an enterprise up in the registry failed.
    #[error("cannot look the enterprise up: {0}")]
    EnterpriseLookup(#[source] Box<parkhub_queries::Error>),

    // The audit log.
    /// Writing the audit table failed.
    #[error("cannot write the audit table: {0}")]
    AuditWrite(#[source] parkhub_connectors::Error),
    /// Building an audit batch failed.
    #[error("cannot build an audit batch: {0}")]
    AuditBatch(#[source] datafusion::arrow::error::ArrowError),

    // Grants.
    /// A grant names no table.
    #[error("a grant names at least one table in 'tables'")]
    NoGrantTables,
    /// A table that does not exist or whose rows belong to no enterprise.
    #[error(
        "'{table}' cannot be granted: only lake tables whose rows belong to an enterprise can \
         (for example energy_readings, production_monthly, equipment)"
    )]
    NotGrantable {
        /// The table named.
        table: String,
    },
    /// An empty or too long purpose.
    #[error("a grant says what it is for in 'purpose' (1 to {MAX_PURPOSE_CHARS} characters)")]
    BadGrantPurpose,
    /// A grant whose last day has passed.
    #[error("'until' ({until}) is in the past; a grant lasts until a day from today ({today}) on")]
    GrantUntilInThePast {
        /// The day given.
        until: NaiveDate,
        /// Today, park time.
        today: NaiveDate,
    },
    /// Who grants: only an enterprise grants its rows.
    #[error("only an enterprise grants access to its rows; {0}")]
    NoGrantor(String),
    /// No grant of that id.
    #[error("no grant has the id '{id}'")]
    UnknownGrant {
        /// The id given.
        id: String,
    },
    /// A grant of another enterprise.
    #[error("the grant '{id}' was given by another enterprise; only it or an admin revokes it")]
    NotYourGrant {
        /// The id given.
        id: String,
    },
    /// A grant revoked before.
    #[error("the grant '{id}' is revoked already")]
    GrantAlreadyRevoked {
        /// The id given.
        id: String,
    },
}

/// The result type of the access-control stores.
pub type Result<T, E = Error> = std::result::Result<T, E>;
