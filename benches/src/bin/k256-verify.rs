//! `k256-verify [ITERATIONS]`: the raw k256 baseline of the load script, measured in the same
//! run: SHA-256 of an ES256K signing input, then `verify_prehash`, on one core. Prints the
//! median nanoseconds per verification of 15 rounds.

use std::time::Instant;

use k256::ecdsa::signature::hazmat::PrehashVerifier as _;
use k256::ecdsa::{Signature, SigningKey, VerifyingKey, signature::hazmat::PrehashSigner as _};
use sha2::{Digest as _, Sha256};

fn main() -> std::process::ExitCode {
    let iterations: u32 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let Ok(signing) = SigningKey::from_slice(&[7u8; 32]) else {
        return std::process::ExitCode::from(1);
    };
    let verifying = VerifyingKey::from(&signing);
    let message = br#"eyJhbGciOiJFUzI1NksiLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJha2FzaDFxdWZhM3h6cmYzNHF2d3llamtodm5jNHBzZjQ5ZmZ0YXcwYXNtaCIsImlhdCI6MTcwMDAwMDAwMCwibmJmIjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDA5MDAsInZlcnNpb24iOiJ2MSIsImxlYXNlcyI6eyJhY2Nlc3MiOiJmdWxsIn19"#;
    let Ok(signature): Result<Signature, _> = signing.sign_prehash(&Sha256::digest(message)) else {
        return std::process::ExitCode::from(1);
    };
    let mut rounds: Vec<f64> = (0..15)
        .map(|_| {
            let start = Instant::now();
            let mut ok = 0u32;
            for _ in 0..iterations {
                let digest = Sha256::digest(std::hint::black_box(message));
                ok += u32::from(verifying.verify_prehash(&digest, &signature).is_ok());
            }
            assert_eq!(ok, iterations);
            start.elapsed().as_nanos() as f64 / f64::from(iterations)
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    let median = rounds.get(rounds.len() / 2).copied().unwrap_or(f64::NAN);
    println!("{median:.0}");
    std::process::ExitCode::SUCCESS
}
