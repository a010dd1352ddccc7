//! The grant store of a data directory: `<data-dir>/auth/grants.json`.
//!
//! An enterprise's usage contract (授权使用): it grants a named token or a role read access to
//! some of its tables, for a purpose, until a date. The query layer turns the grants in force
//! into row filters ([`parkhub_queries::policy::Policy::new`]); this store only keeps them.
//! Like the token store it is written under a lock and replaced atomically, and re-read when
//! it changed, so a grant given or revoked counts from the next request on, in every process.
//! Revoked grants stay in the file, marked with when and by whom, for the audit trail.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use parkhub_connectors::Contracts;
use parkhub_queries::policy::{Grant, GrantTarget, Grants, OwnerKey, Role, rules::owner_key};
use serde::{Deserialize, Serialize};

use crate::private_file::{self, FileStamp};
use crate::store::AUTH_FOLDER;
use crate::{Error, Result};
use parkhub_queries::policy::Principal;

/// The grant file.
pub const GRANTS_FILE: &str = "grants.json";
/// The file locked by writers of the grant file.
pub const LOCK_FILE: &str = "grants.lock";
/// The longest purpose kept.
pub const MAX_PURPOSE_CHARS: usize = 500;

/// A grant as the store keeps it: the grant and who gave and revoked it when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantRecord {
    /// Its id (`g-…`), used to revoke it.
    pub id: String,
    /// The enterprise whose rows are granted.
    pub from: String,
    /// A token's name, or a role (admin, committee, centre, enterprise).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub to: GrantTarget,
    /// The tables granted.
    pub tables: Vec<String>,
    /// What for.
    pub purpose: String,
    /// The last day (park time, UTC+8) the grant is in force.
    pub until: NaiveDate,
    /// When it was given.
    pub created_at: DateTime<Utc>,
    /// Who gave it (the enterprise's token, or an admin).
    pub created_by: String,
    /// When it was revoked, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Who revoked it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_by: Option<String>,
}

impl GrantRecord {
    /// `in_force`, `expired` or `revoked` on `today`.
    pub fn state(&self, today: NaiveDate) -> &'static str {
        if self.revoked_at.is_some() {
            "revoked"
        } else if self.until < today {
            "expired"
        } else {
            "in_force"
        }
    }

    fn to_grant(&self) -> Grant {
        Grant {
            id: self.id.clone(),
            grantor_uscc: self.from.clone(),
            to: self.to.clone(),
            tables: self.tables.clone(),
            purpose: self.purpose.clone(),
            until: self.until,
        }
    }

    /// Whether `principal` sees this grant in a listing: its grantor, its target, an admin.
    pub fn is_visible_to(&self, principal: &Principal) -> bool {
        principal.role == Role::Admin
            || principal.uscc.as_deref() == Some(self.from.as_str())
            || self.to.includes(principal)
    }
}

/// A grant asked for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewGrant {
    /// A token's name, or a role.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub to: GrantTarget,
    /// The tables granted.
    pub tables: Vec<String>,
    /// What for.
    pub purpose: String,
    /// The last day the grant is in force (YYYY-MM-DD, park time).
    pub until: NaiveDate,
    /// The granting enterprise's USCC: only an admin names it; an enterprise grants its own.
    #[serde(default)]
    pub from: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantFile {
    version: u32,
    grants: Vec<GrantRecord>,
}

const FILE_VERSION: u32 = 1;

#[derive(Debug, Default)]
struct Cache {
    stamp: Option<FileStamp>,
    grants: Vec<GrantRecord>,
}

/// The grants of one data directory.
#[derive(Debug)]
pub struct GrantStore {
    folder: PathBuf,
    cache: Mutex<Cache>,
}

impl GrantStore {
    /// Opens the store of a data directory, creating its folder when it is missing.
    pub fn open(data_dir: &Path) -> Result<GrantStore> {
        let folder = data_dir.join(AUTH_FOLDER);
        private_file::create_private_dir(&folder)?;
        let store = GrantStore {
            folder,
            cache: Mutex::new(Cache::default()),
        };
        store.refresh()?;
        Ok(store)
    }

    fn path(&self) -> PathBuf {
        self.folder.join(GRANTS_FILE)
    }

