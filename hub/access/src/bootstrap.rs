//! Tokens a hub makes for itself: the first admin token of a data directory without any, the
//! demo park's tokens, and the check that an enterprise token names a registered enterprise.

use datafusion::prelude::{col, lit};
use parkhub_connectors::uscc;

use crate::store::TokenStore;
use crate::store::{NewToken, TokenInfo};
use crate::{Error, Result};
use parkhub_queries::QueryEngine;
use parkhub_queries::policy::Role;

/// The name of the admin token `serve` creates in a data directory that has no token yet.
pub const FIRST_ADMIN_NAME: &str = "admin";
/// The prefix of the demo park's token names (`demo-admin`, `demo-enterprise`, …).
pub const DEMO_PREFIX: &str = "demo-";

/// A token just created, with its secret (shown once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The token itself.
    pub token: String,
    /// Its record.
    pub info: TokenInfo,
}

/// Checks that `code` is a valid USCC of an enterprise in the `enterprises` table, and returns
/// it as the registry spells it (upper case).
pub async fn check_enterprise(engine: &QueryEngine, code: &str) -> Result<String> {
    let code = code.trim().to_ascii_uppercase();
    uscc::validate(&code).map_err(|source| Error::InvalidUscc {
        uscc: code.clone(),
        source,
    })?;
    if !is_registered(engine, &code)
        .await
        .map_err(|error| Error::EnterpriseLookup(Box::new(error)))?
    {
        return Err(Error::UnknownEnterprise { uscc: code });
    }
    Ok(code)
}

/// Whether the `enterprises` table has a row of this USCC (no table: none has).
async fn is_registered(engine: &QueryEngine, code: &str) -> parkhub_queries::Result<bool> {
    if engine.lake().load_table("enterprises").await?.is_none() {
        return Ok(false);
    }
    let frame = engine
        .plan("SELECT uscc FROM enterprises")
        .await?
        .filter(col("uscc").eq(lit(code)))?
        .limit(0, Some(1))?;
    let found: usize = engine
        .execute(frame)?
        .collect()
        .await?
        .iter()
        .map(|batch| batch.num_rows())
        .sum();
    Ok(found > 0)
}

/// Creates an admin token named [`FIRST_ADMIN_NAME`] when the store holds no token at all,
/// and returns it; `None` when tokens exist (revoked ones count: a store whose tokens were all
/// revoked was emptied on purpose).
pub fn ensure_first_admin(tokens: &TokenStore) -> Result<Option<IssuedToken>> {
    if !tokens.is_empty()? {
        return Ok(None);
    }
    let (token, info) = tokens.create(NewToken {
        name: FIRST_ADMIN_NAME.to_string(),
        role: Role::Admin,
        uscc: None,
        expires_on: None,
    })?;
    Ok(Some(IssuedToken { token, info }))
}

/// Creates, once, a token for each role of the demo park, the enterprise one bound to the
/// first enterprise of the registry (by USCC). Returns the new tokens; empty when they were
/// made before (their secrets were printed then).
pub async fn ensure_demo_tokens(
    engine: &QueryEngine,
    tokens: &TokenStore,
) -> Result<Vec<IssuedToken>> {
    if tokens
        .get(&format!("{DEMO_PREFIX}{}", Role::Admin))?
        .is_some()
    {
        return Ok(Vec::new());
    }
    let enterprise = first_enterprise(engine)
        .await
        .map_err(|error| Error::EnterpriseLookup(Box::new(error)))?;
    let mut issued = Vec::new();
    for role in Role::ALL {
        let uscc = match role {
            Role::Enterprise => match &enterprise {
                Some(code) => Some(code.clone()),
                None => continue,
            },
            _ => None,
        };
        let (token, info) = tokens.create(NewToken {
            name: format!("{DEMO_PREFIX}{role}"),
            role,
            uscc,
            expires_on: None,
        })?;
        issued.push(IssuedToken { token, info });
    }
    Ok(issued)
}

/// Returns the first USCC of the `enterprises` table, if it has a row.
async fn first_enterprise(engine: &QueryEngine) -> parkhub_queries::Result<Option<String>> {
    use datafusion::arrow::array::{Array as _, AsArray as _};
    if engine.lake().load_table("enterprises").await?.is_none() {
        return Ok(None);
    }
    let batches = engine
        .query("SELECT uscc FROM enterprises ORDER BY uscc LIMIT 1")
        .await?
        .collect()
        .await?;
    let Some(batch) = batches.iter().find(|batch| batch.num_rows() > 0) else {
        return Ok(None);
    };
    let codes = datafusion::arrow::compute::cast(
        batch.column(0),
        &datafusion::arrow::datatypes::DataType::Utf8,
    )?;
    Ok(codes
        .as_string_opt::<i32>()
        .filter(|codes| codes.is_valid(0))
        .map(|codes| codes.value(0).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_admin_token_is_made_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = TokenStore::open(dir.path()).expect("opens");
        let issued = ensure_first_admin(&store)
            .expect("creates")
            .expect("a token");
        assert_eq!(issued.info.role, Role::Admin);
        assert_eq!(issued.info.name, FIRST_ADMIN_NAME);
        assert!(store.authenticate(&issued.token).is_ok());
        assert!(ensure_first_admin(&store).expect("reads").is_none());
        store.revoke(FIRST_ADMIN_NAME).expect("revokes");
        assert!(ensure_first_admin(&store).expect("reads").is_none());
    }
}
