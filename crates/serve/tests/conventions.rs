//! The forward-auth conventions at request level: the check requests Traefik `forwardAuth`,
//! Envoy `ext_authz` and ingress-nginx `auth-url` send (configured by the shipped
//! `examples/traefik/tollgate.yml`, `examples/envoy/tollgate.yaml` and
//! `examples/nginx/ingress-nginx.yaml`, which these tests read), and what Tollgate answers.
//! The proxies' binaries are not packaged here; nginx itself is tested for real in
//! `crates/cli/tests/serve_nginx.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use std::time::Duration;

use axum::body::Body;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tollgate_http::{AuthorizationHeader, HttpDecision, RequestFacts, SharedAuthorizer, decide};
use tollgate_serve::{App, Metrics, ProxyKind};
use tollgate_testkit::{authorizer, read, token};
use tower::{Service, ServiceExt};

const POLICIES: [&str; 2] = ["akash-provider.policy", "akash-provider-compat.policy"];

fn yaml(path: &str) -> Value {
    serde_saphyr::from_str(&read(path)).unwrap()
}

fn app(policy: &str, proxy: ProxyKind) -> App {
    App::new(
        SharedAuthorizer::new(authorizer(policy)),
        proxy,
        Metrics::new(),
    )
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        let mut all = self.headers.get_all(name).iter();
        let first = all.next().map(|v| v.to_str().unwrap());
        assert!(all.next().is_none(), "`{name}` repeated");
        first
    }
}

async fn send(app: &App, request: Request<Body>) -> Answer {
    let response = app.router().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: body.collect().await.unwrap().to_bytes().to_vec(),
    }
}

/// The original request a proxy asks about.
struct Original<'a> {
    method: &'a str,
    target: &'a str,
    headers: Vec<(&'a str, String)>,
}

/// What `tollgate_http::decide` (the tower layer) decides for the same original request.
fn layer_decision(policy: &str, original: &Original<'_>) -> HttpDecision {
    let mut map = HeaderMap::new();
    for (name, value) in &original.headers {
        map.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    decide(
        &authorizer(policy),
        &RequestFacts {
            method: original.method,
            target: original.target,
            authorization: AuthorizationHeader::from_headers(&map),
        },
    )
}

/// Checks a deny answer against the tower layer's response for the same original request.
fn assert_same_as_layer(policy: &str, original: &Original<'_>, answer: &Answer, context: &str) {
    match layer_decision(policy, original) {
        HttpDecision::Allow(identity) => {
            assert_eq!(answer.status, StatusCode::OK, "{context}");
            assert_eq!(
                answer.header("x-tollgate-operation"),
                Some(identity.operation.as_str()),
                "{context}"
            );
            // Every identity header, always, empty when there is nothing to say.
            assert_eq!(
                answer.header("x-tollgate-issuer"),
                Some(identity.issuer.as_deref().unwrap_or("")),
                "{context}"
            );
            assert!(answer.header("x-tollgate-resource").is_some(), "{context}");
        }
        HttpDecision::Deny(denial) => {
            let expected: http::Response<String> = denial.to_response();
            assert_eq!(answer.status, expected.status(), "{context}");
            assert_eq!(answer.body, expected.body().as_bytes(), "{context}");
            for name in ["x-tollgate-code", "www-authenticate", "content-type"] {
                assert_eq!(
                    answer.header(name),
                    expected.headers().get(name).map(|v| v.to_str().unwrap()),
                    "{name}: {context}"
                );
            }
        }
    }
}

/// Original requests covering allow and every deny family.
fn originals(full: &str, scoped_logs: &str) -> Vec<Original<'static>> {
    let auth = |value: String| vec![("authorization", value)];
    let full = full.to_owned();
    let scoped = scoped_logs.to_owned();
    vec![
        Original {
            method: "GET",
            target: "/lease/42/1/1/status?follow=true",
            headers: auth(format!("Bearer {full}")),
        },
        Original {
            method: "PUT",
            target: "/deployment/42/manifest",
            headers: auth(format!("bearer {full}")),
        },
        Original {
            method: "POST",
            target: "/lease/42/1/1/shell?cmd0=sh",
            headers: auth(format!("Bearer {scoped}")),
        },
        Original {
            method: "GET",
            target: "/lease/42/1/1/logs",
            headers: auth(format!("Bearer {scoped}")),
        },
        Original {
            method: "GET",
            target: "/version",
            headers: vec![],
        },
        Original {
            method: "GET",
            target: "/lease/42/1/1/status",
            headers: vec![],
        },
        Original {
            method: "GET",
            target: "/lease/42/1/1/status",
            headers: auth("Basic dXNlcjpwYXNz".to_owned()),
        },
        Original {
            method: "GET",
            target: "/lease/42/1/1/status",
            headers: vec![
                ("authorization", format!("Bearer {full}")),
                ("authorization", format!("Bearer {full}")),
            ],
        },
        Original {
            method: "GET",
            target: "/lease/42/1/1/status",
            headers: auth("Bearer abc.def.ghi".to_owned()),
        },
        Original {
            method: "GET",
            target: "/nope",
            headers: auth(format!("Bearer {full}")),
        },
        Original {
            method: "DELETE",
            target: "/lease/42/1/1/status",
            headers: auth(format!("Bearer {full}")),
        },
        Original {
            method: "GET",
            target: "/lease/x/1/1/status",
            headers: auth(format!("Bearer {full}")),
        },
    ]
}

