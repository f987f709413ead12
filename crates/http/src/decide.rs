//! One HTTP request → route → token → decision → response.

use tollgate::policy::RouteMiss;
use tollgate::{Authorizer, Decision, DenyCode, Operation, Resource};

use crate::extract::{AuthorizationHeader, HeaderRules, bearer_token};
use crate::response::{HttpDenial, ResponseStyle, denial};

/// What a decision needs from an HTTP request.
#[derive(Clone, Copy, Debug)]
pub struct RequestFacts<'a> {
    /// The request method, e.g. `GET`.
    pub method: &'a str,
    /// The request target: the path, optionally with `?query` (ignored by routing).
    pub target: &'a str,
    /// The request's `Authorization` header(s).
    pub authorization: AuthorizationHeader<'a>,
}

/// The verified identity of an allowed request; the middleware puts it into the request
/// extensions for the handler.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The token's verified issuer; `None` for anonymous requests to public operations and for
    /// Filecoin tokens (which name no issuer).
    pub issuer: Option<String>,
    /// The operation the route mapped to, e.g. `lease.status`.
    pub operation: String,
    /// The resource the route's `{dseq}`, `{gseq}`, `{oseq}` named.
    pub resource: Resource,
    /// The token's `exp` (Unix seconds), if it has one.
    pub expires_at: Option<i64>,
}

/// The outcome for one HTTP request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpDecision {
    /// Let the request through, with this identity.
    Allow(Identity),
    /// Answer with this denial instead.
    Deny(HttpDenial),
}

/// Routes the request through the policy's route table, reads the token as the policy's family
/// does upstream, authorizes, and maps a deny to the policy's response style.
pub fn decide(authorizer: &Authorizer, facts: &RequestFacts<'_>) -> HttpDecision {
    let policy = authorizer.policy();
    let style = ResponseStyle::of(policy);
    let matched = match policy.match_route(facts.method, facts.target) {
        Ok(matched) => matched,
        Err(miss) => {
            if let RouteMiss::ResourceInvalid { route, .. } = &miss
                && let Some(first) = token_problem(authorizer, *route, facts.authorization)
            {
                return HttpDecision::Deny(first);
            }
            let (code, reason) = route_miss(&miss, facts);
            return HttpDecision::Deny(denial(style, code, reason, None, None));
        }
    };
    let name = policy.operation_def(matched.op).name.as_str();
    let operation = Operation::new(name).with_resource(matched.resource);
    decide_operation(authorizer, &operation, facts.authorization)
}

/// [`decide`] for a caller that has already mapped the request to an operation (for example a
/// JSON-RPC guard that reads the method from the body): reads the token and authorizes.
pub fn decide_operation(
    authorizer: &Authorizer,
    operation: &Operation<'_>,
    authorization: AuthorizationHeader<'_>,
) -> HttpDecision {
    let policy = authorizer.policy();
    let style = ResponseStyle::of(policy);
    let token = match bearer_token(authorization, HeaderRules::of(policy)) {
        Ok(token) => token,
        Err(problem) => {
            return HttpDecision::Deny(refuse(
                style,
                DenyCode::AuthorizationHeaderInvalid,
                problem.describe().to_owned(),
                operation,
                None,
            ));
        }
    };
    match authorizer.authorize(token, operation) {
        Decision::Allow { issuer, expires_at } => HttpDecision::Allow(Identity {
            issuer,
            operation: operation.name().to_owned(),
            resource: operation.resource(),
            expires_at,
        }),
        Decision::Deny(refusal) => HttpDecision::Deny(refuse(
            style,
            refusal.code,
            refusal.reason,
            operation,
            refusal.issuer,
        )),
    }
}

/// A denial of `operation`, naming it and its resource.
fn refuse(
    style: ResponseStyle,
    code: DenyCode,
    reason: String,
    operation: &Operation<'_>,
    issuer: Option<String>,
) -> HttpDenial {
    let mut refused = denial(
        style,
        code,
        reason,
        Some(operation.name().to_owned()),
        issuer,
    );
    refused.resource = operation.resource();
    refused
}

/// For a request whose route matched but for a malformed id: the denial its token earns before
/// the id is looked at, if any. The provider parses `{dseq}` after its auth middleware
/// (AKASH.md §8.1), so a missing, malformed, forged or expired token is reported first; a
/// token that passes those checks gets `resource_invalid`.
fn token_problem(
    authorizer: &Authorizer,
    route: usize,
    authorization: AuthorizationHeader<'_>,
) -> Option<HttpDenial> {
    let policy = authorizer.policy();
    let name = policy
        .operation_def(policy.routes().get(route)?.operation())
        .name
        .as_str();
    match decide_operation(authorizer, &Operation::new(name), authorization) {
        HttpDecision::Deny(denial) if denial.code != DenyCode::ResourceRequired => Some(denial),
        HttpDecision::Deny(_) | HttpDecision::Allow(_) => None,
    }
}

/// The deny code and reason for a request no route takes. The reason names the method and the
/// path without its query, which may carry secrets.
fn route_miss(miss: &RouteMiss, facts: &RequestFacts<'_>) -> (DenyCode, String) {
    let path = facts
        .target
        .split(['?', '#'])
        .next()
        .unwrap_or(facts.target);
    let path: String = path.chars().take(256).collect();
    match miss {
        RouteMiss::NotFound => (
            DenyCode::RouteNotFound,
            format!(
                "no route matches `{} {path}`: the policy's `route` lines list the endpoints",
                facts.method
            ),
        ),
        RouteMiss::ResourceInvalid {
            variable, value, ..
        } => {
            let value: String = value.chars().take(64).collect();
            (
                DenyCode::ResourceInvalid,
                format!("invalid {variable} `{value}` in `{path}`: expected a decimal number"),
            )
        }
    }
}
