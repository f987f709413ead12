//! Decisions of `tollgate::Authorizer` with keys from a chain node: tenants listed in no file,
//! the node going away, and the deny code of every way an account can fail to have a key.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::{Reply, TempPath, TestNode};
use tollgate::verify::{FallbackResolver, KeyResolver, Secp256k1SigningKey, StaticKeys};
use tollgate::{Authorizer, DenyCode, Operation, Policy};
use tollgate_chain::{ChainConfig, ChainKeyResolver};
use tollgate_testkit::{akash_token, read, scalar_key, test_key};

const NOW: i64 = 1_900_000_000;
/// The account of the secret scalar `0x11…11` (`base_account.json`).
const TENANT: &str = "akash1l3e9pgs3mmwuwrh95fecme0s0qtn2880y3lusr";
/// `continuous_vesting_account.json`, secret scalar `0x13…13`.
const VESTING: &str = "akash179gvz0qx599tx06xmlcrw47fnfn243q0larrpe";
/// The account of the secret scalar `0x18…18`, served with the tenant's key.
const WRONG_KEY: &str = "akash12v5lawrva7x5ez7mwfvgjy0q3k7fhwuf9jtun5";
const NEVER_SIGNED: &str = "akash1zgfpyysjzgfpyysjzgfpyysjzgfpyysjazuqqr";
const MODULE: &str = "akash1jv65s3grqf6v6jl3dp4t6c9t9rk99cd82yfms9";
const ED25519: &str = "akash1vvxu62txcsekdygj23ythvjmfl6p9fyuc27mpz";
/// The test account listed in `fixtures/keys/akash-test-accounts.yaml`.
const FILE_TENANT: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";

/// A full-access ES256K token for `issuer`, signed with `key`.
fn token_signed(issuer: &str, key: &Secp256k1SigningKey) -> String {
    akash_token(key, issuer, r#"{"access":"full"}"#, NOW - 10, NOW + 600)
}

/// A token from the account whose secret scalar is `byte` repeated.
fn token(issuer: &str, byte: u8) -> String {
    token_signed(issuer, &scalar_key(byte))
}

fn authorizer(resolver: Arc<dyn KeyResolver>) -> Authorizer {
    let policy = Policy::compile(
        &read("policies/akash-provider.policy"),
        "akash-provider.policy",
    )
    .unwrap();
    Authorizer::builder(policy)
        .key_resolver(resolver)
        .without_cache()
        .build()
        .unwrap()
}

fn op() -> Operation<'static> {
    Operation::new("lease.logs").on_lease(42, 1, 1)
}

fn chain(node: &TestNode) -> ChainConfig {
    ChainConfig::new([node.url.as_str()])
        .timeout(Duration::from_millis(200))
        .backoff(Duration::from_millis(5))
}

/// The trace line of the key lookup.
fn key_step(authorizer: &Authorizer, token: &str) -> String {
    let (decision, trace) = authorizer.explain_at(Some(token), &op(), NOW);
    assert!(decision.is_allow(), "{decision}");
    trace
        .steps()
        .iter()
        .map(|step| step.detail.clone())
        .find(|detail| detail.starts_with("public key of"))
        .unwrap()
}

#[test]
fn a_tenant_in_no_file_is_authorized_once_the_node_knows_its_key() {
    let node = TestNode::start();
    let file = StaticKeys::from_keys_file(&read("fixtures/keys/akash-test-accounts.yaml"), "keys")
        .unwrap();
    let chain =
        ChainKeyResolver::new(chain(&node).negative_ttl(Duration::from_millis(100))).unwrap();
    let resolver = FallbackResolver::new(vec![Arc::new(file), Arc::new(chain)]);
    let authorizer = authorizer(Arc::new(resolver));

    // Not on chain yet: unknown.
    let decision = authorizer.authorize_at(Some(&token(TENANT, 0x11)), &op(), NOW);
    assert_eq!(decision.code(), Some(DenyCode::IssuerUnknown), "{decision}");
    assert_eq!(decision.issuer(), Some(TENANT));

    // The account signs its first transaction; once the negative answer expires, the same
    // authorizer allows it.
    node.serve(TENANT, Reply::ok("base_account.json"));
    std::thread::sleep(Duration::from_millis(150));
    let decision = authorizer.authorize_at(Some(&token(TENANT, 0x11)), &op(), NOW);
    assert!(decision.is_allow(), "{decision}");
    assert_eq!(decision.issuer(), Some(TENANT));
    assert_eq!(node.hits(TENANT), 2);

    // A token signed by another key for the same issuer is still refused.
    let forged = token(TENANT, 0x12);
    let decision = authorizer.authorize_at(Some(&forged), &op(), NOW);
    assert_eq!(
        decision.code(),
        Some(DenyCode::SignatureInvalid),
        "{decision}"
    );
}

