//! The tower layer in front of the example provider app, request by request (`oneshot`, no
//! socket): every route of AKASH.md §8.2 under each access type, each deny family, both
//! response styles, and the atomic policy swap.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

#[path = "../../../examples/axum-provider.rs"]
#[allow(
    dead_code,
    reason = "the example's `main` and `load` are not used here"
)]
mod example;
mod support;

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use support::*;
use tollgate_http::SharedAuthorizer;
use tower::ServiceExt;

struct Answer {
    status: StatusCode,
    code: Option<String>,
    challenge: Option<String>,
    content_type: Option<String>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
}

async fn send(shared: &SharedAuthorizer, method: &str, path: &str, auth: Option<&str>) -> Answer {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let response = example::app(shared.clone())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (status, code, challenge, content_type) = (
        response.status(),
        header("x-tollgate-code"),
        header("www-authenticate"),
        header("content-type"),
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        code,
        challenge,
        content_type,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

#[tokio::test]
async fn every_route_under_every_access_type_in_both_styles() {
    let mut checked = 0;
    for (policy, strict) in [
        ("akash-provider.policy", true),
        ("akash-provider-compat.policy", false),
    ] {
        let shared = SharedAuthorizer::new(authorizer(policy));
        for grant in grants() {
            let bearer = format!("Bearer {}", token(&grant.leases));
            for route in ROUTES {
                let answer = send(&shared, route.method, route.path, Some(&bearer)).await;
                let context = format!("{policy} {} {} as {}", route.method, route.path, grant.name);
                if (grant.allows)(route, strict) {
                    assert_eq!(answer.status, StatusCode::OK, "{context}: {}", answer.body);
                    let echoed = answer.json();
                    assert_eq!(echoed["operation"], route.operation, "{context}");
                    assert_eq!(echoed["issuer"], ISSUER, "{context}");
                    assert!(echoed["expires_at"].as_i64().unwrap() > now(), "{context}");
                    if route.path.starts_with("/lease/42/1/1") {
                        assert_eq!(
                            echoed["resource"],
                            json!({"dseq": 42, "gseq": 1, "oseq": 1})
                        );
                    }
                } else if strict {
                    assert_eq!(
                        answer.status,
                        StatusCode::FORBIDDEN,
                        "{context}: {}",
                        answer.body
                    );
                    assert_eq!(
                        answer.challenge.as_deref(),
                        Some("Bearer error=\"insufficient_scope\"")
                    );
                    let code = answer.code.clone().unwrap();
                    assert!(
                        [
                            "scope_missing",
                            "provider_not_granted",
                            "deployment_not_granted"
                        ]
                        .contains(&code.as_str()),
                        "{context}: {code}"
                    );
                    assert_eq!(answer.json()["code"], code.as_str());
                } else {
                    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{context}");
                    assert_eq!(
                        answer.json(),
                        json!({"message": "unauthorized access"}),
                        "{context}"
                    );
                    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 2 * 4 * ROUTES.len());
}

#[tokio::test]
async fn public_routes_need_no_token_but_reject_a_bad_one() {
    for policy in ["akash-provider.policy", "akash-provider-compat.policy"] {
        let shared = SharedAuthorizer::new(authorizer(policy));
        for path in ["/version", "/address", "/status"] {
            let answer = send(&shared, "GET", path, None).await;
            assert_eq!(answer.status, StatusCode::OK, "{policy} {path}");
            assert_eq!(answer.json()["issuer"], Value::Null);
            // Upstream runs the auth middleware on every route: a bad token fails even here.
            let answer = send(&shared, "GET", path, Some("Bearer not.a.token")).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{policy} {path}");
            assert_eq!(answer.code.as_deref(), Some("token_malformed"));
        }
    }
}

/// Method, path, `Authorization`, strict status, deny code, compat status, compat body.
type DenyCase = (
    &'static str,
    &'static str,
    Option<String>,
    u16,
    &'static str,
    u16,
    &'static str,
);

#[tokio::test]
async fn each_deny_family_in_both_styles() {
    let full = token(r#"{"access":"full"}"#);
    let expired = token_expiring(r#"{"access":"full"}"#, -60);
    let cases: Vec<DenyCase> = vec![
        (
            "GET",
            "/nope",
            None,
            404,
            "route_not_found",
            404,
            "404 page not found\n",
        ),
        (
            "GET",
            "/lease/42/1/1/status/",
            Some(format!("Bearer {full}")),
            404,
            "route_not_found",
            404,
            "404 page not found\n",
        ),
        (
            "DELETE",
            "/version",
            None,
            404,
            "route_not_found",
            404,
            "404 page not found\n",
        ),
        (
            "GET",
            "/lease/abc/1/1/status",
            Some(format!("Bearer {full}")),
            400,
            "resource_invalid",
            400,
            "",
        ),
        (
            "GET",
            "/lease/42/1/99999999999/status",
            Some(format!("Bearer {full}")),
            400,
            "resource_invalid",
            400,
            "",
        ),
        // The provider parses ids after its auth middleware: token problems come first.
        (
            "GET",
            "/lease/abc/1/1/status",
            None,
            401,
            "token_required",
            401,
            r#"{"message":"unauthorized access"}"#,
        ),
        (
            "GET",
            "/lease/abc/1/1/status",
            Some("Bearer garbage".to_owned()),
            401,
            "token_malformed",
            401,
            r#"{"message":"JWT is invalid"}"#,
        ),
        (
            "PUT",
            "/deployment/x/manifest",
            Some(format!("Bearer {expired}")),
            401,
            "token_expired",
            400,
            r#"{"message":"JWT has invalid claims"}"#,
        ),
        (
            "GET",
            "/lease/abc/1/1/status",
            Some(format!("Basic {full}")),
            400,
            "authorization_header_invalid",
            400,
            r#"{"message":"invalid authorization header"}"#,
        ),
        (
            "GET",
            "/lease/42/1/1/status",
            Some(format!("Basic {full}")),
            400,
            "authorization_header_invalid",
            400,
            r#"{"message":"invalid authorization header"}"#,
        ),
        (
            "GET",
            "/lease/42/1/1/status",
            Some(format!("Bearer {full} extra")),
            400,
            "authorization_header_invalid",
            400,
            r#"{"message":"invalid authorization header"}"#,
        ),
        (
            "GET",
            "/lease/42/1/1/status",
            Some(full.clone()),
            400,
            "authorization_header_invalid",
            400,
            r#"{"message":"invalid authorization header"}"#,
        ),
        (
            "GET",
            "/lease/42/1/1/status",
            None,
            401,
            "token_required",
            401,
            r#"{"message":"unauthorized access"}"#,
        ),
        (
            "GET",
            "/lease/42/1/1/status",
            Some("Bearer garbage".to_owned()),
            401,
            "token_malformed",
            401,
            r#"{"message":"JWT is invalid"}"#,
        ),
        (
            "GET",
            "/lease/42/1/1/status",
            Some(format!("Bearer {}x", full)),
            401,
            "token_malformed",
            401,
            r#"{"message":"JWT is invalid"}"#,
        ),
        (
            "GET",
            "/lease/42/1/1/status",
            Some(format!("Bearer {expired}")),
            401,
            "token_expired",
            400,
            r#"{"message":"JWT has invalid claims"}"#,
        ),
    ];
    let strict = SharedAuthorizer::new(authorizer("akash-provider.policy"));
    let compat = SharedAuthorizer::new(authorizer("akash-provider-compat.policy"));
    for (method, path, auth, strict_status, code, compat_status, compat_body) in cases {
        let context = format!("{method} {path} {auth:?}");
        let answer = send(&strict, method, path, auth.as_deref()).await;
        assert_eq!(
            answer.status.as_u16(),
            strict_status,
            "strict {context}: {}",
            answer.body
        );
        assert_eq!(answer.code.as_deref(), Some(code), "strict {context}");
        assert_eq!(answer.json()["code"], code, "strict {context}");
        assert!(
            !answer.body.contains(&full),
            "the token never appears in a response"
        );
        match strict_status {
            401 if code == "token_required" => {
                assert_eq!(answer.challenge.as_deref(), Some("Bearer"))
            }
            401 => assert_eq!(
                answer.challenge.as_deref(),
                Some("Bearer error=\"invalid_token\"")
            ),
            400 if code == "authorization_header_invalid" => {
                assert_eq!(
                    answer.challenge.as_deref(),
                    Some("Bearer error=\"invalid_request\"")
                );
            }
            _ => assert_eq!(answer.challenge, None, "strict {context}"),
        }

        let answer = send(&compat, method, path, auth.as_deref()).await;
        assert_eq!(
            answer.status.as_u16(),
            compat_status,
            "compat {context}: {}",
            answer.body
        );
        assert_eq!(answer.code.as_deref(), Some(code), "compat {context}");
        if code == "resource_invalid" {
            assert_eq!(
                answer.content_type.as_deref(),
                Some("text/plain; charset=utf-8")
            );
            assert!(answer.body.starts_with("invalid "), "{}", answer.body);
        } else {
            assert_eq!(answer.body, compat_body, "compat {context}");
        }
    }
}

#[tokio::test]
async fn two_authorization_headers_are_refused() {
    let shared = SharedAuthorizer::new(authorizer("akash-provider.policy"));
    let full = token(r#"{"access":"full"}"#);
    let request = Request::builder()
        .uri("/lease/42/1/1/status")
        .header("authorization", format!("Bearer {full}"))
        .header("authorization", format!("Bearer {full}"))
        .body(Body::empty())
        .unwrap();
    let response = example::app(shared).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.headers()["x-tollgate-code"],
        "authorization_header_invalid"
    );
}

#[tokio::test]
async fn a_replaced_policy_applies_to_the_next_request() {
    let shared = SharedAuthorizer::new(authorizer("akash-provider.policy"));
    let scoped = format!(
        "Bearer {}",
        token(r#"{"access":"scoped","scope":["status"]}"#)
    );
    let answer = send(&shared, "POST", "/hostname/migrate", Some(&scoped)).await;
    assert_eq!(
        answer.status,
        StatusCode::FORBIDDEN,
        "strict: the scope is enforced"
    );
    shared.replace(authorizer("akash-provider-compat.policy"));
    let answer = send(&shared, "POST", "/hostname/migrate", Some(&scoped)).await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "compat: upstream does not check the scope"
    );
}

#[test]
fn a_denial_names_the_operation_and_resource_its_route_matched() {
    use tollgate::Resource;
    use tollgate_http::{AuthorizationHeader, HttpDecision, RequestFacts, decide};

    let authorizer = authorizer("akash-provider.policy");
    let scoped = format!(
        "Bearer {}",
        token(r#"{"access":"scoped","scope":["status"]}"#)
    );
    let facts = RequestFacts {
        method: "GET",
        target: "/lease/42/1/7/logs?follow=true",
        authorization: AuthorizationHeader::One(scoped.as_bytes()),
    };
    let HttpDecision::Deny(denial) = decide(&authorizer, &facts) else {
        panic!("`logs` is not in the token's scopes");
    };
    assert_eq!(denial.code.as_str(), "scope_missing");
    assert_eq!(denial.operation.as_deref(), Some("lease.logs"));
    assert_eq!(
        denial.resource,
        Resource::Lease {
            dseq: 42,
            gseq: 1,
            oseq: 7
        }
    );
    assert_eq!(denial.issuer.as_deref(), Some(ISSUER));
    assert!(denial.code.issuer_is_verified());
}
