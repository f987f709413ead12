//! Deny paths the shipped policies and static key files cannot reach: a key source that fails,
//! and a policy that does not unlock an access type. Together with the golden tables this
//! reaches every `DenyCode`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use std::sync::Arc;

use tollgate::verify::{
    KeyResolver, ResolveError, Secp256k1SigningKey, SigningKey, StaticKeys, sign_token,
};
use tollgate::{Authorizer, DenyCode, Operation, Policy};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const ISSUER: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";
const NOW: i64 = 1_900_000_000;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}/{path}")).unwrap()
}

fn token(leases: &str) -> String {
    let key =
        Secp256k1SigningKey::from_hex(read("fixtures/keys/akash-test-private-key.hex").trim())
            .unwrap();
    let payload = format!(
        r#"{{"iss":"{ISSUER}","iat":{0},"nbf":{0},"exp":{1},"version":"v1","leases":{leases}}}"#,
        NOW - 10,
        NOW + 600
    );
    sign_token(
        br#"{"alg":"ES256K","typ":"JWT"}"#,
        payload.as_bytes(),
        SigningKey::Es256k(&key),
    )
    .unwrap()
}

/// A chain-backed resolver whose node is down.
struct Unreachable;

impl KeyResolver for Unreachable {
    fn resolve(&self, issuer: &str) -> Result<tollgate::verify::ResolvedKey, ResolveError> {
        Err(ResolveError::Unavailable {
            issuer: issuer.to_owned(),
            reason: "connection refused".to_owned(),
        })
    }
}

#[test]
fn a_failing_key_source_denies_with_key_unavailable() {
    let policy = Policy::compile(
        &read("policies/akash-provider.policy"),
        "akash-provider.policy",
    )
    .unwrap();
    let authorizer = Authorizer::builder(policy)
        .key_resolver(Arc::new(Unreachable))
        .build()
        .unwrap();
    let decision = authorizer.authorize_at(
        Some(&token(r#"{"access":"full"}"#)),
        &Operation::new("provider.status"),
        NOW,
    );
    assert_eq!(decision.code(), Some(DenyCode::KeyUnavailable));
    assert_eq!(
        decision.reason(),
        "could not look up the key of issuer `akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh`: connection refused"
    );
    assert_eq!(
        decision.issuer(),
        Some(ISSUER),
        "the claimed issuer names the denial"
    );
}

#[test]
fn an_access_type_the_policy_does_not_unlock_is_denied() {
    // The shipped policy with top-level `scoped` tokens no longer honoured.
    let source =
        read("policies/akash-provider.policy").replace("access scoped unlocks listed-scopes\n", "");
    let policy = Policy::compile(&source, "no-scoped.policy").unwrap();
    let keys = StaticKeys::from_keys_file(&read("fixtures/keys/akash-test-accounts.yaml"), "keys")
        .unwrap();
    let authorizer = Authorizer::builder(policy)
        .key_resolver(Arc::new(keys))
        .provider(ISSUER)
        .build()
        .unwrap();
    let op = Operation::new("lease.logs").on_lease(42, 1, 1);
    let scoped = authorizer.authorize_at(
        Some(&token(r#"{"access":"scoped","scope":["logs"]}"#)),
        &op,
        NOW,
    );
    assert_eq!(scoped.code(), Some(DenyCode::AccessNotUnlocked));
    assert_eq!(
        scoped.reason(),
        "this policy does not unlock `scoped` access"
    );
    let full = authorizer.authorize_at(Some(&token(r#"{"access":"full"}"#)), &op, NOW);
    assert!(full.is_allow(), "{full}");
}
