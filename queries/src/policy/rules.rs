//! The role rules: which tables a principal reads, and which enterprises' rows of them.
//!
//! PostgreSQL's row-level security semantics: default deny; what a role reads is a permissive
//! policy and each grant in force is another, OR-ed with it; a grant never removes a filter.
//!
//! | role       | reads                                                                   |
//! |------------|-------------------------------------------------------------------------|
//! | admin      | every table, `_audit` included                                          |
//! | committee  | every table but `_audit` (`_quarantine` and `_ingest_log` included)     |
//! | centre     | the catalog, `enterprises`, `digital_assessment`, `enterprise_needs`, `transformation_projects`; other tables only as granted |
//! | enterprise | the catalog; its own rows of every table with a `uscc` column, of `_quarantine` and `_ingest_log`; the disbursements of its own projects; plus granted rows |
//!
//! How a table's rows name their enterprise is its [`OwnerKey`]: the `uscc` column, or for
//! `fund_disbursements` (which has none) the `uscc` of the disbursement's project.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use parkhub_connectors::Contracts;
use parkhub_connectors::contract::{INGEST_LOG_TABLE, QUARANTINE_TABLE};

use super::model::{Grants, Principal, Role};

/// The audit table: admin only.
pub const AUDIT_TABLE: &str = "_audit";
/// The column that names the enterprise a row belongs to.
pub const OWNER_COLUMN: &str = "uscc";
/// The projects table, through which disbursements belong to enterprises.
pub const PROJECTS_TABLE: &str = "transformation_projects";
/// The disbursements table, which has no `uscc` column.
pub const FUNDS_TABLE: &str = "fund_disbursements";
/// The column joining disbursements to projects.
pub const PROJECT_COLUMN: &str = "project_id";
/// The service catalog's lake tables, public to every role.
pub const CATALOG_TABLES: &[&str] = &[
    "service_providers",
    "service_offerings",
    "shared_applications",
];
/// The tables the centre reads whole, besides the catalog.
pub const CENTRE_TABLES: &[&str] = &[
    "enterprises",
    "digital_assessment",
    "enterprise_needs",
    PROJECTS_TABLE,
];

/// How the rows of a table name the enterprise they belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerKey {
    /// The `uscc` column. The system tables `_quarantine` and `_ingest_log` are read this
    /// way too: their `uscc` is the enterprise whose token delivered the batch (empty for
    /// batches an admin, the CLI or the drop folder delivered).
    Uscc,
    /// The project's enterprise: `project_id` among the owner's `transformation_projects`.
    Projects,
    /// Nothing: the rows belong to no enterprise (the catalog, `_audit`, a park table without
    /// `uscc`).
    Unowned,
}

/// Returns how the rows of `table` name their enterprise, from its contract.
pub fn owner_key(table: &str, contracts: &Contracts) -> OwnerKey {
    if table == FUNDS_TABLE {
        return OwnerKey::Projects;
    }
    if table == QUARANTINE_TABLE || table == INGEST_LOG_TABLE {
        return OwnerKey::Uscc;
    }
    match contracts.get(table) {
        Ok(contract) if contract.column(OWNER_COLUMN).is_some() => OwnerKey::Uscc,
        _ => OwnerKey::Unowned,
    }
}

/// What a principal reads of one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Nothing: the table does not exist for the principal.
    Denied,
    /// Every row.
    AllRows,
    /// The rows of these enterprises (by USCC), through the table's [`OwnerKey`].
    Rows {
        /// How the rows name their enterprise ([`OwnerKey::Uscc`] or [`OwnerKey::Projects`]).
        key: OwnerKey,
        /// The enterprises whose rows are read; empty means none.
        owners: BTreeSet<String>,
    },
}

impl Access {
    /// Returns true unless the table is denied.
    pub fn is_readable(&self) -> bool {
        !matches!(self, Access::Denied)
    }
}

/// A principal's rules for one session: its role and the grants in force for it today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    principal: Principal,
    /// Table → the enterprises that granted the principal its rows.
    granted: BTreeMap<String, BTreeSet<String>>,
    /// The ids of the grants in force, for the audit trail.
    grant_ids: Vec<String>,
}

impl Policy {
    /// The rules of `principal` with the `grants` that are for it and in force on `today`
    /// (park time). Grants of system tables are ignored: they are never granted.
    pub fn new(principal: Principal, grants: &Grants, today: NaiveDate) -> Policy {
        let mut granted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut grant_ids = Vec::new();
        for grant in grants.applying_to(&principal, today) {
            grant_ids.push(grant.id.clone());
            for table in grant.tables.iter().filter(|table| !table.starts_with('_')) {
                granted
                    .entry(table.clone())
                    .or_default()
                    .insert(grant.grantor_uscc.clone());
            }
        }
        Policy {
            principal,
            granted,
            grant_ids,
        }
    }

    /// The admin's rules (what the CLI and the engine's own work run under).
    pub fn admin() -> Policy {
        Policy::new(Principal::admin("admin"), &Grants::none(), NaiveDate::MIN)
    }

    /// The principal the rules are for.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The ids of the grants in force for the principal.
    pub fn grant_ids(&self) -> &[String] {
        &self.grant_ids
    }

    /// What the principal reads of `table`, whose rows name their enterprise by `key`.
    pub fn access(&self, table: &str, key: OwnerKey) -> Access {
        let is_catalog = CATALOG_TABLES.contains(&table);
        match self.principal.role {
            Role::Admin => Access::AllRows,
            Role::Committee if table == AUDIT_TABLE => Access::Denied,
            Role::Committee => Access::AllRows,
            Role::Centre if is_catalog || CENTRE_TABLES.contains(&table) => Access::AllRows,
            Role::Centre => self.rows_of(table, key, BTreeSet::new()),
            Role::Enterprise if is_catalog => Access::AllRows,
            Role::Enterprise if table == AUDIT_TABLE => Access::Denied,
            Role::Enterprise => {
                let own = self.principal.uscc.iter().cloned().collect();
                self.rows_of(table, key, own)
            }
        }
    }

