//! The public vocabulary of compiled policies and decisions.

use std::fmt;

use crate::schema::{Access, AkashBehaviour, FilecoinBehaviour, Scope};

/// The token family a policy governs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Akash provider JWTs (ES256K, ES256KADR36).
    Akash,
    /// Filecoin node API tokens, Forest and Lotus (HS256).
    Filecoin,
}

impl Family {
    /// `"akash"` or `"filecoin"`, as written in a policy.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Family::Akash => "akash",
            Family::Filecoin => "filecoin",
        }
    }

    /// Parses the spelling used in a policy (exact, lowercase).
    #[must_use]
    pub fn parse(s: &str) -> Option<Family> {
        match s {
            "akash" => Some(Family::Akash),
            "filecoin" => Some(Family::Filecoin),
            _ => None,
        }
    }
}

/// A signature algorithm a policy may accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// ECDSA over secp256k1 with SHA-256, 64-byte `r||s`, low-S.
    Es256k,
    /// ES256K over an ADR-036 sign doc.
    Es256kAdr36,
    /// HMAC-SHA256.
    Hs256,
}

impl Algorithm {
    /// Every algorithm.
    pub const ALL: [Algorithm; 3] = [Algorithm::Es256k, Algorithm::Es256kAdr36, Algorithm::Hs256];

    /// The JOSE name: `ES256K`, `ES256KADR36`, `HS256`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Es256k => "ES256K",
            Algorithm::Es256kAdr36 => "ES256KADR36",
            Algorithm::Hs256 => "HS256",
        }
    }

    /// Parses a JOSE name (exact, case-sensitive).
    #[must_use]
    pub fn from_name(s: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.name() == s)
    }

    /// True for HMAC algorithms, false for elliptic-curve ones.
    #[must_use]
    pub const fn is_hmac(self) -> bool {
        matches!(self, Algorithm::Hs256)
    }
}

/// How the claims of a token are validated (the `claims` statement).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimsRule {
    /// Akash claims, strict or upstream-compatible.
    Akash(AkashBehaviour),
    /// Filecoin claims, as Forest or as Lotus validates them.
    Filecoin(FilecoinBehaviour),
}

impl ClaimsRule {
    /// The spelling used in a policy: `strict`, `upstream-compatible`, `forest`, `lotus`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ClaimsRule::Akash(AkashBehaviour::Strict) => "strict",
            ClaimsRule::Akash(AkashBehaviour::UpstreamCompatible) => "upstream-compatible",
            ClaimsRule::Filecoin(FilecoinBehaviour::Forest) => "forest",
            ClaimsRule::Filecoin(FilecoinBehaviour::Lotus) => "lotus",
        }
    }

    /// Parses a spelling for the given family.
    #[must_use]
    pub fn parse(family: Family, s: &str) -> Option<ClaimsRule> {
        match (family, s) {
            (Family::Akash, "strict") => Some(ClaimsRule::Akash(AkashBehaviour::Strict)),
            (Family::Akash, "upstream-compatible") => {
                Some(ClaimsRule::Akash(AkashBehaviour::UpstreamCompatible))
            }
            (Family::Filecoin, "forest") => Some(ClaimsRule::Filecoin(FilecoinBehaviour::Forest)),
            (Family::Filecoin, "lotus") => Some(ClaimsRule::Filecoin(FilecoinBehaviour::Lotus)),
            _ => None,
        }
    }

    /// The spellings valid for a family.
    #[must_use]
    pub const fn names(family: Family) -> &'static [&'static str] {
        match family {
            Family::Akash => &["strict", "upstream-compatible"],
            Family::Filecoin => &["forest", "lotus"],
        }
    }
}

/// Whether the HTTP `Authorization` header must carry the `Bearer ` prefix (the `bearer`
/// statement). Absent means [`BearerPrefix::Required`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BearerPrefix {
    /// The header must read `Bearer <token>`: exact, case-sensitive prefix, stripped once (Akash,
    /// Lotus, Forest v0.33.8 and later). The default.
    Required,
    /// The prefix may be left out, and every leading repeat of `Bearer ` is stripped (Forest up to
    /// v0.33.7, `trim_start_matches("Bearer ")`). Only valid with `claims forest`.
    Optional,
}

impl BearerPrefix {
    /// `"required"` or `"optional"`, as written in a policy.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            BearerPrefix::Required => "required",
            BearerPrefix::Optional => "optional",
        }
    }

    /// Parses the spelling used in a policy (exact, lowercase).
    #[must_use]
    pub fn parse(s: &str) -> Option<BearerPrefix> {
        match s {
            "required" => Some(BearerPrefix::Required),
            "optional" => Some(BearerPrefix::Optional),
            _ => None,
        }
    }

    /// The spellings a `bearer` statement accepts.
    pub const NAMES: [&'static str; 2] = ["required", "optional"];
}

/// An operation's index in its compiled policy. Only meaningful for the policy that issued it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OpId(pub(crate) u32);

impl OpId {
    /// The index of the operation in [`crate::Policy::operations`].
    #[must_use]
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// What an operation acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    /// Nothing (public routes, Filecoin methods).
    None,
    /// The provider as a whole (`hostname.migrate`, `endpoint.migrate`).
    Provider,
    /// A deployment, by `dseq`.
    Deployment,
    /// A lease, by `dseq/gseq/oseq`.
    Lease,
}

