//! Who asks, and what enterprises have granted: principals, roles and grants as plain values.
//! Where they are stored (tokens, the grant table) is the caller's business; the engine takes
//! them as they are when a principal's session is made.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::PolicyError;

/// Hours between UTC and the park's local time (China Standard Time, UTC+8): a grant's `until`
/// is a day in park time.
const PARK_UTC_OFFSET_HOURS: i64 = 8;

/// Returns today's date in park time (UTC+8), the day grants are compared with.
pub fn park_today() -> NaiveDate {
    (Utc::now() + TimeDelta::hours(PARK_UTC_OFFSET_HOURS)).date_naive()
}

/// What a principal may do, by the role its token was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including tokens and the audit table.
    Admin,
    /// The park committee: reads every lake table and indicator (not the audit table).
    Committee,
    /// The service centre: curates the catalog, reads enterprise profiles, assessments, needs
    /// and projects, runs matching; not production, energy, emissions, equipment or funds.
    Centre,
    /// One enterprise, bound to its USCC: its own rows only.
    Enterprise,
}

impl Role {
    /// Every role, in order of reach.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Committee, Role::Centre, Role::Enterprise];

    /// The role's name as written in tokens, grants and flags.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Committee => "committee",
            Role::Centre => "centre",
            Role::Enterprise => "enterprise",
        }
    }

    /// Returns true for the roles that may not see a single enterprise's figures in an
    /// aggregate (small groups are suppressed for them).
    pub fn needs_small_group_suppression(self) -> bool {
        matches!(self, Role::Centre | Role::Enterprise)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = PolicyError;

    fn from_str(text: &str) -> Result<Role, PolicyError> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| PolicyError::UnknownRole {
                given: text.chars().take(40).collect(),
            })
    }
}

/// The one a request acts for: a token's name, its role and, for an enterprise, its USCC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The token's name (also the user name on the Postgres wire).
    pub name: String,
    /// Its role.
    pub role: Role,
    /// The enterprise it is bound to; set for the enterprise role only.
    pub uscc: Option<String>,
}

impl Principal {
    /// Creates a principal, checking that an enterprise has a USCC and other roles have none.
    pub fn new(
        name: impl Into<String>,
        role: Role,
        uscc: Option<String>,
    ) -> crate::Result<Principal> {
        let name = name.into();
        match (role, &uscc) {
            (Role::Enterprise, None) => Err(PolicyError::EnterpriseWithoutUscc { name }.into()),
            (Role::Admin | Role::Committee | Role::Centre, Some(_)) => {
                Err(PolicyError::UsccOnNonEnterprise { name, role }.into())
            }
            _ => Ok(Principal { name, role, uscc }),
        }
    }

    /// The principal of the CLI and of the engine's own work: admin.
    pub fn admin(name: impl Into<String>) -> Principal {
        Principal {
            name: name.into(),
            role: Role::Admin,
            uscc: None,
        }
    }

    /// An enterprise principal bound to `uscc`.
    pub fn enterprise(name: impl Into<String>, uscc: impl Into<String>) -> Principal {
        Principal {
            name: name.into(),
            role: Role::Enterprise,
            uscc: Some(uscc.into()),
        }
    }
}

/// Whom a grant is for: one token (by name) or every token of a role. Written as a single
/// string: a role's name means the role, anything else a token's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum GrantTarget {
    /// The token of this name.
    Token(String),
    /// Every token of this role.
    Role(Role),
}

impl GrantTarget {
    /// Returns true when the grant is for `principal`.
    pub fn includes(&self, principal: &Principal) -> bool {
        match self {
            GrantTarget::Token(name) => *name == principal.name,
            GrantTarget::Role(role) => *role == principal.role,
        }
    }
}

impl fmt::Display for GrantTarget {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GrantTarget::Token(name) => formatter.write_str(name),
            GrantTarget::Role(role) => formatter.write_str(role.as_str()),
        }
    }
}

