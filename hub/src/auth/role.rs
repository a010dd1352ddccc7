//! Who is asking: the query layer's [`Role`] and [`Principal`] (one definition for the engine's
//! policy and the token checks), the principal the command line acts as, and how a role typed
//! on the command line is read.

pub use parkhub_queries::policy::{Principal, Role};

use crate::{Error, Result};

pub use parkhub_access::{CLI_PRINCIPAL_NAME, cli_principal};

/// Reads a role as people type it on the command line: surrounding spaces and letter case do
/// not matter (JSON and grants take only the lowercase names).
pub fn parse_role(text: &str) -> Result<Role> {
    Role::ALL
        .into_iter()
        .find(|role| role.as_str().eq_ignore_ascii_case(text.trim()))
        .ok_or_else(|| Error::UnknownRole(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_and_write_their_lowercase_names() {
        for role in Role::ALL {
            assert_eq!(parse_role(role.as_str()).ok(), Some(role));
            assert_eq!(
                serde_json::to_string(&role).expect("serialises"),
                format!("\"{role}\"")
            );
        }
        assert_eq!(parse_role("Centre").ok(), Some(Role::Centre));
        assert!(matches!(parse_role("center"), Err(Error::UnknownRole(name)) if name == "center"));
        assert!(serde_json::from_str::<Role>("\"Admin\"").is_err());
    }
}
