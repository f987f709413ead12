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
/// nginx mode: the `Retry-After` the client must see (on a 503 from a limit).
pub const RETRY_AFTER_HEADER: &str = "x-tollgate-retry-after";

/// The most characters of an issuer logged (a claimed one can be kilobytes long).
pub(crate) const MAX_LOGGED_CHARS: usize = 128;
/// The most characters of a deny reason logged (reasons can quote request data).
pub(crate) const MAX_LOGGED_REASON_CHARS: usize = 512;

/// `text`, or its first `max` characters followed by `…`.
pub(crate) fn clip(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => std::borrow::Cow::Borrowed(text),
        Some((end, _)) => {
            std::borrow::Cow::Owned(format!("{}…", text.get(..end).unwrap_or_default()))
        }
    }
}

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
                issuer = clip(identity.issuer.as_deref().unwrap_or(""), MAX_LOGGED_CHARS).as_ref(),
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
            // Before the signature check the issuer is only what the token claims: logged
            // apart, as `claimed_issuer`, and clipped like every other request-derived field.
            let (issuer, claimed_issuer) = if denial.code.issuer_is_verified() {
                (denial.issuer.as_deref(), None)
            } else {
                (None, denial.issuer.as_deref())
            };
            tracing::info!(
                target: "tollgate::decision",
                operation = denial.operation.as_deref().unwrap_or(""),
                resource = resource_text(denial.resource).as_str(),
                issuer = clip(issuer.unwrap_or(""), MAX_LOGGED_CHARS).as_ref(),
                claimed_issuer = claimed_issuer.map(|c| clip(c, MAX_LOGGED_CHARS)).as_deref(),
                code = denial.code.as_str(),
                status = denial.status.as_u16(),
                latency_us,
                reason = clip(&denial.reason, MAX_LOGGED_REASON_CHARS).as_ref(),
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
            resource: Resource::None,
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

/// nginx mode: a check refused by a limit (overload, timeout) is a 503 for the client, carried
/// in a 403 like a denial (a 503 would reach the client as nginx's 500). It has no
/// `X-Tollgate-Code`: it is not a decision.
pub(crate) fn nginx_refusal(refusal: crate::Refusal) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::FORBIDDEN;
    let headers = response.headers_mut();
    insert(headers, STATUS_HEADER, b"503");
    let body = refusal.body();
    insert(
        headers,
        BODY_HEADER,
        body.strip_suffix('\n').unwrap_or(body).as_bytes(),
    );
    insert(headers, CONTENT_TYPE_HEADER, b"text/plain; charset=utf-8");
    insert(
        headers,
        RETRY_AFTER_HEADER,
        crate::RETRY_AFTER_SECONDS.as_bytes(),
    );
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

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use axum::body::Body;
    use http::Request;
    use tollgate_http::SharedAuthorizer;
    use tollgate_testkit::{ISSUER, akash_token, authorizer, now, scalar_key, test_key};
    use tower::ServiceExt;

    use super::*;
    use crate::{App, Metrics};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(data);
            Ok(data.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The decision log line of one Traefik check of `GET /lease/42/1/1/logs` with `token`.
    fn decision_line(token: &str) -> serde_json::Value {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .json()
            .flatten_event(true)
            .finish();
        let app = App::new(
            SharedAuthorizer::new(authorizer("akash-provider.policy")),
            ProxyKind::Traefik,
            Metrics::new(),
        );
        let request = Request::builder()
            .uri("/auth")
            .header("x-forwarded-method", "GET")
            .header("x-forwarded-uri", "/lease/42/1/1/logs")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let response = tracing::subscriber::with_default(subscriber, || {
            runtime.block_on(app.router().oneshot(request)).unwrap()
        });
        assert_eq!(response.headers().get(ISSUER_HEADER), None);
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let mut lines = text.lines();
        let line = serde_json::from_str(lines.next().unwrap()).unwrap();
        assert_eq!(lines.next(), None, "{text}");
        line
    }

    #[test]
    fn an_unverified_issuer_is_logged_as_claimed_and_clipped() {
        let now = now();
        let leases = r#"{"access":"full"}"#;
        // The test account's address, signed by another key: the claim is a lie.
        let forged = decision_line(&akash_token(&scalar_key(7), ISSUER, leases, now, now + 60));
        assert_eq!(forged["code"], "signature_invalid", "{forged}");
        assert_eq!(forged["issuer"], "", "{forged}");
        assert_eq!(forged["claimed_issuer"], ISSUER, "{forged}");

        // A 4 KB claimed issuer is clipped to 128 characters.
        let long = format!("akash1{}", "q".repeat(4000));
        let line = decision_line(&akash_token(&scalar_key(7), &long, leases, now, now + 60));
        assert_eq!(line["issuer"], "", "{line}");
        let claimed = line["claimed_issuer"]
            .as_str()
            .unwrap_or_else(|| panic!("{line}"));
        assert_eq!(claimed.chars().count(), MAX_LOGGED_CHARS + 1, "{line}");
        assert!(claimed.starts_with("akash1qqq") && claimed.ends_with('…'));

        // After the signature check the issuer is verified, even on a denial.
        let expired = decision_line(&akash_token(
            &test_key(),
            ISSUER,
            leases,
            now - 7200,
            now - 3600,
        ));
        assert_eq!(expired["code"], "token_expired", "{expired}");
        assert_eq!(expired["issuer"], ISSUER, "{expired}");
        assert!(expired.get("claimed_issuer").is_none(), "{expired}");
    }

    #[test]
    fn clip_counts_characters() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "abc…");
        assert_eq!(clip("ééé€", 2), "éé…");
    }
}
