//! Access control in the query layer: who reads which tables and rows, enforced where plans
//! are made.
//!
//! A request's [`Principal`] and the [`Grants`] in force make a [`Policy`];
//! [`QueryEngine::for_principal`](crate::QueryEngine::for_principal) returns an engine whose
//! sessions register only the tables the policy lets the principal read, each wrapped in a
//! [`FilteredTable`] whose row filter sits below any SQL the user writes. Every entry of that
//! engine (`plan`, `plan_statement`, `query`, `tables`, the indicators and their `ind_*`
//! views) then answers for the principal only. [`suppress_small_groups`] hides the figures of
//! groups of fewer than three enterprises from the roles that may not see single enterprises.
//!
//! ```no_run
//! # async fn example(engine: parkhub_queries::QueryEngine) -> parkhub_queries::Result<()> {
//! use parkhub_queries::policy::{Grants, Policy, Principal, park_today};
//!
//! let principal = Principal::enterprise("acme", "91110000600037341L");
//! let engine = engine.for_principal(Policy::new(principal, &Grants::none(), park_today()));
//! // acme's readings only, whatever the SQL says:
//! let readings = engine.query("SELECT * FROM energy_readings").await?.collect().await?;
//! # Ok(())
//! # }
//! ```

pub mod filtered_table;
pub mod lake_view;
pub mod model;
pub mod reads;
pub mod rules;
pub mod suppression;

#[cfg(test)]
mod tests;

pub use filtered_table::{FilteredTable, PolicyBoundaryExec, RowFilter};
pub use lake_view::LakeView;
pub use model::{Grant, GrantTarget, Grants, Principal, Role, park_today};
pub use reads::{Reads, scanned_tables};
pub use rules::{Access, OwnerKey, Policy};
pub use suppression::{Grain, MIN_GROUP_ENTERPRISES, SUPPRESSED_COLUMN, suppress_small_groups};

/// What is wrong with a principal, a grant or an indicator answer to suppress.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// A role name that is not one of the four.
    #[error("unknown role '{given}': a role is one of admin, committee, centre, enterprise")]
    UnknownRole {
        /// The name given (shortened).
        given: String,
    },
    /// An enterprise principal without the USCC it is bound to.
    #[error("the enterprise principal '{name}' has no USCC")]
    EnterpriseWithoutUscc {
        /// The principal's name.
        name: String,
    },
    /// A USCC given to a principal that is not an enterprise.
    #[error("the {role} principal '{name}' cannot be bound to a USCC: only enterprises are")]
    UsccOnNonEnterprise {
        /// The principal's name.
        name: String,
        /// Its role.
        role: Role,
    },
    /// A grant whose `to` is empty.
    #[error("a grant's 'to' must name a token or a role")]
    EmptyGrantTarget,
    /// An indicator answer without the column that counts the enterprises of each group.
    #[error(
        "the answer has no column '{column}' counting the enterprises of each group, so its small groups cannot be suppressed"
    )]
    MissingEnterpriseCount {
        /// The column expected.
        column: String,
    },
    /// An indicator at an entity grain that reads tables the role may not read.
    #[error(
        "the indicator '{indicator}' lists single enterprises from tables the {role} role may not read"
    )]
    IndicatorNotForRole {
        /// The indicator.
        indicator: String,
        /// The caller's role.
        role: Role,
    },
    /// An indicator answer that already has a `suppressed` column.
    #[error("the answer already has a column named '{SUPPRESSED_COLUMN}'")]
    SuppressedColumnTaken,
}

impl PolicyError {
    /// Returns true when the caller gave something wrong (a role, a principal, a grant)
    /// rather than an indicator being unfit for suppression.
    pub fn is_client_error(&self) -> bool {
        !matches!(
            self,
            PolicyError::MissingEnterpriseCount { .. } | PolicyError::SuppressedColumnTaken
        )
    }
}
