//! The verified-claims cache never changes a decision: for any sequence of requests and clock
//! values, an authorizer with the cache and one without answer identically.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use std::sync::Arc;

use proptest::prelude::*;
use tollgate::verify::{HmacSecret, Secp256k1SigningKey, SigningKey, StaticKeys, sign_token};
use tollgate::{Authorizer, Operation, Policy};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const NOW: i64 = 1_900_000_000;
const PROVIDER: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}/{path}")).unwrap()
}

fn akash_pair() -> (Authorizer, Authorizer) {
    let build = |cache: bool| {
        let policy = Policy::compile(
            &read("policies/akash-provider.policy"),
            "akash-provider.policy",
        )
        .unwrap();
        let keys =
            StaticKeys::from_keys_file(&read("fixtures/keys/akash-test-accounts.yaml"), "keys")
                .unwrap();
        let builder = Authorizer::builder(policy)
            .key_resolver(Arc::new(keys))
            .provider(PROVIDER);
        if cache {
            builder.build().unwrap()
        } else {
            builder.without_cache().build().unwrap()
        }
    };
    (build(true), build(false))
}

fn forest_pair() -> (Authorizer, Authorizer) {
    let build = |cache: bool| {
        let policy = Policy::compile(&read("policies/forest.policy"), "forest.policy").unwrap();
        let secret = HmacSecret::parse(&read("fixtures/keys/filecoin-secret.base64"), "secret")
            .unwrap()
            .0;
        let builder = Authorizer::builder(policy).hmac_secret(secret);
        if cache {
            builder.build().unwrap()
        } else {
            builder.without_cache().build().unwrap()
        }
    };
    (build(true), build(false))
}

/// A pool of Akash tokens with different lifetimes and grants.
fn akash_tokens() -> Vec<String> {
    let key =
        Secp256k1SigningKey::from_hex(read("fixtures/keys/akash-test-private-key.hex").trim())
            .unwrap();
    let leases = [
        r#"{"access":"full"}"#,
        r#"{"access":"scoped","scope":["logs","status"]}"#,
        r#"{"access":"granular","permissions":[{"provider":"akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh","access":"granular","deployments":[{"dseq":42,"gseq":1,"scope":["shell","logs"],"services":["web"]}]}]}"#,
        r#"{"access":"scoped","scope":["logs","logs"]}"#,
    ];
    let mut tokens = Vec::new();
    for (i, leases) in leases.iter().enumerate() {
        for (nbf, exp) in [
            (NOW - 60, NOW + 60),
            (NOW + 30, NOW + 90),
            (NOW - 120, NOW - 1),
        ] {
            let payload = format!(
                r#"{{"iss":"{PROVIDER}","iat":{nbf},"nbf":{nbf},"exp":{exp},"version":"v1","leases":{leases}}}"#
            );
            let header = if i % 2 == 0 {
                r#"{"alg":"ES256K","typ":"JWT"}"#
            } else {
                r#"{"alg":"ES256KADR36","typ":"JWT"}"#
            };
            let signing = if i % 2 == 0 {
                SigningKey::Es256k(&key)
            } else {
                SigningKey::Es256kAdr36 {
                    key: &key,
                    signer: PROVIDER,
                }
            };
            tokens.push(sign_token(header.as_bytes(), payload.as_bytes(), signing).unwrap());
        }
    }
    // A tampered token: cached or not, it must never verify.
    let mut tampered = tokens[0].clone();
    tampered.pop();
    tampered.push('A');
    tokens.push(tampered);
    tokens
}

fn forest_tokens() -> Vec<String> {
    let secret = HmacSecret::parse(&read("fixtures/keys/filecoin-secret.base64"), "secret")
        .unwrap()
        .0;
    let mut tokens = Vec::new();
    for allow in [r#"["read"]"#, r#"["read","write"]"#, r#"["admin"]"#] {
        for exp in [NOW + 60, NOW - 30, NOW - 120] {
            let payload = format!(r#"{{"Allow":{allow},"exp":{exp}}}"#);
            tokens.push(
                sign_token(
                    br#"{"typ":"JWT","alg":"HS256"}"#,
                    payload.as_bytes(),
                    SigningKey::Hs256(&secret),
                )
                .unwrap(),
            );
        }
    }
    tokens
}

/// A lease id `(dseq, gseq, oseq)`.
type LeaseId = (u64, u32, u32);

const AKASH_OPS: [(&str, Option<LeaseId>); 5] = [
    ("lease.logs", Some((42, 1, 1))),
    ("lease.shell", Some((42, 2, 1))),
    ("lease.status", Some((7, 1, 1))),
    ("provider.status", None),
    ("manifest.send", None),
];
const FOREST_OPS: [&str; 3] = [
    "Filecoin.ChainHead",
    "Filecoin.WalletNew",
    "Filecoin.AuthNew",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn akash_cached_and_uncached_decisions_are_identical(
        steps in proptest::collection::vec((0usize..14, 0usize..5, -150i64..150), 1..40)
    ) {
        let (cached, uncached) = akash_pair();
        let tokens = akash_tokens();
        for (token, op, offset) in steps {
            let (name, lease) = AKASH_OPS[op];
            let mut operation = Operation::new(name);
            if let Some((dseq, gseq, oseq)) = lease {
                operation = operation.on_lease(dseq, gseq, oseq);
            }
            let token = tokens.get(token).map(String::as_str);
            let now = NOW + offset;
            prop_assert_eq!(cached.authorize_at(token, &operation, now), uncached.authorize_at(token, &operation, now));
        }
    }

    #[test]
    fn forest_cached_and_uncached_decisions_are_identical(
        steps in proptest::collection::vec((0usize..10, 0usize..3, -150i64..150), 1..60)
    ) {
        let (cached, uncached) = forest_pair();
        let tokens = forest_tokens();
        for (token, op, offset) in steps {
            let operation = Operation::new(FOREST_OPS[op]);
            let token = tokens.get(token).map(String::as_str);
            let now = NOW + offset;
            prop_assert_eq!(cached.authorize_at(token, &operation, now), uncached.authorize_at(token, &operation, now));
        }
    }
}

#[test]
fn a_cached_token_is_still_denied_after_exp() {
    let (cached, _) = akash_pair();
    let token = &akash_tokens()[0];
    let op = Operation::new("lease.logs").on_lease(42, 1, 1);
    assert!(cached.authorize_at(Some(token), &op, NOW).is_allow());
    assert_eq!(cached.cached_tokens(), 1);
    assert_eq!(cached.cache_stats(), (0, 1), "the first lookup misses");
    let later = cached.authorize_at(Some(token), &op, NOW + 60);
    assert_eq!(later.code(), Some(tollgate::DenyCode::TokenExpired));
    assert_eq!(
        cached.cache_stats(),
        (1, 1),
        "the second hits, then the time check denies"
    );
    let other_op = cached.authorize_at(
        Some(&akash_tokens()[3]),
        &Operation::new("lease.shell").on_lease(42, 1, 1),
        NOW,
    );
    assert_eq!(other_op.code(), Some(tollgate::DenyCode::ScopeMissing));
}
