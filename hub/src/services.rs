//! The services of one data directory: the lake, the query engine and the catalog index.

use std::path::Path;
use std::sync::Arc;

use parkhub_catalog::{Catalog, LiveCatalog};
use parkhub_connectors::ingest::Ingestor;
use parkhub_connectors::live::{LiveSources, SourceConfig};
use parkhub_connectors::validate::ValidationOptions;
use parkhub_connectors::{Contracts, Lake};
use parkhub_queries::{QueryEngine, QueryLimits};

use crate::Result;
pub use parkhub_queries::quarantine::{QuarantineFilter, quarantine};

/// Folder of the catalog index inside the data directory.
pub const CATALOG_FOLDER: &str = "catalog";

/// The lake, engine and catalog of one data directory, shared by every interface.
#[derive(Debug)]
pub struct Services {
    /// The table contracts.
    pub contracts: Arc<Contracts>,
    /// The lake.
    pub lake: Arc<Lake>,
    /// The read-only SQL engine over the lake.
    pub engine: QueryEngine,
    /// The catalog search index.
    pub catalog: Arc<Catalog>,
    /// Ingestion into the lake.
    pub ingestor: Ingestor,
    /// The catalog index bound to its lake tables: catch-up, re-index and live edits.
    pub live_catalog: LiveCatalog,
    /// The live sources of `parkhub.toml` (none until [`Services::with_sources`]).
    pub sources: Arc<LiveSources>,
}

impl Services {
    /// Opens the services of a data directory, creating what is missing. Fails with a clear
    /// error when the directory cannot be written.
    pub fn open(data_dir: &Path, limits: QueryLimits) -> Result<Services> {
        let lake = Arc::new(Lake::open(data_dir)?);
        let contracts = Arc::new(Contracts::load(lake.data_dir())?);
        parkhub_connectors::spool::clean_stale_spool_files(lake.data_dir());
        let ingestor = Ingestor::new(Arc::clone(&lake), ValidationOptions::load(lake.data_dir())?);
        let catalog = Arc::new(Catalog::open(&lake.data_dir().join(CATALOG_FOLDER))?);
        let engine = QueryEngine::new(Arc::clone(&lake), Arc::clone(&contracts), limits)?
            .with_catalog(Arc::clone(&catalog));
        let live_catalog = LiveCatalog::new(Arc::clone(&lake), Arc::clone(&catalog));
        let sources = Arc::new(LiveSources::new(ingestor.clone(), &[]));
        Ok(Services {
            contracts,
            lake,
            engine,
            live_catalog,
            catalog,
            ingestor,
            sources,
        })
    }

    /// Declares the live sources (a bad one is kept aside with its error, see
    /// [`LiveSources::errors`]).
    pub fn with_sources(mut self, configs: &[SourceConfig]) -> Services {
        self.sources = Arc::new(LiveSources::new(self.ingestor.clone(), configs));
        self
    }
}
