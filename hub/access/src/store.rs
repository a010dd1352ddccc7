//! The token store of a data directory: `<data-dir>/auth/tokens.json`, hashed under
//! `<data-dir>/auth/secret.key`.
//!
//! - Writers (`parkhub token …`, `serve` recording when a token was last used, HTTP token
//!   routes) take `tokens.lock` (an OS file lock), read the file afresh, change it and replace
//!   it atomically (a temporary file renamed over it), so concurrent processes never lose each
//!   other's updates and readers never see half a file.
//! - Readers check the file's identity (inode, length, modification time) on every
//!   authentication, one `stat`, and reload it when it changed: a token created or revoked by
//!   another process counts from the next request on.
//! - Revoked tokens stay in the file, marked with when they were revoked, so `token list` shows
//!   them and their names are not reused (the audit trail names tokens).
//! - When a token was last used is written at most once a minute per token, so authenticating
//!   does not write a file per request.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::private_file::{self, FileStamp};
use crate::secret::{self, HashKey};
use crate::{Error, Result};
use parkhub_queries::policy::{Principal, Role};

/// Folder of the token store inside the data directory.
pub const AUTH_FOLDER: &str = "auth";
/// The token file.
pub const TOKENS_FILE: &str = "tokens.json";
/// The hashing key's file.
pub const KEY_FILE: &str = "secret.key";
/// The file locked by writers.
pub const LOCK_FILE: &str = "tokens.lock";
/// How often, at most, a token's last use is written.
pub const LAST_USED_GRANULARITY: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// What `token list` shows of a token: everything but its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    /// The token's unique name (the Postgres wire user name).
    pub name: String,
    /// Its role: `admin`, `committee`, `centre` or `enterprise`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "committee"))]
    pub role: Role,
    /// The enterprise's USCC, for an enterprise token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// The last day it is valid (UTC), if it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<NaiveDate>,
    /// When it was last used, to the minute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
}

impl TokenInfo {
    /// Whether the token's last day is before `now`'s day (UTC).
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_on
            .is_some_and(|last_day| now.date_naive() > last_day)
    }

    /// Returns `active`, `revoked` or `expired`.
    pub fn state(&self, now: DateTime<Utc>) -> &'static str {
        if self.revoked_at.is_some() {
            "revoked"
        } else if self.is_expired(now) {
            "expired"
        } else {
            "active"
        }
    }

    /// Returns the principal the token stands for.
    pub fn principal(&self) -> Principal {
        Principal {
            name: self.name.clone(),
            role: self.role,
            uscc: self.uscc.clone(),
        }
    }
}

/// A token to create. The enterprise's USCC must have been checked against the registry
/// (see [`crate::bootstrap::check_enterprise`]); the store checks only that it is
/// there for enterprise tokens and absent for the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    /// Its unique name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// The enterprise's USCC (enterprise tokens only).
    pub uscc: Option<String>,
    /// The last day it is valid (UTC).
    pub expires_on: Option<NaiveDate>,
}

/// Why a presented token is refused. The messages say what to do without telling a stranger
/// anything about the store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// No `Authorization: Bearer` header.
    #[error(
        "this route needs a token: send `Authorization: Bearer <token>` (create one with `parkhub token create`)"
    )]
    Missing,
    /// Something that is not a token of this hub.
    #[error("the Authorization header does not hold a ParkHub token (`Bearer phk_…`)")]
    Malformed,
    /// A well-formed token that this hub did not issue.
    #[error("the token is not known to this hub")]
    Unknown,
    /// The token was revoked.
    #[error("the token '{name}' was revoked")]
    Revoked {
        /// The token's name.
        name: String,
    },
    /// The token's last day has passed.
    #[error("the token '{name}' expired on {expires_on}")]
    Expired {
        /// The token's name.
        name: String,
        /// Its last valid day.
        expires_on: NaiveDate,
    },
}

