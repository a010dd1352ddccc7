//! The error type of the hub: the configuration, the services of a data directory, access
//! control (the `parkhub-access` stores' errors) and the loading of the demo park.
//!
//! The HTTP API answers these through [`crate::api::ApiError`], which gives each variant its
//! status and code; the command line prints them with their sources.

use std::path::PathBuf;

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

    // Access control.
    /// The token or grant store, the audit log or an enterprise token's registry check.
    #[error(transparent)]
    Access(#[from] parkhub_access::Error),
    /// A role name that is not one of [`Role::ALL`](crate::auth::Role::ALL).
    #[error("'{0}' is not a role; use admin, committee, centre or enterprise")]
    UnknownRole(String),

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
