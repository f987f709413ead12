//! Semantic checks of `route` and `unrouted` statements, and the route table they compile to.

use crate::ast::{Ident, PolicyAst, StatementKind};
use crate::diagnostic::{Finding, LintCode};
use crate::model::{OpId, OperationDef, ResourceKind};
use crate::route::{ResourceVar, RouteDef, TemplateSegment, parse_template};
use crate::span::Span;
use crate::suggest::did_you_mean;

/// A route statement whose template parsed.
struct Parsed<'a> {
    method: &'a Ident,
    template: &'a Ident,
    operation: &'a Ident,
    segments: Vec<TemplateSegment<'a>>,
}

impl Parsed<'_> {
    /// `METHOD TEMPLATE`, the part two routes are compared on.
    fn span(&self) -> Span {
        self.method.span.join(self.template.span)
    }

    fn overlaps(&self, earlier: &Parsed<'_>) -> bool {
        let methods = self.method.text == "*"
            || earlier.method.text == "*"
            || self.method.text == earlier.method.text;
        methods
            && self.segments.len() == earlier.segments.len()
            && self
                .segments
                .iter()
                .zip(&earlier.segments)
                .all(|(a, b)| a.variable.is_some() || b.variable.is_some() || a.text == b.text)
    }
}

fn acts_on(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Lease => "a lease",
        ResourceKind::Deployment => "a deployment",
        ResourceKind::Provider => "the provider",
        ResourceKind::None => "no resource",
    }
}

fn takes(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Lease => "a lease operation takes `{dseq}`, `{gseq}` and `{oseq}`",
        ResourceKind::Deployment => {
            "a deployment operation takes `{dseq}` and no `{gseq}` or `{oseq}`"
        }
        ResourceKind::Provider | ResourceKind::None => {
            "an operation that acts on no deployment or lease takes no `{dseq}`, `{gseq}` or `{oseq}`"
        }
    }
}