    /// The rows of `owners` plus those granted; denied when there are none to read or the
    /// table's rows belong to no enterprise.
    fn rows_of(&self, table: &str, key: OwnerKey, mut owners: BTreeSet<String>) -> Access {
        if key == OwnerKey::Unowned {
            return Access::Denied;
        }
        if let Some(grantors) = self.granted.get(table) {
            owners.extend(grantors.iter().cloned());
        }
        // System tables are never granted (see `new`), so only an enterprise reaches its own
        // quarantine rows and ingest reports here.
        if owners.is_empty() {
            return Access::Denied;
        }
        Access::Rows { key, owners }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::model::{Grant, GrantTarget};

    const A: &str = "91110000600037341L";
    const B: &str = "91110000710926094P";

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("day")
    }

    fn rows(key: OwnerKey, owners: &[&str]) -> Access {
        Access::Rows {
            key,
            owners: owners.iter().map(|owner| owner.to_string()).collect(),
        }
    }

    #[test]
    fn each_role_reads_its_tables() {
        let contracts = Contracts::builtin().expect("contracts");
        let key = |table: &str| owner_key(table, &contracts);
        let admin = Policy::admin();
        let committee = Policy::new(
            Principal::new("c", Role::Committee, None).expect("p"),
            &Grants::none(),
            day("2024-01-01"),
        );
        let centre = Policy::new(
            Principal::new("s", Role::Centre, None).expect("p"),
            &Grants::none(),
            day("2024-01-01"),
        );
        let enterprise = Policy::new(
            Principal::enterprise("a", A),
            &Grants::none(),
            day("2024-01-01"),
        );
        for table in [AUDIT_TABLE, QUARANTINE_TABLE, "energy_readings"] {
            assert_eq!(admin.access(table, key(table)), Access::AllRows, "{table}");
        }
        assert_eq!(
            committee.access(AUDIT_TABLE, key(AUDIT_TABLE)),
            Access::Denied
        );
        assert_eq!(
            committee.access(INGEST_LOG_TABLE, key(INGEST_LOG_TABLE)),
            Access::AllRows
        );
        for table in ["enterprises", "enterprise_needs", "service_offerings"] {
            assert_eq!(centre.access(table, key(table)), Access::AllRows, "{table}");
        }
        for table in [
            "production_monthly",
            "energy_readings",
            "emissions",
            "equipment",
            FUNDS_TABLE,
            QUARANTINE_TABLE,
            AUDIT_TABLE,
        ] {
            assert_eq!(centre.access(table, key(table)), Access::Denied, "{table}");
        }
        assert_eq!(
            enterprise.access("equipment", key("equipment")),
            rows(OwnerKey::Uscc, &[A])
        );
        assert_eq!(
            enterprise.access(QUARANTINE_TABLE, key(QUARANTINE_TABLE)),
            rows(OwnerKey::Uscc, &[A])
        );
        assert_eq!(
            enterprise.access(FUNDS_TABLE, key(FUNDS_TABLE)),
            rows(OwnerKey::Projects, &[A])
        );
        assert_eq!(
            enterprise.access("shared_applications", key("shared_applications")),
            Access::AllRows
        );
        assert_eq!(
            enterprise.access(AUDIT_TABLE, key(AUDIT_TABLE)),
            Access::Denied
        );
        assert_eq!(
            enterprise.access("park_extra", OwnerKey::Unowned),
            Access::Denied
        );
    }

    #[test]
    fn grants_add_the_grantors_rows_while_in_force() {
        let grant = |to: GrantTarget, tables: &[&str], until: &str| Grant {
            id: format!("g-{to}"),
            grantor_uscc: B.into(),
            to,
            tables: tables.iter().map(|table| table.to_string()).collect(),
            purpose: "节能诊断".into(),
            until: day(until),
        };
        let grants = Grants(vec![
            grant(
                GrantTarget::Role(Role::Centre),
                &["energy_readings", QUARANTINE_TABLE],
                "2024-06-30",
            ),
            grant(
                GrantTarget::Token("a".into()),
                &["production_monthly"],
                "2024-06-30",
            ),
        ]);
        let centre = Principal::new("s", Role::Centre, None).expect("p");
        let in_force = Policy::new(centre.clone(), &grants, day("2024-06-30"));
        assert_eq!(
            in_force.access("energy_readings", OwnerKey::Uscc),
            rows(OwnerKey::Uscc, &[B])
        );
        assert_eq!(
            in_force.access(QUARANTINE_TABLE, OwnerKey::Uscc),
            Access::Denied
        );
        assert_eq!(
            in_force.access("production_monthly", OwnerKey::Uscc),
            Access::Denied
        );
        assert_eq!(in_force.grant_ids(), ["g-centre"]);
        let expired = Policy::new(centre, &grants, day("2024-07-01"));
        assert_eq!(
            expired.access("energy_readings", OwnerKey::Uscc),
            Access::Denied
        );

        let enterprise = Policy::new(Principal::enterprise("a", A), &grants, day("2024-01-01"));
        assert_eq!(
            enterprise.access("production_monthly", OwnerKey::Uscc),
            rows(OwnerKey::Uscc, &[A, B])
        );
        assert_eq!(
            enterprise.access("energy_readings", OwnerKey::Uscc),
            rows(OwnerKey::Uscc, &[A])
        );
    }
}
