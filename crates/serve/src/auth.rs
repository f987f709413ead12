//! The forward-auth endpoint: one check request → one decision → one answer and one log line.

use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use http::header::{HeaderValue, WWW_AUTHENTICATE};
use http::{HeaderMap, StatusCode};
use tollgate::{DenyCode, Resource};
use tollgate_http::{
    AuthorizationHeader, CODE_HEADER, DenyBody, HttpDecision, HttpDenial, ISSUER_HEADER, Identity,
    OPERATION_HEADER, RequestFacts, decide,
};

use crate::App;
use crate::proxy::{self, ForwardedProblem, ProxyKind};

/// The allowed request's resource (`42`, `42/1/1`), on allow.
pub const RESOURCE_HEADER: &str = "x-tollgate-resource";
/// nginx mode: the status the client must see.
pub const STATUS_HEADER: &str = "x-tollgate-status";
/// nginx mode: the body the client must see, without the one trailing newline of text bodies.
pub const BODY_HEADER: &str = "x-tollgate-body";
/// nginx mode: the `Content-Type` the client must see.
pub const CONTENT_TYPE_HEADER: &str = "x-tollgate-content-type";
/// nginx mode: the `WWW-Authenticate` challenge the client must see.
pub const CHALLENGE_HEADER: &str = "x-tollgate-www-authenticate";

/// `/auth` (and, for Envoy, `/auth/…`).
pub(crate) async fn check(State(app): State<App>, request: Request) -> Response {
    let started = Instant::now();
    let (parts, _body) = request.into_parts();
    let authorizer = app.inner.shared.load();
    let decision = match proxy::original(app.inner.proxy, &parts.method, &parts.uri, &parts.headers)
    {
        Ok(original) => decide(
            &authorizer,
            &RequestFacts {
                method: original.method,
                target: original.target,
                authorization: AuthorizationHeader::from_headers(&parts.headers),
            },
        ),
        Err(problem) => HttpDecision::Deny(unforwarded(&authorizer, problem)),
    };
    let took = started.elapsed();
    let latency_us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
    match decision {
        HttpDecision::Allow(identity) => {
            let resource = resource_text(identity.resource);
            tracing::info!(
                target: "tollgate::decision",
                operation = identity.operation.as_str(),
                resource = resource.as_str(),
                issuer = identity.issuer.as_deref().unwrap_or(""),
                code = "allow",
                status = 200u16,
                latency_us,
                "allow"
            );
            app.inner
                .metrics
                .decision(Some(&identity.operation), None, took);
            allow_response(&identity, &resource)
        }
        HttpDecision::Deny(denial) => {
            tracing::info!(
                target: "tollgate::decision",
                operation = denial.operation.as_deref().unwrap_or(""),
                resource = "",
                issuer = denial.issuer.as_deref().unwrap_or(""),
                code = denial.code.as_str(),
                status = denial.status.as_u16(),
                latency_us,
                reason = denial.reason.as_str(),
                "deny"
            );
            app.inner.metrics.decision(
                denial.operation.as_deref(),
                Some(denial.code.as_str()),
                took,
            );
            match app.inner.proxy {
                ProxyKind::Nginx => nginx_denial(&denial),
                ProxyKind::Traefik | ProxyKind::Envoy => denial.to_response::<Body>(),
            }
        }
    }
}