impl ResourceKind {
    /// `none`, `provider`, `deployment` or `lease`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ResourceKind::None => "none",
            ResourceKind::Provider => "provider",
            ResourceKind::Deployment => "deployment",
            ResourceKind::Lease => "lease",
        }
    }

    /// Parses the spelling used after `on` (`provider`, `deployment`, `lease`).
    #[must_use]
    pub fn parse(s: &str) -> Option<ResourceKind> {
        match s {
            "provider" => Some(ResourceKind::Provider),
            "deployment" => Some(ResourceKind::Deployment),
            "lease" => Some(ResourceKind::Lease),
            _ => None,
        }
    }
}

/// The resource a request acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    /// No resource.
    None,
    /// A deployment.
    Deployment {
        /// Deployment sequence number.
        dseq: u64,
    },
    /// A lease.
    Lease {
        /// Deployment sequence number.
        dseq: u64,
        /// Group sequence number.
        gseq: u32,
        /// Order sequence number.
        oseq: u32,
    },
}

/// The request context of an Akash decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AkashRequest<'a> {
    /// This provider's own address (granular entries are matched against it).
    pub provider: &'a str,
    /// The deployment or lease the request acts on.
    pub resource: Resource,
    /// The owner of that deployment or lease, when the caller knows it.
    pub owner: Option<&'a str>,
}

/// What an operation requires of a token, beyond access to its resource.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Requirement {
    /// Nothing beyond resource access (Akash: lease access only).
    None,
    /// An Akash scope.
    Scope(Scope),
    /// A Filecoin permission, by name (matched exactly and case-sensitively).
    Permission(String),
}

/// An operation as declared in a policy (aliases are resolved to their target's requirement).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationDef {
    /// The operation's name (an Akash route name or a JSON-RPC method name).
    pub name: String,
    /// What it acts on.
    pub resource: ResourceKind,
    /// Reachable with no token.
    pub public: bool,
    /// What it requires.
    pub requires: Requirement,
    /// For an `alias` statement: the operation this name stands for.
    pub alias_of: Option<String>,
}

/// The outcome of a policy decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The request may proceed.
    Allow,
    /// The request is refused, for this reason.
    Deny(DenyReason),
}

impl Verdict {
    /// True for [`Verdict::Allow`].
    #[must_use]
    pub const fn is_allow(&self) -> bool {
        matches!(self, Verdict::Allow)
    }
}

/// Why a policy refused a request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DenyReason {
    /// Anonymous request; the operation is not public and no anonymous grant covers it.
    TokenRequired,
    /// The request's resource does not fit the operation.
    ResourceRequired {
        /// The kind of resource the operation acts on.
        expected: ResourceKind,
    },
    /// The resource belongs to someone other than the token's issuer.
    OwnerMismatch {
        /// The resource's owner.
        owner: String,
        /// The token's issuer.
        issuer: String,
    },
    /// A granular token has no entry for this provider.
    ProviderNotGranted,
    /// The provider entry is granular but no deployment entry matches the resource.
    DeploymentNotGranted,
    /// The token does not grant the scope the operation requires.
    ScopeMissing {
        /// The missing scope.
        scope: Scope,
    },
    /// The token does not carry the permission the operation requires.
    PermissionMissing {
        /// The missing permission.
        permission: String,
    },
    /// The policy does not unlock this access type.
    AccessNotUnlocked {
        /// The access type the token (or its provider entry) uses.
        access: Access,
    },
}

impl fmt::Display for DenyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DenyReason::TokenRequired => f.write_str("a token is required for this operation"),
            DenyReason::ResourceRequired { expected } => {
                write!(f, "the operation acts on a {} resource", expected.as_str())
            }
            DenyReason::OwnerMismatch { owner, issuer } => write!(
                f,
                "the resource belongs to `{owner}`, not to the token's issuer `{issuer}`"
            ),
            DenyReason::ProviderNotGranted => {
                f.write_str("the token has no permission entry for this provider")
            }
            DenyReason::DeploymentNotGranted => {
                f.write_str("no deployment entry of the token matches the resource")
            }
            DenyReason::ScopeMissing { scope } => {
                write!(f, "the token does not grant scope `{}`", scope.as_str())
            }
            DenyReason::PermissionMissing { permission } => {
                write!(f, "the token does not carry permission `{permission}`")
            }
            DenyReason::AccessNotUnlocked { access } => {
                write!(f, "the policy does not unlock `{}` access", access.as_str())
            }
        }
    }
}

/// What each access type unlocks (the `access` statements of an Akash policy).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Unlocks {
    pub full: bool,
    pub scoped: bool,
    pub provider_entries: bool,
    pub deployment_entries: bool,
}

/// The `unlocks` items valid for each access type.
pub(crate) const fn unlock_items(access: Access) -> &'static [&'static str] {
    match access {
        Access::Full => &["every-operation"],
        Access::Scoped => &["listed-scopes"],
        Access::Granular => &["provider-entries", "deployment-entries"],
    }
}

/// Parses `full`, `scoped`, `granular`.
pub(crate) fn parse_access(s: &str) -> Option<Access> {
    match s {
        "full" => Some(Access::Full),
        "scoped" => Some(Access::Scoped),
        "granular" => Some(Access::Granular),
        _ => None,
    }
}
