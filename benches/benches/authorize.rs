//! End-to-end `authorize` beside its cryptographic baseline, measured in the same run.
//!
//! - ES256K / ES256KADR36 `authorize` (key already resolved, cache off) vs raw k256
//!   `verify_prehash` of the same signed bytes (SHA-256 included on both sides);
//! - HS256 `authorize` with `policies/forest.policy` (cache off) vs `jsonwebtoken` `decode`
//!   of the same token with its default validation;
//! - a cached re-authorization vs the uncached ES256K `authorize`;
//! - token parsing alone;
//! - throughput with 1 and 2 threads sharing one `Authorizer`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs,
    reason = "benchmark code"
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use criterion::{Criterion, criterion_group, criterion_main};
use k256::ecdsa::signature::hazmat::PrehashVerifier;
use sha2::{Digest, Sha256};
use tollgate::verify::{
    HmacSecret, Limits, Secp256k1SigningKey, SigningKey, StaticKeys, UnverifiedToken, sign_token,
};
use tollgate::{Authorizer, Operation, Policy};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const PROVIDER: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";
const NOW: i64 = 1_900_000_000;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}/{path}")).unwrap()
}

fn akash_authorizer(cache: bool) -> Authorizer {
    let policy = Policy::compile(
        &read("policies/akash-provider.policy"),
        "akash-provider.policy",
    )
    .unwrap();
    let keys = StaticKeys::from_keys_file(&read("fixtures/keys/akash-test-accounts.yaml"), "keys")
        .unwrap();
    let builder = Authorizer::builder(policy)
        .key_resolver(Arc::new(keys))
        .provider(PROVIDER);
    if cache {
        builder.build().unwrap()
    } else {
        builder.without_cache().build().unwrap()
    }
}

fn forest_authorizer() -> Authorizer {
    let policy = Policy::compile(&read("policies/forest.policy"), "forest.policy").unwrap();
    let secret = HmacSecret::parse(&read("fixtures/keys/filecoin-secret.base64"), "secret")
        .unwrap()
        .0;
    Authorizer::builder(policy)
        .hmac_secret(secret)
        .without_cache()
        .build()
        .unwrap()
}

fn signing_key() -> Secp256k1SigningKey {
    Secp256k1SigningKey::from_hex(read("fixtures/keys/akash-test-private-key.hex").trim()).unwrap()
}

/// A typical granular token, as the console issues them.
fn akash_payload() -> String {
    format!(
        r#"{{"iss":"{PROVIDER}","iat":{},"nbf":{},"exp":{},"version":"v1","leases":{{"access":"granular","permissions":[{{"provider":"{PROVIDER}","access":"granular","deployments":[{{"dseq":42,"gseq":1,"oseq":1,"scope":["logs","shell"],"services":["web"]}}]}}]}}}}"#,
        NOW - 60,
        NOW - 60,
        NOW + 900
    )
}

fn es256k_token() -> String {
    sign_token(
        br#"{"alg":"ES256K","typ":"JWT"}"#,
        akash_payload().as_bytes(),
        SigningKey::Es256k(&signing_key()),
    )
    .unwrap()
}

fn adr36_token() -> String {
    let key = signing_key();
    let signing = SigningKey::Es256kAdr36 {
        key: &key,
        signer: PROVIDER,
    };
    sign_token(
        br#"{"alg":"ES256KADR36","typ":"JWT"}"#,
        akash_payload().as_bytes(),
        signing,
    )
    .unwrap()
}

/// The raw k256 baseline: SHA-256 of `message`, then `verify_prehash`.
struct RawVerify {
    key: k256::ecdsa::VerifyingKey,
    signature: k256::ecdsa::Signature,
    message: Vec<u8>,
}

impl RawVerify {
    fn new(token: &str, message: Vec<u8>) -> Self {
        let pubkey =
            hex::decode("03e1fde5cc17f56501ed53d87718df76c135b9a6401dceb53d198111a1eaf85f76")
                .unwrap();
        let key = k256::ecdsa::VerifyingKey::from_sec1_bytes(&pubkey).unwrap();
        let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.rsplit('.').next().unwrap())
            .unwrap();
        let signature = k256::ecdsa::Signature::from_slice(&sig).unwrap();
        RawVerify {
            key,
            signature,
            message,
        }
    }

    fn verify(&self) -> bool {
        let digest = Sha256::digest(&self.message);
        self.key.verify_prehash(&digest, &self.signature).is_ok()
    }
}

fn signing_input(token: &str) -> Vec<u8> {
    token.rsplit_once('.').unwrap().0.as_bytes().to_vec()
}

fn adr36_doc(token: &str) -> Vec<u8> {
    let data = base64::engine::general_purpose::STANDARD.encode(signing_input(token));
    format!(
        r#"{{"account_number":"0","chain_id":"","fee":{{"amount":[],"gas":"0"}},"memo":"","msgs":[{{"type":"sign/MsgSignData","value":{{"data":"{data}","signer":"{PROVIDER}"}}}}],"sequence":"0"}}"#
    )
    .into_bytes()
}

