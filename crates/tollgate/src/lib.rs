//! Tollgate: may this token perform this operation?
//!
//! The [`Authorizer`] is the one entry point. It is built once from a compiled
//! [`Policy`], a key source and options, is `Send + Sync`, and answers
//! [`Authorizer::authorize`] with a [`Decision`]: allow, or deny with a stable [`DenyCode`] and a
//! one-line reason. [`Authorizer::explain`] also returns the [`Trace`] of every check.
//!
//! Data flows one way: token bytes → [`tollgate_verify`] (parse, algorithm, key, signature) →
//! [`tollgate_schema`] (claims) → time → [`tollgate_policy`] (the decision).
#![deny(missing_docs)]

mod authorizer;
mod builder;
mod cache;
mod clock;
mod decision;
mod deny_code;
mod key_cache;
mod operation;
mod reason;
mod trace;

pub use authorizer::Authorizer;
pub use builder::{AuthorizerBuilder, BuildError, CacheConfig};
pub use clock::{Clock, FixedClock, SystemClock};
pub use decision::{Decision, Denial};
pub use deny_code::DenyCode;
pub use key_cache::CachingResolver;
pub use operation::{Operation, ResourceParseError, parse_resource};
pub use trace::{Check, Step, StepOutcome, Trace};

pub use tollgate_policy as policy;
pub use tollgate_policy::{Policy, Resource};
pub use tollgate_schema as schema;
pub use tollgate_verify as verify;

#[cfg(test)]
mod tests {
    /// The authorizer is shared across request handlers: it must stay `Send + Sync`.
    #[test]
    fn authorizer_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<crate::Authorizer>();
        assert_send_sync::<crate::CachingResolver<crate::verify::StaticKeys>>();
    }
}
