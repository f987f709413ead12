//! [`FallbackResolver`]: several key sources tried in order.

use std::sync::Arc;

use super::{KeyResolver, ResolveError, ResolvedKey};

/// Tries resolvers in order: an [`ResolveError::UnknownIssuer`] falls through to the next
/// resolver; any other answer (a key, or another error such as `Unavailable`) is returned as is.
///
/// Used to put configured key files in front of the chain: a tenant listed in a file never
/// costs a chain query, and every other tenant is looked up on chain.
#[derive(Clone, Default)]
pub struct FallbackResolver {
    resolvers: Vec<Arc<dyn KeyResolver>>,
}

impl FallbackResolver {
    /// A resolver over `resolvers`, tried first to last.
    pub fn new(resolvers: Vec<Arc<dyn KeyResolver>>) -> Self {
        FallbackResolver { resolvers }
    }

    /// Appends `resolver`, tried after every resolver already present.
    #[must_use]
    pub fn then(mut self, resolver: Arc<dyn KeyResolver>) -> Self {
        self.resolvers.push(resolver);
        self
    }

    /// Number of resolvers.
    pub fn len(&self) -> usize {
        self.resolvers.len()
    }

    /// Whether there is no resolver (every issuer is then unknown).
    pub fn is_empty(&self) -> bool {
        self.resolvers.is_empty()
    }
}

impl std::fmt::Debug for FallbackResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FallbackResolver")
            .field("resolvers", &self.resolvers.len())
            .finish()
    }
}

impl KeyResolver for FallbackResolver {
    fn resolve(&self, issuer: &str) -> Result<ResolvedKey, ResolveError> {
        for resolver in &self.resolvers {
            match resolver.resolve(issuer) {
                Err(ResolveError::UnknownIssuer { .. }) => {}
                answer => return answer,
            }
        }
        Err(ResolveError::UnknownIssuer {
            issuer: issuer.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{KeyOrigin, Secp256k1PublicKey, StaticKeys};

    const HEX: &str = "03e1fde5cc17f56501ed53d87718df76c135b9a6401dceb53d198111a1eaf85f76";
    const ADDR: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";

    struct Fixed(Result<ResolvedKey, ResolveError>);

    impl KeyResolver for Fixed {
        fn resolve(&self, _issuer: &str) -> Result<ResolvedKey, ResolveError> {
            self.0.clone()
        }
    }

    fn unavailable() -> Arc<dyn KeyResolver> {
        Arc::new(Fixed(Err(ResolveError::Unavailable {
            issuer: ADDR.into(),
            reason: "down".into(),
        })))
    }

    fn static_keys() -> Arc<dyn KeyResolver> {
        let mut keys = StaticKeys::new();
        keys.insert(Secp256k1PublicKey::parse(HEX).unwrap());
        Arc::new(keys)
    }

    #[test]
    fn unknown_falls_through_and_the_first_answer_wins() {
        let resolver = FallbackResolver::new(vec![Arc::new(StaticKeys::new())])
            .then(static_keys())
            .then(unavailable());
        assert_eq!(resolver.len(), 3);
        let found = resolver.resolve(ADDR).unwrap();
        assert_eq!(found.origin, KeyOrigin::Static);
        assert_eq!(hex::encode(found.key.to_compressed()), HEX);
    }

    #[test]
    fn other_errors_stop_the_search() {
        let resolver = FallbackResolver::new(vec![unavailable(), static_keys()]);
        assert!(matches!(
            resolver.resolve(ADDR),
            Err(ResolveError::Unavailable { .. })
        ));
    }

    #[test]
    fn an_issuer_unknown_everywhere_is_unknown() {
        let empty = FallbackResolver::default();
        assert!(empty.is_empty());
        assert_eq!(
            empty.resolve("akash1nobody").unwrap_err(),
            ResolveError::UnknownIssuer {
                issuer: "akash1nobody".into()
            }
        );
        let resolver = FallbackResolver::new(vec![static_keys()]);
        assert!(matches!(
            resolver.resolve("akash1nobody"),
            Err(ResolveError::UnknownIssuer { .. })
        ));
    }
}
