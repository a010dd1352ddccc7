//! The lake as a DataFusion schema: every Delta table under `<data-dir>/lake/` is a table of
//! the same name, loaded at its latest version when a query names it.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::catalog::{SchemaProvider, TableProvider};
use datafusion::error::DataFusionError;
use parkhub_connectors::Lake;

/// A read-only schema over the tables of a lake, plus the indicator views a query uses.
#[derive(Debug)]
pub struct LakeSchemaProvider {
    lake: Arc<Lake>,
    /// Indicator views (`ind_<name>`) planned for the query of this session.
    views: std::sync::RwLock<std::collections::BTreeMap<String, Arc<dyn TableProvider>>>,
    /// The principal's view: which tables exist for it and their row filters; `None` reads
    /// every table whole.
    view: Option<Arc<crate::policy::LakeView>>,
}

impl LakeSchemaProvider {
    /// Creates the schema over `lake`.
    pub fn new(lake: Arc<Lake>) -> LakeSchemaProvider {
        LakeSchemaProvider {
            lake,
            views: std::sync::RwLock::new(std::collections::BTreeMap::new()),
            view: None,
        }
    }

    /// Returns this schema as the principal of `view` sees it: only the tables it may read,
    /// each with its row filter.
    pub fn with_view(mut self, view: Option<Arc<crate::policy::LakeView>>) -> LakeSchemaProvider {
        self.view = view;
        self
    }

    /// Returns true when the principal may read the lake table `name` (always without a
    /// principal).
    pub fn may_read(&self, name: &str) -> bool {
        self.view.as_ref().is_none_or(|view| view.may_read(name))
    }

    /// The lake's park tables the principal may read, sorted (views and system tables aside).
    pub fn readable_tables(&self) -> crate::Result<Vec<String>> {
        let mut names = self.lake.existing_tables()?;
        names.retain(|name| self.may_read(name));
        Ok(names)
    }

    /// Adds a view (an indicator planned with its default parameters) under `name`.
    pub fn add_view(&self, name: &str, view: Arc<dyn TableProvider>) {
        let mut views = self
            .views
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        views.insert(name.to_string(), view);
    }

    fn view(&self, name: &str) -> Option<Arc<dyn TableProvider>> {
        let views = self
            .views
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        views.get(name).cloned()
    }
}

#[async_trait]
impl SchemaProvider for LakeSchemaProvider {
    fn table_names(&self) -> Vec<String> {
        let mut names = self.lake.existing_tables().unwrap_or_else(|error| {
            tracing::warn!(%error, "cannot list the lake's tables");
            Vec::new()
        });
        names.retain(|name| self.may_read(name));
        let views = self
            .views
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        names.extend(views.keys().cloned());
        names
    }

    async fn table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>, DataFusionError> {
        if let Some(view) = self.view(name) {
            return Ok(Some(view));
        }
        if !self.may_read(name) {
            return Ok(None);
        }
        let Some(delta_table) = self
            .lake
            .load_table(name)
            .await
            .map_err(|error| DataFusionError::External(Box::new(error)))?
        else {
            return Ok(None);
        };
        let provider = delta_table.table_provider().await?;
        match &self.view {
            None => Ok(Some(provider)),
            Some(view) => view
                .protect(name, provider, &self.lake)
                .await
                .map_err(|error| DataFusionError::External(Box::new(error))),
        }
    }

    fn table_exist(&self, name: &str) -> bool {
        self.view(name).is_some()
            || (self.may_read(name) && self.lake.table_dir(name).join("_delta_log").is_dir())
    }
}