/// A check request that names no original request is denied as a request no route matches
/// (`route_not_found`, in the policy's response style), with the problem as the reason.
fn unforwarded(authorizer: &tollgate::Authorizer, problem: ForwardedProblem) -> HttpDenial {
    let facts = RequestFacts {
        method: "",
        target: "",
        authorization: AuthorizationHeader::Absent,
    };
    let reason = format!("{problem}: the proxy must say which request to authorize");
    match decide(authorizer, &facts) {
        HttpDecision::Deny(mut denial) => {
            // Strict bodies carry the reason as `message`: say what is actually wrong.
            if let DenyBody::Json(text) = &denial.body
                && let Ok(serde_json::Value::Object(mut body)) = serde_json::from_str(text)
                && body.get("message").and_then(|m| m.as_str()) == Some(denial.reason.as_str())
            {
                body.insert(
                    "message".to_owned(),
                    serde_json::Value::String(reason.clone()),
                );
                denial.body = DenyBody::Json(serde_json::Value::Object(body).to_string());
            }
            denial.reason = reason;
            denial
        }
        // An empty target matches no route; this arm only keeps the deny-by-default shape.
        HttpDecision::Allow(_) => HttpDenial {
            code: DenyCode::RouteNotFound,
            reason,
            operation: None,
            issuer: None,
            status: StatusCode::NOT_FOUND,
            body: DenyBody::Empty,
            www_authenticate: None,
        },
    }
}

/// `42`, `42/1/1`, or empty.
pub(crate) fn resource_text(resource: Resource) -> String {
    match resource {
        Resource::Deployment { dseq } => dseq.to_string(),
        Resource::Lease { dseq, gseq, oseq } => format!("{dseq}/{gseq}/{oseq}"),
        _ => String::new(),
    }
}

/// 200 with the identity headers the proxy passes on: all three, always, empty when there is
/// nothing to say (no issuer on an anonymous public route or a Filecoin token, no resource).
/// Envoy's `allowed_upstream_headers` and Traefik's `authResponseHeaders` only replace the
/// client's headers that the answer carries, so an omitted header would let a client-sent
/// `X-Tollgate-Issuer` through to the service.
fn allow_response(identity: &Identity, resource: &str) -> Response {
    let mut response = Response::new(Body::empty());
    let headers = response.headers_mut();
    let issuer = identity.issuer.as_deref().unwrap_or_default();
    insert(headers, ISSUER_HEADER, issuer.as_bytes());
    insert(headers, OPERATION_HEADER, identity.operation.as_bytes());
    insert(headers, RESOURCE_HEADER, resource.as_bytes());
    response
}

/// nginx's `auth_request` understands only 2xx, 401 and 403 (anything else becomes a 500), so
/// a denial answers 401 when the real status is 401 and 403 otherwise, and carries the real
/// status, body, content type, code and challenge in headers for `error_page` to rebuild.
fn nginx_denial(denial: &HttpDenial) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = if denial.status == StatusCode::UNAUTHORIZED {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::FORBIDDEN
    };
    let headers = response.headers_mut();
    insert(headers, STATUS_HEADER, denial.status.as_str().as_bytes());
    insert(headers, CODE_HEADER, denial.code.as_str().as_bytes());
    let body = denial.body.as_str();
    let body = match denial.body {
        DenyBody::Text(_) => body.strip_suffix('\n').unwrap_or(body),
        DenyBody::Json(_) | DenyBody::Empty => body,
    };
    if !body.is_empty() {
        insert(headers, BODY_HEADER, body.as_bytes());
    }
    if let Some(content_type) = denial.body.content_type() {
        insert(headers, CONTENT_TYPE_HEADER, content_type.as_bytes());
    }
    if let Some(challenge) = denial.www_authenticate {
        insert(headers, CHALLENGE_HEADER, challenge.as_bytes());
        // ingress-nginx (and nginx) copy this header of a 401 to the client themselves.
        if denial.status == StatusCode::UNAUTHORIZED {
            headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
    }
    response
}

/// Inserts a header; bytes that cannot be a header value (control characters) become `?`.
fn insert(headers: &mut HeaderMap, name: &'static str, value: &[u8]) {
    let value = HeaderValue::from_bytes(value).unwrap_or_else(|_| {
        let cleaned: Vec<u8> = value
            .iter()
            .map(|&b| {
                if b == b'\t' || b >= 0x20 && b != 0x7f {
                    b
                } else {
                    b'?'
                }
            })
            .collect();
        HeaderValue::from_bytes(&cleaned).unwrap_or(HeaderValue::from_static("?"))
    });
    headers.insert(name, value);
}