/// A token that was accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    /// Who it stands for.
    pub principal: Principal,
    /// Whether its last use should be written now (see [`TokenStore::touch`]).
    pub touch_due: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredToken {
    #[serde(flatten)]
    info: TokenInfo,
    /// Hex HMAC-SHA256 of the token under the store's key.
    hash: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenFile {
    version: u32,
    tokens: Vec<StoredToken>,
}

const FILE_VERSION: u32 = 1;

#[derive(Debug, Default)]
struct Cache {
    stamp: Option<FileStamp>,
    tokens: Vec<StoredToken>,
    /// Index in `tokens` by hash.
    by_hash: HashMap<String, usize>,
    /// When this process last decided to write a token's last use, by name.
    touched: HashMap<String, DateTime<Utc>>,
}

impl Cache {
    fn replace(&mut self, stamp: Option<FileStamp>, tokens: Vec<StoredToken>) {
        self.by_hash = tokens
            .iter()
            .enumerate()
            .map(|(index, token)| (token.hash.clone(), index))
            .collect();
        self.tokens = tokens;
        self.stamp = stamp;
    }
}

/// The tokens of one data directory.
#[derive(Debug)]
pub struct TokenStore {
    folder: PathBuf,
    key: HashKey,
    cache: Mutex<Cache>,
}

impl TokenStore {
    /// Opens the store of a data directory, creating its folder (mode 0700) and its key
    /// (mode 0600) when they are missing.
    pub fn open(data_dir: &Path) -> Result<TokenStore> {
        let folder = data_dir.join(AUTH_FOLDER);
        private_file::create_private_dir(&folder)?;
        let lock = private_file::lock(&folder, LOCK_FILE)?;
        let key = load_or_create_key(&folder.join(KEY_FILE))?;
        drop(lock);
        let store = TokenStore {
            folder,
            key,
            cache: Mutex::new(Cache::default()),
        };
        store.refresh()?;
        Ok(store)
    }

    /// Returns the token file's path.
    pub fn tokens_path(&self) -> PathBuf {
        self.folder.join(TOKENS_FILE)
    }

    /// Creates a token and returns it (the only time it is seen) with its record.
    pub fn create(&self, new: NewToken) -> Result<(String, TokenInfo)> {
        check_name(&new.name)?;
        match (new.role, &new.uscc) {
            (Role::Enterprise, None) => return Err(Error::UsccRequired),
            (role, Some(_)) if role != Role::Enterprise => {
                return Err(Error::UsccNotAllowed { role });
            }
            _ => {}
        }
        let token = secret::generate_token()?;
        let hash = self.key.hash_token(&token);
        let info = TokenInfo {
            name: new.name,
            role: new.role,
            uscc: new.uscc,
            created_at: Utc::now(),
            expires_on: new.expires_on,
            last_used_at: None,
            revoked_at: None,
        };
        let created = info.clone();
        self.update(move |file| {
            if file.tokens.iter().any(|token| token.info.name == info.name) {
                return Err(Error::DuplicateTokenName { name: info.name });
            }
            file.tokens.push(StoredToken { info, hash });
            Ok(())
        })?;
        Ok((token, created))
    }

    /// Returns every token, revoked ones included, in the order they were created.
    pub fn list(&self) -> Result<Vec<TokenInfo>> {
        self.refresh()?;
        let cache = self.lock_cache();
        Ok(cache
            .tokens
            .iter()
            .map(|token| token.info.clone())
            .collect())
    }

    /// Whether the store holds no token at all (revoked ones count).
    pub fn is_empty(&self) -> Result<bool> {
        self.refresh()?;
        Ok(self.lock_cache().tokens.is_empty())
    }

    /// Returns the record of the token named `name`.
    pub fn get(&self, name: &str) -> Result<Option<TokenInfo>> {
        self.refresh()?;
        let cache = self.lock_cache();
        Ok(cache
            .tokens
            .iter()
            .find(|token| token.info.name == name)
            .map(|token| token.info.clone()))
    }

    /// Revokes the token named `name` and returns its record.
    pub fn revoke(&self, name: &str) -> Result<TokenInfo> {
        self.update(|file| {
            let token = file
                .tokens
                .iter_mut()
                .find(|token| token.info.name == name)
                .ok_or_else(|| Error::UnknownToken {
                    name: name.to_string(),
                })?;
            if token.info.revoked_at.is_some() {
                return Err(Error::TokenAlreadyRevoked {
                    name: name.to_string(),
                });
            }
            token.info.revoked_at = Some(Utc::now());
            Ok(token.info.clone())
        })
    }

    /// Checks a presented token against the store as it is on disk now.
    ///
    /// A store that cannot be re-read (a damaged file) keeps answering from the last version
    /// it read, and says so in the log.
    pub fn authenticate(&self, presented: &str) -> Result<Authenticated, Rejection> {
        if !secret::is_well_formed(presented) {
            return Err(Rejection::Malformed);
        }
        if let Err(error) = self.refresh() {
            tracing::error!(%error, "cannot re-read the token store; using the last version read");
        }
        let hash = self.key.hash_token(presented);
        let now = Utc::now();
        let mut cache = self.lock_cache();
        let Some(&index) = cache.by_hash.get(&hash) else {
            return Err(Rejection::Unknown);
        };
        let info = &cache.tokens[index].info;
        if info.revoked_at.is_some() {
            return Err(Rejection::Revoked {
                name: info.name.clone(),
            });
        }
        if let Some(expires_on) = info.expires_on.filter(|_| info.is_expired(now)) {
            return Err(Rejection::Expired {
                name: info.name.clone(),
                expires_on,
            });
        }
        let principal = info.principal();
        let last_written = info.last_used_at;
        let last_decided = cache.touched.get(&principal.name).copied();
        let latest = last_written.max(last_decided);
        let touch_due = latest.is_none_or(|at| now - at >= LAST_USED_GRANULARITY);
        if touch_due {
            cache.touched.insert(principal.name.clone(), now);
        }
        Ok(Authenticated {
            principal,
            touch_due,
        })
    }

    /// Writes that the token named `name` was used now. Blocking: call it off the request
    /// threads when [`Authenticated::touch_due`] says so.
    pub fn touch(&self, name: &str) -> Result<()> {
        let now = Utc::now();
        self.update(|file| {
            if let Some(token) = file.tokens.iter_mut().find(|token| token.info.name == name) {
                token.info.last_used_at = Some(now);
            }
            Ok(())
        })
    }

    /// Writes that the token named `name` was used now, on tokio's blocking threads, so a
    /// request or connection does not wait on the file lock; a failure is logged, not returned
    /// (the token's use stands).
    pub async fn touch_off_thread(self: &Arc<Self>, name: &str) {
        let tokens = Arc::clone(self);
        let name = name.to_string();
        match tokio::task::spawn_blocking(move || tokens.touch(&name)).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "cannot record when a token was last used"),
            Err(error) => tracing::warn!(%error, "cannot record when a token was last used"),
        }
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        // A panic while holding the cache leaves it consistent (it is replaced whole).
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reloads the token file when it changed since it was last read.
    fn refresh(&self) -> Result<()> {
        let path = self.tokens_path();
        let stamp = private_file::stamp_of(&path)?;
        if self.lock_cache().stamp == stamp && stamp.is_some() {
            return Ok(());
        }
        let file: TokenFile = private_file::read_json(&path)?;
        // The file may have been replaced between the stat and the read: stat again so that a
        // later change is still noticed.
        let stamp_after = private_file::stamp_of(&path)?;
        self.lock_cache()
            .replace(if stamp_after == stamp { stamp } else { None }, file.tokens);
        Ok(())
    }

    /// Changes the token file under the writers' lock: reads it afresh, applies `change`,
    /// and replaces it atomically when `change` succeeds.
    fn update<T>(&self, change: impl FnOnce(&mut TokenFile) -> Result<T>) -> Result<T> {
        let _lock = private_file::lock(&self.folder, LOCK_FILE)?;
        let path = self.tokens_path();
        let mut file: TokenFile = private_file::read_json(&path)?;
        let answer = change(&mut file)?;
        file.version = FILE_VERSION;
        private_file::write_json(&path, &file)?;
        let stamp = private_file::stamp_of(&path)?;
        self.lock_cache().replace(stamp, file.tokens);
        Ok(answer)
    }
}

