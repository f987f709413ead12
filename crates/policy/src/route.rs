//! HTTP routes: template syntax, the compiled route table and its matcher.
//!
//! A route maps a method and a path template to an operation; `match_route` maps a request to the
//! operation and its resource. Matching is strict: anything odd in the path matches nothing.

use std::fmt;

use crate::model::{OpId, Resource, ResourceKind};

/// The most segments a route template may have. Longer request paths match nothing.
pub const MAX_ROUTE_SEGMENTS: usize = 16;

/// A resource variable of a template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ResourceVar {
    Dseq,
    Gseq,
    Oseq,
}

impl ResourceVar {
    pub(crate) const ALL: [ResourceVar; 3] =
        [ResourceVar::Dseq, ResourceVar::Gseq, ResourceVar::Oseq];

    pub(crate) const fn name(self) -> &'static str {
        match self {
            ResourceVar::Dseq => "dseq",
            ResourceVar::Gseq => "gseq",
            ResourceVar::Oseq => "oseq",
        }
    }

    pub(crate) fn parse(name: &str) -> Option<ResourceVar> {
        ResourceVar::ALL.into_iter().find(|v| v.name() == name)
    }

    /// The resource variables an operation acting on `kind` needs, exactly.
    pub(crate) const fn needed_by(kind: ResourceKind) -> &'static [ResourceVar] {
        match kind {
            ResourceKind::Lease => &ResourceVar::ALL,
            ResourceKind::Deployment => &[ResourceVar::Dseq],
            ResourceKind::None | ResourceKind::Provider => &[],
        }
    }
}

/// One segment of a parsed template, with its byte range inside the template text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TemplateSegment<'t> {
    /// `Some(name)` for `{name}`, `None` for a literal.
    pub variable: Option<&'t str>,
    /// The literal text, or the variable's name.
    pub text: &'t str,
    /// Byte offset of the segment (including any `{`) inside the template.
    pub offset: usize,
    /// Byte length of the segment (including any braces).
    pub len: usize,
}

/// Why a template or a method is malformed: a message, the byte range inside the token, a label
/// and a help line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TokenError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
    pub label: &'static str,
    pub help: String,
}

impl TokenError {
    fn new(
        offset: usize,
        len: usize,
        message: String,
        label: &'static str,
        help: impl Into<String>,
    ) -> Self {
        Self {
            offset,
            len,
            message,
            label,
            help: help.into(),
        }
    }
}

const LITERAL_HELP: &str = "a literal segment uses letters, digits and `-._~` only (no percent-encoding); a variable is written `{name}`";

fn is_tchar(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit() || b"!$%&'*+-.^_`|~".contains(&b)
}

/// Checks a route method: `*`, or an RFC 9110 token written in uppercase.
pub(crate) fn check_method(method: &str) -> Result<(), TokenError> {
    if method == "*" {
        return Ok(());
    }
    if method.bytes().any(|b| b.is_ascii_lowercase())
        && method.bytes().all(|b| is_tchar(b.to_ascii_uppercase()))
    {
        return Err(TokenError::new(
            0,
            method.len(),
            format!("method `{method}` is not uppercase"),
            "lowercase method",
            format!(
                "HTTP methods are case-sensitive: write `{}`",
                method.to_ascii_uppercase()
            ),
        ));
    }
    match method
        .char_indices()
        .find(|(_, c)| !u8::try_from(*c).is_ok_and(is_tchar))
    {
        None => Ok(()),
        Some((i, c)) => Err(TokenError::new(
            i,
            c.len_utf8(),
            format!("`{method}` is not an HTTP method"),
            "not allowed in a method",
            "a method is `*` (any method) or an uppercase token such as `GET`, `POST`, `PUT`",
        )),
    }
}