    /// Records a grant `by` gives, after checking it against the `contracts` and today.
    pub fn give(
        &self,
        by: &Principal,
        new: NewGrant,
        contracts: &Contracts,
        today: NaiveDate,
    ) -> Result<GrantRecord> {
        let from = match (by.role, &by.uscc, new.from) {
            (Role::Enterprise, Some(own), None) => own.clone(),
            (Role::Enterprise, Some(own), Some(given)) if given == *own => given,
            (Role::Enterprise, _, Some(_)) => {
                return Err(Error::NoGrantor(
                    "an enterprise grants its own rows, not another's ('from')".into(),
                ));
            }
            (Role::Admin, _, Some(given)) => given,
            (Role::Admin, _, None) => {
                return Err(Error::NoGrantor(
                    "an admin names the granting enterprise's USCC ('from', or --from)".into(),
                ));
            }
            (role, _, _) => {
                return Err(Error::NoGrantor(format!(
                    "a {role} token has no rows to grant"
                )));
            }
        };
        if new.tables.is_empty() {
            return Err(Error::NoGrantTables);
        }
        let mut tables: Vec<String> = Vec::new();
        for table in new.tables {
            let grantable = !table.starts_with('_')
                && contracts.get(&table).is_ok()
                && owner_key(&table, contracts) != OwnerKey::Unowned;
            if !grantable {
                return Err(Error::NotGrantable { table });
            }
            if !tables.contains(&table) {
                tables.push(table);
            }
        }
        let purpose = new.purpose.trim().to_string();
        if purpose.is_empty() || purpose.chars().count() > MAX_PURPOSE_CHARS {
            return Err(Error::BadGrantPurpose);
        }
        if new.until < today {
            return Err(Error::GrantUntilInThePast {
                until: new.until,
                today,
            });
        }
        let record = GrantRecord {
            id: format!("g-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]),
            from,
            to: new.to,
            tables,
            purpose,
            until: new.until,
            created_at: Utc::now(),
            created_by: by.name.clone(),
            revoked_at: None,
            revoked_by: None,
        };
        let given = record.clone();
        self.update(move |file| {
            file.grants.push(record);
            Ok(())
        })?;
        Ok(given)
    }

    /// Returns every grant, revoked and expired ones included, oldest first.
    pub fn list(&self) -> Result<Vec<GrantRecord>> {
        self.refresh()?;
        Ok(self.lock_cache().grants.clone())
    }

    /// Revokes the grant `id` for `by` (its grantor, or an admin) and returns it.
    pub fn revoke(&self, by: &Principal, id: &str) -> Result<GrantRecord> {
        self.update(|file| {
            let grant = file
                .grants
                .iter_mut()
                .find(|grant| grant.id == id)
                .ok_or_else(|| Error::UnknownGrant { id: id.to_string() })?;
            let is_grantor = by.uscc.as_deref() == Some(grant.from.as_str());
            if !(is_grantor || by.role == Role::Admin) {
                // Whoever is not the grantor is not told more about the grant.
                return Err(if grant.is_visible_to(by) {
                    Error::NotYourGrant { id: id.to_string() }
                } else {
                    Error::UnknownGrant { id: id.to_string() }
                });
            }
            if grant.revoked_at.is_some() {
                return Err(Error::GrantAlreadyRevoked { id: id.to_string() });
            }
            grant.revoked_at = Some(Utc::now());
            grant.revoked_by = Some(by.name.clone());
            Ok(grant.clone())
        })
    }

    /// The grants not revoked, as the query layer takes them (it keeps those in force for a
    /// principal on a day). A store that cannot be re-read answers from the last version read.
    pub fn current(&self) -> Grants {
        if let Err(error) = self.refresh() {
            tracing::error!(%error, "cannot re-read the grant store; using the last version read");
        }
        Grants(
            self.lock_cache()
                .grants
                .iter()
                .filter(|grant| grant.revoked_at.is_none())
                .map(GrantRecord::to_grant)
                .collect(),
        )
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn refresh(&self) -> Result<()> {
        let path = self.path();
        let stamp = private_file::stamp_of(&path)?;
        if self.lock_cache().stamp == stamp && stamp.is_some() {
            return Ok(());
        }
        let file: GrantFile = private_file::read_json(&path)?;
        let stamp_after = private_file::stamp_of(&path)?;
        let mut cache = self.lock_cache();
        cache.stamp = if stamp_after == stamp { stamp } else { None };
        cache.grants = file.grants;
        Ok(())
    }

    fn update<T>(&self, change: impl FnOnce(&mut GrantFile) -> Result<T>) -> Result<T> {
        let _lock = private_file::lock(&self.folder, LOCK_FILE)?;
        let path = self.path();
        let mut file: GrantFile = private_file::read_json(&path)?;
        let answer = change(&mut file)?;
        file.version = FILE_VERSION;
        private_file::write_json(&path, &file)?;
        let stamp = private_file::stamp_of(&path)?;
        let mut cache = self.lock_cache();
        cache.stamp = stamp;
        cache.grants = file.grants;
        Ok(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACME: &str = "91110000600037341L";
    const OTHER: &str = "91110000710926094P";

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("day")
    }

    fn contracts() -> Contracts {
        let dir = tempfile::tempdir().expect("dir");
        Contracts::load(dir.path()).expect("built-in contracts")
    }

    fn new_grant(tables: &[&str], until: &str) -> NewGrant {
        NewGrant {
            to: GrantTarget::Role(Role::Centre),
            tables: tables.iter().map(|table| table.to_string()).collect(),
            purpose: "能效诊断 energy audit".into(),
            until: day(until),
            from: None,
        }
    }

    #[test]
    fn an_enterprise_grants_its_own_rows_and_another_process_sees_it() {
        let dir = tempfile::tempdir().expect("dir");
        let contracts = contracts();
        let server = GrantStore::open(dir.path()).expect("opens");
        let cli = GrantStore::open(dir.path()).expect("opens");
        let acme = Principal::enterprise("acme", ACME);
        let given = cli
            .give(
                &acme,
                new_grant(&["energy_readings", "energy_readings"], "2027-01-31"),
                &contracts,
                day("2026-12-03"),
            )
            .expect("given");
        assert_eq!(given.from, ACME);
        assert_eq!(given.tables, ["energy_readings"]);
        assert_eq!(server.current().0.len(), 1);
        assert_eq!(server.current().0[0].grantor_uscc, ACME);

        let other = Principal::enterprise("other", OTHER);
        assert!(matches!(
            server.revoke(&other, &given.id),
            Err(Error::UnknownGrant { .. })
        ));
        server.revoke(&acme, &given.id).expect("revoked");
        assert!(cli.current().0.is_empty());
        assert_eq!(
            cli.list().expect("list")[0].state(day("2026-12-03")),
            "revoked"
        );
        assert!(matches!(
            cli.revoke(&acme, &given.id),
            Err(Error::GrantAlreadyRevoked { .. })
        ));
    }

    #[test]
    fn bad_grants_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().expect("dir");
        let contracts = contracts();
        let store = GrantStore::open(dir.path()).expect("opens");
        let acme = Principal::enterprise("acme", ACME);
        let today = day("2026-12-03");
        let refused = |by: &Principal, grant: NewGrant| {
            store
                .give(by, grant, &contracts, today)
                .expect_err("refused")
        };
        assert!(matches!(
            refused(&acme, new_grant(&[], "2027-01-01")),
            Error::NoGrantTables
        ));
        for table in [
            "_audit",
            "_quarantine",
            "service_offerings",
            "no_such_table",
        ] {
            assert!(matches!(
                refused(&acme, new_grant(&[table], "2027-01-01")),
                Error::NotGrantable { .. }
            ));
        }
        assert!(matches!(
            refused(&acme, new_grant(&["equipment"], "2026-12-02")),
            Error::GrantUntilInThePast { .. }
        ));
        let mut someone_elses = new_grant(&["equipment"], "2027-01-01");
        someone_elses.from = Some(OTHER.into());
        assert!(matches!(refused(&acme, someone_elses), Error::NoGrantor(_)));
        let committee = Principal::new("board", Role::Committee, None).expect("principal");
        assert!(matches!(
            refused(&committee, new_grant(&["equipment"], "2027-01-01")),
            Error::NoGrantor(_)
        ));
        let mut blank = new_grant(&["equipment"], "2027-01-01");
        blank.purpose = "  ".into();
        assert!(matches!(refused(&acme, blank), Error::BadGrantPurpose));
        assert!(store.list().expect("list").is_empty());
    }
}
