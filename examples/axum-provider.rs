//! An Akash provider-style REST service guarded by Tollgate's tower middleware.
//!
//! Every route of the Go provider (AKASH.md §8.2) is served by one handler that echoes the
//! verified identity the middleware put into the request extensions. The routes themselves come
//! from the policy's `route` table; axum only dispatches.
//!
//! ```text
//! cargo run -p tollgate-http --example axum-provider -- \
//!     --policy policies/akash-provider.policy \
//!     --keys fixtures/keys/akash-test-accounts.yaml \
//!     --provider akash1qgpqyqszqgpqyqszqgpqyqszqgpqyqszwv2uls \
//!     --listen 127.0.0.1:8443
//! ```
//!
//! `SIGHUP`-style reloads are one call: build a new `Authorizer` and
//! `SharedAuthorizer::replace` it; requests in flight finish on the old one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an example binary: start-up failures end the process with a message"
)]

use std::sync::Arc;

use axum::routing::{any, get, post, put};
use axum::{Extension, Json, Router};
use serde_json::{Value, json};
use tollgate::verify::StaticKeys;
use tollgate::{Authorizer, Policy, Resource};
use tollgate_http::{AuthLayer, Identity, SharedAuthorizer};

/// The provider's REST routes, each behind the Tollgate layer.
pub fn app(shared: SharedAuthorizer) -> Router {
    let lease = "/lease/{dseq}/{gseq}/{oseq}";
    Router::new()
        .route("/version", get(handler))
        .route("/address", get(handler))
        .route("/status", get(handler))
        .route("/deployment/{dseq}/manifest", put(handler))
        .route(&format!("{lease}/manifest"), get(handler))
        .route(&format!("{lease}/status"), get(handler))
        .route(&format!("{lease}/kubeevents"), get(handler))
        .route(&format!("{lease}/logs"), get(handler))
        .route(&format!("{lease}/shell"), any(handler))
        .route(&format!("{lease}/service/{{service}}/status"), get(handler))
        .route(&format!("{lease}/attestation/quote"), post(handler))
        .route("/hostname/migrate", post(handler))
        .route("/endpoint/migrate", post(handler))
        .layer(AuthLayer::new(shared))
}

/// Echoes who was let in, for what. A real provider would do the work here, knowing the
/// caller is `identity.issuer` and the token allows `identity.operation` on `identity.resource`.
async fn handler(identity: Option<Extension<Identity>>) -> Json<Value> {
    let Some(Extension(identity)) = identity else {
        // Unreachable behind the layer: it only calls the handler on allow.
        return Json(json!({ "error": "no identity" }));
    };
    let resource = match identity.resource {
        Resource::None => Value::Null,
        Resource::Deployment { dseq } => json!({ "dseq": dseq }),
        Resource::Lease { dseq, gseq, oseq } => {
            json!({ "dseq": dseq, "gseq": gseq, "oseq": oseq })
        }
    };
    Json(json!({
        "operation": identity.operation,
        "issuer": identity.issuer,
        "resource": resource,
        "expires_at": identity.expires_at,
    }))
}

/// Builds the authorizer from a policy file, a keys file and the provider's address.
pub fn load(policy: &str, keys: &str, provider: &str) -> Result<Authorizer, String> {
    let source = std::fs::read_to_string(policy).map_err(|e| format!("{policy}: {e}"))?;
    let policy = Policy::compile(&source, policy).map_err(|e| format!("{e:?}"))?;
    let text = std::fs::read_to_string(keys).map_err(|e| format!("{keys}: {e}"))?;
    let keys = StaticKeys::from_keys_file(&text, keys).map_err(|e| format!("{e:?}"))?;
    Authorizer::builder(policy)
        .key_resolver(Arc::new(keys))
        .provider(provider)
        .build()
        .map_err(|e| e.to_string())
}

#[allow(
    dead_code,
    reason = "the tests include this file as a module and use `app` only"
)]
fn main() {
    let mut policy = "policies/akash-provider.policy".to_owned();
    let mut keys = "fixtures/keys/akash-test-accounts.yaml".to_owned();
    let mut provider = "akash1qgpqyqszqgpqyqszqgpqyqszqgpqyqszwv2uls".to_owned();
    let mut listen = "127.0.0.1:8443".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().expect("every flag takes a value");
        match flag.as_str() {
            "--policy" => policy = value,
            "--keys" => keys = value,
            "--provider" => provider = value,
            "--listen" => listen = value,
            other => {
                eprintln!("unknown flag `{other}`");
                std::process::exit(2);
            }
        }
    }
    let authorizer = load(&policy, &keys, &provider).unwrap_or_else(|error| {
        eprintln!("error: {error}");
        std::process::exit(2);
    });
    let shared = SharedAuthorizer::new(authorizer);
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .expect("bind the listen address");
        eprintln!("listening on http://{listen}");
        axum::serve(listener, app(shared)).await.expect("serve");
    });
}
