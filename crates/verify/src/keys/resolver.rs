//! [`KeyResolver`]: issuer address to public key; [`StaticKeys`]: a fixed in-memory set.

use super::{KeysFileError, Secp256k1PublicKey};
use std::collections::HashMap;
use std::sync::Arc;

/// Why a key could not be resolved for an issuer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// No key is known for this issuer.
    #[error("no public key is known for issuer `{issuer}`")]
    UnknownIssuer {
        /// The token's `iss`.
        issuer: String,
    },
    /// The key source could not answer (for example the chain is unreachable).
    #[error("public key of issuer `{issuer}` is unavailable: {reason}")]
    Unavailable {
        /// The token's `iss`.
        issuer: String,
        /// What went wrong, for the operator.
        reason: String,
    },
    /// The account exists but has no public key on chain: it has never signed a transaction.
    #[error(
        "account `{issuer}` ({account_type}) has no public key: it has never signed a transaction"
    )]
    NoPublicKey {
        /// The token's `iss`.
        issuer: String,
        /// The account's type as the source reported it, e.g. `BaseAccount`.
        account_type: String,
    },
    /// The account is a module account, which has no key and cannot sign.
    #[error("account `{issuer}` is the module account `{module}`, which cannot sign tokens")]
    ModuleAccount {
        /// The token's `iss`.
        issuer: String,
        /// The module's name, e.g. `distribution`.
        module: String,
    },
    /// The account's key is not a single secp256k1 key (for example ed25519 or multisig).
    #[error("account `{issuer}` holds a `{key_type}` key, but tokens need a secp256k1 key")]
    UnsupportedKeyType {
        /// The token's `iss`.
        issuer: String,
        /// The key's type, e.g. `/cosmos.crypto.multisig.LegacyAminoPubKey`.
        key_type: String,
    },
    /// The key source returned a key that does not hash to the issuer's address.
    #[error("the key returned for `{issuer}` belongs to `{derived}`, not to the issuer")]
    KeyMismatch {
        /// The token's `iss`.
        issuer: String,
        /// The address the returned key derives to.
        derived: String,
    },
}

/// Where a resolved key came from, for `explain` and logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyOrigin {
    /// A fixed set configured up front (a keys file or keys inserted in code).
    Static,
    /// An in-memory cache in front of another source.
    MemoryCache,
    /// A persistent on-disk cache of earlier chain answers.
    PersistentCache,
    /// A chain node answered the account query.
    ChainNode {
        /// The node's base URL.
        url: String,
    },
}

impl std::fmt::Display for KeyOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyOrigin::Static => f.write_str("configured keys"),
            KeyOrigin::MemoryCache => f.write_str("memory cache"),
            KeyOrigin::PersistentCache => f.write_str("persistent cache"),
            KeyOrigin::ChainNode { url } => write!(f, "chain node `{url}`"),
        }
    }
}

/// A public key and where it came from.
#[derive(Clone, Debug)]
pub struct ResolvedKey {
    /// The issuer's key, parsed once and shared.
    pub key: Arc<Secp256k1PublicKey>,
    /// Its source.
    pub origin: KeyOrigin,
}

/// Finds the secp256k1 public key of an Akash issuer address.
///
/// Akash providers trust the chain's account-to-key mapping; an implementation may query the
/// chain and cache. Tollgate only verifies with what the resolver returns.
pub trait KeyResolver: Send + Sync {
    /// The public key of `issuer` (the token's `iss`) and where it came from.
    fn resolve(&self, issuer: &str) -> Result<ResolvedKey, ResolveError>;
}

/// A fixed set of public keys indexed by their derived Akash address.
#[derive(Clone, Debug, Default)]
pub struct StaticKeys {
    keys: HashMap<String, Arc<Secp256k1PublicKey>>,
}

impl StaticKeys {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `key` under its derived Akash address and returns that address. A key already
    /// present is replaced by the identical key.
    pub fn insert(&mut self, key: Secp256k1PublicKey) -> String {
        let address = key.akash_address();
        self.keys.insert(address.clone(), Arc::new(key));
        address
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether a key is known for `address`.
    pub fn contains(&self, address: &str) -> bool {
        self.keys.contains_key(address)
    }

    /// The addresses in the set, in no particular order.
    pub fn addresses(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    /// Adds every key of `other`.
    pub fn merge(&mut self, other: StaticKeys) {
        self.keys.extend(other.keys);
    }

    /// Parses a keys file (YAML or JSON):
    /// `{"accounts":[{"pubkey": "<hex or base64>", "address": "akash1…"}]}` where `address` is
    /// optional and, if present, must equal the address the key derives to. `origin` names the
    /// file in diagnostics.
    #[expect(
        clippy::result_large_err,
        reason = "cold start-up path; the error carries the file for miette"
    )]
    pub fn from_keys_file(text: &str, origin: &str) -> Result<StaticKeys, KeysFileError> {
        let mut keys = StaticKeys::new();
        for key in super::file::parse(text, origin)? {
            keys.insert(key);
        }
        Ok(keys)
    }
}

impl KeyResolver for StaticKeys {
    fn resolve(&self, issuer: &str) -> Result<ResolvedKey, ResolveError> {
        self.keys
            .get(issuer)
            .map(|key| ResolvedKey {
                key: Arc::clone(key),
                origin: KeyOrigin::Static,
            })
            .ok_or_else(|| ResolveError::UnknownIssuer {
                issuer: issuer.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "03e1fde5cc17f56501ed53d87718df76c135b9a6401dceb53d198111a1eaf85f76";
    const ADDR: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";

    #[test]
    fn resolves_inserted_keys_by_address() {
        let mut keys = StaticKeys::new();
        assert!(keys.is_empty());
        let addr = keys.insert(Secp256k1PublicKey::parse(HEX).unwrap());
        assert_eq!(addr, ADDR);
        assert_eq!(keys.len(), 1);
        assert_eq!(
            hex::encode(keys.resolve(ADDR).unwrap().key.to_compressed()),
            HEX
        );
        assert_eq!(
            keys.resolve("akash1other").unwrap_err(),
            ResolveError::UnknownIssuer {
                issuer: "akash1other".into()
            }
        );
    }

    #[test]
    fn merge_adds_keys() {
        let mut a = StaticKeys::new();
        let mut b = StaticKeys::new();
        b.insert(Secp256k1PublicKey::parse(HEX).unwrap());
        a.merge(b);
        assert!(a.contains(ADDR));
        assert_eq!(a.addresses().collect::<Vec<_>>(), [ADDR]);
    }
}