fn ecdsa(c: &mut Criterion) {
    let authorizer = akash_authorizer(false);
    let op = Operation::new("lease.logs").on_lease(42, 1, 1);
    for (name, token, message) in [
        ("es256k", es256k_token(), None),
        ("es256kadr36", adr36_token(), Some(())),
    ] {
        let raw = RawVerify::new(
            &token,
            if message.is_some() {
                adr36_doc(&token)
            } else {
                signing_input(&token)
            },
        );
        assert!(raw.verify());
        assert!(authorizer.authorize_at(Some(&token), &op, NOW).is_allow());
        // With the `secp256k1` feature the verifier runs libsecp256k1; the baseline stays k256.
        let group_name = if cfg!(feature = "secp256k1") {
            format!("{name}_secp256k1")
        } else {
            name.to_owned()
        };
        let mut group = c.benchmark_group(group_name);
        group.bench_function("k256_verify_prehash_baseline", |b| {
            b.iter(|| black_box(raw.verify()))
        });
        group.bench_function("tollgate_authorize", |b| {
            b.iter(|| black_box(authorizer.authorize_at(Some(black_box(&token)), &op, NOW)))
        });
        group.finish();
    }
}

#[derive(serde::Deserialize)]
#[allow(dead_code, reason = "decoded for the baseline's work, not read")]
struct ForestClaims {
    #[serde(rename = "Allow")]
    allow: Vec<String>,
    exp: Option<usize>,
}

fn hs256(c: &mut Criterion) {
    let authorizer = forest_authorizer();
    let secret = HmacSecret::parse(&read("fixtures/keys/filecoin-secret.base64"), "secret")
        .unwrap()
        .0;
    let token = sign_token(
        br#"{"typ":"JWT","alg":"HS256"}"#,
        format!(
            r#"{{"Allow":["read","write","sign"],"exp":{}}}"#,
            NOW + 86_400
        )
        .as_bytes(),
        SigningKey::Hs256(&secret),
    )
    .unwrap();
    let op = Operation::new("Filecoin.WalletSign");
    assert!(authorizer.authorize_at(Some(&token), &op, NOW).is_allow());
    let key_bytes: Vec<u8> = (0u8..32).collect();
    let key = jsonwebtoken::DecodingKey::from_secret(&key_bytes);
    let validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    // jsonwebtoken reads the system clock; the token's exp is far enough ahead of both clocks
    // only if NOW is in the future, so mint its own copy relative to the real clock.
    let real_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let jwt_token = sign_token(
        br#"{"typ":"JWT","alg":"HS256"}"#,
        format!(
            r#"{{"Allow":["read","write","sign"],"exp":{}}}"#,
            real_now + 86_400
        )
        .as_bytes(),
        SigningKey::Hs256(&secret),
    )
    .unwrap();
    assert!(jsonwebtoken::decode::<ForestClaims>(&jwt_token, &key, &validation).is_ok());
    let mut group = c.benchmark_group("hs256");
    group.bench_function("jsonwebtoken_decode_baseline", |b| {
        b.iter(|| {
            black_box(
                jsonwebtoken::decode::<ForestClaims>(black_box(&jwt_token), &key, &validation)
                    .is_ok(),
            )
        })
    });
    group.bench_function("tollgate_authorize_forest", |b| {
        b.iter(|| black_box(authorizer.authorize_at(Some(black_box(&token)), &op, NOW)))
    });
    group.finish();
}

fn cached(c: &mut Criterion) {
    let uncached = akash_authorizer(false);
    let cached = akash_authorizer(true);
    let token = es256k_token();
    let op = Operation::new("lease.logs").on_lease(42, 1, 1);
    assert!(cached.authorize_at(Some(&token), &op, NOW).is_allow());
    let mut group = c.benchmark_group("cache");
    group.bench_function("uncached_es256k_authorize_baseline", |b| {
        b.iter(|| black_box(uncached.authorize_at(Some(black_box(&token)), &op, NOW)))
    });
    group.bench_function("cached_es256k_authorize", |b| {
        b.iter(|| black_box(cached.authorize_at(Some(black_box(&token)), &op, NOW)))
    });
    group.finish();
}

fn parsing(c: &mut Criterion) {
    let token = es256k_token();
    let limits = Limits::default();
    let mut group = c.benchmark_group("parse");
    group.bench_function("serde_json_payload_baseline", |b| {
        let payload = akash_payload();
        b.iter(|| black_box(serde_json::from_str::<serde_json::Value>(black_box(&payload)).is_ok()))
    });
    group.bench_function("tollgate_parse_token", |b| {
        b.iter(|| black_box(UnverifiedToken::parse(black_box(&token), &limits).is_ok()))
    });
    group.finish();
}

/// Runs `iters` ES256K authorizations split over `threads` threads sharing one authorizer.
fn run_threads(
    authorizer: &Arc<Authorizer>,
    token: &Arc<String>,
    threads: u64,
    iters: u64,
) -> Duration {
    let start = Instant::now();
    let per_thread = iters.div_ceil(threads);
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let authorizer = Arc::clone(authorizer);
            let token = Arc::clone(token);
            std::thread::spawn(move || {
                let op = Operation::new("lease.logs").on_lease(42, 1, 1);
                for _ in 0..per_thread {
                    black_box(authorizer.authorize_at(Some(&token), &op, NOW));
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    start.elapsed()
}

fn throughput(c: &mut Criterion) {
    let authorizer = Arc::new(akash_authorizer(false));
    let token = Arc::new(es256k_token());
    let mut group = c.benchmark_group("throughput");
    group.throughput(criterion::Throughput::Elements(1));
    for threads in [1u64, 2] {
        group.bench_function(format!("es256k_authorize_{threads}_threads"), |b| {
            b.iter_custom(|iters| run_threads(&authorizer, &token, threads, iters))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    targets = ecdsa, hs256, cached, parsing, throughput
}
criterion_main!(benches);
