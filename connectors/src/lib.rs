//! Sources, decoders, table contracts, validation and the Delta lake writer of ParkHub.
//!
//! Everything that enters the lake passes through this crate: a [`contract::TableContract`]
//! says what a table holds, [`lake::Lake`] knows where each table lives and commits Arrow
//! batches to it as one Delta commit each, and [`uscc`] and [`industry`] hold the domain
//! checks the contracts rely on; [`record`] checks JSON records against a contract.
//!
//! ```ignore
//! let lake = Lake::open(Path::new("parkhub-data"))?;
//! let contract = Contracts::builtin().get("enterprises")?;
//! let outcome = lake.commit(contract, batch_stream, &BatchIdentity::new("demo", sha)).await?;
//! ```

pub mod contract;
pub mod decode;
pub mod energy;
pub mod error;
pub mod industry;
pub mod ingest;
pub mod lake;
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