impl TryFrom<String> for GrantTarget {
    type Error = PolicyError;

    fn try_from(text: String) -> Result<GrantTarget, PolicyError> {
        if text.trim().is_empty() {
            return Err(PolicyError::EmptyGrantTarget);
        }
        Ok(match text.parse::<Role>() {
            Ok(role) => GrantTarget::Role(role),
            Err(_) => GrantTarget::Token(text),
        })
    }
}

impl From<GrantTarget> for String {
    fn from(target: GrantTarget) -> String {
        target.to_string()
    }
}

/// An enterprise's usage contract: read access to some of its tables, for a purpose, until a
/// date. A grant adds the grantor's rows of those tables to what its target reads; it never
/// removes a filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Its id, as the grant store gave it.
    pub id: String,
    /// The enterprise whose rows are granted.
    pub grantor_uscc: String,
    /// Whom they are granted to.
    pub to: GrantTarget,
    /// The lake tables granted (system tables are never granted).
    pub tables: Vec<String>,
    /// What for, as the grantor wrote it.
    pub purpose: String,
    /// The last day (park time) the grant is in force.
    pub until: NaiveDate,
}

impl Grant {
    /// Returns true when the grant is in force on `today` and is for `principal`.
    pub fn applies_to(&self, principal: &Principal, today: NaiveDate) -> bool {
        self.until >= today && self.to.includes(principal)
    }
}

/// The grants in force when a session is made, as the grant store hands them over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants(pub Vec<Grant>);

impl Grants {
    /// No grants.
    pub fn none() -> Grants {
        Grants(Vec::new())
    }

    /// The grants that are for `principal` and in force on `today`.
    pub fn applying_to<'a>(
        &'a self,
        principal: &'a Principal,
        today: NaiveDate,
    ) -> impl Iterator<Item = &'a Grant> + 'a {
        self.0
            .iter()
            .filter(move |grant| grant.applies_to(principal, today))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_and_print_lowercase() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().ok(), Some(role));
            assert_eq!(
                serde_json::to_string(&role).ok(),
                Some(format!("\"{role}\""))
            );
        }
        let error = "Admin".parse::<Role>().expect_err("case matters");
        assert_eq!(
            error.to_string(),
            "unknown role 'Admin': a role is one of admin, committee, centre, enterprise"
        );
    }

    #[test]
    fn principals_check_the_uscc_against_the_role() {
        assert!(Principal::new("e", Role::Enterprise, None).is_err());
        assert!(Principal::new("c", Role::Centre, Some("x".into())).is_err());
        assert_eq!(
            Principal::new("e", Role::Enterprise, Some("91110000600037341L".into())).ok(),
            Some(Principal::enterprise("e", "91110000600037341L"))
        );
    }

    #[test]
    fn grant_targets_are_roles_or_token_names_and_grants_end_on_their_day() {
        let grant: Grant = serde_json::from_value(serde_json::json!({
            "id": "g1",
            "grantor_uscc": "91110000600037341L",
            "to": "centre",
            "tables": ["energy_readings"],
            "purpose": "节能诊断",
            "until": "2024-06-30",
        }))
        .expect("grant");
        assert_eq!(grant.to, GrantTarget::Role(Role::Centre));
        let centre = Principal::new("centre-1", Role::Centre, None).expect("centre");
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("day");
        assert!(grant.applies_to(&centre, day("2024-06-30")));
        assert!(!grant.applies_to(&centre, day("2024-07-01")));
        assert!(!grant.applies_to(&Principal::admin("root"), day("2024-06-01")));

        let to_token: GrantTarget =
            serde_json::from_value(serde_json::json!("bank-loans")).expect("token");
        assert_eq!(to_token, GrantTarget::Token("bank-loans".into()));
        assert_eq!(
            serde_json::to_value(&to_token).ok(),
            Some(serde_json::json!("bank-loans"))
        );
        assert!(serde_json::from_value::<GrantTarget>(serde_json::json!(" ")).is_err());
    }
}
