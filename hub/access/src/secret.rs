//! Token secrets: generating tokens and hashing them with the data directory's key.
//!
//! Tokens are 32 random bytes from the operating system, so they cannot be guessed and a slow
//! password hash (argon2, bcrypt) would buy nothing: its cost protects low-entropy secrets from
//! a dictionary. What a stolen `tokens.json` must not give is a way to test candidate tokens
//! offline, so each token is stored as HMAC-SHA256 under a key kept in its own file (mode
//! 0600) beside the store: the hash file alone reveals nothing, and checking a token on every
//! request costs two SHA-256 blocks, not tens of milliseconds.

use sha2::{Digest as _, Sha256};

/// The prefix of every token, so that a token found in a log or a repository is recognisable.
pub const TOKEN_PREFIX: &str = "phk_";
/// Random bytes in a token (written as twice as many hex digits after the prefix).
pub const TOKEN_BYTES: usize = 32;
/// Bytes of the hashing key.
pub const KEY_BYTES: usize = 32;

/// The key tokens are hashed with.
#[derive(Clone, PartialEq, Eq)]
pub struct HashKey([u8; KEY_BYTES]);

impl std::fmt::Debug for HashKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key.
        formatter.write_str("HashKey(..)")
    }
}

impl HashKey {
    /// Draws a new key from the operating system's random source.
    pub fn generate() -> Result<HashKey, rand::rand_core::OsError> {
        let mut key = [0u8; KEY_BYTES];
        fill_random(&mut key)?;
        Ok(HashKey(key))
    }

    /// Reads a key written by [`HashKey::to_hex`]; `None` when the text is not one.
    pub fn from_hex(text: &str) -> Option<HashKey> {
        let bytes = hex::decode(text.trim()).ok()?;
        let key: [u8; KEY_BYTES] = bytes.try_into().ok()?;
        Some(HashKey(key))
    }

    /// Returns the key as hex digits, as it is stored.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Returns the stored form of a token: hex HMAC-SHA256 of the token under this key.
    pub fn hash_token(&self, token: &str) -> String {
        hex::encode(hmac_sha256(&self.0, token.as_bytes()))
    }
}

/// Returns a new token: [`TOKEN_PREFIX`] followed by [`TOKEN_BYTES`] random bytes in hex.
pub fn generate_token() -> Result<String, rand::rand_core::OsError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    fill_random(&mut bytes)?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
}

/// Whether `text` has the shape of a token this hub issues (prefix and 64 lower-case hex
/// digits); anything else is refused before it is hashed.
pub fn is_well_formed(text: &str) -> bool {
    text.strip_prefix(TOKEN_PREFIX).is_some_and(|digits| {
        digits.len() == TOKEN_BYTES * 2
            && digits
                .bytes()
                .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
    })
}

fn fill_random(bytes: &mut [u8]) -> Result<(), rand::rand_core::OsError> {
    use rand::TryRngCore as _;
    rand::rngs::OsRng.try_fill_bytes(bytes)
}

/// HMAC-SHA256 (RFC 2104) over the `sha2` already in the tree: the `hmac` crate in the lock
/// file is built for a newer `digest` than this `sha2`, and the construction is a dozen lines
/// checked below against RFC 4231's vectors.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block_key = [0u8; BLOCK];
    if key.len() > BLOCK {
        block_key[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block_key[..key.len()].copy_from_slice(key);
    }
    let inner_pad = block_key.map(|byte| byte ^ 0x36);
    let outer_pad = block_key.map(|byte| byte ^ 0x5c);
    let inner = Sha256::new()
        .chain_update(inner_pad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(outer_pad)
        .chain_update(inner)
        .finalize()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2: a short key.
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 1: 20 bytes of 0x0b.
        assert_eq!(
            hex::encode(hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            hex::encode(hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn tokens_are_random_well_formed_and_hashed_under_the_key() {
        let first = generate_token().expect("random");
        let second = generate_token().expect("random");
        assert_ne!(first, second);
        assert!(is_well_formed(&first), "{first}");
        assert_eq!(first.len(), TOKEN_PREFIX.len() + 64);
        assert!(!is_well_formed("phk_short"));
        assert!(!is_well_formed(&first.to_uppercase()));
        assert!(!is_well_formed(&first.replacen("phk_", "pat_", 1)));

        let key = HashKey::generate().expect("random");
        let other_key = HashKey::generate().expect("random");
        let hash = key.hash_token(&first);
        assert_ne!(hash, first);
        assert!(!hash.contains(&first[TOKEN_PREFIX.len()..]));
        assert_eq!(hash, key.hash_token(&first));
        assert_ne!(hash, other_key.hash_token(&first));
        assert_eq!(HashKey::from_hex(&key.to_hex()), Some(key));
        assert!(HashKey::from_hex("abcd").is_none());
    }
}
