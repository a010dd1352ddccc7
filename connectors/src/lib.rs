//! Sources, decoders, table contracts, validation and the Delta lake writer of ParkHub.
//!
//! Everything that enters the lake passes through this crate: a [`contract::TableContract`]
//! says what a table holds, [`lake::Lake`] knows where each table lives and commits Arrow
//! batches to it as one Delta commit each, and [`uscc`] and [`industry`] hold the domain
//! checks the contracts rely on; [`record`] checks JSON records against a contract.
//!
//! [`ingest::Ingestor::ingest_file`] is the whole path of a delivered file: decoded, validated,
//! its valid rows committed, its rejected rows quarantined, and the same content delivered
//! again recognised.
//!
//! ```
//! use std::sync::Arc;
//!
//! use parkhub_connectors::Lake;
//! use parkhub_connectors::decode::{DecodeOptions, SourceFormat};
//! use parkhub_connectors::ingest::{IngestRequest, IngestStatus, Ingestor};
//! use parkhub_connectors::validate::ValidationOptions;
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let data_dir = tempfile::tempdir()?;
//! let lake = Arc::new(Lake::open(data_dir.path())?);
//! let ingestor = Ingestor::new(Arc::clone(&lake), ValidationOptions::load(lake.data_dir())?);
//!
//! // A registry export with Chinese headers; the second USCC has a wrong check character.
//! let file = data_dir.path().join("registry.csv");
//! std::fs::write(
//!     &file,
//!     "统一社会信用代码,企业名称,行业代码\n\
//!      91320506737948226H,苏州金瑞鞋业有限公司,C1952\n\
//!      91320506737948226X,苏州精工机械有限公司,C3411\n",
//! )?;
//! let request = IngestRequest {
//!     table: "enterprises".into(),
//!     decode: DecodeOptions::new(SourceFormat::CSV),
//!     source: "registry.csv".into(),
//!     who: "example".into(),
//!     owner: None, // an enterprise's USCC: then only its own rows are accepted
//! };
//! let report = ingestor.ingest_file(&file, request.clone(), Default::default()).await?;
//! assert_eq!(report.status, IngestStatus::Committed);
//! assert_eq!((report.rows_written, report.rows_rejected), (1, 1)); // row 3 is in _quarantine
//!
//! let again = ingestor.ingest_file(&file, request, Default::default()).await?;
//! assert_eq!(again.status, IngestStatus::Duplicate);
//! # Ok(())
//! # }
//! ```

pub mod contract;
pub mod decode;
pub mod energy;
pub mod error;
pub mod industry;
pub mod ingest;
pub mod lake;
pub mod live;
pub mod record;
pub mod sources;
pub mod spool;
pub mod uscc;
pub mod validate;

pub use contract::{ColumnContract, ColumnType, Contracts, TableContract, WriteMode};
pub use error::{Error, Result};
pub use lake::{BatchIdentity, CommitOutcome, Lake, TableContents};

/// The DataFusion, arrow and deltalake versions this crate is built against, for the crates
/// above it.
pub use datafusion;
pub use datafusion::arrow;
pub use deltalake;
