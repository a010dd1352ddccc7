//! The HTTP API, one module per resource.

pub mod catalog;
pub mod catalog_entries;
pub mod error;
pub mod grants;
pub mod health;
pub mod indicators;
pub mod ingest;
pub mod matching;
pub mod openapi;
pub mod quarantine;
pub mod sources;
pub mod sql;
pub mod tables;
pub mod tokens;
pub mod whoami;
pub mod xlsx;

pub use error::ApiError;
