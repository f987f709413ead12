//! A plain reference evaluator over the syntax tree: linear scans, no precomputation.
//!
//! It is written independently of the compiled fast path in `policy.rs`; a property test checks
//! that both agree. It assumes the tree passed `policy-check` without errors.

use crate::ast::{PolicyAst, StatementKind};
use crate::model::{AkashRequest, DenyReason, Resource, Verdict};
use crate::route::RouteMiss;
use crate::schema::{Access, AkashClaims, FilecoinClaims, Scope};

/// The facts of one operation, found by scanning the statements.
struct OpFacts<'a> {
    requires: Option<&'a str>,
    on: Option<&'a str>,
    public: bool,
}

fn family(ast: &PolicyAst) -> Option<&str> {
    ast.statements.iter().find_map(|s| match &s.kind {
        StatementKind::Family(f) => Some(f.text.as_str()),
        _ => None,
    })
}

fn find_operation<'a>(ast: &'a PolicyAst, name: &str) -> Option<OpFacts<'a>> {
    for s in &ast.statements {
        if let StatementKind::Operation {
            name: n,
            requires,
            on,
            public,
        } = &s.kind
            && n.text == name
        {
            return Some(OpFacts {
                requires: requires.as_ref().map(|i| i.text.as_str()),
                on: on.as_ref().map(|i| i.text.as_str()),
                public: *public,
            });
        }
    }
    for s in &ast.statements {
        if let StatementKind::Alias { name: n, target } = &s.kind
            && n.text == name
        {
            return find_operation(ast, &target.text);
        }
    }
    None
}

fn unlocked(ast: &PolicyAst, access: &str, item: &str) -> bool {
    ast.statements.iter().any(|s| match &s.kind {
        StatementKind::Access { access: a, unlocks } => {
            a.text == access && unlocks.iter().any(|u| u.text == item)
        }
        _ => false,
    })
}

fn access_name(a: Access) -> &'static str {
    match a {
        Access::Full => "full",
        Access::Scoped => "scoped",
        Access::Granular => "granular",
    }
}

fn scope_allowed(scope: Option<Scope>, list: impl IntoIterator<Item = Scope>) -> Verdict {
    match scope {
        None => Verdict::Allow,
        Some(s) => {
            if list.into_iter().any(|x| x == s) {
                Verdict::Allow
            } else {
                Verdict::Deny(DenyReason::ScopeMissing { scope: s })
            }
        }
    }
}

