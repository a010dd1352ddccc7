//! The lake as one principal sees it: which tables exist for it, and each of them wrapped in
//! its row filter. The lake schema of a principal's session asks this for every name.

use std::sync::Arc;

use datafusion::catalog::TableProvider;
use parkhub_connectors::{Contracts, Lake};

use super::filtered_table::{FilteredTable, RowFilter};
use super::rules::{
    Access, OWNER_COLUMN, OwnerKey, PROJECT_COLUMN, PROJECTS_TABLE, Policy, owner_key,
};

/// A principal's [`Policy`] applied to the tables of a lake.
#[derive(Debug, Clone)]
pub struct LakeView {
    policy: Arc<Policy>,
    contracts: Arc<Contracts>,
}

impl LakeView {
    /// Applies `policy` to the tables `contracts` describe (a table's contract tells how its
    /// rows name their enterprise).
    pub fn new(policy: Arc<Policy>, contracts: Arc<Contracts>) -> LakeView {
        LakeView { policy, contracts }
    }

    /// The policy applied.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// What the principal reads of `table`.
    pub fn access(&self, table: &str) -> Access {
        self.policy.access(table, owner_key(table, &self.contracts))
    }

    /// Returns true when `table` exists for the principal (if it exists in the lake).
    pub fn may_read(&self, table: &str) -> bool {
        self.access(table).is_readable()
    }

    /// Returns `table` (the lake's provider of it) as the principal reads it: `None` when
    /// denied, the provider itself when every row is readable, else the provider wrapped in
    /// its row filter.
    pub async fn protect(
        &self,
        table: &str,
        provider: Arc<dyn TableProvider>,
        lake: &Lake,
    ) -> crate::Result<Option<Arc<dyn TableProvider>>> {
        let filter = match self.access(table) {
            Access::Denied => return Ok(None),
            Access::AllRows => return Ok(Some(provider)),
            Access::Rows { key, owners } => {
                let values: Vec<String> = owners.into_iter().collect();
                match key {
                    OwnerKey::Projects => RowFilter::ColumnInTable {
                        column: PROJECT_COLUMN.to_string(),
                        source: self.projects_of(values, lake).await?,
                        key: PROJECT_COLUMN.to_string(),
                    },
                    OwnerKey::Uscc | OwnerKey::Unowned => RowFilter::ColumnIn {
                        column: OWNER_COLUMN.to_string(),
                        values,
                    },
                }
            }
        };
        Ok(Some(Arc::new(FilteredTable::new(provider, filter))))
    }

    /// The projects of `owners`, as a filtered table (empty when there are no projects yet).
    async fn projects_of(
        &self,
        owners: Vec<String>,
        lake: &Lake,
    ) -> crate::Result<Arc<dyn TableProvider>> {
        let projects: Arc<dyn TableProvider> = match lake.load_table(PROJECTS_TABLE).await? {
            Some(table) => table.table_provider().await?,
            None => Arc::new(datafusion::datasource::empty::EmptyTable::new(Arc::new(
                datafusion::arrow::datatypes::Schema::empty(),
            ))),
        };
        Ok(Arc::new(FilteredTable::new(
            projects,
            RowFilter::ColumnIn {
                column: OWNER_COLUMN.to_string(),
                values: owners,
            },
        )))
    }
}
