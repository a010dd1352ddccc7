//! What a planned query reads, for the audit trail: the lake tables its plan scans (subqueries
//! included) and the row filters and grants that applied to the principal reading them.

use std::collections::BTreeSet;

use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::logical_expr::LogicalPlan;

use super::rules::{Access, OwnerKey};
use crate::QueryEngine;

/// The tables a query reads and the policies it read them under.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reads {
    /// The lake tables scanned, sorted, each once.
    pub tables: Vec<String>,
    /// One entry per table read under a row filter (`energy_readings: uscc in (…)`), then the
    /// grants in force (`grants: g-…`); `all rows` when nothing was filtered.
    pub policies: Vec<String>,
}

impl Reads {
    /// The tables, comma-separated, as the `tables` column of `_audit` holds them.
    pub fn tables_text(&self) -> String {
        self.tables.join(",")
    }

    /// The policies, `; `-separated, as the `policies` column of `_audit` holds them.
    pub fn policies_text(&self) -> String {
        self.policies.join("; ")
    }
}

/// Returns the names of the tables `plan` scans, its subqueries' included, sorted: lake
/// tables by name, the others (`pg_catalog`, `information_schema`) with their schema.
pub fn scanned_tables(plan: &LogicalPlan) -> Vec<String> {
    let mut tables = BTreeSet::new();
    let walked = plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node {
            let reference = &scan.table_name;
            tables.insert(match reference.schema() {
                Some(schema) if schema != crate::engine::SCHEMA_NAME => {
                    format!("{schema}.{}", reference.table())
                }
                _ => reference.table().to_string(),
            });
        }
        Ok(TreeNodeRecursion::Continue)
    });
    if let Err(error) = walked {
        tracing::warn!(%error, "cannot list the tables a plan reads");
    }
    tables.into_iter().collect()
}

impl QueryEngine {
    /// Returns what `plan`, planned by this engine, reads and under which policies.
    pub fn reads(&self, plan: &LogicalPlan) -> Reads {
        let tables = scanned_tables(plan);
        let Some(view) = self.lake_view() else {
            return Reads {
                tables,
                policies: vec!["all rows".to_string()],
            };
        };
        let mut policies = Vec::new();
        for table in &tables {
            if let Access::Rows { key, owners } = view.access(table) {
                let owners: Vec<&str> = owners.iter().map(String::as_str).collect();
                let owners = owners.join(",");
                policies.push(match key {
                    OwnerKey::Projects => format!("{table}: projects of uscc in ({owners})"),
                    OwnerKey::Uscc | OwnerKey::Unowned => {
                        format!("{table}: uscc in ({owners})")
                    }
                });
            }
        }
        let grants = view.policy().grant_ids();
        if !grants.is_empty() {
            policies.push(format!("grants: {}", grants.join(",")));
        }
        if policies.is_empty() {
            policies.push("all rows".to_string());
        }
        Reads { tables, policies }
    }
}
