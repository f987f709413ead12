//! The verified-claims cache: a token seen before skips signature and schema work.
//!
//! Keyed by the whole token (the map hashes it with a randomly seeded hasher and compares the
//! full string on a hit, so a hash collision can never return another token's claims). A hit
//! still goes through the time check and the policy, so a cached token is never allowed after
//! its `exp`, before its `nbf`, or for an operation it does not grant.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use quick_cache::Weighter;
use quick_cache::sync::Cache;
use tollgate_schema::{AkashClaims, FilecoinClaims};
use tollgate_verify::Algorithm;

/// Claims of one token whose signature and claims have been checked.
#[derive(Debug)]
pub(crate) struct VerifiedClaims {
    /// The algorithm the signature was checked with.
    pub alg: Algorithm,
    /// The validated claims.
    pub claims: Claims,
}

/// Validated claims of either family.
#[derive(Debug)]
pub(crate) enum Claims {
    /// An Akash provider token.
    Akash(AkashClaims),
    /// A Filecoin node token.
    Filecoin(FilecoinClaims),
}

impl VerifiedClaims {
    /// The issuer whose key verified the token (Akash), if any.
    pub fn issuer(&self) -> Option<&str> {
        match &self.claims {
            Claims::Akash(claims) => Some(&claims.iss),
            Claims::Filecoin(_) => None,
        }
    }

    /// A rough upper bound of the heap bytes this entry holds.
    fn approximate_bytes(&self) -> usize {
        let base = std::mem::size_of::<Self>();
        base + match &self.claims {
            Claims::Akash(claims) => {
                let permissions: usize = claims
                    .leases
                    .permissions
                    .iter()
                    .map(|p| {
                        std::mem::size_of_val(p)
                            + p.provider.len()
                            + p.deployments
                                .iter()
                                .map(|d| {
                                    std::mem::size_of_val(d)
                                        + d.services.iter().map(|s| s.len() + 24).sum::<usize>()
                                })
                                .sum::<usize>()
                    })
                    .sum();
                claims.iss.len()
                    + claims.version.len()
                    + claims.jti.as_ref().map_or(0, String::len)
                    + permissions
            }
            Claims::Filecoin(claims) => claims.allow.iter().map(|p| p.len() + 24).sum(),
        }
    }
}

/// Weighs an entry by its bytes, but never below `floor`, so `capacity / floor` also bounds the
/// number of entries.
#[derive(Clone)]
struct EntryWeighter {
    floor: u64,
}

impl Weighter<Box<str>, Arc<VerifiedClaims>> for EntryWeighter {
    fn weight(&self, key: &Box<str>, value: &Arc<VerifiedClaims>) -> u64 {
        let bytes = key.len() + value.approximate_bytes();
        u64::try_from(bytes).unwrap_or(u64::MAX).max(self.floor)
    }
}

/// A bounded, concurrent map from token to verified claims.
pub(crate) struct ClaimsCache {
    entries: Cache<Box<str>, Arc<VerifiedClaims>, EntryWeighter>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl ClaimsCache {
    /// A cache holding at most `max_entries` tokens and about `max_bytes` bytes.
    pub fn new(max_entries: usize, max_bytes: u64) -> Self {
        let entries = u64::try_from(max_entries.max(1)).unwrap_or(u64::MAX);
        let floor = (max_bytes / entries).max(1);
        ClaimsCache {
            entries: Cache::with_weighter(
                max_entries.max(1),
                max_bytes.max(1),
                EntryWeighter { floor },
            ),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The claims of `token`, if it was verified before and is still cached.
    pub fn get(&self, token: &str) -> Option<Arc<VerifiedClaims>> {
        let found = self.entries.get(token);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Lookups that found the token, and lookups that did not, since the cache was built.
    pub fn stats(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// Remembers the claims of a verified token.
    pub fn insert(&self, token: &str, claims: Arc<VerifiedClaims>) {
        self.entries.insert(Box::from(token), claims);
    }

    /// Forgets every token (call after rotating keys or secrets).
    pub fn clear(&self) {
        self.entries.clear();
    }

    /// The number of cached tokens.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}
