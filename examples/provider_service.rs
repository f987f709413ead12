//! A provider service embedding the `Authorizer`.
//!
//! The service builds one `Authorizer` at start-up and shares it between request handlers. Each
//! request's route is mapped to a policy operation and resource, the bearer token is taken from
//! the `Authorization` header, and the decision becomes an HTTP status the way the Akash
//! provider reports it (401 for token problems and refusals, 400 for invalid claims).
//!
//! Run it with `cargo run -p tollgate --example provider_service`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an example program"
)]

use std::sync::Arc;
use std::thread;

use tollgate::verify::StaticKeys;
use tollgate::{Authorizer, Decision, DenyCode, Operation, Policy};

/// This provider's own address (the public Akash test account, standing in for a real one).
const PROVIDER: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// An incoming request, as a web framework would hand it over.
struct Request<'a> {
    method: &'a str,
    path: &'a str,
    authorization: Option<&'a str>,
}

/// Maps a provider route to the policy operation it performs.
fn route<'a>(method: &str, path: &'a str) -> Option<Operation<'a>> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let lease =
        |d: &str, g: &str, o: &str| Some((d.parse().ok()?, g.parse().ok()?, o.parse().ok()?));
    let op = match (method, parts.as_slice()) {
        ("GET", ["version"]) => Operation::new("provider.version"),
        ("GET", ["address"]) => Operation::new("provider.address"),
        ("GET", ["status"]) => Operation::new("provider.status"),
        ("PUT", ["deployment", dseq, "manifest"]) => {
            Operation::new("manifest.send").on_deployment(dseq.parse().ok()?)
        }
        ("POST", ["hostname", "migrate"]) => Operation::new("hostname.migrate"),
        ("POST", ["endpoint", "migrate"]) => Operation::new("endpoint.migrate"),
        (_, ["lease", d, g, o, rest @ ..]) => {
            let (dseq, gseq, oseq) = lease(d, g, o)?;
            let name = match (method, rest) {
                ("GET", ["manifest"]) => "manifest.get",
                ("GET", ["status"]) => "lease.status",
                ("GET", ["kubeevents"]) => "lease.events",
                ("GET", ["logs"]) => "lease.logs",
                (_, ["shell"]) => "lease.shell",
                ("POST", ["attestation", "quote"]) => "lease.attestation",
                ("GET", ["service", _, "status"]) => "lease.service-status",
                _ => return None,
            };
            Operation::new(name).on_lease(dseq, gseq, oseq)
        }
        _ => return None,
    };
    Some(op)
}

/// The HTTP status and body the provider answers with.
fn respond(authorizer: &Authorizer, request: &Request<'_>) -> (u16, String) {
    let Some(op) = route(request.method, request.path) else {
        return (404, r#"{"message":"not found"}"#.to_owned());
    };
    let token = match request.authorization.map(|value| value.split_once(' ')) {
        None => None,
        Some(Some((scheme, token)))
            if scheme.eq_ignore_ascii_case("bearer") && !token.contains(' ') =>
        {
            Some(token)
        }
        Some(_) => {
            return (
                400,
                r#"{"message":"invalid authorization header"}"#.to_owned(),
            );
        }
    };
    match authorizer.authorize(token, &op) {
        Decision::Allow { issuer, .. } => (
            200,
            format!(
                r#"{{"op":"{}","owner":{:?}}}"#,
                op.name(),
                issuer.unwrap_or_default()
            ),
        ),
        Decision::Deny(denial) => {
            let status = match denial.code {
                DenyCode::ClaimsInvalid | DenyCode::TokenExpired | DenyCode::TokenNotYetValid => {
                    400
                }
                _ => 401,
            };
            (
                status,
                format!(
                    r#"{{"message":{:?},"code":"{}"}}"#,
                    denial.reason, denial.code
                ),
            )
        }
    }
}

fn main() {
    let read = |path: &str| std::fs::read_to_string(format!("{ROOT}/{path}")).unwrap();
    let policy = Policy::compile(
        &read("policies/akash-provider.policy"),
        "policies/akash-provider.policy",
    )
    .unwrap();
    let keys = StaticKeys::from_keys_file(
        &read("fixtures/keys/akash-test-accounts.yaml"),
        "akash-test-accounts.yaml",
    )
    .unwrap();
    let authorizer = Arc::new(
        Authorizer::builder(policy)
            .key_resolver(Arc::new(keys))
            .provider(PROVIDER)
            .build()
            .unwrap(),
    );

    // A token minted by the published Akash TypeScript client: granular, lease 42/1/1, logs and shell.
    let vectors: serde_json::Value =
        serde_json::from_str(&read("fixtures/akash/derived-vectors.json")).unwrap();
    let token = vectors
        .pointer("/vectors/7/token")
        .and_then(serde_json::Value::as_str)
        .unwrap()
        .to_owned();
    let bearer = format!("Bearer {token}");

    let requests = [
        ("GET", "/version", None),
        ("GET", "/lease/42/1/1/logs", Some(bearer.clone())),
        ("GET", "/lease/42/1/1/shell", Some(bearer.clone())),
        ("GET", "/lease/42/1/1/status", Some(bearer.clone())),
        ("GET", "/lease/43/1/1/logs", Some(bearer.clone())),
        ("GET", "/lease/42/1/1/logs", None),
        ("GET", "/lease/42/1/1/logs", Some("Basic abc".to_owned())),
    ];
    // Handlers run on several threads, sharing one authorizer.
    let handles: Vec<_> = requests
        .into_iter()
        .map(|(method, path, authorization)| {
            let authorizer = Arc::clone(&authorizer);
            thread::spawn(move || {
                let request = Request {
                    method,
                    path,
                    authorization: authorization.as_deref(),
                };
                let (status, body) = respond(&authorizer, &request);
                format!("{method:<4} {path:<24} -> {status} {body}")
            })
        })
        .collect();
    for handle in handles {
        println!("{}", handle.join().unwrap());
    }
}
