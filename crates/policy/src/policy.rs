//! The compiled policy and its fast decision path.

use std::collections::HashMap;

use crate::analyze::Checked;
use crate::diagnostic::{PolicyDiagnostic, PolicyErrors};
use crate::model::{
    AkashRequest, Algorithm, BearerPrefix, ClaimsRule, DenyReason, Family, OpId, OperationDef,
    Requirement, Resource, ResourceKind, Unlocks, Verdict,
};
use crate::route::{RouteDef, RouteMatch, RouteMiss, match_routes};
use crate::schema::{Access, AkashClaims, FilecoinClaims, Scope, ScopeSet};

/// A requirement in compiled form: scopes as themselves, permissions interned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    Nothing,
    Scope(Scope),
    Permission(u32),
}

/// Everything one decision needs about an operation, precomputed.
#[derive(Clone, Copy, Debug)]
struct CompiledOp {
    resource: ResourceKind,
    public: bool,
    need: Need,
    anonymous: bool,
}

/// Where a request points once its resource has been checked against the operation.
#[derive(Clone, Copy)]
enum Target {
    Provider,
    Deployment(u64),
    Lease(u64, u32, u32),
}

/// Returned by [`Policy::operation_def`] for an id that no operation of this policy has.
static UNKNOWN_OPERATION: OperationDef = OperationDef {
    name: String::new(),
    resource: ResourceKind::None,
    public: false,
    requires: Requirement::None,
    alias_of: None,
};

/// A compiled policy: built once, shared between threads, queried per request.
#[derive(Clone, Debug)]
pub struct Policy {
    name: String,
    family: Family,
    algorithms: Vec<Algorithm>,
    claims: ClaimsRule,
    leeway: u64,
    bearer: BearerPrefix,
    operations: Vec<OperationDef>,
    compiled: Vec<CompiledOp>,
    index: HashMap<String, OpId>,
    permission_names: Vec<String>,
    sets: Vec<(String, Vec<String>)>,
    unlocks: Unlocks,
    routes: Vec<RouteDef>,
    warnings: Vec<PolicyDiagnostic>,
}

impl Policy {
    /// Parses, checks and compiles policy source. `origin` names the source in diagnostics.
    ///
    /// # Errors
    /// Every diagnostic (errors and warnings, sorted by position) when there is at least one error.
    pub fn compile(source: &str, origin: &str) -> Result<Policy, PolicyErrors> {
        let report = crate::lint::check(source, origin);
        match report.policy {
            Some(policy) => Ok(policy),
            // `check` yields no policy only when it found an error; `internal` covers the rest.
            None => Err(PolicyErrors::new(report.diagnostics)
                .unwrap_or_else(|| PolicyErrors::internal(source, origin))),
        }
    }

    pub(crate) fn from_checked(checked: Checked, warnings: Vec<PolicyDiagnostic>) -> Policy {
        let permission_names = checked.permissions;
        let perm_id = |p: &str| {
            permission_names
                .iter()
                .position(|n| n == p)
                .and_then(|i| u32::try_from(i).ok())
        };
        let anonymous = checked.anonymous.as_ref();
        let compiled = checked
            .operations
            .iter()
            .map(|def| {
                let need = match &def.requires {
                    Requirement::None => Need::Nothing,
                    Requirement::Scope(s) => Need::Scope(*s),
                    Requirement::Permission(p) => {
                        perm_id(p).map_or(Need::Nothing, Need::Permission)
                    }
                };
                let anonymous_ok = checked.family == Family::Filecoin
                    && anonymous.is_some_and(|grant| match &def.requires {
                        Requirement::Permission(p) => grant.contains(p),
                        Requirement::None => true,
                        Requirement::Scope(_) => false,
                    });
                CompiledOp {
                    resource: def.resource,
                    public: def.public,
                    need,
                    anonymous: def.public || anonymous_ok,
                }
            })
            .collect();
        let index = checked
            .operations
            .iter()
            .enumerate()
            .filter_map(|(i, def)| u32::try_from(i).ok().map(|i| (def.name.clone(), OpId(i))))
            .collect();
        Policy {
            name: checked.name,
            family: checked.family,
            algorithms: checked.algorithms,
            claims: checked.claims,
            leeway: checked.leeway,
            bearer: checked.bearer,
            operations: checked.operations,
            compiled,
            index,
            permission_names,
            sets: checked.sets,
            unlocks: checked.unlocks,
            routes: checked.routes,
            warnings,
        }
    }

    /// The policy's name (the `policy` statement).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The token family.
    #[must_use]
    pub fn family(&self) -> Family {
        self.family
    }

    /// The accepted algorithms, in the order written.
    #[must_use]
    pub fn algorithms(&self) -> &[Algorithm] {
        &self.algorithms
    }

