//! Resolved public keys, parsed once and kept per issuer.
//!
//! A chain-backed [`KeyResolver`] pays a network round trip and a point decompression
//! (~7.5 µs) per lookup; wrapping it in a [`CachingResolver`] pays them once per issuer. Only
//! successful lookups are kept: an unknown issuer is asked again next time, so an account that
//! appears on chain later is picked up.

use std::sync::Arc;

use quick_cache::sync::Cache;
use tollgate_verify::{KeyOrigin, KeyResolver, ResolveError, ResolvedKey, Secp256k1PublicKey};

/// A [`KeyResolver`] that remembers the keys another resolver returned, per issuer.
pub struct CachingResolver<R> {
    inner: R,
    keys: Cache<String, Arc<Secp256k1PublicKey>>,
}

impl<R: KeyResolver> CachingResolver<R> {
    /// Wraps `inner`, keeping at most `capacity` issuers' keys.
    pub fn new(inner: R, capacity: usize) -> Self {
        CachingResolver {
            inner,
            keys: Cache::new(capacity.max(1)),
        }
    }

    /// Forgets every key (call when accounts may have rotated keys).
    pub fn clear(&self) {
        self.keys.clear();
    }

    /// The number of issuers whose key is cached.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when no key is cached.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl<R: KeyResolver> KeyResolver for CachingResolver<R> {
    fn resolve(&self, issuer: &str) -> Result<ResolvedKey, ResolveError> {
        if let Some(key) = self.keys.get(issuer) {
            return Ok(ResolvedKey {
                key,
                origin: KeyOrigin::MemoryCache,
            });
        }
        let resolved = self.inner.resolve(issuer)?;
        self.keys
            .insert(issuer.to_owned(), Arc::clone(&resolved.key));
        Ok(resolved)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A resolver that parses its key on every call and counts the calls.
    struct Counting {
        calls: AtomicUsize,
    }

    impl KeyResolver for Counting {
        fn resolve(&self, issuer: &str) -> Result<ResolvedKey, ResolveError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if issuer != "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh" {
                return Err(ResolveError::UnknownIssuer {
                    issuer: issuer.to_owned(),
                });
            }
            let key = Secp256k1PublicKey::parse(
                "03e1fde5cc17f56501ed53d87718df76c135b9a6401dceb53d198111a1eaf85f76",
            )
            .map_err(|error| ResolveError::Unavailable {
                issuer: issuer.to_owned(),
                reason: error.to_string(),
            })?;
            Ok(ResolvedKey {
                key: Arc::new(key),
                origin: KeyOrigin::Static,
            })
        }
    }

    #[test]
    fn resolves_each_issuer_once_and_retries_unknown_ones() {
        let resolver = CachingResolver::new(
            Counting {
                calls: AtomicUsize::new(0),
            },
            16,
        );
        let issuer = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";
        let first = resolver.resolve(issuer).unwrap();
        let second = resolver.resolve(issuer).unwrap();
        assert_eq!(first.origin, KeyOrigin::Static);
        assert_eq!(second.origin, KeyOrigin::MemoryCache);
        assert!(
            Arc::ptr_eq(&first.key, &second.key),
            "the parsed key is shared, not parsed again"
        );
        assert_eq!(resolver.inner.calls.load(Ordering::SeqCst), 1);
        assert!(resolver.resolve("akash1unknown").is_err());
        assert!(resolver.resolve("akash1unknown").is_err());
        assert_eq!(
            resolver.inner.calls.load(Ordering::SeqCst),
            3,
            "misses are not cached"
        );
        assert_eq!(resolver.len(), 1);
    }
}
