//! The lake as a DataFusion schema: every Delta table under `<data-dir>/lake/` is a table of
//! the same name, loaded at its latest version when a query names it.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::catalog::{SchemaProvider, TableProvider};
use datafusion::error::DataFusionError;
use parkhub_connectors::Lake;

/// A read-only schema over the tables of a lake.
#[derive(Debug)]
pub struct LakeSchemaProvider {
    lake: Arc<Lake>,
}

impl LakeSchemaProvider {
    /// Creates the schema over `lake`.
    pub fn new(lake: Arc<Lake>) -> LakeSchemaProvider {
        LakeSchemaProvider { lake }
    }
}

#[async_trait]
impl SchemaProvider for LakeSchemaProvider {
    fn table_names(&self) -> Vec<String> {
        self.lake.existing_tables().unwrap_or_else(|error| {
            tracing::warn!(%error, "cannot list the lake's tables");
            Vec::new()
        })
    }

    async fn table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>, DataFusionError> {
        let Some(delta_table) = self
            .lake
            .load_table(name)
            .await
            .map_err(|error| DataFusionError::External(Box::new(error)))?
        else {
            return Ok(None);
        };
        Ok(Some(delta_table.table_provider().await?))
    }

    fn table_exist(&self, name: &str) -> bool {
        self.lake.table_dir(name).join("_delta_log").is_dir()
    }
}