    /// How claims are validated.
    #[must_use]
    pub fn claims_rule(&self) -> ClaimsRule {
        self.claims
    }

    /// The clock leeway in seconds.
    #[must_use]
    pub fn leeway_secs(&self) -> u64 {
        self.leeway
    }

    /// Whether the HTTP `Authorization` header must start with `Bearer ` (the `bearer`
    /// statement; [`BearerPrefix::Required`] when the policy has none).
    #[must_use]
    pub fn bearer_prefix(&self) -> BearerPrefix {
        self.bearer
    }

    /// The warnings `policy-check` reports for this policy (it compiled despite them).
    #[must_use]
    pub fn warnings(&self) -> &[PolicyDiagnostic] {
        &self.warnings
    }

    /// Looks an operation (or alias) up by its exact name.
    #[must_use]
    pub fn operation(&self, name: &str) -> Option<OpId> {
        self.index.get(name).copied()
    }

    /// The definition of an operation. An id from another policy that is out of range yields an
    /// empty, non-public definition.
    #[must_use]
    pub fn operation_def(&self, id: OpId) -> &OperationDef {
        self.operations
            .get(id.index())
            .unwrap_or(&UNKNOWN_OPERATION)
    }

    /// Every operation and alias, in declaration order.
    pub fn operations(&self) -> impl Iterator<Item = &OperationDef> {
        self.operations.iter()
    }