/// Parses a path template: `/`, or `/` followed by non-empty segments separated by `/`, each a
/// literal or a `{variable}`; no trailing `/`; a variable appears once.
pub(crate) fn parse_template(template: &str) -> Result<Vec<TemplateSegment<'_>>, TokenError> {
    let Some(rest) = template.strip_prefix('/') else {
        return Err(TokenError::new(
            0,
            template.chars().next().map_or(0, char::len_utf8),
            format!("route template `{template}` does not start with `/`"),
            "expected `/`",
            "a template is an absolute path such as `/lease/{dseq}/{gseq}/{oseq}/status`",
        ));
    };
    let mut segments: Vec<TemplateSegment<'_>> = Vec::new();
    if rest.is_empty() {
        return Ok(segments);
    }
    let mut offset = 1;
    for text in rest.split('/') {
        if text.is_empty() {
            // The `/` that closes the empty segment (or the trailing one).
            let at_end = offset == template.len();
            let (span_at, message, label, help) = if at_end {
                (
                    offset - 1,
                    format!("route template `{template}` ends with `/`"),
                    "trailing slash",
                    "remove the trailing `/`; only the root template `/` ends with one",
                )
            } else {
                (
                    offset,
                    format!("route template `{template}` has an empty segment"),
                    "empty segment",
                    "remove the extra `/`",
                )
            };
            return Err(TokenError::new(span_at, 1, message, label, help));
        }
        let segment = parse_segment(template, text, offset)?;
        if let Some(name) = segment.variable
            && segments.iter().any(|s| s.variable == Some(name))
        {
            return Err(TokenError::new(
                offset,
                text.len(),
                format!("variable `{{{name}}}` appears twice in route template `{template}`"),
                "repeated variable",
                "a variable may appear once per template; rename or remove one",
            ));
        }
        if segments.len() == MAX_ROUTE_SEGMENTS {
            return Err(TokenError::new(
                offset,
                text.len(),
                format!("route template `{template}` has more than {MAX_ROUTE_SEGMENTS} segments"),
                "too many segments",
                format!("a template has at most {MAX_ROUTE_SEGMENTS} segments"),
            ));
        }
        segments.push(segment);
        offset += text.len() + 1;
    }
    Ok(segments)
}

fn parse_segment<'t>(
    template: &str,
    text: &'t str,
    offset: usize,
) -> Result<TemplateSegment<'t>, TokenError> {
    if let Some(inner) = text.strip_prefix('{') {
        let name = inner.strip_suffix('}').filter(|n| {
            let mut bytes = n.bytes();
            bytes
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        });
        return match name {
            Some(name) => Ok(TemplateSegment {
                variable: Some(name),
                text: name,
                offset,
                len: text.len(),
            }),
            None => Err(TokenError::new(
                offset,
                text.len(),
                format!("malformed variable `{text}` in route template `{template}`"),
                "not a variable",
                "a variable is a whole segment `{name}`: a letter or `_`, then letters, digits or `_`",
            )),
        };
    }
    if let Some((i, c)) = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')))
    {
        return Err(TokenError::new(
            offset + i,
            c.len_utf8(),
            format!("character `{c}` is not allowed in route template `{template}`"),
            "not allowed here",
            LITERAL_HELP,
        ));
    }
    if text == "." || text == ".." {
        return Err(TokenError::new(
            offset,
            text.len(),
            format!("dot segment `{text}` in route template `{template}`"),
            "dot segment",
            "requests with `.` or `..` segments never match; write the path without them",
        ));
    }
    Ok(TemplateSegment {
        variable: None,
        text,
        offset,
        len: text.len(),
    })
}

/// A compiled template segment.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    /// Compared byte for byte.
    Literal(Box<str>),
    /// `{dseq}`, `{gseq}`, `{oseq}`: parsed as numbers.
    Resource(ResourceVar),
    /// Any other variable: one non-empty segment.
    Any,
}

/// One compiled route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteDef {
    method: Option<Box<str>>,
    template: Box<str>,
    op: OpId,
    kind: ResourceKind,
    segments: Box<[Seg]>,
}

