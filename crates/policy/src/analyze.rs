//! Semantic analysis: every rule of the language that the grammar cannot express, and the lints.
//! Produces the checked model a [`crate::Policy`] is compiled from, when there is no error.

use std::collections::HashMap;

use crate::ast::{Ident, PolicyAst, StatementKind};
use crate::diagnostic::{Finding, LintCode, Severity};
use crate::model::{
    Algorithm, BearerPrefix, ClaimsRule, Family, OperationDef, Requirement, ResourceKind, Unlocks,
    parse_access, unlock_items,
};
use crate::route::RouteDef;
use crate::route_check::check_routes;
use crate::schema::{Access, FilecoinBehaviour, Scope};
use crate::span::Span;
use crate::suggest::{did_you_mean, skeleton};

/// The largest leeway that does not draw a warning, in seconds.
pub const MAX_SANE_LEEWAY_SECS: u64 = 300;

/// A policy that passed analysis.
#[derive(Clone, Debug)]
pub(crate) struct Checked {
    pub name: String,
    pub family: Family,
    pub algorithms: Vec<Algorithm>,
    pub claims: ClaimsRule,
    pub leeway: u64,
    pub bearer: BearerPrefix,
    pub permissions: Vec<String>,
    pub sets: Vec<(String, Vec<String>)>,
    pub anonymous: Option<Vec<String>>,
    pub unlocks: Unlocks,
    pub operations: Vec<OperationDef>,
    pub routes: Vec<RouteDef>,
}

struct Header<'a> {
    first: HashMap<&'static str, Span>,
    policy: Option<&'a Ident>,
    family_ident: Option<&'a Ident>,
    algorithms: Option<&'a [Ident]>,
    claims: Option<&'a Ident>,
    leeway: Option<(u64, Span)>,
    bearer: Option<(BearerPrefix, Span)>,
    anonymous: Option<&'a [Ident]>,
}

fn line_of(source: &str, offset: usize) -> usize {
    crate::diagnostic::line_col(source, offset).0
}