    /// The permissions of a named minting set, e.g. `sign` → `[read, write, sign]`.
    #[must_use]
    pub fn permission_set(&self, name: &str) -> Option<&[String]> {
        self.sets
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, members)| members.as_slice())
    }

    /// The names of the permission sets, in declaration order.
    pub fn permission_sets(&self) -> impl Iterator<Item = &str> {
        self.sets.iter().map(|(n, _)| n.as_str())
    }

    /// The HTTP routes, in declaration order.
    #[must_use]
    pub fn routes(&self) -> &[RouteDef] {
        &self.routes
    }

    /// True when the policy declares at least one route.
    #[must_use]
    pub fn has_routes(&self) -> bool {
        !self.routes.is_empty()
    }

    /// Maps an HTTP request to its operation and resource through the route table.
    ///
    /// Everything from the first `?` or `#` of `path` is ignored. The path must start with `/`;
    /// an empty, `.` or `..` segment (so `//` and a trailing `/`) matches nothing. Methods and
    /// literal segments compare byte for byte (no case folding, no percent-decoding); `*` routes
    /// take any method. `{dseq}` is a decimal `u64` (at most 20 digits), `{gseq}` and `{oseq}`
    /// decimal `u32`s (at most 10 digits); leading zeros are accepted, signs and spaces are not.
    /// Routes are tried in declaration order and the first that matches wins. Allocates nothing
    /// on a match.
    ///
    /// # Errors
    /// [`RouteMiss::ResourceInvalid`] when a route matched except for a resource variable that
    /// is not a valid number, and no later route matches (the first such failure is reported);
    /// otherwise [`RouteMiss::NotFound`].
    pub fn match_route(&self, method: &str, path: &str) -> Result<RouteMatch, RouteMiss> {
        match_routes(&self.routes, method, path)
    }

    /// Decides an Akash request. Allocates nothing on the allow path.
    ///
    /// Order: public → allow; wrong family → `TokenRequired`; resource shape of deployment and
    /// lease operations → `ResourceRequired`; granular token without an entry for `req.provider`
    /// → `ProviderNotGranted`; owner → `OwnerMismatch`; then the access walk of AKASH.md §5
    /// (see specs/policy-language.md).
    #[must_use]
    pub fn decide_akash(&self, op: OpId, claims: &AkashClaims, req: &AkashRequest<'_>) -> Verdict {
        let Some(c) = self.compiled.get(op.index()) else {
            return Verdict::Deny(DenyReason::TokenRequired);
        };
        if c.public {
            return Verdict::Allow;
        }
        if self.family != Family::Akash {
            return Verdict::Deny(DenyReason::TokenRequired);
        }
        let target = match (c.resource, req.resource) {
            (ResourceKind::None | ResourceKind::Provider, _) => Target::Provider,
            (ResourceKind::Deployment, Resource::Deployment { dseq }) => Target::Deployment(dseq),
            (ResourceKind::Lease, Resource::Lease { dseq, gseq, oseq }) => {
                Target::Lease(dseq, gseq, oseq)
            }
            (expected, _) => return Verdict::Deny(DenyReason::ResourceRequired { expected }),
        };
        let leases = &claims.leases;
        // A granular token binds to provider addresses: find this provider's entry first.
        let entry = if leases.access == Access::Granular {
            match leases
                .permissions
                .iter()
                .find(|p| p.provider == req.provider)
            {
                Some(entry) => Some(entry),
                None => return Verdict::Deny(DenyReason::ProviderNotGranted),
            }
        } else {
            None
        };
        if let Some(owner) = req.owner
            && owner != claims.iss
        {
            return Verdict::Deny(DenyReason::OwnerMismatch {
                owner: owner.to_owned(),
                issuer: claims.iss.clone(),
            });
        }
        let scope = match c.need {
            Need::Nothing => None,
            Need::Scope(s) => Some(s),
            Need::Permission(i) => return self.permission_missing(i),
        };
        let u = self.unlocks;
        let entry = match (leases.access, entry) {
            (Access::Full, _) if u.full => return Verdict::Allow,
            (Access::Scoped, _) if u.scoped => return scope_in(scope, leases.scope),
            (Access::Granular, Some(entry)) if u.provider_entries || u.deployment_entries => entry,
            (access, _) => return Verdict::Deny(DenyReason::AccessNotUnlocked { access }),
        };
        match entry.access {
            Access::Full if u.provider_entries => Verdict::Allow,
            Access::Scoped if u.provider_entries => scope_in(scope, entry.scope),
            Access::Granular if u.deployment_entries => {
                let (dseq, gseq, oseq) = match target {
                    Target::Provider => {
                        // A provider-level operation under per-deployment entries: granted when
                        // some deployment entry at this provider lists the scope.
                        return match scope {
                            None => Verdict::Allow,
                            Some(s) if entry.deployments.iter().any(|d| d.scope.contains(s)) => {
                                Verdict::Allow
                            }
                            Some(scope) => Verdict::Deny(DenyReason::ScopeMissing { scope }),
                        };
                    }
                    Target::Deployment(dseq) => (dseq, None, None),
                    Target::Lease(dseq, gseq, oseq) => (dseq, Some(gseq), Some(oseq)),
                };
                let mut matched = false;
                for d in &entry.deployments {
                    let hit = d.dseq == dseq
                        && gseq.is_none_or(|g| d.gseq == 0 || d.gseq == g)
                        && oseq.is_none_or(|o| d.oseq == 0 || d.oseq == o);
                    if hit {
                        match scope {
                            None => return Verdict::Allow,
                            Some(s) if d.scope.contains(s) => return Verdict::Allow,
                            Some(_) => matched = true,
                        }
                    }
                }
                match (matched, scope) {
                    (true, Some(scope)) => Verdict::Deny(DenyReason::ScopeMissing { scope }),
                    _ => Verdict::Deny(DenyReason::DeploymentNotGranted),
                }
            }
            access => Verdict::Deny(DenyReason::AccessNotUnlocked { access }),
        }
    }

    /// Decides a Filecoin request: exact, case-sensitive membership of the required permission in
    /// `Allow` (no hierarchy). Allocates nothing on the allow path.
    #[must_use]
    pub fn decide_filecoin(&self, op: OpId, claims: &FilecoinClaims) -> Verdict {
        let Some(c) = self.compiled.get(op.index()) else {
            return Verdict::Deny(DenyReason::TokenRequired);
        };
        if c.public {
            return Verdict::Allow;
        }
        if self.family != Family::Filecoin {
            return Verdict::Deny(DenyReason::TokenRequired);
        }
        match c.need {
            Need::Nothing => Verdict::Allow,
            Need::Scope(scope) => Verdict::Deny(DenyReason::ScopeMissing { scope }),
            Need::Permission(i) => {
                let name = self.permission_name(i);
                if claims.allow.iter().any(|a| a == name) {
                    Verdict::Allow
                } else {
                    self.permission_missing(i)
                }
            }
        }
    }

    /// Decides a request that carries no token: public operations are allowed; in a Filecoin
    /// policy with an `anonymous` grant, so are operations the grant covers; everything else is
    /// `TokenRequired`.
    #[must_use]
    pub fn decide_anonymous(&self, op: OpId) -> Verdict {
        match self.compiled.get(op.index()) {
            Some(c) if c.anonymous => Verdict::Allow,
            _ => Verdict::Deny(DenyReason::TokenRequired),
        }
    }

    fn permission_name(&self, i: u32) -> &str {
        self.permission_names
            .get(i as usize)
            .map_or("", String::as_str)
    }

    fn permission_missing(&self, i: u32) -> Verdict {
        Verdict::Deny(DenyReason::PermissionMissing {
            permission: self.permission_name(i).to_owned(),
        })
    }
}

fn scope_in(scope: Option<Scope>, granted: ScopeSet) -> Verdict {
    match scope {
        None => Verdict::Allow,
        Some(s) if granted.contains(s) => Verdict::Allow,
        Some(scope) => Verdict::Deny(DenyReason::ScopeMissing { scope }),
    }
}
