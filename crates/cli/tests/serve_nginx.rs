//! `tollgate serve --proxy nginx` behind a real nginx running `examples/nginx/tollgate.conf`,
//! in front of an upstream that echoes the identity headers it receives.
//!
//! Every provider route of AKASH.md §8.2 under full, scoped and granular tokens (allowed and
//! denied), public routes, malformed `Authorization` headers, each deny family, tokens minted
//! by the Akash TypeScript client, and spoofed identity headers — for the strict and the
//! upstream-compatible policy. Expectations are literal; each answer is also compared with
//! `tollgate_http::decide` on the same request, which must agree byte for byte.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

mod serve_support;

use std::process::{Command, Stdio};
use std::time::Duration;

use serve_support::*;
use tollgate_http::{AuthorizationHeader, HttpDecision, RequestFacts, decide};

/// The policy's response style.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    Strict,
    Compat,
}

/// One route of AKASH.md §8.2 with concrete ids.
struct Route {
    method: &'static str,
    /// Path (and query) of lease 42/1/1 or deployment 42.
    target: &'static str,
    /// The same route on lease 43/1/1 or deployment 43 (`None` for provider-level routes).
    other_target: Option<&'static str>,
    operation: &'static str,
    resource: &'static str,
    /// The scope the strict / compat policy requires (`None`: access alone).
    scope_strict: Option<&'static str>,
    scope_compat: Option<&'static str>,
    public: bool,
}

const ROUTES: &[Route] = &[
    Route {
        method: "PUT",
        target: "/deployment/42/manifest",
        other_target: Some("/deployment/43/manifest"),
        operation: "manifest.send",
        resource: "42",
        scope_strict: Some("send-manifest"),
        scope_compat: Some("send-manifest"),
        public: false,
    },
    Route {
        method: "GET",
        target: "/lease/42/1/1/manifest",
        other_target: Some("/lease/43/1/1/manifest"),
        operation: "manifest.get",
        resource: "42/1/1",
        scope_strict: Some("get-manifest"),
        scope_compat: Some("get-manifest"),
        public: false,
    },
    Route {
        method: "GET",
        target: "/lease/42/1/1/status",
        other_target: Some("/lease/43/1/1/status"),
        operation: "lease.status",
        resource: "42/1/1",
        scope_strict: Some("status"),
        scope_compat: Some("status"),
        public: false,
    },
    Route {
        method: "GET",
        target: "/lease/42/1/1/kubeevents?follow=true&tail=10",
        other_target: Some("/lease/42/2/1/kubeevents"),
        operation: "lease.events",
        resource: "42/1/1",
        scope_strict: Some("events"),
        scope_compat: Some("events"),
        public: false,
    },
    Route {
        method: "GET",
        target: "/lease/42/1/1/logs?follow=true&service=web",
        other_target: Some("/lease/42/1/2/logs"),
        operation: "lease.logs",
        resource: "42/1/1",
        scope_strict: Some("logs"),
        scope_compat: Some("logs"),
        public: false,
    },
    Route {
        method: "POST",
        target: "/lease/42/1/1/shell?cmd0=sh&tty=false",
        other_target: Some("/lease/43/1/1/shell"),
        operation: "lease.shell",
        resource: "42/1/1",
        scope_strict: Some("shell"),
        scope_compat: Some("shell"),
        public: false,
    },
    Route {
        method: "GET",
        target: "/lease/42/1/1/service/web/status",
        other_target: Some("/lease/43/1/1/service/web/status"),
        operation: "lease.service-status",
        resource: "42/1/1",
        scope_strict: None,
        scope_compat: None,
        public: false,
    },
    Route {
        method: "POST",
        target: "/lease/42/1/1/attestation/quote",
        other_target: Some("/lease/43/1/1/attestation/quote"),
        operation: "lease.attestation",
        resource: "42/1/1",
        scope_strict: Some("attestation"),
        scope_compat: Some("attestation"),
        public: false,
    },
    Route {
        method: "POST",
        target: "/hostname/migrate",
        other_target: None,
        operation: "hostname.migrate",
        resource: "",
        scope_strict: Some("hostname-migrate"),
        scope_compat: None,
        public: false,
    },
    Route {
        method: "POST",
        target: "/endpoint/migrate",
        other_target: None,
        operation: "endpoint.migrate",
        resource: "",
        scope_strict: Some("ip-migrate"),
        scope_compat: None,
        public: false,
    },
    Route {
        method: "GET",
        target: "/version",
        other_target: None,
        operation: "provider.version",
        resource: "",
        scope_strict: None,
        scope_compat: None,
        public: true,
    },
    Route {
        method: "GET",
        target: "/address",
        other_target: None,
        operation: "provider.address",
        resource: "",
        scope_strict: None,
        scope_compat: None,
        public: true,
    },
    Route {
        method: "GET",
        target: "/status",
        other_target: None,
        operation: "provider.status",
        resource: "",
        scope_strict: None,
        scope_compat: None,
        public: true,
    },
];