/// Reference decision for an Akash request on the operation named `op`.
#[must_use]
pub fn decide_akash(
    ast: &PolicyAst,
    op: &str,
    claims: &AkashClaims,
    req: &AkashRequest<'_>,
) -> Verdict {
    let Some(facts) = find_operation(ast, op) else {
        return Verdict::Deny(DenyReason::TokenRequired);
    };
    if facts.public {
        return Verdict::Allow;
    }
    if family(ast) != Some("akash") {
        return Verdict::Deny(DenyReason::TokenRequired);
    }
    // Deployment and lease operations need a resource of their own kind.
    if facts.on == Some("lease") && !matches!(req.resource, Resource::Lease { .. }) {
        return Verdict::Deny(DenyReason::ResourceRequired {
            expected: crate::ResourceKind::Lease,
        });
    }
    if facts.on == Some("deployment") && !matches!(req.resource, Resource::Deployment { .. }) {
        return Verdict::Deny(DenyReason::ResourceRequired {
            expected: crate::ResourceKind::Deployment,
        });
    }
    let leases = &claims.leases;
    let mut entry = None;
    if access_name(leases.access) == "granular" {
        for p in &leases.permissions {
            if p.provider == req.provider {
                entry = Some(p);
                break;
            }
        }
        if entry.is_none() {
            return Verdict::Deny(DenyReason::ProviderNotGranted);
        }
    }
    if let Some(owner) = req.owner
        && owner != claims.iss
    {
        return Verdict::Deny(DenyReason::OwnerMismatch {
            owner: owner.to_string(),
            issuer: claims.iss.clone(),
        });
    }
    let scope = facts.requires.and_then(Scope::parse);
    if leases.access == Access::Full {
        if unlocked(ast, "full", "every-operation") {
            return Verdict::Allow;
        }
        return Verdict::Deny(DenyReason::AccessNotUnlocked {
            access: Access::Full,
        });
    }
    if leases.access == Access::Scoped {
        if unlocked(ast, "scoped", "listed-scopes") {
            return scope_allowed(scope, leases.scope.iter());
        }
        return Verdict::Deny(DenyReason::AccessNotUnlocked {
            access: Access::Scoped,
        });
    }
    let providers = unlocked(ast, "granular", "provider-entries");
    let deployments = unlocked(ast, "granular", "deployment-entries");
    if !providers && !deployments {
        return Verdict::Deny(DenyReason::AccessNotUnlocked {
            access: Access::Granular,
        });
    }
    let Some(entry) = entry else {
        return Verdict::Deny(DenyReason::ProviderNotGranted);
    };
    let item_unlocked = if access_name(entry.access) == "granular" {
        deployments
    } else {
        providers
    };
    if !item_unlocked {
        return Verdict::Deny(DenyReason::AccessNotUnlocked {
            access: entry.access,
        });
    }
    match entry.access {
        Access::Full => Verdict::Allow,
        Access::Scoped => scope_allowed(scope, entry.scope.iter()),
        Access::Granular => {
            let on_resource = facts.on == Some("lease") || facts.on == Some("deployment");
            if !on_resource {
                // Provider-level: some deployment entry at this provider must list the scope.
                return match scope {
                    None => Verdict::Allow,
                    Some(s) => scope_allowed(
                        Some(s),
                        entry.deployments.iter().flat_map(|d| d.scope.iter()),
                    ),
                };
            }
            let matching: Vec<_> = entry
                .deployments
                .iter()
                .filter(|d| match req.resource {
                    Resource::None => false,
                    Resource::Deployment { dseq } => d.dseq == dseq,
                    Resource::Lease { dseq, gseq, oseq } => {
                        d.dseq == dseq && [0, gseq].contains(&d.gseq) && [0, oseq].contains(&d.oseq)
                    }
                })
                .collect();
            if matching.is_empty() {
                return Verdict::Deny(DenyReason::DeploymentNotGranted);
            }
            match scope {
                None => Verdict::Allow,
                Some(s) => {
                    if matching.iter().any(|d| d.scope.contains(s)) {
                        Verdict::Allow
                    } else {
                        Verdict::Deny(DenyReason::ScopeMissing { scope: s })
                    }
                }
            }
        }
    }
}

/// Reference decision for a Filecoin request on the operation named `op`.
#[must_use]
pub fn decide_filecoin(ast: &PolicyAst, op: &str, claims: &FilecoinClaims) -> Verdict {
    let Some(facts) = find_operation(ast, op) else {
        return Verdict::Deny(DenyReason::TokenRequired);
    };
    if facts.public {
        return Verdict::Allow;
    }
    if family(ast) != Some("filecoin") {
        return Verdict::Deny(DenyReason::TokenRequired);
    }
    match facts.requires {
        None => Verdict::Allow,
        Some(p) => {
            if claims.allow.iter().any(|a| a.as_str() == p) {
                Verdict::Allow
            } else {
                Verdict::Deny(DenyReason::PermissionMissing {
                    permission: p.to_string(),
                })
            }
        }
    }
}

/// Reference decision for a request with no token.
#[must_use]
pub fn decide_anonymous(ast: &PolicyAst, op: &str) -> Verdict {
    let Some(facts) = find_operation(ast, op) else {
        return Verdict::Deny(DenyReason::TokenRequired);
    };
    if facts.public {
        return Verdict::Allow;
    }
    if family(ast) == Some("filecoin") {
        let grant = ast.statements.iter().find_map(|s| match &s.kind {
            StatementKind::Anonymous(list) => Some(list),
            _ => None,
        });
        if let Some(grant) = grant {
            let ok = match facts.requires {
                None => true,
                Some(p) => grant.iter().any(|g| g.text == p),
            };
            if ok {
                return Verdict::Allow;
            }
        }
    }
    Verdict::Deny(DenyReason::TokenRequired)
}

