//! The DataFusion session over the ParkHub lake: read-only SQL, the indicator library, and
//! the formats answers are written in.
//!
//! Every SQL entry (CLI, HTTP, the Postgres wire, the indicators and their `ind_*` views)
//! goes through [`QueryEngine::plan`] (or [`QueryEngine::plan_statement`] for a statement
//! parsed elsewhere), which refuses anything that is not a read, resolves the lake tables and
//! plans the query, and through [`QueryEngine::execute`], which runs it under the memory pool,
//! the time limit and the concurrency limit. [`indicators`] are named queries over the lake;
//! [`matching`] reads the facts a match of an enterprise's need to the catalog's offerings
//! rests on through that same engine; [`policy`] gives a principal's view of the lake.
//!
//! ```
//! use std::sync::Arc;
//!
//! use parkhub_connectors::lake::MemoryBatches;
//! use parkhub_connectors::record::validate_records;
//! use parkhub_connectors::validate::ValidationOptions;
//! use parkhub_connectors::{BatchIdentity, Contracts, Lake};
//! use parkhub_queries::{Error, QueryEngine, QueryLimits};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let data_dir = tempfile::tempdir()?;
//! let lake = Arc::new(Lake::open(data_dir.path())?);
//! let contracts = Arc::new(Contracts::builtin()?);
//! // One enterprise in the lake, committed as ingestion commits.
//! let enterprises = Arc::clone(contracts.get("enterprises")?);
//! let record = serde_json::json!({"uscc": "91320506737948226H", "name": "苏州金瑞鞋业有限公司",
//!     "industry_code": "C1952", "key_industry": "light_industry"});
//! let records = [record.as_object().cloned().unwrap_or_default()];
//! let batch = validate_records(&enterprises, &ValidationOptions::default(), &records)?;
//! let rows = MemoryBatches::new(enterprises.data_schema(), vec![batch]);
//! lake.commit(&enterprises, Arc::new(rows), &BatchIdentity::new("example", "0f1e")).await?;
//!
//! let engine = QueryEngine::new(Arc::clone(&lake), contracts, QueryLimits::default())?;
//! let frame = engine
//!     .plan("SELECT key_industry, count(*) AS enterprises FROM enterprises GROUP BY 1")
//!     .await?;
//! let batches = engine.execute(frame)?.collect().await?;
//! assert_eq!(batches.iter().map(|batch| batch.num_rows()).sum::<usize>(), 1);
//!
//! // Anything but a read is refused before it is planned.
//! let refused = engine.plan("DELETE FROM enterprises").await;
//! assert!(matches!(refused, Err(Error::ReadOnly { .. })));
//! # Ok(())
//! # }
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
pub mod quarantine;

pub use engine::{ColumnInfo, QueryEngine, QueryStream, TableInfo};
pub use error::{Error, Result};
pub use limits::QueryLimits;