/// nginx + tollgate serve + the echo upstream, on free loopback ports.
struct Stack {
    port: u16,
    tollgate: Proc,
    _nginx: Proc,
    _upstream: Upstream,
    style: Style,
    authorizer: tollgate::Authorizer,
    /// Holds the configs and logs; declared last, so it is removed after the processes stop.
    _dir: TempDir,
}

fn nginx_available() {
    let found = Command::new("nginx")
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "nginx is not installed: this test runs Tollgate behind the real nginx. Install it with \
         `apt-get install -y --no-install-recommends nginx` (.ci/run does)"
    );
}

/// nginx running the shipped config with its three addresses replaced; returns its port.
fn spawn_nginx(dir: &std::path::Path, tollgate_port: u16, upstream_port: u16) -> (u16, Proc) {
    let port = free_port();
    // The shipped file, with its three addresses replaced.
    let shipped = read("examples/nginx/tollgate.conf");
    for placeholder in ["127.0.0.1:8080", "127.0.0.1:8081", "127.0.0.1:8000"] {
        assert!(
            shipped.contains(placeholder),
            "{placeholder} missing from the shipped config"
        );
    }
    let site = shipped
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{tollgate_port}"))
        .replace("127.0.0.1:8081", &format!("127.0.0.1:{}", upstream_port))
        .replace("127.0.0.1:8000", &format!("127.0.0.1:{port}"));
    std::fs::write(dir.join("tollgate.conf"), site).unwrap();
    let d = dir.display();
    let main = format!(
        "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log info;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n  \
         proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  \
         scgi_temp_path {d}/scgi;\n  include {d}/tollgate.conf;\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), main).unwrap();
    let log = dir.join("nginx.stderr");
    let mut child = Command::new("nginx")
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    wait_for_port(port, &mut child, "nginx", &log);
    (port, Proc { child, log })
}

fn start(policy: &str, style: Style) -> Stack {
    nginx_available();
    let dir = temp_dir(&format!("nginx-{policy}"));
    let upstream = spawn_upstream();
    let tollgate_port = free_port();
    let policy_path = path(&format!("policies/{policy}"));
    let keys = path("fixtures/keys/akash-test-accounts.yaml");
    let tollgate = spawn_tollgate(
        &dir,
        "tollgate",
        tollgate_port,
        &[
            "--proxy",
            "nginx",
            "--policy",
            &policy_path,
            "--keys",
            &keys,
            "--provider",
            PROVIDER,
        ],
    );
    let (port, nginx) = spawn_nginx(&dir, tollgate_port, upstream.port);
    Stack {
        port,
        tollgate,
        _nginx: nginx,
        _upstream: upstream,
        style,
        authorizer: authorizer(policy),
        _dir: dir,
    }
}

/// What the client must see.
#[derive(Debug)]
enum Expect {
    /// The upstream answered; it saw these identity headers.
    Allow {
        operation: &'static str,
        issuer: Option<&'static str>,
        resource: &'static str,
    },
    /// Tollgate denied with this code.
    Deny(&'static str),
}

/// The literal status, challenge and (compat) body of a deny code in a style.
fn literal(style: Style, code: &str) -> (u16, Option<&'static str>, Option<&'static str>) {
    const NO_TOKEN: Option<&str> = Some("Bearer");
    const INVALID_REQUEST: Option<&str> = Some("Bearer error=\"invalid_request\"");
    const INVALID_TOKEN: Option<&str> = Some("Bearer error=\"invalid_token\"");
    const SCOPE: Option<&str> = Some("Bearer error=\"insufficient_scope\"");
    match (style, code) {
        (Style::Strict, "token_required") => (401, NO_TOKEN, None),
        (Style::Strict, "authorization_header_invalid") => (400, INVALID_REQUEST, None),
        (Style::Strict, "token_malformed" | "signature_invalid" | "token_expired") => {
            (401, INVALID_TOKEN, None)
        }
        (Style::Strict, "scope_missing" | "deployment_not_granted" | "provider_not_granted") => {
            (403, SCOPE, None)
        }
        (Style::Strict, "route_not_found") => (404, None, None),
        (Style::Strict, "resource_invalid") => (400, None, None),
        // AKASH.md §8.3.
        (Style::Compat, "token_required") => {
            (401, NO_TOKEN, Some(r#"{"message":"unauthorized access"}"#))
        }
        (Style::Compat, "authorization_header_invalid") => (
            400,
            INVALID_REQUEST,
            Some(r#"{"message":"invalid authorization header"}"#),
        ),
        (Style::Compat, "token_malformed" | "signature_invalid") => {
            (401, INVALID_TOKEN, Some(r#"{"message":"JWT is invalid"}"#))
        }
        (Style::Compat, "token_expired") => (
            400,
            INVALID_TOKEN,
            Some(r#"{"message":"JWT has invalid claims"}"#),
        ),
        (Style::Compat, "scope_missing" | "deployment_not_granted" | "provider_not_granted") => {
            (401, SCOPE, Some(r#"{"message":"unauthorized access"}"#))
        }
        (Style::Compat, "route_not_found") => (404, None, Some("404 page not found\n")),
        (Style::Compat, "resource_invalid") => (400, None, None),
        other => panic!("no literal expectation for {other:?}"),
    }
}

impl Stack {
    /// Sends one request through nginx and checks it against `expect` and against `decide`.
    fn check(
        &self,
        name: &str,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        expect: &Expect,
    ) {
        let answer = request(self.port, method, target, headers);
        let context = format!(
            "{name}: {method} {target} ({:?}) -> {} {:?} {}",
            self.style,
            answer.status,
            answer.headers,
            answer.text()
        );
        match expect {
            Expect::Allow {
                operation,
                issuer,
                resource,
            } => {
                assert_eq!(answer.status, 200, "{context}");
                assert_eq!(answer.header("x-tollgate-code"), None, "{context}");
                let echo = answer.json();
                assert_eq!(echo["method"], *method, "{context}");
                assert_eq!(
                    echo["uri"], *target,
                    "the upstream sees the original URI: {context}"
                );
                let seen = &echo["tollgate"];
                assert_eq!(seen["x-tollgate-operation"], *operation, "{context}");
                match issuer {
                    Some(issuer) => assert_eq!(seen["x-tollgate-issuer"], *issuer, "{context}"),
                    None => assert!(seen.get("x-tollgate-issuer").is_none(), "{context}"),
                }
                if resource.is_empty() {
                    assert!(seen.get("x-tollgate-resource").is_none(), "{context}");
                } else {
                    assert_eq!(seen["x-tollgate-resource"], *resource, "{context}");
                }
                let names: Vec<&String> = seen.as_object().unwrap().keys().collect();
                for name in names {
                    assert!(
                        [
                            "x-tollgate-operation",
                            "x-tollgate-issuer",
                            "x-tollgate-resource"
                        ]
                        .contains(&name.as_str()),
                        "only identity headers reach the upstream, not `{name}`: {context}"
                    );
                }
            }
            Expect::Deny(code) => {
                let (status, challenge, body) = literal(self.style, code);
                assert_eq!(answer.status, status, "{context}");
                assert_eq!(answer.header("x-tollgate-code"), Some(*code), "{context}");
                assert_eq!(answer.header("www-authenticate"), challenge, "{context}");
                for carried in [
                    "x-tollgate-status",
                    "x-tollgate-body",
                    "x-tollgate-content-type",
                    "x-tollgate-www-authenticate",
                ] {
                    assert_eq!(
                        answer.header(carried),
                        None,
                        "nginx must not leak `{carried}`: {context}"
                    );
                }
                match body {
                    Some(body) => assert_eq!(answer.text(), body, "{context}"),
                    None if *code == "resource_invalid" && self.style == Style::Compat => {
                        assert!(answer.text().starts_with("invalid "), "{context}");
                        assert!(
                            answer.text().ends_with("expected a decimal number\n"),
                            "{context}"
                        );
                        assert_eq!(
                            answer.header("content-type"),
                            Some("text/plain; charset=utf-8"),
                            "{context}"
                        );
                    }
                    None => {
                        let json = answer.json();
                        assert_eq!(json["code"], *code, "{context}");
                        assert!(!json["message"].as_str().unwrap().is_empty(), "{context}");
                        assert_eq!(
                            answer.header("content-type"),
                            Some("application/json"),
                            "{context}"
                        );
                    }
                }
            }
        }
        self.cross_check(method, target, headers, &answer, &context);
    }

    /// `tollgate_http::decide` on the same request must give the same answer.
    fn cross_check(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        answer: &Answer,
        context: &str,
    ) {
        let mut map = http::HeaderMap::new();
        for (name, value) in headers {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_str(value).unwrap(),
            );
        }
        let facts = RequestFacts {
            method,
            target,
            authorization: AuthorizationHeader::from_headers(&map),
        };
        match decide(&self.authorizer, &facts) {
            HttpDecision::Allow(identity) => {
                assert_eq!(answer.status, 200, "decide allowed: {context}");
                assert_eq!(
                    answer.json()["tollgate"]["x-tollgate-operation"],
                    identity.operation.as_str(),
                    "{context}"
                );
            }
            HttpDecision::Deny(denial) => {
                assert_eq!(answer.status, denial.status.as_u16(), "decide: {context}");
                assert_eq!(
                    answer.body,
                    denial.body.as_bytes(),
                    "decide body: {context}"
                );
                assert_eq!(
                    answer.header("x-tollgate-code"),
                    Some(denial.code.as_str()),
                    "{context}"
                );
                assert_eq!(
                    answer.header("www-authenticate"),
                    denial.www_authenticate,
                    "{context}"
                );
                assert_eq!(
                    answer.header("content-type"),
                    denial.body.content_type(),
                    "{context}"
                );
            }
        }
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn scoped(scope: &str) -> String {
    format!(r#"{{"access":"scoped","scope":["{scope}"]}}"#)
}

fn granular(provider: &str, scope: &str) -> String {
    format!(
        r#"{{"access":"granular","permissions":[{{"provider":"{provider}","access":"granular","deployments":[{{"dseq":42,"gseq":1,"oseq":1,"scope":["{scope}"],"services":["web"]}}]}}]}}"#
    )
}

fn every_route(stack: &Stack) {
    let full = token(r#"{"access":"full"}"#);
    for route in ROUTES {
        let needed = match stack.style {
            Style::Strict => route.scope_strict,
            Style::Compat => route.scope_compat,
        };
        let allow = |issuer| Expect::Allow {
            operation: route.operation,
            issuer,
            resource: route.resource,
        };
        let name = route.operation;
        if route.public {
            stack.check(name, route.method, route.target, &[], &allow(None));
            continue;
        }
        stack.check(
            &format!("{name}/anonymous"),
            route.method,
            route.target,
            &[],
            &Expect::Deny("token_required"),
        );
        stack.check(
            &format!("{name}/full"),
            route.method,
            route.target,
            &[("Authorization", &bearer(&full))],
            &allow(Some(ISSUER)),
        );

        // scoped: the route's scope (or any scope when it needs none) allows; another denies.
        let scope = needed.unwrap_or("status");
        let good = token(&scoped(scope));
        stack.check(
            &format!("{name}/scoped"),
            route.method,
            route.target,
            &[("Authorization", &bearer(&good))],
            &allow(Some(ISSUER)),
        );
        let wrong_scope = if scope == "events" { "logs" } else { "events" };
        let wrong = token(&scoped(wrong_scope));
        let expect = if needed.is_some() {
            Expect::Deny("scope_missing")
        } else {
            allow(Some(ISSUER))
        };
        stack.check(
            &format!("{name}/scoped-other"),
            route.method,
            route.target,
            &[("Authorization", &bearer(&wrong))],
            &expect,
        );

        // granular: a deployment entry for 42/1/1 with the scope allows there, not elsewhere.
        let entry = token(&granular(PROVIDER, scope));
        stack.check(
            &format!("{name}/granular"),
            route.method,
            route.target,
            &[("Authorization", &bearer(&entry))],
            &allow(Some(ISSUER)),
        );
        match route.other_target {
            Some(other) => stack.check(
                &format!("{name}/granular-other-lease"),
                route.method,
                other,
                &[("Authorization", &bearer(&entry))],
                &Expect::Deny("deployment_not_granted"),
            ),
            None => {
                let elsewhere = token(&granular(OTHER_PROVIDER, scope));
                stack.check(
                    &format!("{name}/granular-other-provider"),
                    route.method,
                    route.target,
                    &[("Authorization", &bearer(&elsewhere))],
                    &Expect::Deny("provider_not_granted"),
                );
            }
        }
        if needed.is_some() {
            let entry_wrong = token(&granular(PROVIDER, wrong_scope));
            stack.check(
                &format!("{name}/granular-scope"),
                route.method,
                route.target,
                &[("Authorization", &bearer(&entry_wrong))],
                &Expect::Deny("scope_missing"),
            );
        }
    }
}

fn headers_and_deny_families(stack: &Stack) {
    let full = token(r#"{"access":"full"}"#);
    let status = "/lease/42/1/1/status";
    let allow = Expect::Allow {
        operation: "lease.status",
        issuer: Some(ISSUER),
        resource: "42/1/1",
    };
    // Akash header rules (AKASH.md §8.1): two whitespace-separated fields, `bearer` in any case.
    stack.check(
        "lowercase bearer",
        "GET",
        status,
        &[("Authorization", &format!("bearer {full}"))],
        &allow,
    );
    stack.check(
        "spaces",
        "GET",
        status,
        &[("Authorization", &format!("BEARER   {full}"))],
        &allow,
    );
    for (name, value) in [
        ("bare bearer", "Bearer".to_owned()),
        ("basic", "Basic dXNlcjpwYXNz".to_owned()),
        ("three fields", format!("Bearer {full} extra")),
        ("token only", full.clone()),
    ] {
        stack.check(
            name,
            "GET",
            status,
            &[("Authorization", &value)],
            &Expect::Deny("authorization_header_invalid"),
        );
    }
    // nginx itself refuses a second Authorization header (400 before any auth_request); the
    // request never reaches Tollgate or the upstream. (Tollgate's own refusal of two headers is
    // tested at request level in crates/serve/tests.)
    let auth = bearer(&full);
    let twice = request(
        stack.port,
        "GET",
        status,
        &[("Authorization", &auth), ("Authorization", &auth)],
    );
    assert_eq!(twice.status, 400, "{twice:?}");
    assert_eq!(twice.header("x-tollgate-code"), None);
    // A malformed header is refused on public routes too, as upstream's middleware does.
    stack.check(
        "public with bad header",
        "GET",
        "/version",
        &[("Authorization", "Basic x")],
        &Expect::Deny("authorization_header_invalid"),
    );
    // Bad tokens.
    stack.check(
        "garbage token",
        "GET",
        status,
        &[("Authorization", "Bearer abc")],
        &Expect::Deny("token_malformed"),
    );
    let expired = token_expiring(r#"{"access":"full"}"#, -60);
    stack.check(
        "expired",
        "GET",
        status,
        &[("Authorization", &bearer(&expired))],
        &Expect::Deny("token_expired"),
    );
    let scoped_token = token(&scoped("logs"));
    let (head, rest) = full.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let swapped = format!(
        "{head}.{}.{signature}",
        scoped_token.split('.').nth(1).unwrap()
    );
    stack.check(
        "payload swapped",
        "GET",
        status,
        &[("Authorization", &bearer(&swapped))],
        &Expect::Deny("signature_invalid"),
    );
    // No route.
    for (method, target) in [
        ("GET", "/nope"),
        ("GET", "/version/"),
        ("DELETE", status),
        ("GET", "/lease/42/1/1"),
        ("GET", "//version"),
    ] {
        stack.check(
            "no route",
            method,
            target,
            &[("Authorization", &bearer(&full))],
            &Expect::Deny("route_not_found"),
        );
    }
    // Invalid ids.
    stack.check(
        "dseq not a number",
        "GET",
        "/lease/x/1/1/status",
        &[("Authorization", &bearer(&full))],
        &Expect::Deny("resource_invalid"),
    );
    stack.check(
        "gseq overflow",
        "GET",
        "/lease/42/4294967296/1/status",
        &[("Authorization", &bearer(&full))],
        &Expect::Deny("resource_invalid"),
    );
}

fn spoofing(stack: &Stack) {
    let full = token(r#"{"access":"full"}"#);
    let spoofed = [
        ("X-Tollgate-Issuer", "akash1evil"),
        ("X-Tollgate-Operation", "manifest.send"),
        ("X-Tollgate-Resource", "1/1/1"),
        ("X-Tollgate-Code", "allow"),
    ];
    // Public route, no token: the upstream sees the real operation and no issuer.
    stack.check(
        "spoofed public",
        "GET",
        "/version",
        &spoofed,
        &Expect::Allow {
            operation: "provider.version",
            issuer: None,
            resource: "",
        },
    );
    let mut with_token = spoofed.to_vec();
    let auth = bearer(&full);
    with_token.push(("Authorization", &auth));
    stack.check(
        "spoofed with token",
        "GET",
        "/lease/42/1/1/logs",
        &with_token,
        &Expect::Allow {
            operation: "lease.logs",
            issuer: Some(ISSUER),
            resource: "42/1/1",
        },
    );
    // The other conventions' headers, and the client's own X-Original-*, change nothing.
    let forged = [
        ("X-Forwarded-Method", "GET"),
        ("X-Forwarded-Uri", "/version"),
        ("X-Original-Method", "GET"),
        ("X-Original-URI", "/version"),
    ];
    let answer = request(stack.port, "GET", "/lease/42/1/1/status", &forged);
    assert_eq!(answer.status, 401, "{:?}", answer);
    assert_eq!(answer.header("x-tollgate-code"), Some("token_required"));
}

fn typescript_tokens(stack: &Stack) {
    let fixtures: serde_json::Value =
        serde_json::from_str(&read("fixtures/akash/ts-client-tokens.json")).unwrap();
    assert_eq!(fixtures["provider"], PROVIDER);
    let tokens = fixtures["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 6);
    for entry in tokens {
        let name = entry["name"].as_str().unwrap();
        let auth = bearer(entry["token"].as_str().unwrap());
        let headers = [("Authorization", auth.as_str())];
        let logs = Expect::Allow {
            operation: "lease.logs",
            issuer: Some(ISSUER),
            resource: "42/1/1",
        };
        stack.check(
            name,
            "GET",
            "/lease/42/1/1/logs?follow=true",
            &headers,
            &logs,
        );
        let (shell, other) = match entry["access"].as_str().unwrap() {
            "full" => (
                Expect::Allow {
                    operation: "lease.shell",
                    issuer: Some(ISSUER),
                    resource: "42/1/1",
                },
                Expect::Allow {
                    operation: "lease.logs",
                    issuer: Some(ISSUER),
                    resource: "43/1/1",
                },
            ),
            "scoped" => (
                Expect::Deny("scope_missing"),
                Expect::Allow {
                    operation: "lease.logs",
                    issuer: Some(ISSUER),
                    resource: "43/1/1",
                },
            ),
            "granular" => (
                Expect::Allow {
                    operation: "lease.shell",
                    issuer: Some(ISSUER),
                    resource: "42/1/1",
                },
                Expect::Deny("deployment_not_granted"),
            ),
            other => panic!("unknown access {other}"),
        };
        stack.check(name, "GET", "/lease/42/1/1/shell?cmd0=ls", &headers, &shell);
        stack.check(name, "GET", "/lease/43/1/1/logs", &headers, &other);
    }
}

fn no_token_in_logs(stack: &Stack) {
    let log = stack.tollgate.log_text();
    let full = token(r#"{"access":"full"}"#);
    // Every token this suite sent shares the header segment; no part of any token is logged.
    let header_segment = full.split('.').next().unwrap();
    assert!(!log.contains(header_segment), "a token reached the log");
    let fixtures = read("fixtures/akash/ts-client-tokens.json");
    for line in fixtures.lines().filter(|l| l.contains("\"token\"")) {
        let token = line.split('"').nth(3).unwrap();
        assert!(
            !log.contains(token.split('.').nth(2).unwrap()),
            "a TS token reached the log"
        );
    }
    assert!(
        !log.contains("Bearer ey") && !log.contains("dXNlcjpwYXNz"),
        "an Authorization header reached the log"
    );
    let decisions = log
        .lines()
        .filter(|l| l.contains("\"tollgate::decision\""))
        .count();
    assert!(
        decisions > 100,
        "one log line per decision, saw {decisions}"
    );
}

fn suite(policy: &str, style: Style) {
    let stack = start(policy, style);
    every_route(&stack);
    headers_and_deny_families(&stack);
    spoofing(&stack);
    typescript_tokens(&stack);
    no_token_in_logs(&stack);
}

#[test]
fn strict_policy_behind_nginx() {
    suite("akash-provider.policy", Style::Strict);
}

#[test]
fn compat_policy_behind_nginx() {
    suite("akash-provider-compat.policy", Style::Compat);
}

/// When Tollgate sheds a check (`--max-concurrency`), the client behind nginx gets the 503 with
/// its body and `Retry-After`, not nginx's 500. The overload is real: `tollgate serve` with one
/// request slot, and a first request whose issuer is looked up on a chain node that accepts the
/// connection and never answers, so the slot stays taken until the lookup times out.
#[test]
fn an_overloaded_tollgate_is_a_503_behind_nginx() {
    nginx_available();
    let dir = temp_dir("nginx-overload");
    let upstream = spawn_upstream();
    // A chain node that accepts connections and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let node = format!("http://{}", silent.local_addr().unwrap());
    let (connected, lookup_started) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in silent.incoming().flatten() {
            held.push(stream);
            let _ = connected.send(());
        }
    });
    let tollgate_port = free_port();
    let policy = path("policies/akash-provider.policy");
    let _tollgate = spawn_tollgate(
        &dir,
        "tollgate",
        tollgate_port,
        &[
            "--proxy",
            "nginx",
            "--policy",
            &policy,
            "--provider",
            PROVIDER,
            "--chain-node",
            &node,
            "--chain-timeout",
            "1500ms",
            "--max-concurrency",
            "1",
        ],
    );
    let (port, _nginx) = spawn_nginx(&dir, tollgate_port, upstream.port);

    // A tenant in no key file: its key must come from the silent node.
    let key = tollgate_testkit::scalar_key(0x11);
    let tenant = key.public_key().akash_address();
    let now = now();
    let stalled = bearer(&tollgate_testkit::akash_token(
        &key,
        &tenant,
        r#"{"access":"full"}"#,
        now - 60,
        now + 600,
    ));
    let first = std::thread::spawn(move || {
        request(
            port,
            "GET",
            "/lease/42/1/1/status",
            &[("authorization", stalled.as_str())],
        )
    });
    // Once the node has the connection, the first request holds the only slot.
    lookup_started
        .recv_timeout(Duration::from_secs(10))
        .expect("the first request reaches the chain node");
    let answer = request(port, "GET", "/version", &[]);
    assert_eq!(answer.status, 503, "{answer:?}");
    assert_eq!(answer.text(), "overloaded: too many requests in flight\n");
    assert_eq!(answer.header("retry-after"), Some("1"));
    assert_eq!(
        answer.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        answer.header("x-tollgate-code"),
        None,
        "a refusal, not a decision"
    );
    assert_eq!(answer.header("www-authenticate"), None);

    // The stalled request ends when its lookup times out: the key source is unavailable.
    let stalled = first.join().unwrap();
    assert_eq!(stalled.status, 503, "{stalled:?}");
    assert_eq!(stalled.header("x-tollgate-code"), Some("key_unavailable"));
    // With the slot free again, requests are decided.
    assert_eq!(request(port, "GET", "/version", &[]).status, 200);
}