/// A decimal number of at most `max_digits` ASCII digits that is at most `max`, digit by digit.
fn reference_number(text: &str, max_digits: usize, max: u64) -> Option<u64> {
    if text.is_empty() || text.chars().count() > max_digits {
        return None;
    }
    let mut value: u64 = 0;
    for c in text.chars() {
        let digit = c.to_digit(10)?;
        value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
    }
    (value <= max).then_some(value)
}

/// The segments of an absolute path or template after its leading `/` (none for `/` itself).
fn reference_segments(path: &str) -> Vec<&str> {
    if path == "/" {
        Vec::new()
    } else {
        path.split('/').skip(1).collect()
    }
}

/// Reference route matching over the `route` statements, in order: the route's index, the
/// operation's name and the resource. Same contract as [`crate::Policy::match_route`].
///
/// # Errors
/// [`RouteMiss::ResourceInvalid`] for the first route that matched except for a bad number, when
/// no route matches; otherwise [`RouteMiss::NotFound`].
pub fn match_route(
    ast: &PolicyAst,
    method: &str,
    path: &str,
) -> Result<(usize, String, Resource), RouteMiss> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return Err(RouteMiss::NotFound);
    }
    let parts = reference_segments(path);
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == "..")
    {
        return Err(RouteMiss::NotFound);
    }
    let routes = ast.statements.iter().filter_map(|s| match &s.kind {
        StatementKind::Route {
            method,
            template,
            operation,
        } => Some((
            method.text.as_str(),
            template.text.as_str(),
            operation.text.as_str(),
        )),
        _ => None,
    });
    let mut first_invalid: Option<RouteMiss> = None;
    for (index, (m, template, op)) in routes.enumerate() {
        if m != "*" && m != method {
            continue;
        }
        let pattern = reference_segments(template);
        if pattern.len() != parts.len() {
            continue;
        }
        let mut vars: Vec<(&str, &str)> = Vec::new();
        let mut literal_mismatch = false;
        for (t, p) in pattern.iter().zip(&parts) {
            match t.strip_prefix('{').and_then(|v| v.strip_suffix('}')) {
                Some(name) => vars.push((name, p)),
                None => literal_mismatch |= t != p,
            }
        }
        if literal_mismatch {
            continue;
        }
        let mut numbers: Vec<(&'static str, u64)> = Vec::new();
        let mut invalid = None;
        for (name, value) in vars {
            let (variable, digits, max): (&'static str, usize, u64) = match name {
                "dseq" => ("dseq", 20, u64::MAX),
                "gseq" => ("gseq", 10, u64::from(u32::MAX)),
                "oseq" => ("oseq", 10, u64::from(u32::MAX)),
                _ => continue,
            };
            match reference_number(value, digits, max) {
                Some(n) => numbers.push((variable, n)),
                None => {
                    invalid = Some(RouteMiss::ResourceInvalid {
                        variable,
                        value: value.to_owned(),
                        route: index,
                    });
                    break;
                }
            }
        }
        if let Some(miss) = invalid {
            first_invalid = first_invalid.or(Some(miss));
            continue;
        }
        let number = |v: &str| numbers.iter().find(|(n, _)| *n == v).map(|(_, x)| *x);
        let small = |v: &str| number(v).and_then(|x| u32::try_from(x).ok());
        let resource = match find_operation(ast, op).and_then(|f| f.on) {
            Some("lease") => match (number("dseq"), small("gseq"), small("oseq")) {
                (Some(dseq), Some(gseq), Some(oseq)) => Resource::Lease { dseq, gseq, oseq },
                _ => continue,
            },
            Some("deployment") => match number("dseq") {
                Some(dseq) => Resource::Deployment { dseq },
                None => continue,
            },
            _ => Resource::None,
        };
        return Ok((index, op.to_owned(), resource));
    }
    Err(first_invalid.unwrap_or(RouteMiss::NotFound))
}
