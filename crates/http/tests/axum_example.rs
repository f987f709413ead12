//! The example provider app (`examples/axum-provider.rs`) served on a loopback port and called
//! over real HTTP: every route of AKASH.md §8.2 under each access type, public routes without a
//! token, malformed `Authorization` headers and each deny family, for both shipped policies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

#[path = "../../../examples/axum-provider.rs"]
#[allow(dead_code, reason = "the example's `main` is not used here")]
mod example;
mod support;

use std::net::SocketAddr;

use serde_json::{Value, json};
use support::*;
use tollgate_http::SharedAuthorizer;

/// Serves the example app with `policy` on a free loopback port, on a background runtime that
/// lives as long as the returned handle.
fn serve(policy: &str) -> (SocketAddr, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let path = format!("{ROOT}/policies/{policy}");
    let keys = format!("{ROOT}/fixtures/keys/akash-test-accounts.yaml");
    let authorizer = example::load(&path, &keys, PROVIDER).unwrap();
    let shared = SharedAuthorizer::new(authorizer);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let address = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, example::app(shared)).await });
    (address, runtime)
}

struct Answer {
    status: u16,
    code: Option<String>,
    challenge: Option<String>,
    body: String,
}

fn send(address: SocketAddr, method: &str, path: &str, auth: Option<&str>) -> Answer {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("http://{address}{path}"));
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let mut response = agent.run(request.body(()).unwrap()).unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (status, code, challenge) = (
        response.status().as_u16(),
        header("x-tollgate-code"),
        header("www-authenticate"),
    );
    let body = response.body_mut().read_to_string().unwrap();
    Answer {
        status,
        code,
        challenge,
        body,
    }
}

#[test]
fn every_route_over_real_http_in_both_styles() {
    for (policy, strict) in [
        ("akash-provider.policy", true),
        ("akash-provider-compat.policy", false),
    ] {
        let (address, _runtime) = serve(policy);
        for grant in grants() {
            let bearer = format!("Bearer {}", token(&grant.leases));
            for route in ROUTES {
                let answer = send(address, route.method, route.path, Some(&bearer));
                let context = format!("{policy} {} {} as {}", route.method, route.path, grant.name);
                if (grant.allows)(route, strict) {
                    assert_eq!(answer.status, 200, "{context}: {}", answer.body);
                    let echoed: Value = serde_json::from_str(&answer.body).unwrap();
                    assert_eq!(echoed["operation"], route.operation, "{context}");
                    assert_eq!(echoed["issuer"], ISSUER, "{context}");
                    assert_eq!(answer.code, None);
                } else {
                    assert_eq!(answer.status, if strict { 403 } else { 401 }, "{context}");
                    assert!(answer.code.is_some(), "{context}");
                }
            }
        }
        for path in ["/version", "/address", "/status"] {
            let answer = send(address, "GET", path, None);
            assert_eq!(answer.status, 200, "{policy} {path} without a token");
        }
    }
}

#[test]
fn malformed_headers_and_deny_families_over_real_http() {
    let full = token(r#"{"access":"full"}"#);
    let expired = token_expiring(r#"{"access":"full"}"#, -60);
    let (strict, _a) = serve("akash-provider.policy");
    let (compat, _b) = serve("akash-provider-compat.policy");
    let lease = "/lease/42/1/1/logs?follow=true";
    let cases = [
        (format!("bearer {full}"), 200, None, 200),
        (format!("BEARER   {full}"), 200, None, 200),
        (
            format!("Token {full}"),
            400,
            Some("authorization_header_invalid"),
            400,
        ),
        (
            "Bearer".to_owned(),
            400,
            Some("authorization_header_invalid"),
            400,
        ),
        (
            format!("Bearer {full} {full}"),
            400,
            Some("authorization_header_invalid"),
            400,
        ),
        (format!("Bearer {expired}"), 401, Some("token_expired"), 400),
        ("Bearer a.b.c".to_owned(), 401, Some("token_malformed"), 401),
    ];
    for (header, strict_status, code, compat_status) in cases {
        let answer = send(strict, "GET", lease, Some(&header));
        assert_eq!(
            answer.status, strict_status,
            "strict `{header:.20}`: {}",
            answer.body
        );
        assert_eq!(answer.code.as_deref(), code);
        let answer = send(compat, "GET", lease, Some(&header));
        assert_eq!(
            answer.status, compat_status,
            "compat `{header:.20}`: {}",
            answer.body
        );
        assert_eq!(answer.code.as_deref(), code);
    }

    let answer = send(compat, "GET", lease, Some(&format!("Bearer {expired}")));
    assert_eq!(
        serde_json::from_str::<Value>(&answer.body).unwrap(),
        json!({"message": "JWT has invalid claims"})
    );
    let answer = send(strict, "GET", lease, None);
    assert_eq!(
        (answer.status, answer.challenge.as_deref()),
        (401, Some("Bearer"))
    );
    let answer = send(strict, "GET", "/lease/42/1/1/nope", None);
    assert_eq!(
        (answer.status, answer.code.as_deref()),
        (404, Some("route_not_found"))
    );
    let answer = send(compat, "GET", "/lease/42/1/1/nope", None);
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (404, "404 page not found\n")
    );
}

/// Tokens minted by the Akash TypeScript client (`fixtures/akash/ts-client-tokens.json`, from
/// `@akashnetwork/chain-sdk`'s `JwtTokenManager`), both algorithms, each access type.
#[test]
fn tokens_from_the_typescript_client_over_real_http() {
    let fixture: Value =
        serde_json::from_str(&read("fixtures/akash/ts-client-tokens.json")).unwrap();
    assert_eq!(fixture["provider"], PROVIDER);
    let (address, _runtime) = serve("akash-provider.policy");
    let tokens = fixture["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 6);
    for entry in tokens {
        let name = entry["name"].as_str().unwrap();
        let access = entry["access"].as_str().unwrap();
        let bearer = format!("Bearer {}", entry["token"].as_str().unwrap());
        let logs = send(
            address,
            "GET",
            "/lease/42/1/1/logs?follow=true",
            Some(&bearer),
        );
        assert_eq!(logs.status, 200, "{name}: {}", logs.body);
        let echoed: Value = serde_json::from_str(&logs.body).unwrap();
        assert_eq!(echoed["issuer"], ISSUER, "{name}");
        assert_eq!(echoed["expires_at"], 4_102_444_800_i64, "{name}");
        let shell = send(address, "GET", "/lease/42/1/1/shell", Some(&bearer));
        let other = send(address, "GET", "/lease/43/1/1/logs", Some(&bearer));
        match access {
            "full" => {
                assert_eq!(shell.status, 200, "{name}");
                assert_eq!(other.status, 200, "{name}");
            }
            "scoped" => {
                assert_eq!(
                    (shell.status, shell.code.as_deref()),
                    (403, Some("scope_missing")),
                    "{name}"
                );
                assert_eq!(other.status, 200, "{name}");
            }
            "granular" => {
                assert_eq!(shell.status, 200, "{name}");
                assert_eq!(
                    (other.status, other.code.as_deref()),
                    (403, Some("deployment_not_granted")),
                    "{name}"
                );
            }
            _ => panic!("unexpected access `{access}`"),
        }
    }
}
