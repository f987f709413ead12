//! The authorizer behind an atomic swap.

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;
use tollgate::Authorizer;

/// The authorizer every request uses, replaceable at run time.
///
/// [`SharedAuthorizer::replace`] swaps in a fully built authorizer in one atomic store: a request
/// sees either the old one or the new one, never a mix. Requests in flight keep the one they
/// loaded until they finish.
#[derive(Clone)]
pub struct SharedAuthorizer {
    current: Arc<ArcSwap<Authorizer>>,
}

impl SharedAuthorizer {
    /// Shares `authorizer`.
    pub fn new(authorizer: Authorizer) -> Self {
        SharedAuthorizer {
            current: Arc::new(ArcSwap::from_pointee(authorizer)),
        }
    }

    /// The current authorizer.
    pub fn load(&self) -> Arc<Authorizer> {
        self.current.load_full()
    }

    /// Replaces the authorizer for every later request.
    pub fn replace(&self, authorizer: Authorizer) {
        self.current.store(Arc::new(authorizer));
    }
}

impl fmt::Debug for SharedAuthorizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedAuthorizer")
            .field("policy", &self.current.load().policy().name())
            .finish()
    }
}
