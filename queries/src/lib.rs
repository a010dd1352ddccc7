//! The DataFusion session over the ParkHub lake: read-only SQL and the formats its answers
//! are written in.
//!
//! Every SQL entry (CLI, HTTP, and later the Postgres wire and the indicators) goes through
//! [`QueryEngine::plan`], which parses, refuses anything that is not a read, resolves the lake
//! tables and plans the query. [`matching`] reads the facts a match of an enterprise's need
//! to the catalog's offerings rests on through that same engine.
//!
//! ```ignore
//! let engine = QueryEngine::new(lake, contracts);
//! let frame = engine.plan("SELECT key_industry, count(*) FROM enterprises GROUP BY 1").await?;
//! let batches = frame.collect().await?;
//! ```

pub mod catalog_search;
pub mod engine;
pub mod error;
pub mod format;
pub mod guard;
pub mod indicators;
pub mod lake_schema;
pub mod lake_store;
pub mod limits;
pub mod matching;
pub mod policy;

pub use engine::{ColumnInfo, QueryEngine, QueryStream, TableInfo};
pub use error::{Error, Result};
pub use limits::QueryLimits;