#[test]
fn key_files_come_first_and_the_chain_answers_the_rest() {
    let node = TestNode::start();
    node.serve(VESTING, Reply::ok("continuous_vesting_account.json"));
    let file = StaticKeys::from_keys_file(&read("fixtures/keys/akash-test-accounts.yaml"), "keys")
        .unwrap();
    let chain = ChainKeyResolver::new(chain(&node)).unwrap();
    let authorizer = authorizer(Arc::new(FallbackResolver::new(vec![
        Arc::new(file),
        Arc::new(chain),
    ])));
    let from_file = token_signed(FILE_TENANT, &test_key());
    assert_eq!(
        key_step(&authorizer, &from_file),
        format!("public key of `{FILE_TENANT}` from configured keys")
    );
    assert_eq!(node.hits(FILE_TENANT), 0, "a listed tenant costs no query");
    let vesting = token(VESTING, 0x13);
    assert_eq!(
        key_step(&authorizer, &vesting),
        format!("public key of `{VESTING}` from chain node `{}`", node.url)
    );
    assert_eq!(
        key_step(&authorizer, &vesting),
        format!("public key of `{VESTING}` from memory cache")
    );
}

#[test]
fn the_node_going_away_does_not_change_decisions_for_known_issuers() {
    let path = TempPath::new("keys.redb");
    let mut node = TestNode::start();
    node.serve(TENANT, Reply::ok("base_account.json"));
    node.serve(VESTING, Reply::ok("continuous_vesting_account.json"));
    let resolver = Arc::new(ChainKeyResolver::new(chain(&node).cache_path(&path.0)).unwrap());
    let authorizer = authorizer(Arc::clone(&resolver) as Arc<dyn KeyResolver>);
    let tenant = token(TENANT, 0x11);
    let vesting = token(VESTING, 0x13);
    let forged = token(TENANT, 0x14);
    let before: Vec<_> = [&tenant, &vesting, &forged]
        .iter()
        .map(|token| authorizer.authorize_at(Some(token), &op(), NOW))
        .collect();
    assert!(before[0].is_allow() && before[1].is_allow());
    assert_eq!(before[2].code(), Some(DenyCode::SignatureInvalid));

    node.stop();
    for (token, decision) in [&tenant, &vesting, &forged].iter().zip(&before) {
        let after = authorizer.authorize_at(Some(token), &op(), NOW);
        assert_eq!(after.code(), decision.code(), "{after}");
    }
    // An issuer never seen while the node was up is now unavailable, not unknown.
    let stranger = authorizer.authorize_at(Some(&token(WRONG_KEY, 0x18)), &op(), NOW);
    assert_eq!(
        stranger.code(),
        Some(DenyCode::KeyUnavailable),
        "{stranger}"
    );

    // A new process (a fresh resolver over the same file) decides the same without the node.
    drop(authorizer);
    drop(resolver);
    let restarted = ChainKeyResolver::new(chain(&node).cache_path(&path.0)).unwrap();
    let authorizer = self::authorizer(Arc::new(restarted));
    assert_eq!(
        key_step(&authorizer, &tenant),
        format!("public key of `{TENANT}` from persistent cache")
    );
    assert!(
        authorizer
            .authorize_at(Some(&vesting), &op(), NOW)
            .is_allow()
    );
    assert_eq!(
        authorizer.authorize_at(Some(&forged), &op(), NOW).code(),
        Some(DenyCode::SignatureInvalid)
    );
}

#[test]
fn every_way_an_account_lacks_a_key_has_its_deny_code() {
    let node = TestNode::start();
    node.serve(NEVER_SIGNED, Reply::ok("base_account_no_pub_key.json"));
    node.serve(MODULE, Reply::ok("module_account.json"));
    node.serve(ED25519, Reply::ok("base_account_ed25519.json"));
    node.serve(WRONG_KEY, Reply::ok("base_account_wrong_key.json"));
    let authorizer = authorizer(Arc::new(ChainKeyResolver::new(chain(&node)).unwrap()));
    let cases = [
        (
            NEVER_SIGNED,
            DenyCode::IssuerNoPublicKey,
            "has no public key: it has never signed a transaction",
        ),
        (
            MODULE,
            DenyCode::IssuerModuleAccount,
            "is the module account `distribution`",
        ),
        (
            ED25519,
            DenyCode::IssuerKeyUnsupported,
            "holds a `/cosmos.crypto.ed25519.PubKey` key",
        ),
        (
            WRONG_KEY,
            DenyCode::IssuerKeyMismatch,
            "belongs to `akash1l3e9pgs3mmwuwrh95fecme0s0qtn2880y3lusr`",
        ),
        (
            support::NOT_FOUND_ADDRESS,
            DenyCode::IssuerUnknown,
            "no public key is known",
        ),
    ];
    for (issuer, code, reason) in cases {
        let decision = authorizer.authorize_at(Some(&token(issuer, 0x11)), &op(), NOW);
        assert_eq!(decision.code(), Some(code), "{issuer}: {decision}");
        assert!(decision.reason().contains(reason), "{}", decision.reason());
        assert_eq!(decision.issuer(), Some(issuer));
    }
    // Another chain's address is unknown without asking the node.
    let cosmos = "cosmos1l3e9pgs3mmwuwrh95fecme0s0qtn2880f2jmfe";
    let decision = authorizer.authorize_at(Some(&token(cosmos, 0x11)), &op(), NOW);
    assert_eq!(decision.code(), Some(DenyCode::IssuerUnknown), "{decision}");
    assert_eq!(node.hits(cosmos), 0);
}
