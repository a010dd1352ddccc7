//! The error type of the hub: the configuration, the services of a data directory, the token
//! and grant stores, the audit log and the loading of the demo park.
//!
//! The HTTP API answers these through [`crate::api::ApiError`], which gives each variant its
//! status and code; the command line prints them with their sources.

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::auth::Role;
use crate::auth::grants::MAX_PURPOSE_CHARS;

/// Everything that can go wrong in the hub.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    // The configuration.
    /// The config file cannot be read.
    #[error("cannot read config file {path}: {source}")]
    ConfigRead {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The config file is not valid TOML or has an unknown or mistyped key.
    #[error("config file {path}: {}", .source.to_string().trim_end())]
    ConfigParse {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the key's name and line.
        #[source]
        source: toml::de::Error,
    },

    // The services of a data directory.
    /// The lake.
    #[error(transparent)]
    Lake(#[from] parkhub_connectors::Error),
    /// A query.
    #[error(transparent)]
    Query(#[from] parkhub_queries::Error),
    /// The catalog index.
    #[error(transparent)]
    Catalog(#[from] parkhub_catalog::Error),
    /// Building a query on the engine's data frames.
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),

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
    /// A role name that is not one of [`Role::ALL`].
    #[error("'{0}' is not a role; use admin, committee, centre or enterprise")]
    UnknownRole(String),
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
    EnterpriseLookup(#[source] parkhub_queries::Error),

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

    // The demo park.
    /// The data directory already holds other data than the demo park asked for.
    #[error(
        "the data directory already holds data that is not this demo park (tables: {tables}); \
         use an empty --data-dir, or the same --enterprises/--months/--seed/--until as before"
    )]
    DemoNotEmpty {
        /// The tables found.
        tables: String,
    },
    /// Generating the demo park failed.
    #[error("generating the demo park: {0}")]
    DemoGenerate(#[from] parkhub_demo::Error),
    /// The task generating the demo park panicked or was cancelled.
    #[error("generating the demo park stopped: {0}")]
    DemoInterrupted(#[source] tokio::task::JoinError),
}

/// The result type of the hub.
pub type Result<T, E = Error> = std::result::Result<T, E>;
