//! Deny by default: no input makes `authorize` panic, and no forged token is allowed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use std::sync::{Arc, LazyLock};

use proptest::prelude::*;
use tollgate::verify::{HmacSecret, StaticKeys};
use tollgate::{Authorizer, Operation, Policy};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const NOW: i64 = 1_900_000_000;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}/{path}")).unwrap()
}

/// Built once: compiling the policies per case would dominate the run.
static AUTHORIZERS: LazyLock<[Authorizer; 2]> = LazyLock::new(build);

fn build() -> [Authorizer; 2] {
    let akash = Policy::compile(
        &read("policies/akash-provider.policy"),
        "akash-provider.policy",
    )
    .unwrap();
    let keys = StaticKeys::from_keys_file(&read("fixtures/keys/akash-test-accounts.yaml"), "keys")
        .unwrap();
    let forest = Policy::compile(&read("policies/forest.policy"), "forest.policy").unwrap();
    let secret = HmacSecret::parse(&read("fixtures/keys/filecoin-secret.base64"), "secret")
        .unwrap()
        .0;
    [
        Authorizer::builder(akash)
            .key_resolver(Arc::new(keys))
            .provider("akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh")
            .build()
            .unwrap(),
        Authorizer::builder(forest)
            .hmac_secret(secret)
            .build()
            .unwrap(),
    ]
}

/// Three base64url-ish segments: what a forger would send.
fn token_like() -> impl Strategy<Value = String> {
    let segment = "[A-Za-z0-9_=+/-]{0,120}";
    (segment, segment, segment).prop_map(|(h, p, s)| format!("{h}.{p}.{s}"))
}

/// A token whose header and claims are valid for one family, with any signature bytes.
fn well_formed_unsigned() -> impl Strategy<Value = String> {
    use base64::Engine as _;
    const AKASH: &str = r#"{"iss":"akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh","iat":1,"nbf":1,"exp":2000000000,"version":"v1","leases":{"access":"full"}}"#;
    const FILECOIN: &str = r#"{"Allow":["read","write","sign","admin"],"exp":2000000000}"#;
    (
        prop::sample::select(vec!["ES256K", "ES256KADR36", "HS256", "none"]),
        prop::sample::select(vec![AKASH, FILECOIN]),
        prop::collection::vec(any::<u8>(), 0..80),
    )
        .prop_map(|(alg, payload, signature)| {
            let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
            let header = format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#);
            format!(
                "{}.{}.{}",
                b64(header.as_bytes()),
                b64(payload.as_bytes()),
                b64(&signature)
            )
        })
}

const OPS: [&str; 4] = [
    "lease.logs",
    "provider.status",
    "Filecoin.ChainHead",
    "Filecoin.AuthNew",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_strings_are_denied_without_panicking(token in any::<String>(), op in 0usize..4) {
        for authorizer in AUTHORIZERS.iter() {
            let decision = authorizer.authorize_at(Some(&token), &Operation::new(OPS[op]).on_lease(42, 1, 1), NOW);
            prop_assert!(!decision.is_allow(), "{token:?} allowed");
        }
    }

    #[test]
    fn token_like_strings_are_denied(token in token_like(), op in 0usize..4) {
        for authorizer in AUTHORIZERS.iter() {
            let decision = authorizer.authorize_at(Some(&token), &Operation::new(OPS[op]), NOW);
            prop_assert!(!decision.is_allow(), "{token:?} allowed");
        }
    }

    #[test]
    fn valid_claims_with_a_forged_signature_are_denied(token in well_formed_unsigned(), op in 0usize..4) {
        for authorizer in AUTHORIZERS.iter() {
            let decision = authorizer.authorize_at(Some(&token), &Operation::new(OPS[op]).on_lease(42, 1, 1), NOW);
            prop_assert!(!decision.is_allow(), "{token:?} allowed: {decision}");
        }
    }
}
