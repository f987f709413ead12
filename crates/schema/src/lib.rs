//! Typed Akash and Filecoin JWT claims, validated against the JSON schemas in `specs/` and the
//! semantic rules of the upstream implementations.
//!
//! - [`AkashValidator`] reproduces the Akash provider (`akash-network/chain-sdk` Go
//!   `Claims.Validate()` and the current upstream JSON schema) in two behaviours:
//!   [`AkashBehaviour::Strict`] rejects the union of what the schema and the Go code reject;
//!   [`AkashBehaviour::UpstreamCompatible`] accepts what the Go provider accepts.
//! - [`FilecoinValidator`] reproduces Forest or Lotus.
//!
//! Both validate the decoded payload bytes in one pass and report **every** problem as a
//! [`ClaimError`] with a stable code and a JSON pointer; [`ClaimErrors`] is a
//! [`miette::Diagnostic`] whose `related()` lists them all. Nothing here reads the clock: time
//! claims are parsed, and the caller compares them with `now`.
//!
//! ```
//! use tollgate_schema::{AkashBehaviour, AkashValidator, Access, Scope};
//! let v = AkashValidator::new(AkashBehaviour::Strict)?;
//! let claims = v.validate(br#"{"iss":"akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh",
//!     "iat":1760000000,"nbf":1760000000,"exp":1760000900,"version":"v1",
//!     "leases":{"access":"scoped","scope":["logs","shell"]}}"#).map_err(|e| e.to_string())?;
//! assert_eq!(claims.leases.access, Access::Scoped);
//! assert!(claims.leases.scope.contains(Scope::Logs));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod address;
mod akash;
mod akash_fast;
mod claims;
mod error;
mod fast;
mod filecoin;
mod filecoin_fast;
mod fuzzy;
mod path;
mod schema_map;
mod scope;
mod walk;

pub use akash::{AKASH_SCHEMA, AkashBehaviour, AkashValidator};
pub use claims::{AkashClaims, DeploymentPermission, FilecoinClaims, Leases, ProviderPermission};
pub use error::{ClaimError, ClaimErrorCode, ClaimErrors, SchemaSetupError};
pub use filecoin::{FILECOIN_SCHEMA, FilecoinBehaviour, FilecoinValidator};
pub use scope::{Access, Scope, ScopeSet};

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn validators_are_send_and_sync() {
        assert_send_sync::<super::AkashValidator>();
        assert_send_sync::<super::FilecoinValidator>();
        assert_send_sync::<super::ClaimErrors>();
    }
}