fn check_name(name: &str) -> Result<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
    let reserved = [crate::CLI_PRINCIPAL_NAME, crate::ANONYMOUS_NAME];
    if name.is_empty() || name.len() > 64 || !name.chars().all(allowed) || reserved.contains(&name)
    {
        return Err(Error::InvalidTokenName {
            name: name.to_string(),
        });
    }
    Ok(())
}

/// Reads the key, or creates it; the caller holds the writers' lock, so two processes
/// starting at once agree on one key.
fn load_or_create_key(path: &Path) -> Result<HashKey> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            return HashKey::from_hex(&text).ok_or_else(|| Error::CorruptKey {
                path: path.to_path_buf(),
            });
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(Error::StoreIo {
                path: path.to_path_buf(),
                source,
            });
        }
    }
    let key = HashKey::generate()?;
    private_file::write_private(path, key.to_hex().as_bytes())?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_token(name: &str, role: Role) -> NewToken {
        NewToken {
            name: name.to_string(),
            role,
            uscc: None,
            expires_on: None,
        }
    }

    #[test]
    fn the_store_keeps_hashes_never_tokens() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = TokenStore::open(dir.path()).expect("opens");
        let (token, info) = store
            .create(new_token("analyst", Role::Committee))
            .expect("creates");
        assert_eq!(info.role, Role::Committee);
        let text = std::fs::read_to_string(store.tokens_path()).expect("written");
        assert!(!text.contains(&token), "{text}");
        assert!(
            !text.contains(&token[secret::TOKEN_PREFIX.len()..]),
            "{text}"
        );
        let stored: TokenFile = serde_json::from_str(&text).expect("JSON");
        assert_ne!(stored.tokens[0].hash, token);
        assert_eq!(stored.tokens[0].hash.len(), 64);
        let key =
            std::fs::read_to_string(dir.path().join(AUTH_FOLDER).join(KEY_FILE)).expect("key");
        assert!(!text.contains(key.trim()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |name: &str| {
                std::fs::metadata(dir.path().join(AUTH_FOLDER).join(name))
                    .expect("metadata")
                    .permissions()
                    .mode()
                    & 0o777
            };
            assert_eq!(mode(KEY_FILE), 0o600);
            assert_eq!(mode(TOKENS_FILE), 0o600);
        }
        let accepted = store.authenticate(&token).expect("accepted");
        assert_eq!(accepted.principal.name, "analyst");
        assert_eq!(
            store.authenticate(&secret::generate_token().expect("random")),
            Err(Rejection::Unknown)
        );
        assert_eq!(store.authenticate("analyst"), Err(Rejection::Malformed));
    }

    #[test]
    fn a_revocation_by_another_process_is_seen_at_the_next_check() {
        let dir = tempfile::tempdir().expect("temp dir");
        let server = TokenStore::open(dir.path()).expect("opens");
        let cli = TokenStore::open(dir.path()).expect("opens");
        let (token, _) = cli
            .create(new_token("centre-1", Role::Centre))
            .expect("creates");
        assert_eq!(
            server.authenticate(&token).expect("seen").principal.role,
            Role::Centre
        );
        let revoked = cli.revoke("centre-1").expect("revokes");
        assert!(revoked.revoked_at.is_some());
        assert_eq!(
            server.authenticate(&token),
            Err(Rejection::Revoked {
                name: "centre-1".into()
            })
        );
        assert!(matches!(
            cli.revoke("centre-1"),
            Err(Error::TokenAlreadyRevoked { .. })
        ));
        assert!(matches!(
            cli.revoke("nobody"),
            Err(Error::UnknownToken { .. })
        ));
        // Revoked tokens are listed and keep their names.
        let listed = server.list().expect("lists");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].state(Utc::now()), "revoked");
        assert!(matches!(
            cli.create(new_token("centre-1", Role::Centre)),
            Err(Error::DuplicateTokenName { .. })
        ));
    }

    #[test]
    fn a_token_is_valid_through_its_last_day() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = TokenStore::open(dir.path()).expect("opens");
        let today = Utc::now().date_naive();
        let mut until_today = new_token("today", Role::Committee);
        until_today.expires_on = Some(today);
        let (valid, _) = store.create(until_today).expect("creates");
        assert!(store.authenticate(&valid).is_ok());
        let yesterday = today.pred_opt().expect("a day before");
        let mut until_yesterday = new_token("yesterday", Role::Committee);
        until_yesterday.expires_on = Some(yesterday);
        let (expired, info) = store.create(until_yesterday).expect("creates");
        assert_eq!(info.state(Utc::now()), "expired");
        assert_eq!(
            store.authenticate(&expired),
            Err(Rejection::Expired {
                name: "yesterday".into(),
                expires_on: yesterday
            })
        );
    }

    #[test]
    fn names_and_enterprise_bindings_are_checked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = TokenStore::open(dir.path()).expect("opens");
        for bad in ["", "cli", "anonymous", "has space", "名字", &"x".repeat(65)] {
            assert!(
                matches!(
                    store.create(new_token(bad, Role::Admin)),
                    Err(Error::InvalidTokenName { .. })
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            store.create(new_token("firm", Role::Enterprise)),
            Err(Error::UsccRequired)
        ));
        let mut with_uscc = new_token("committee", Role::Committee);
        with_uscc.uscc = Some("91320500MA1XXXXX0X".into());
        assert!(matches!(
            store.create(with_uscc),
            Err(Error::UsccNotAllowed {
                role: Role::Committee
            })
        ));
        assert!(store.is_empty().expect("reads"));
    }

    #[test]
    fn concurrent_creates_from_separate_stores_all_land() {
        let dir = tempfile::tempdir().expect("temp dir");
        let threads: Vec<_> = (0..8)
            .map(|thread| {
                let data_dir = dir.path().to_path_buf();
                std::thread::spawn(move || {
                    // Each thread opens its own store, as separate processes would.
                    let store = TokenStore::open(&data_dir).expect("opens");
                    (0..5)
                        .map(|index| {
                            store
                                .create(new_token(&format!("t{thread}-{index}"), Role::Committee))
                                .expect("creates")
                                .0
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let tokens: Vec<String> = threads
            .into_iter()
            .flat_map(|thread| thread.join().expect("thread"))
            .collect();
        let store = TokenStore::open(dir.path()).expect("opens");
        assert_eq!(store.list().expect("lists").len(), 40);
        for token in &tokens {
            assert!(store.authenticate(token).is_ok());
        }
    }

    #[test]
    fn the_last_use_is_written_at_most_once_a_minute() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = TokenStore::open(dir.path()).expect("opens");
        let (token, _) = store
            .create(new_token("busy", Role::Admin))
            .expect("creates");
        let first = store.authenticate(&token).expect("accepted");
        assert!(first.touch_due);
        store.touch("busy").expect("writes");
        let stamp = private_file::stamp_of(&store.tokens_path()).expect("stat");
        for _ in 0..100 {
            assert!(!store.authenticate(&token).expect("accepted").touch_due);
        }
        assert_eq!(
            private_file::stamp_of(&store.tokens_path()).expect("stat"),
            stamp
        );
        let info = store.get("busy").expect("reads").expect("present");
        assert!(info.last_used_at.is_some());
    }
}
