//! Typed claims produced by the validators.

use crate::scope::{Access, ScopeSet};

/// The validated claims of an Akash provider JWT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AkashClaims {
    /// `iss`: the bech32 `akash1…` address of the lease owner, exactly as sent.
    pub iss: String,
    /// `iat`: issued-at, Unix seconds (never checked against the clock).
    pub iat: i64,
    /// `nbf`: not-before, Unix seconds.
    pub nbf: i64,
    /// `exp`: expiry, Unix seconds.
    pub exp: i64,
    /// `jti`: token id, if present.
    pub jti: Option<String>,
    /// `version`: always `v1` after validation.
    pub version: String,
    /// `leases`: what the token grants.
    pub leases: Leases,
}

/// The `leases` claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leases {
    /// Top-level access level.
    pub access: Access,
    /// Scopes granted at any provider; non-empty only for [`Access::Scoped`].
    pub scope: ScopeSet,
    /// Per-provider entries; non-empty only for [`Access::Granular`].
    pub permissions: Vec<ProviderPermission>,
}

/// One entry of `leases.permissions`: what the token grants at one provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderPermission {
    /// The provider's bech32 address, exactly as sent.
    pub provider: String,
    /// Access level at this provider.
    pub access: Access,
    /// Scopes granted on every lease at this provider; non-empty only for [`Access::Scoped`].
    pub scope: ScopeSet,
    /// Per-deployment entries; non-empty only for [`Access::Granular`].
    pub deployments: Vec<DeploymentPermission>,
}

/// One entry of `leases.permissions[n].deployments`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeploymentPermission {
    /// Deployment sequence, at least 1.
    pub dseq: u64,
    /// Group sequence; 0 means any group.
    pub gseq: u32,
    /// Order sequence; 0 means any order.
    pub oseq: u32,
    /// Scopes granted on this deployment (never empty).
    pub scope: ScopeSet,
    /// Service names the grant is limited to (never empty).
    pub services: Vec<String>,
}

/// The validated claims of a Filecoin (Forest or Lotus) node API token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilecoinClaims {
    /// `Allow`: permission strings in token order; unknown strings are carried, not dropped.
    pub allow: Vec<String>,
    /// `exp`: expiry in Unix seconds; always `Some` for Forest, always `None` for Lotus.
    pub exp: Option<i64>,
}

impl FilecoinClaims {
    /// Flat, case-sensitive membership test (`admin` does not imply `read`).
    pub fn allows(&self, permission: &str) -> bool {
        self.allow.iter().any(|p| p == permission)
    }
}