/// Analyses a parsed policy. `source` is used only to quote line numbers in help text.
pub(crate) fn analyze(ast: &PolicyAst, source: &str) -> (Option<Checked>, Vec<Finding>) {
    let mut out: Vec<Finding> = Vec::new();
    let line = |span: Span| line_of(source, span.offset);

    // ---- header statements: each at most once ----
    let mut header = Header {
        first: HashMap::new(),
        policy: None,
        family_ident: None,
        algorithms: None,
        claims: None,
        leeway: None,
        bearer: None,
        anonymous: None,
    };
    for stmt in &ast.statements {
        let keyword = match &stmt.kind {
            StatementKind::Policy(_) => "policy",
            StatementKind::Family(_) => "family",
            StatementKind::Algorithms(_) => "algorithms",
            StatementKind::Claims(_) => "claims",
            StatementKind::Leeway(_) => "leeway",
            StatementKind::Bearer { .. } => "bearer",
            StatementKind::Anonymous(_) => "anonymous",
            _ => continue,
        };
        if let Some(first) = header.first.get(keyword) {
            out.push(
                Finding::new(
                    LintCode::DuplicateStatement,
                    stmt.span,
                    format!("`{keyword}` appears more than once"),
                )
                .label("repeated here")
                .help(format!(
                    "keep one `{keyword}` statement; the first is on line {}",
                    line(*first)
                )),
            );
            continue;
        }
        header.first.insert(keyword, stmt.span);
        match &stmt.kind {
            StatementKind::Policy(i) => header.policy = Some(i),
            StatementKind::Family(i) => header.family_ident = Some(i),
            StatementKind::Algorithms(v) => header.algorithms = Some(v),
            StatementKind::Claims(i) => header.claims = Some(i),
            StatementKind::Leeway(n) => header.leeway = Some((*n, stmt.span)),
            StatementKind::Bearer { prefix, value } => header.bearer = Some((*prefix, *value)),
            StatementKind::Anonymous(v) => header.anonymous = Some(v),
            _ => {}
        }
    }
    for keyword in ["policy", "family", "algorithms", "claims", "leeway"] {
        if !header.first.contains_key(keyword) {
            let example = match keyword {
                "policy" => "policy my-policy",
                "family" => "family akash",
                "algorithms" => "algorithms ES256K ES256KADR36",
                "claims" => "claims strict",
                _ => "leeway 0s",
            };
            out.push(
                Finding::new(
                    LintCode::MissingStatement,
                    Span::new(0, 0),
                    format!("missing `{keyword}` statement"),
                )
                .label("policy starts here")
                .help(format!("add a line such as `{example}`")),
            );
        }
    }

    // ---- family ----
    let family = header.family_ident.and_then(|ident| {
        let f = Family::parse(&ident.text);
        if f.is_none() {
            out.push(
                Finding::new(
                    LintCode::UnknownFamily,
                    ident.span,
                    format!("unknown token family `{}`", ident.text),
                )
                .label("not a family")
                .help(
                    did_you_mean(&ident.text, ["akash", "filecoin"])
                        .unwrap_or_else(|| "the family is `akash` or `filecoin`".to_owned()),
                ),
            );
        }
        f
    });

    // ---- algorithms ----
    let mut algorithms = Vec::new();
    if let Some(list) = header.algorithms {
        let mut seen: Vec<&str> = Vec::new();
        for ident in list {
            if seen.contains(&ident.text.as_str()) {
                out.push(
                    Finding::new(
                        LintCode::DuplicateItem,
                        ident.span,
                        format!("algorithm `{}` is listed twice", ident.text),
                    )
                    .label("listed again")
                    .help("remove the repeated name"),
                );
                continue;
            }
            seen.push(&ident.text);
            if ident.text.eq_ignore_ascii_case("none") {
                out.push(
                    Finding::new(
                        LintCode::AlgorithmNone,
                        ident.span,
                        "the algorithm list names `none`",
                    )
                    .label("unsigned tokens")
                    .help("`none` would accept unsigned tokens; remove it"),
                );
                continue;
            }
            match Algorithm::from_name(&ident.text) {
                Some(alg) => algorithms.push((alg, ident)),
                None => out.push(
                    Finding::new(
                        LintCode::UnknownAlgorithm,
                        ident.span,
                        format!("unknown algorithm `{}`", ident.text),
                    )
                    .label("not an algorithm Tollgate implements")
                    .help(
                        did_you_mean(&ident.text, Algorithm::ALL.iter().map(|a| a.name()))
                            .unwrap_or_else(|| {
                                "the algorithms are `ES256K`, `ES256KADR36` and `HS256`".to_owned()
                            }),
                    ),
                ),
            }
        }
        let hmac = algorithms.iter().any(|(a, _)| a.is_hmac());
        let ec = algorithms.iter().any(|(a, _)| !a.is_hmac());
        if hmac && ec {
            let span = list
                .iter()
                .map(|i| i.span)
                .reduce(Span::join)
                .unwrap_or_default();
            out.push(
                Finding::new(
                    LintCode::MixedAlgorithmFamilies,
                    span,
                    "the algorithm list mixes HMAC and EC algorithms",
                )
                .label("HMAC and EC together")
                .help("a policy accepts one key family: list only EC algorithms or only `HS256`"),
            );
        } else if let Some(family) = family {
            for (alg, ident) in &algorithms {
                let fits = match family {
                    Family::Akash => !alg.is_hmac(),
                    Family::Filecoin => alg.is_hmac(),
                };
                if !fits {
                    let expected = match family {
                        Family::Akash => "`ES256K` and `ES256KADR36`",
                        Family::Filecoin => "`HS256`",
                    };
                    out.push(
                        Finding::new(
                            LintCode::AlgorithmFamilyMismatch,
                            ident.span,
                            format!("`{}` is not used by {} tokens", ident.text, family.as_str()),
                        )
                        .label("wrong family")
                        .help(format!("{} tokens use {expected}", family.as_str())),
                    );
                }
            }
        }
    }

    // ---- claims ----
    let claims = match (family, header.claims) {
        (Some(family), Some(ident)) => {
            let rule = ClaimsRule::parse(family, &ident.text);
            if rule.is_none() {
                let other = match family {
                    Family::Akash => Family::Filecoin,
                    Family::Filecoin => Family::Akash,
                };
                let help = if ClaimsRule::parse(other, &ident.text).is_some() {
                    format!(
                        "`{}` is a {} behaviour; {} policies use {}",
                        ident.text,
                        other.as_str(),
                        family.as_str(),
                        quote_list(ClaimsRule::names(family))
                    )
                } else {
                    did_you_mean(&ident.text, ClaimsRule::names(family).iter().copied())
                        .unwrap_or_else(|| {
                            format!(
                                "{} policies use {}",
                                family.as_str(),
                                quote_list(ClaimsRule::names(family))
                            )
                        })
                };
                out.push(
                    Finding::new(
                        LintCode::UnknownClaims,
                        ident.span,
                        format!(
                            "unknown claims behaviour `{}` for {} policies",
                            ident.text,
                            family.as_str()
                        ),
                    )
                    .label("not a claims behaviour of this family")
                    .help(help),
                );
            }
            rule
        }
        _ => None,
    };

    // ---- bearer ----
    // `bearer optional` is Forest's legacy header parsing (up to v0.33.7); `required` is the
    // default and fits every family. Checked only when the claims rule is known: a missing or
    // unknown `claims` is already an error.
    let bearer = header
        .bearer
        .map_or(BearerPrefix::Required, |(prefix, _)| prefix);
    if let (Some((BearerPrefix::Optional, value)), Some(rule)) = (header.bearer, claims)
        && rule != ClaimsRule::Filecoin(FilecoinBehaviour::Forest)
    {
        out.push(
            Finding::new(
                LintCode::BearerNotApplicable,
                value,
                format!(
                    "`bearer optional` does not apply to `claims {}` policies",
                    rule.as_str()
                ),
            )
            .label("only for `claims forest`")
            .help(
                "`bearer optional` exists for tokens sent by clients of Forest up to v0.33.7, \
                 which accepted a header without the `Bearer ` prefix; Akash and Lotus always \
                 require the prefix: remove the line or write `bearer required`",
            ),
        );
    }

    // ---- leeway ----
    if let Some((secs, span)) = header.leeway
        && secs > MAX_SANE_LEEWAY_SECS
    {
        out.push(
            Finding::new(
                LintCode::LargeLeeway,
                span,
                format!("a leeway of {secs}s accepts tokens long after they expire"),
            )
            .label("large leeway")
            .help(format!(
                "clock skew is seconds, not minutes; keep the leeway at or below {MAX_SANE_LEEWAY_SECS}s"
            )),
        );
    }

    // ---- declarations: scopes, permissions, sets, access ----
    let wrong_family = |out: &mut Vec<Finding>, span: Span, what: &str, fam: Family, help: &str| {
        out.push(
            Finding::new(
                LintCode::WrongFamily,
                span,
                format!("{what} does not apply to {} policies", fam.as_str()),
            )
            .label(format!("not used by {} tokens", fam.as_str()))
            .help(help.to_owned()),
        );
    };
    let mut scopes: Vec<(Scope, &Ident)> = Vec::new();
    let mut permissions: Vec<&Ident> = Vec::new();
    let mut sets: Vec<(&Ident, Vec<&Ident>)> = Vec::new();
    let mut access_seen: Vec<(Access, Span)> = Vec::new();
    let mut unlocks = Unlocks::default();
    for stmt in &ast.statements {
        match &stmt.kind {
            StatementKind::Scopes(list) => {
                if family == Some(Family::Filecoin) {
                    wrong_family(
                        &mut out,
                        stmt.span,
                        "`scope`",
                        Family::Filecoin,
                        "filecoin policies declare `permission`s instead",
                    );
                    continue;
                }
                for ident in list {
                    let Some(scope) = Scope::parse(&ident.text) else {
                        out.push(
                            Finding::new(
                                LintCode::UnknownScope,
                                ident.span,
                                format!("unknown scope `{}`", ident.text),
                            )
                            .label("not an Akash scope")
                            .help(
                                did_you_mean(&ident.text, Scope::ALL.iter().map(|s| s.as_str()))
                                    .unwrap_or_else(|| {
                                        format!(
                                            "the Akash scopes are {}",
                                            quote_list(&Scope::ALL.map(Scope::as_str))
                                        )
                                    }),
                            ),
                        );
                        continue;
                    };
                    if let Some((_, first)) = scopes.iter().find(|(s, _)| *s == scope) {
                        out.push(
                            Finding::new(
                                LintCode::DuplicateScope,
                                ident.span,
                                format!("scope `{}` is declared twice", ident.text),
                            )
                            .label("declared again")
                            .help(format!(
                                "remove it; it is first declared on line {}",
                                line(first.span)
                            )),
                        );
                        continue;
                    }
                    scopes.push((scope, ident));
                }
            }
            StatementKind::Permissions(list) => {
                if family == Some(Family::Akash) {
                    wrong_family(
                        &mut out,
                        stmt.span,
                        "`permission`",
                        Family::Akash,
                        "akash policies declare `scope`s instead",
                    );
                    continue;
                }
                for ident in list {
                    if let Some(first) = permissions.iter().find(|p| p.text == ident.text) {
                        out.push(
                            Finding::new(
                                LintCode::DuplicatePermission,
                                ident.span,
                                format!("permission `{}` is declared twice", ident.text),
                            )
                            .label("declared again")
                            .help(format!(
                                "remove it; it is first declared on line {}",
                                line(first.span)
                            )),
                        );
                        continue;
                    }
                    permissions.push(ident);
                }
            }
            StatementKind::Set { name, members } => {
                if family == Some(Family::Akash) {
                    wrong_family(
                        &mut out,
                        stmt.span,
                        "`set`",
                        Family::Akash,
                        "permission sets are for minting filecoin tokens",
                    );
                    continue;
                }
                if let Some((first, _)) = sets.iter().find(|(n, _)| n.text == name.text) {
                    out.push(
                        Finding::new(
                            LintCode::DuplicateSet,
                            name.span,
                            format!("permission set `{}` is defined twice", name.text),
                        )
                        .label("defined again")
                        .help(format!(
                            "remove one; the first is on line {}",
                            line(first.span)
                        )),
                    );
                    continue;
                }
                let mut kept: Vec<&Ident> = Vec::new();
                for m in members {
                    if kept.iter().any(|k| k.text == m.text) {
                        out.push(
                            Finding::new(
                                LintCode::DuplicateItem,
                                m.span,
                                format!(
                                    "permission `{}` is listed twice in set `{}`",
                                    m.text, name.text
                                ),
                            )
                            .label("listed again")
                            .help("remove the repeated name"),
                        );
                        continue;
                    }
                    kept.push(m);
                }
                sets.push((name, kept));
            }
            StatementKind::Access {
                access,
                unlocks: items,
            } => {
                if family == Some(Family::Filecoin) {
                    wrong_family(
                        &mut out,
                        stmt.span,
                        "`access`",
                        Family::Filecoin,
                        "filecoin tokens carry permissions, not access types",
                    );
                    continue;
                }
                let Some(kind) = parse_access(&access.text) else {
                    out.push(
                        Finding::new(
                            LintCode::UnknownAccess,
                            access.span,
                            format!("unknown access type `{}`", access.text),
                        )
                        .label("not an access type")
                        .help(
                            did_you_mean(&access.text, ["full", "scoped", "granular"])
                                .unwrap_or_else(|| {
                                    "the access types are `full`, `scoped` and `granular`"
                                        .to_owned()
                                }),
                        ),
                    );
                    continue;
                };
                if let Some((_, first)) = access_seen.iter().find(|(a, _)| *a == kind) {
                    out.push(
                        Finding::new(
                            LintCode::DuplicateAccess,
                            access.span,
                            format!("access type `{}` is configured twice", access.text),
                        )
                        .label("configured again")
                        .help(format!(
                            "merge the two lines; the first is line {}",
                            line(*first)
                        )),
                    );
                    continue;
                }
                access_seen.push((kind, stmt.span));
                let valid = unlock_items(kind);
                let mut seen: Vec<&str> = Vec::new();
                for item in items {
                    if seen.contains(&item.text.as_str()) {
                        out.push(
                            Finding::new(
                                LintCode::DuplicateItem,
                                item.span,
                                format!("`{}` is listed twice", item.text),
                            )
                            .label("listed again")
                            .help("remove the repeated name"),
                        );
                        continue;
                    }
                    seen.push(&item.text);
                    match (kind, item.text.as_str()) {
                        (Access::Full, "every-operation") => unlocks.full = true,
                        (Access::Scoped, "listed-scopes") => unlocks.scoped = true,
                        (Access::Granular, "provider-entries") => unlocks.provider_entries = true,
                        (Access::Granular, "deployment-entries") => {
                            unlocks.deployment_entries = true
                        }
                        _ => out.push(
                            Finding::new(
                                LintCode::InvalidUnlock,
                                item.span,
                                format!("`{}` access cannot unlock `{}`", access.text, item.text),
                            )
                            .label("not valid here")
                            .help(
                                did_you_mean(&item.text, valid.iter().copied()).unwrap_or_else(
                                    || {
                                        format!(
                                            "`{}` access unlocks {}",
                                            access.text,
                                            quote_list(valid)
                                        )
                                    },
                                ),
                            ),
                        ),
                    }
                }
            }
            _ => {}
        }
    }

    // ---- anonymous ----
    let mut anonymous: Option<Vec<String>> = None;
    if let Some(list) = header.anonymous {
        if family == Some(Family::Akash) {
            let span = header.first.get("anonymous").copied().unwrap_or_default();
            wrong_family(
                &mut out,
                span,
                "`anonymous`",
                Family::Akash,
                "akash policies mark operations `public` instead",
            );
        } else {
            let mut grant: Vec<String> = Vec::new();
            for ident in list {
                if grant.contains(&ident.text) {
                    out.push(
                        Finding::new(
                            LintCode::DuplicateItem,
                            ident.span,
                            format!("`{}` is listed twice", ident.text),
                        )
                        .label("listed again")
                        .help("remove the repeated name"),
                    );
                    continue;
                }
                if !permissions.iter().any(|p| p.text == ident.text) {
                    out.push(undeclared_permission(ident, &permissions));
                } else if ident.text != "read" {
                    out.push(
                        Finding::new(
                            LintCode::AnonymousAboveRead,
                            ident.span,
                            format!("anonymous requests are granted `{}`", ident.text),
                        )
                        .label("more than `read`")
                        .help("Forest and Lotus grant anonymous callers `read` only; grant more with a token"),
                    );
                }
                grant.push(ident.text.clone());
            }
            anonymous = Some(grant);
        }
    }
    for (_, members) in &sets {
        for m in members {
            if !permissions.iter().any(|p| p.text == m.text) {
                out.push(undeclared_permission(m, &permissions));
            }
        }
    }

    // ---- operations and aliases ----
    let mut op_names: HashMap<&str, Span> = HashMap::new();
    let mut ops: Vec<(OperationDef, &Ident)> = Vec::new();
    let mut op_index: HashMap<&str, usize> = HashMap::new();
    let declared_ops: Vec<&str> = ast
        .statements
        .iter()
        .filter_map(|s| match &s.kind {
            StatementKind::Operation { name, .. } => Some(name.text.as_str()),
            _ => None,
        })
        .collect();
    for stmt in &ast.statements {
        let name = match &stmt.kind {
            StatementKind::Operation { name, .. } | StatementKind::Alias { name, .. } => name,
            _ => continue,
        };
        if let Some(first) = op_names.get(name.text.as_str()) {
            out.push(
                Finding::new(
                    LintCode::DuplicateOperation,
                    name.span,
                    format!("operation `{}` is declared twice", name.text),
                )
                .label("declared again")
                .help(format!("remove one; the first is on line {}", line(*first))),
            );
            continue;
        }
        op_names.insert(&name.text, name.span);
        match &stmt.kind {
            StatementKind::Operation {
                name,
                requires,
                on,
                public,
            } => {
                let mut resource = ResourceKind::None;
                if let Some(on) = on {
                    if family == Some(Family::Filecoin) {
                        wrong_family(
                            &mut out,
                            on.span,
                            "`on`",
                            Family::Filecoin,
                            "filecoin methods act on no resource; remove `on ...`",
                        );
                    } else {
                        match ResourceKind::parse(&on.text) {
                            Some(kind) => resource = kind,
                            None => out.push(
                                Finding::new(
                                    LintCode::UnknownResource,
                                    on.span,
                                    format!("unknown resource `{}`", on.text),
                                )
                                .label("not a resource")
                                .help(
                                    did_you_mean(&on.text, ["provider", "deployment", "lease"])
                                        .unwrap_or_else(|| {
                                            "the resources are `provider`, `deployment` and `lease`"
                                                .to_owned()
                                        }),
                                ),
                            ),
                        }
                    }
                }
                if *public && (requires.is_some() || on.is_some()) {
                    let span = requires
                        .iter()
                        .chain(on.iter())
                        .map(|i| i.span)
                        .reduce(Span::join)
                        .unwrap_or(stmt.span);
                    out.push(
                        Finding::new(
                            LintCode::PublicWithRequirement,
                            span,
                            format!("public operation `{}` also requires a grant or a resource", name.text),
                        )
                        .label("never checked for a public operation")
                        .help("a public operation needs no token: drop `public`, or drop `requires`/`on`"),
                    );
                }
                let requirement = match requires {
                    None => Requirement::None,
                    Some(req) => match family {
                        Some(Family::Akash) => {
                            match scopes.iter().find(|(_, i)| i.text == req.text) {
                                Some((scope, _)) => Requirement::Scope(*scope),
                                None => {
                                    out.push(undeclared_scope(req, &scopes));
                                    Requirement::None
                                }
                            }
                        }
                        Some(Family::Filecoin) => {
                            if permissions.iter().any(|p| p.text == req.text) {
                                Requirement::Permission(req.text.clone())
                            } else {
                                out.push(undeclared_permission(req, &permissions));
                                Requirement::None
                            }
                        }
                        None => Requirement::None,
                    },
                };
                op_index.insert(&name.text, ops.len());
                ops.push((
                    OperationDef {
                        name: name.text.clone(),
                        resource,
                        public: *public,
                        requires: requirement,
                        alias_of: None,
                    },
                    name,
                ));
            }
            StatementKind::Alias { name, target } => {
                let target_def = ast.statements.iter().find_map(|s| match &s.kind {
                    StatementKind::Operation { name: n, .. } if n.text == target.text => Some(()),
                    _ => None,
                });
                if target_def.is_none() {
                    out.push(
                        Finding::new(
                            LintCode::UndeclaredOperation,
                            target.span,
                            format!("alias `{}` names undeclared operation `{}`", name.text, target.text),
                        )
                        .label("no such operation")
                        .help(did_you_mean(&target.text, declared_ops.iter().copied()).unwrap_or_else(|| {
                            "an alias names an `operation` declared in the same policy (not another alias)".to_owned()
                        })),
                    );
                    continue;
                }
                // Resolved after the loop, once every operation is known.
                ops.push((
                    OperationDef {
                        name: name.text.clone(),
                        resource: ResourceKind::None,
                        public: false,
                        requires: Requirement::None,
                        alias_of: Some(target.text.clone()),
                    },
                    name,
                ));
            }
            _ => {}
        }
    }
    // Resolve aliases to their target's resource, visibility and requirement.
    let resolved: Vec<Option<OperationDef>> = ops
        .iter()
        .map(|(def, _)| {
            def.alias_of.as_ref().and_then(|t| {
                op_index
                    .get(t.as_str())
                    .and_then(|&i| ops.get(i))
                    .map(|(target, _)| OperationDef {
                        name: def.name.clone(),
                        resource: target.resource,
                        public: target.public,
                        requires: target.requires.clone(),
                        alias_of: Some(t.clone()),
                    })
            })
        })
        .collect();
    for ((def, _), r) in ops.iter_mut().zip(resolved) {
        if let Some(r) = r {
            *def = r;
        }
    }

    // ---- routes ----
    let routes = check_routes(ast, &ops, line, &mut out);

    // ---- unused declarations ----
    for (scope, ident) in scopes.iter().filter(|_| family.is_some()) {
        if !ops
            .iter()
            .any(|(d, _)| d.requires == Requirement::Scope(*scope))
        {
            out.push(
                Finding::new(
                    LintCode::UnusedScope,
                    ident.span,
                    format!("scope `{}` is required by no operation", ident.text),
                )
                .label("declared but never required")
                .help("remove the declaration, or add `requires` to the operation it guards"),
            );
        }
    }
    for ident in permissions.iter().filter(|_| family.is_some()) {
        let used = ops
            .iter()
            .any(|(d, _)| matches!(&d.requires, Requirement::Permission(p) if *p == ident.text));
        if !used {
            out.push(
                Finding::new(
                    LintCode::UnusedPermission,
                    ident.span,
                    format!("permission `{}` is required by no operation", ident.text),
                )
                .label("declared but never required")
                .help("remove the declaration, or add `requires` to the operation it guards"),
            );
        }
    }

    // ---- unreachable operations ----
    if family == Some(Family::Akash) && unlocks == Unlocks::default() {
        for (def, ident) in &ops {
            if !def.public && def.alias_of.is_none() {
                out.push(
                    Finding::new(
                        LintCode::UnreachableOperation,
                        ident.span,
                        format!("no token can perform `{}`", def.name),
                    )
                    .label("unreachable")
                    .help("no `access` statement unlocks anything: add e.g. `access full unlocks every-operation`"),
                );
            }
        }
    }
    if family == Some(Family::Filecoin) && !sets.is_empty() {
        for (def, ident) in &ops {
            let Requirement::Permission(p) = &def.requires else {
                continue;
            };
            if def.public || def.alias_of.is_some() {
                continue;
            }
            let in_set = sets.iter().any(|(_, m)| m.iter().any(|i| i.text == *p));
            let anon = anonymous.as_ref().is_some_and(|a| a.contains(p));
            if !in_set && !anon {
                out.push(
                    Finding::new(
                        LintCode::UnreachableOperation,
                        ident.span,
                        format!(
                            "no token minted from this policy can perform `{}`",
                            def.name
                        ),
                    )
                    .label("unreachable")
                    .help(format!(
                        "no permission set contains `{p}`: add it to a `set`"
                    )),
                );
            }
        }
    }

    // ---- confusable names ----
    let scope_idents: Vec<&Ident> = scopes.iter().map(|(_, i)| *i).collect();
    let set_idents: Vec<&Ident> = sets.iter().map(|(n, _)| *n).collect();
    let op_idents: Vec<&Ident> = ops.iter().map(|(_, i)| *i).collect();
    for (kind, group) in [
        ("scope", &scope_idents),
        ("permission", &permissions),
        ("permission set", &set_idents),
        ("operation", &op_idents),
    ] {
        let mut seen: HashMap<String, &Ident> = HashMap::new();
        for ident in group {
            let key = skeleton(&ident.text);
            if let Some(first) = seen.get(&key) {
                if first.text != ident.text {
                    out.push(
                        Finding::new(
                            LintCode::ConfusableName,
                            ident.span,
                            format!("{kind} `{}` looks like `{}`", ident.text, first.text),
                        )
                        .label("easily confused")
                        .help(format!(
                            "`{}` (line {}) differs only in case or by look-alike characters; rename one",
                            first.text,
                            line(first.span)
                        )),
                    );
                }
            } else {
                seen.insert(key, ident);
            }
        }
    }

    // ---- result ----
    let has_error = out.iter().any(|f| f.code.severity() == Severity::Error);
    let checked = match (has_error, header.policy, family, claims, header.leeway) {
        (false, Some(name), Some(family), Some(claims), Some((leeway, _)))
            if !algorithms.is_empty() =>
        {
            Some(Checked {
                name: name.text.clone(),
                family,
                algorithms: algorithms.iter().map(|(a, _)| *a).collect(),
                claims,
                leeway,
                bearer,
                permissions: permissions.iter().map(|i| i.text.clone()).collect(),
                sets: sets
                    .iter()
                    .map(|(n, m)| (n.text.clone(), m.iter().map(|i| i.text.clone()).collect()))
                    .collect(),
                anonymous,
                unlocks,
                operations: ops.into_iter().map(|(d, _)| d).collect(),
                routes,
            })
        }
        _ => None,
    };
    (checked, out)
}

fn quote_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{s}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn undeclared_scope(ident: &Ident, declared: &[(Scope, &Ident)]) -> Finding {
    let help =
        did_you_mean(&ident.text, declared.iter().map(|(s, _)| s.as_str())).unwrap_or_else(|| {
            if Scope::parse(&ident.text).is_some() {
                format!("declare it with `scope {}`", ident.text)
            } else {
                format!(
                    "declared scopes: {}",
                    quote_list(&declared.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>())
                )
            }
        });
    Finding::new(
        LintCode::UndeclaredScope,
        ident.span,
        format!("scope `{}` is not declared", ident.text),
    )
    .label("undeclared scope")
    .help(help)
}

fn undeclared_permission(ident: &Ident, declared: &[&Ident]) -> Finding {
    let help = did_you_mean(&ident.text, declared.iter().map(|i| i.text.as_str()))
        .unwrap_or_else(|| format!("declare it with `permission {}`", ident.text));
    Finding::new(
        LintCode::UndeclaredPermission,
        ident.span,
        format!("permission `{}` is not declared", ident.text),
    )
    .label("undeclared permission")
    .help(help)
}