/// Checks the routes of a policy whose operations are `ops` (aliases resolved), and returns the
/// compiled route table (meaningful only when no error was found).
pub(crate) fn check_routes(
    ast: &PolicyAst,
    ops: &[(OperationDef, &Ident)],
    line: impl Fn(Span) -> usize,
    out: &mut Vec<Finding>,
) -> Vec<RouteDef> {
    let op_names: Vec<&str> = ops.iter().map(|(d, _)| d.name.as_str()).collect();
    let find_op = |name: &str| op_names.iter().position(|n| *n == name);
    let unknown_op = |ident: &Ident, what: &str| {
        Finding::new(
            LintCode::RouteUnknownOperation,
            ident.span,
            format!("{what} names undeclared operation `{}`", ident.text),
        )
        .label("no such operation")
        .help(
            did_you_mean(&ident.text, op_names.iter().copied()).unwrap_or_else(|| {
                "name an `operation` or `alias` declared in the same policy".to_owned()
            }),
        )
    };

    let mut parsed: Vec<Parsed<'_>> = Vec::new();
    let mut routes = Vec::new();
    for stmt in &ast.statements {
        let StatementKind::Route {
            method,
            template,
            operation,
        } = &stmt.kind
        else {
            continue;
        };
        // The parser has already reported a template that does not parse.
        let Ok(segments) = parse_template(&template.text) else {
            continue;
        };
        let route = Parsed {
            method,
            template,
            operation,
            segments,
        };
        if let Some(earlier) = parsed.iter().find(|e| route.overlaps(e)) {
            out.push(
                Finding::new(
                    LintCode::RouteOverlap,
                    route.span(),
                    format!(
                        "route `{} {}` can match the same requests as `{} {}`",
                        method.text, template.text, earlier.method.text, earlier.template.text
                    ),
                )
                .label("overlapping route")
                .secondary(earlier.span(), "earlier route")
                .help(format!(
                    "a request takes the first route that matches (line {}); make a literal segment or the method differ, or remove one route",
                    line(earlier.span())
                )),
            );
        }
        match find_op(&operation.text).and_then(|i| ops.get(i).map(|op| (i, op))) {
            None => out.push(unknown_op(operation, "route")),
            Some((index, (def, _))) => {
                check_resource(&route, def, out);
                if let Ok(id) = u32::try_from(index) {
                    routes.push(RouteDef::new(
                        &method.text,
                        &template.text,
                        &route.segments,
                        OpId(id),
                        def.resource,
                    ));
                }
            }
        }
        parsed.push(route);
    }

    let mut unrouted: Vec<&Ident> = Vec::new();
    for stmt in &ast.statements {
        let StatementKind::Unrouted(list) = &stmt.kind else {
            continue;
        };
        for ident in list {
            if let Some(first) = unrouted.iter().find(|u| u.text == ident.text) {
                out.push(
                    Finding::new(
                        LintCode::DuplicateItem,
                        ident.span,
                        format!("`{}` is listed as unrouted twice", ident.text),
                    )
                    .label("listed again")
                    .help(format!(
                        "remove the repeated name; it is first listed on line {}",
                        line(first.span)
                    )),
                );
                continue;
            }
            unrouted.push(ident);
            if find_op(&ident.text).is_none() {
                out.push(unknown_op(ident, "`unrouted`"));
            } else if let Some(route) = parsed.iter().find(|r| r.operation.text == ident.text) {
                out.push(
                    Finding::new(
                        LintCode::UnroutedHasRoute,
                        ident.span,
                        format!("`{}` is marked unrouted but has a route", ident.text),
                    )
                    .label("marked unrouted")
                    .secondary(route.span(), "route to it")
                    .help(format!(
                        "remove `{}` from the `unrouted` line, or remove the route on line {}",
                        ident.text,
                        line(route.span())
                    )),
                );
            }
        }
    }

    if !parsed.is_empty() {
        for (def, ident) in ops.iter().filter(|(d, _)| d.alias_of.is_none()) {
            let names_it = |name: &str| {
                name == def.name
                    || ops
                        .iter()
                        .any(|(a, _)| a.name == name && a.alias_of.as_deref() == Some(&def.name))
            };
            let routed = parsed.iter().any(|r| names_it(&r.operation.text));
            let excused = unrouted.iter().any(|u| u.text == def.name);
            if !routed && !excused {
                out.push(
                    Finding::new(
                        LintCode::OperationWithoutRoute,
                        ident.span,
                        format!("operation `{}` has no route", def.name),
                    )
                    .label("no route leads here")
                    .help(format!(
                        "add a `route METHOD /path -> {0}` line, or `unrouted {0}` if it has no HTTP route",
                        def.name
                    )),
                );
            }
        }
    }
    routes
}

/// `route_resource_mismatch`: one finding per missing or extra resource variable.
fn check_resource(route: &Parsed<'_>, def: &OperationDef, out: &mut Vec<Finding>) {
    let needed = ResourceVar::needed_by(def.resource);
    for segment in &route.segments {
        let Some(var) = segment.variable.and_then(ResourceVar::parse) else {
            continue;
        };
        if !needed.contains(&var) {
            let span = Span::new(route.template.span.offset + segment.offset, segment.len);
            out.push(
                Finding::new(
                    LintCode::RouteResourceMismatch,
                    span,
                    format!(
                        "`{{{}}}` is not part of the resource of `{}`, which acts on {}",
                        var.name(),
                        def.name,
                        acts_on(def.resource)
                    ),
                )
                .label("extra resource variable")
                .help(format!(
                    "{}; give this segment another variable name, or change the operation's `on` clause",
                    takes(def.resource)
                )),
            );
        }
    }
    for var in needed {
        let present = route
            .segments
            .iter()
            .any(|s| s.variable == Some(var.name()));
        if !present {
            out.push(
                Finding::new(
                    LintCode::RouteResourceMismatch,
                    route.template.span,
                    format!(
                        "route template `{}` has no `{{{}}}`, but `{}` acts on {}",
                        route.template.text,
                        var.name(),
                        def.name,
                        acts_on(def.resource)
                    ),
                )
                .label(format!("no `{{{}}}` here", var.name()))
                .help(format!("{}; add the missing segment", takes(def.resource))),
            );
        }
    }
}
