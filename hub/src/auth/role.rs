//! Who is asking: a [`Role`] and the [`Principal`] a token stands for.
//!
//! These mirror the query layer's policy types of the same shape, so that the lead can swap them
//! for `parkhub_queries::policy::{Role, Principal}` without touching their users.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a token holder may do (see DESIGN.md, "Roles and policy").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including tokens and the audit table.
    Admin,
    /// The park management committee: reads every lake table and indicator.
    Committee,
    /// The digital-transformation promotion centre: curates the catalog and runs matching.
    Centre,
    /// One enterprise, bound to its USCC: its own rows only.
    Enterprise,
}

impl Role {
    /// Every role, in the order they are listed to people.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Committee, Role::Centre, Role::Enterprise];

    /// Returns the role's name as it is written in tokens, the CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Committee => "committee",
            Role::Centre => "centre",
            Role::Enterprise => "enterprise",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A role name that is not one of [`Role::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a role; use admin, committee, centre or enterprise")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(text: &str) -> Result<Role, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| UnknownRole(text.to_string()))
    }
}

/// Who is asking: a token's name and role, and for an enterprise its USCC.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Principal {
    /// The token's name (also the Postgres wire user name).
    pub name: String,
    /// What the principal may do.
    pub role: Role,
    /// The enterprise's USCC, for the enterprise role only.
    pub uscc: Option<String>,
}

impl Principal {
    /// The name the command line acts under: it opens the data directory directly, as admin.
    pub const CLI_NAME: &'static str = "cli";

    /// Returns the principal of the command line, which acts as admin.
    pub fn cli() -> Principal {
        Principal {
            name: Principal::CLI_NAME.to_string(),
            role: Role::Admin,
            uscc: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_and_write_their_lowercase_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(
                serde_json::to_string(&role).expect("serialises"),
                format!("\"{role}\"")
            );
        }
        assert_eq!("Centre".parse::<Role>(), Ok(Role::Centre));
        assert_eq!(
            "center".parse::<Role>(),
            Err(UnknownRole("center".to_string()))
        );
        assert!(serde_json::from_str::<Role>("\"Admin\"").is_err());
    }
}