impl RouteDef {
    /// Builds a route from a template that [`parse_template`] accepted.
    pub(crate) fn new(
        method: &str,
        template: &str,
        segments: &[TemplateSegment<'_>],
        op: OpId,
        kind: ResourceKind,
    ) -> RouteDef {
        let segments = segments
            .iter()
            .map(|s| match s.variable {
                None => Seg::Literal(s.text.into()),
                Some(name) => ResourceVar::parse(name).map_or(Seg::Any, Seg::Resource),
            })
            .collect();
        RouteDef {
            method: (method != "*").then(|| method.into()),
            template: template.into(),
            op,
            kind,
            segments,
        }
    }

    /// The method, exactly as written; `None` for `*` (any method).
    #[must_use]
    pub fn method(&self) -> Option<&str> {
        self.method.as_deref()
    }

    /// The path template as written, e.g. `/lease/{dseq}/{gseq}/{oseq}/status`.
    #[must_use]
    pub fn template(&self) -> &str {
        &self.template
    }

    /// The operation the route leads to.
    #[must_use]
    pub fn operation(&self) -> OpId {
        self.op
    }

    /// The number of path segments the route matches (0 for `/`).
    #[must_use]
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }
}

/// A request that a route matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteMatch {
    /// The operation of the route.
    pub op: OpId,
    /// The resource, from the path's `dseq`/`gseq`/`oseq` and the operation's resource kind.
    pub resource: Resource,
    /// The index of the route in [`crate::Policy::routes`].
    pub route: usize,
}

/// Why no route applies to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteMiss {
    /// No route matches the method and path.
    NotFound,
    /// A route matched structurally, but a resource variable is not a valid number.
    ResourceInvalid {
        /// `"dseq"`, `"gseq"` or `"oseq"`.
        variable: &'static str,
        /// The path segment, as sent.
        value: String,
        /// The index in [`crate::Policy::routes`] of the route that matched but for the number.
        route: usize,
    },
}

impl fmt::Display for RouteMiss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteMiss::NotFound => f.write_str("no route matches the request"),
            RouteMiss::ResourceInvalid {
                variable, value, ..
            } => {
                let kind = if *variable == "dseq" { "u64" } else { "u32" };
                write!(
                    f,
                    "`{value}` is not a valid `{variable}`: expected a decimal {kind}"
                )
            }
        }
    }
}

impl std::error::Error for RouteMiss {}

/// Parses 1 to `max_digits` ASCII digits (leading zeros allowed, no sign, no spaces).
fn parse_digits(s: &str, max_digits: usize) -> Option<u64> {
    if s.is_empty() || s.len() > max_digits || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u64>().ok()
}

/// The numbers a route's resource variables captured.
#[derive(Clone, Copy, Default)]
struct Captured {
    dseq: Option<u64>,
    gseq: Option<u32>,
    oseq: Option<u32>,
}