#[tokio::test]
async fn traefik_forward_auth_as_configured_in_the_example() {
    let config = yaml("examples/traefik/tollgate.yml");
    let forward = &config["http"]["middlewares"]["tollgate"]["forwardAuth"];
    let address = forward["address"].as_str().unwrap();
    assert_eq!(address, "http://tollgate:8080/auth");
    assert_eq!(forward["trustForwardHeader"], false);
    let path = address.trim_start_matches("http://tollgate:8080");
    let response_headers: Vec<String> = forward["authResponseHeaders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_ascii_lowercase())
        .collect();
    assert!(response_headers.contains(&"x-tollgate-issuer".to_owned()));
    assert!(response_headers.contains(&"x-tollgate-operation".to_owned()));

    let full = token(r#"{"access":"full"}"#);
    let scoped = token(r#"{"access":"scoped","scope":["logs"]}"#);
    for policy in POLICIES {
        let app = app(policy, ProxyKind::Traefik);
        for original in originals(&full, &scoped) {
            // What Traefik's forwardAuth sends: GET to the address, the client's headers, and
            // X-Forwarded-{Method,Proto,Host,Uri,For} set by Traefik itself.
            let mut request = Request::builder()
                .method("GET")
                .uri(path)
                .header("x-forwarded-method", original.method)
                .header("x-forwarded-proto", "https")
                .header("x-forwarded-host", "provider.example")
                .header("x-forwarded-uri", original.target)
                .header("x-forwarded-for", "203.0.113.7")
                // A client trying the nginx convention: ignored in Traefik mode.
                .header("x-original-method", "GET")
                .header("x-original-uri", "/version");
            for (name, value) in &original.headers {
                request = request.header(*name, value);
            }
            let answer = send(&app, request.body(Body::empty()).unwrap()).await;
            let context = format!("{policy} traefik {} {}", original.method, original.target);
            assert_same_as_layer(policy, &original, &answer, &context);
            if answer.status == StatusCode::OK {
                // Traefik copies exactly these into the request to the service.
                for name in [
                    "x-tollgate-issuer",
                    "x-tollgate-operation",
                    "x-tollgate-resource",
                ] {
                    assert!(answer.header(name).is_some(), "{name}: {context}");
                }
                for (name, _) in &answer.headers {
                    if name.as_str().starts_with("x-tollgate-") {
                        assert!(
                            response_headers.contains(&name.as_str().to_owned()),
                            "{name}: {context}"
                        );
                    }
                }
            } else {
                assert!(answer.header("x-tollgate-code").is_some(), "{context}");
                assert_eq!(
                    answer.header("x-tollgate-status"),
                    None,
                    "no nginx carriage: {context}"
                );
            }
        }
    }
}

#[tokio::test]
async fn envoy_ext_authz_as_configured_in_the_example() {
    let config = yaml("examples/envoy/tollgate.yaml");
    let manager = &config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"];
    let filter = manager["http_filters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "envoy.filters.http.ext_authz")
        .unwrap();
    let ext_authz = &filter["typed_config"];
    let service = &ext_authz["http_service"];
    let prefix = service["path_prefix"].as_str().unwrap();
    assert_eq!(prefix, "/auth");
    let patterns = |value: &Value| -> Vec<String> {
        value["patterns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["exact"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(patterns(&ext_authz["allowed_headers"]), ["authorization"]);
    let upstream = patterns(&service["authorization_response"]["allowed_upstream_headers"]);
    let client = patterns(&service["authorization_response"]["allowed_client_headers"]);
    assert_eq!(
        client,
        ["x-tollgate-code", "www-authenticate", "content-type"]
    );

    let full = token(r#"{"access":"full"}"#);
    let scoped = token(r#"{"access":"scoped","scope":["logs"]}"#);
    for policy in POLICIES {
        let app = app(policy, ProxyKind::Envoy);
        for original in originals(&full, &scoped) {
            // What Envoy sends: the original method, path_prefix + the original path and
            // query, Host, Content-Length: 0 and the allowed headers (authorization); other
            // client headers, like a forged X-Forwarded-Uri, are not even sent, but would be
            // ignored.
            let mut request = Request::builder()
                .method(original.method)
                .uri(format!("{prefix}{}", original.target))
                .header("host", "provider.example")
                .header("content-length", "0")
                .header("x-forwarded-uri", "/version")
                .header("x-forwarded-method", "GET");
            for (name, value) in &original.headers {
                request = request.header(*name, value);
            }
            let answer = send(&app, request.body(Body::empty()).unwrap()).await;
            let context = format!("{policy} envoy {} {}", original.method, original.target);
            assert_same_as_layer(policy, &original, &answer, &context);
            if answer.status == StatusCode::OK {
                for (name, _) in &answer.headers {
                    if name.as_str().starts_with("x-tollgate-") {
                        assert!(
                            upstream.contains(&name.as_str().to_owned()),
                            "{name}: {context}"
                        );
                    }
                }
            } else {
                // Everything the client must see passes allowed_client_headers.
                for name in ["x-tollgate-code", "www-authenticate", "content-type"] {
                    if answer.header(name).is_some() {
                        assert!(client.contains(&name.to_owned()), "{name}: {context}");
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn ingress_nginx_auth_url_as_annotated_in_the_example() {
    let ingress = yaml("examples/nginx/ingress-nginx.yaml");
    let annotations = &ingress["metadata"]["annotations"];
    let url = annotations["nginx.ingress.kubernetes.io/auth-url"]
        .as_str()
        .unwrap();
    assert_eq!(url, "http://tollgate.tollgate.svc:8080/auth");
    let response_headers: Vec<String> =
        annotations["nginx.ingress.kubernetes.io/auth-response-headers"]
            .as_str()
            .unwrap()
            .split(',')
            .map(str::to_ascii_lowercase)
            .collect();
    let full = token(r#"{"access":"full"}"#);
    let scoped = token(r#"{"access":"scoped","scope":["logs"]}"#);
    for policy in POLICIES {
        let app = app(policy, ProxyKind::Nginx);
        for original in originals(&full, &scoped) {
            // What ingress-nginx's auth subrequest sends.
            let mut request = Request::builder()
                .method(original.method)
                .uri("/auth")
                .header("host", "tollgate.tollgate.svc")
                .header("x-original-uri", original.target)
                .header("x-original-method", original.method)
                .header(
                    "x-original-url",
                    format!("https://provider.example{}", original.target),
                )
                .header("x-sent-from", "nginx-ingress-controller")
                .header("x-real-ip", "203.0.113.7")
                .header("x-auth-request-redirect", original.target)
                // A client trying the Traefik convention: ignored in nginx mode.
                .header("x-forwarded-method", "GET")
                .header("x-forwarded-uri", "/version");
            for (name, value) in &original.headers {
                request = request.header(*name, value);
            }
            let answer = send(&app, request.body(Body::empty()).unwrap()).await;
            let context = format!(
                "{policy} ingress-nginx {} {}",
                original.method, original.target
            );
            match layer_decision(policy, &original) {
                HttpDecision::Allow(identity) => {
                    assert_eq!(answer.status, StatusCode::OK, "{context}");
                    assert_eq!(
                        answer.header("x-tollgate-operation"),
                        Some(identity.operation.as_str())
                    );
                    for (name, _) in &answer.headers {
                        if name.as_str().starts_with("x-tollgate-") {
                            assert!(
                                response_headers.contains(&name.as_str().to_owned()),
                                "{name}: {context}"
                            );
                        }
                    }
                }
                HttpDecision::Deny(denial) => {
                    // auth-url passes only 401 and 403; the real answer rides in headers.
                    let expected = if denial.status == StatusCode::UNAUTHORIZED {
                        401
                    } else {
                        403
                    };
                    assert_eq!(answer.status.as_u16(), expected, "{context}");
                    assert_eq!(
                        answer.header("x-tollgate-status"),
                        Some(denial.status.as_str()),
                        "{context}"
                    );
                    assert_eq!(
                        answer.header("x-tollgate-code"),
                        Some(denial.code.as_str()),
                        "{context}"
                    );
                    let body = denial.body.as_str();
                    let carried = body.strip_suffix('\n').unwrap_or(body);
                    assert_eq!(
                        answer.header("x-tollgate-body"),
                        Some(carried).filter(|b| !b.is_empty()),
                        "{context}"
                    );
                    assert_eq!(
                        answer.header("x-tollgate-content-type"),
                        denial.body.content_type(),
                        "{context}"
                    );
                    assert_eq!(
                        answer.header("x-tollgate-www-authenticate"),
                        denial.www_authenticate,
                        "{context}"
                    );
                    if expected == 401 {
                        assert_eq!(
                            answer.header("www-authenticate"),
                            denial.www_authenticate,
                            "{context}"
                        );
                    }
                    assert!(answer.body.is_empty(), "{context}");
                }
            }
        }
    }
}

#[tokio::test]
async fn a_check_without_the_original_request_is_route_not_found() {
    for policy in POLICIES {
        for proxy in ProxyKind::ALL {
            let app = app(policy, proxy);
            // No forwarded headers at all (for Envoy: nothing after the prefix).
            let request = Request::builder()
                .method("GET")
                .uri("/auth")
                .header(
                    "authorization",
                    format!("Bearer {}", token(r#"{"access":"full"}"#)),
                )
                .body(Body::empty())
                .unwrap();
            let answer = send(&app, request).await;
            let context = format!("{policy} {proxy}");
            assert_eq!(
                answer.header("x-tollgate-code"),
                Some("route_not_found"),
                "{context}"
            );
            match proxy {
                ProxyKind::Nginx => {
                    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{context}");
                    assert_eq!(answer.header("x-tollgate-status"), Some("404"), "{context}");
                }
                ProxyKind::Traefik | ProxyKind::Envoy => {
                    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{context}");
                }
            }
            if policy == "akash-provider.policy" && proxy != ProxyKind::Nginx {
                let body: Value = serde_json::from_slice(&answer.body).unwrap();
                let message = body["message"].as_str().unwrap();
                let expected = match proxy {
                    ProxyKind::Traefik => "`x-forwarded-method`",
                    _ => "`:path`",
                };
                assert!(message.contains(expected), "{message}");
            }
        }
    }
}

#[tokio::test]
async fn health_readiness_and_bounded_metrics() {
    let app = app("akash-provider.policy", ProxyKind::Traefik);
    let get = |uri: &str| Request::builder().uri(uri).body(Body::empty()).unwrap();
    let health = send(&app, get("/healthz")).await;
    assert_eq!(
        (health.status, health.body.as_slice()),
        (StatusCode::OK, b"ok\n".as_slice())
    );
    let ready = send(&app, get("/readyz")).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(
        String::from_utf8(ready.body).unwrap(),
        "ready: policy `akash-provider`\n"
    );
    let full = token(r#"{"access":"full"}"#);
    for i in 0..50 {
        // Fifty distinct unknown paths and fifty allows of one token.
        let request = Request::builder()
            .uri("/auth")
            .header("x-forwarded-method", "GET")
            .header("x-forwarded-uri", format!("/random/{i}"))
            .body(Body::empty())
            .unwrap();
        send(&app, request).await;
        let request = Request::builder()
            .uri("/auth")
            .header("x-forwarded-method", "GET")
            .header("x-forwarded-uri", "/lease/1/1/1/logs")
            .header("authorization", format!("Bearer {full}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&app, request).await.status, StatusCode::OK);
    }
    let metrics = String::from_utf8(send(&app, get("/metrics")).await.body).unwrap();
    let mut series: Vec<&str> = metrics
        .lines()
        .filter(|l| l.starts_with("tollgate_decisions_total"))
        .collect();
    series.sort_unstable();
    assert_eq!(
        series,
        [
            r#"tollgate_decisions_total{operation="lease.logs",code="allow"} 50"#,
            r#"tollgate_decisions_total{operation="none",code="route_not_found"} 50"#,
        ],
        "{metrics}"
    );
    assert!(
        metrics.contains("tollgate_decision_duration_seconds_count 100"),
        "{metrics}"
    );
    // One token: the first lookup misses, the other 49 hit.
    assert!(
        metrics.contains("tollgate_cache_hits_total 49"),
        "{metrics}"
    );
    assert!(
        metrics.contains("tollgate_cache_misses_total 1"),
        "{metrics}"
    );
    assert!(metrics.contains("tollgate_cached_tokens 1"), "{metrics}");
    let unknown = send(&app, get("/something-else")).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn requests_beyond_the_concurrency_limit_are_shed_with_503() {
    let app = app("akash-provider.policy", ProxyKind::Traefik);
    let mut holder = tollgate_serve::service::<Body>(&app, 1, Duration::from_secs(5));
    // Readiness takes the only permit and keeps it until `holder` is called or dropped.
    ServiceExt::<Request<Body>>::ready(&mut holder)
        .await
        .unwrap();
    let other = holder.clone();
    let response = other
        .oneshot(
            Request::builder()
                .uri("/healthz")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let response = holder
        .call(
            Request::builder()
                .uri("/healthz")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let metrics = app.metrics().render(0, (0, 0));
    assert!(metrics.contains("tollgate_overloaded_total 1"), "{metrics}");
}

/// The request the service receives when the proxy copies the allowed identity headers of an
/// allow answer over the client's request: Envoy's `allowed_upstream_headers` (and Traefik's
/// `authResponseHeaders`) replace only the headers the answer carries.
fn forwarded_to_service(client: &HeaderMap, answer: &Answer, copied: &[String]) -> HeaderMap {
    let mut upstream = client.clone();
    for name in copied {
        if let Some(value) = answer.headers.get(name.as_str()) {
            upstream.insert(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.clone(),
            );
        }
    }
    upstream
}

#[tokio::test]
async fn spoofed_identity_headers_never_reach_the_service() {
    let envoy = yaml("examples/envoy/tollgate.yaml");
    let manager = &envoy["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"];
    let filter = manager["http_filters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "envoy.filters.http.ext_authz")
        .unwrap();
    let envoy_copied: Vec<String> = filter["typed_config"]["http_service"]
        ["authorization_response"]["allowed_upstream_headers"]["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["exact"].as_str().unwrap().to_owned())
        .collect();
    let traefik = yaml("examples/traefik/tollgate.yml");
    let traefik_copied: Vec<String> =
        traefik["http"]["middlewares"]["tollgate"]["forwardAuth"]["authResponseHeaders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap().to_ascii_lowercase())
            .collect();
    let full = token(r#"{"access":"full"}"#);
    // (method, target, Authorization, issuer and resource the service must see)
    let cases = [
        ("GET", "/version", None, "", ""),
        (
            "POST",
            "/hostname/migrate",
            Some(&full),
            tollgate_testkit::ISSUER,
            "",
        ),
        (
            "GET",
            "/lease/42/1/1/logs",
            Some(&full),
            tollgate_testkit::ISSUER,
            "42/1/1",
        ),
    ];
    for policy in POLICIES {
        for (proxy, copied) in [
            (ProxyKind::Envoy, &envoy_copied),
            (ProxyKind::Traefik, &traefik_copied),
        ] {
            let app = app(policy, proxy);
            for (method, target, authorization, issuer, resource) in cases {
                let mut client = HeaderMap::new();
                client.insert("x-tollgate-issuer", "akash1evil".parse().unwrap());
                client.insert("x-tollgate-operation", "manifest.send".parse().unwrap());
                client.insert("x-tollgate-resource", "1/1/1".parse().unwrap());
                if let Some(token) = authorization {
                    client.insert("authorization", format!("Bearer {token}").parse().unwrap());
                }
                let mut request = match proxy {
                    ProxyKind::Envoy => Request::builder()
                        .method(method)
                        .uri(format!("/auth{target}")),
                    _ => Request::builder()
                        .uri("/auth")
                        .header("x-forwarded-method", method)
                        .header("x-forwarded-uri", target),
                };
                for (name, value) in &client {
                    request = request.header(name, value);
                }
                let answer = send(&app, request.body(Body::empty()).unwrap()).await;
                let context = format!("{policy} {proxy} {method} {target}");
                assert_eq!(answer.status, StatusCode::OK, "{context}");
                let upstream = forwarded_to_service(&client, &answer, copied);
                let seen = |name: &str| upstream.get(name).map(|v| v.to_str().unwrap());
                assert_eq!(seen("x-tollgate-issuer"), Some(issuer), "{context}");
                assert_eq!(seen("x-tollgate-resource"), Some(resource), "{context}");
                assert_ne!(
                    seen("x-tollgate-operation"),
                    Some("manifest.send"),
                    "{context}"
                );
            }
        }
    }
}

/// A service over `app` with one permit, taken and held by the returned handle.
async fn full_service(
    app: &App,
) -> (
    impl Service<Request<Body>, Response = axum::response::Response, Error = tower::BoxError> + Clone,
    impl Service<Request<Body>, Response = axum::response::Response, Error = tower::BoxError>,
) {
    let mut holder = tollgate_serve::service::<Body>(app, 1, Duration::from_secs(5));
    ServiceExt::<Request<Body>>::ready(&mut holder)
        .await
        .unwrap();
    (holder.clone(), holder)
}

async fn answer(response: axum::response::Response) -> Answer {
    let (parts, body) = response.into_parts();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: body.collect().await.unwrap().to_bytes().to_vec(),
    }
}

#[tokio::test]
async fn nginx_mode_carries_an_overload_503_in_a_403() {
    let app = app("akash-provider.policy", ProxyKind::Nginx);
    let (other, _holder) = full_service(&app).await;
    let check = Request::builder()
        .uri("/auth")
        .header("x-original-method", "GET")
        .header("x-original-uri", "/version")
        .body(Body::empty())
        .unwrap();
    let shed = answer(other.clone().oneshot(check).await.unwrap()).await;
    // auth_request passes only 2xx, 401 and 403: a 503 would reach the client as a 500.
    assert_eq!(shed.status, StatusCode::FORBIDDEN);
    assert_eq!(shed.header("x-tollgate-status"), Some("503"));
    assert_eq!(
        shed.header("x-tollgate-body"),
        Some("overloaded: too many requests in flight")
    );
    assert_eq!(
        shed.header("x-tollgate-content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(shed.header("x-tollgate-retry-after"), Some("1"));
    assert_eq!(shed.header("x-tollgate-code"), None, "not a decision");
    assert!(shed.body.is_empty());
    // Paths nginx does not ask through auth_request keep the plain 503.
    let health = Request::builder()
        .uri("/healthz")
        .body(Body::empty())
        .unwrap();
    let shed = answer(other.oneshot(health).await.unwrap()).await;
    assert_eq!(shed.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(shed.header("retry-after"), Some("1"));
    assert_eq!(shed.header("x-tollgate-status"), None);
}

#[tokio::test]
async fn traefik_and_envoy_pass_the_overload_503_as_is() {
    for proxy in [ProxyKind::Traefik, ProxyKind::Envoy] {
        let app = app("akash-provider.policy", proxy);
        let (other, _holder) = full_service(&app).await;
        let check = Request::builder()
            .uri("/auth/version")
            .header("x-forwarded-method", "GET")
            .header("x-forwarded-uri", "/version")
            .body(Body::empty())
            .unwrap();
        let shed = answer(other.oneshot(check).await.unwrap()).await;
        assert_eq!(shed.status, StatusCode::SERVICE_UNAVAILABLE, "{proxy}");
        assert_eq!(shed.header("retry-after"), Some("1"), "{proxy}");
        assert_eq!(shed.body, b"overloaded: too many requests in flight\n");
        assert_eq!(shed.header("x-tollgate-status"), None, "{proxy}");
    }
}
