//! Chain key resolution beside an ES256K verify, measured in the same run.
//!
//! - a key from the memory layer (`origin: memory cache`), target ≤ 100 ns;
//! - a key from the persistent redb cache after a restart (a fresh resolver over the file,
//!   memory layer cold: the lookups cycle over more addresses than memory holds), including the
//!   point decompression and the key-to-address check, target ≤ 50 µs;
//! - the baseline: SHA-256 plus k256 `verify_prehash` of an ES256K token's signing input.
//!
//! No node is contacted: the file is filled with `preload`, and the node URL refuses.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "bench code"
)]

use std::hint::black_box;
use std::time::Duration;

use base64::Engine as _;
use criterion::{Criterion, criterion_group, criterion_main};
use k256::ecdsa::signature::hazmat::PrehashVerifier as _;
use sha2::{Digest as _, Sha256};
use tollgate_chain::{ChainConfig, ChainKeyResolver};
use tollgate_verify::{KeyOrigin, KeyResolver, Secp256k1SigningKey, SigningKey, sign_token};

/// More addresses than the cold resolver's memory holds, so each lookup misses memory.
const ADDRESSES: u8 = 200;

fn config(path: &std::path::Path, memory: usize) -> ChainConfig {
    ChainConfig::new(["http://127.0.0.1:9"])
        .timeout(Duration::from_millis(50))
        .retries(0)
        .memory_capacity(memory)
        .cache_path(path)
}

fn chain(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("tollgate-bench-chain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("keys.redb");
    let _ = std::fs::remove_file(&path);

    let signers: Vec<Secp256k1SigningKey> = (1..=ADDRESSES)
        .map(|byte| Secp256k1SigningKey::from_bytes(&[byte; 32]).unwrap())
        .collect();
    let mut addresses = Vec::new();
    {
        let first = ChainKeyResolver::new(config(&path, 1000)).unwrap();
        for signer in &signers {
            addresses.push(first.preload(signer.public_key()).unwrap());
        }
    }

    // The baseline: an ES256K signature by the first account, verified with k256.
    let payload = format!(r#"{{"iss":"{}","exp":1900000600}}"#, addresses[0]);
    let token = sign_token(
        br#"{"alg":"ES256K","typ":"JWT"}"#,
        payload.as_bytes(),
        SigningKey::Es256k(&signers[0]),
    )
    .unwrap();
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature = k256::ecdsa::Signature::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(signature)
            .unwrap(),
    )
    .unwrap();
    let verifying =
        k256::ecdsa::VerifyingKey::from_sec1_bytes(&signers[0].public_key().to_compressed())
            .unwrap();
    let verify = || {
        let digest = Sha256::digest(input.as_bytes());
        verifying.verify_prehash(&digest, &signature).is_ok()
    };
    assert!(verify());

    // A restarted process whose memory holds a single address.
    let cold = ChainKeyResolver::new(config(&path, 1)).unwrap();
    for address in &addresses {
        assert_eq!(
            cold.resolve(address).unwrap().origin,
            KeyOrigin::PersistentCache
        );
    }
    drop(cold);
    let cold = ChainKeyResolver::new(config(&path, 1)).unwrap();
    let warm_path = dir.join("warm.redb");
    let _ = std::fs::remove_file(&warm_path);
    let warm = ChainKeyResolver::new(config(&warm_path, 1000)).unwrap();
    warm.preload(signers[0].public_key()).unwrap();
    assert_eq!(
        warm.resolve(&addresses[0]).unwrap().origin,
        KeyOrigin::MemoryCache
    );

    let mut group = c.benchmark_group("chain");
    group.bench_function("k256_verify_prehash_baseline", |b| {
        b.iter(|| black_box(verify()))
    });
    group.bench_function("memory_hit", |b| {
        b.iter(|| black_box(warm.resolve(black_box(&addresses[0])).unwrap()))
    });
    let mut next = 0usize;
    group.bench_function("persistent_hit_after_restart", |b| {
        b.iter(|| {
            next = (next + 1) % addresses.len();
            black_box(cold.resolve(black_box(&addresses[next])).unwrap())
        })
    });
    group.finish();
    drop((cold, warm));
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    targets = chain
}
criterion_main!(benches);