/// Matches `method` and `path` against `routes`, in order. See [`crate::Policy::match_route`].
pub(crate) fn match_routes(
    routes: &[RouteDef],
    method: &str,
    path: &str,
) -> Result<RouteMatch, RouteMiss> {
    let end = path.find(['?', '#']).unwrap_or(path.len());
    let Some(rest) = path.get(..end).and_then(|p| p.strip_prefix('/')) else {
        return Err(RouteMiss::NotFound);
    };
    let mut buf: [&str; MAX_ROUTE_SEGMENTS] = [""; MAX_ROUTE_SEGMENTS];
    let mut count = 0;
    if !rest.is_empty() {
        for segment in rest.split('/') {
            if segment.is_empty() || segment == "." || segment == ".." {
                return Err(RouteMiss::NotFound);
            }
            let Some(slot) = buf.get_mut(count) else {
                return Err(RouteMiss::NotFound);
            };
            *slot = segment;
            count += 1;
        }
    }
    let segments = buf.get(..count).unwrap_or_default();
    let mut invalid: Option<(ResourceVar, &str, usize)> = None;
    for (index, route) in routes.iter().enumerate() {
        if route.segments.len() != count || route.method.as_deref().is_some_and(|m| m != method) {
            continue;
        }
        let literals_match = route.segments.iter().zip(segments).all(|(t, s)| match t {
            Seg::Literal(l) => **l == **s,
            Seg::Resource(_) | Seg::Any => true,
        });
        if !literals_match {
            continue;
        }
        let mut captured = Captured::default();
        let mut failed = None;
        for (t, s) in route.segments.iter().zip(segments) {
            let Seg::Resource(var) = t else { continue };
            let ok = match var {
                ResourceVar::Dseq => parse_digits(s, 20).map(|v| captured.dseq = Some(v)),
                ResourceVar::Gseq => parse_digits(s, 10)
                    .and_then(|v| u32::try_from(v).ok())
                    .map(|v| captured.gseq = Some(v)),
                ResourceVar::Oseq => parse_digits(s, 10)
                    .and_then(|v| u32::try_from(v).ok())
                    .map(|v| captured.oseq = Some(v)),
            };
            if ok.is_none() {
                failed = Some((*var, *s));
                break;
            }
        }
        if let Some((var, value)) = failed {
            invalid = invalid.or(Some((var, value, index)));
            continue;
        }
        let resource = match (route.kind, captured) {
            (
                ResourceKind::Lease,
                Captured {
                    dseq: Some(dseq),
                    gseq: Some(gseq),
                    oseq: Some(oseq),
                },
            ) => Resource::Lease { dseq, gseq, oseq },
            (
                ResourceKind::Deployment,
                Captured {
                    dseq: Some(dseq), ..
                },
            ) => Resource::Deployment { dseq },
            (ResourceKind::None | ResourceKind::Provider, _) => Resource::None,
            // The template does not fill the resource (the compiler refuses such routes).
            (ResourceKind::Lease | ResourceKind::Deployment, _) => continue,
        };
        return Ok(RouteMatch {
            op: route.op,
            resource,
            route: index,
        });
    }
    match invalid {
        Some((var, value, route)) => Err(RouteMiss::ResourceInvalid {
            variable: var.name(),
            value: value.to_owned(),
            route,
        }),
        None => Err(RouteMiss::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &str, template: &str, op: u32, kind: ResourceKind) -> RouteDef {
        let segments = parse_template(template).unwrap();
        RouteDef::new(method, template, &segments, OpId(op), kind)
    }

    // Tables the lints refuse (overlaps, unfilled resources): the matcher still behaves.
    #[test]
    fn a_later_route_wins_over_an_earlier_bad_number() {
        let routes = [
            route("GET", "/d/{dseq}", 0, ResourceKind::Deployment),
            route("GET", "/d/latest", 1, ResourceKind::None),
        ];
        assert_eq!(
            match_routes(&routes, "GET", "/d/latest"),
            Ok(RouteMatch {
                op: OpId(1),
                resource: Resource::None,
                route: 1
            })
        );
        assert_eq!(
            match_routes(&routes, "GET", "/d/other"),
            Err(RouteMiss::ResourceInvalid {
                variable: "dseq",
                value: "other".into(),
                route: 0
            })
        );
    }

    #[test]
    fn the_first_failure_in_declaration_order_is_reported() {
        let routes = [
            route("GET", "/x/{gseq}", 0, ResourceKind::None),
            route("*", "/x/{dseq}", 1, ResourceKind::Deployment),
        ];
        let m = match_routes(&routes, "GET", "/x/99999999999").unwrap();
        assert_eq!(m.route, 1);
        assert_eq!(
            m.resource,
            Resource::Deployment {
                dseq: 99_999_999_999
            }
        );
        assert_eq!(
            match_routes(&routes, "GET", "/x/abc"),
            Err(RouteMiss::ResourceInvalid {
                variable: "gseq",
                value: "abc".into(),
                route: 0
            })
        );
    }

    #[test]
    fn a_route_that_does_not_fill_its_resource_never_matches() {
        let routes = [route("GET", "/l/{dseq}", 0, ResourceKind::Lease)];
        assert_eq!(
            match_routes(&routes, "GET", "/l/1"),
            Err(RouteMiss::NotFound)
        );
    }

    #[test]
    fn templates_longer_than_the_limit_are_refused() {
        let ok = "/a".repeat(MAX_ROUTE_SEGMENTS);
        assert_eq!(parse_template(&ok).unwrap().len(), MAX_ROUTE_SEGMENTS);
        let long = format!("{ok}/b");
        let err = parse_template(&long).unwrap_err();
        assert_eq!(err.offset, ok.len() + 1);
        assert!(
            err.message.contains("more than 16 segments"),
            "{}",
            err.message
        );
        let routes = [route("GET", &ok, 0, ResourceKind::None)];
        assert!(match_routes(&routes, "GET", &ok).is_ok());
        assert_eq!(
            match_routes(&routes, "GET", &long),
            Err(RouteMiss::NotFound)
        );
    }
}
