//! Shared helpers for the integration tests: fixture loading and the public test keys.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers; each test binary uses a subset"
)]

use serde_json::Value;
use tollgate_verify::{HmacSecret, Secp256k1PublicKey, Secp256k1SigningKey};

/// The repository's `fixtures/` folder.
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");

/// A fixture file as text.
pub fn fixture_text(rel: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}{rel}")).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A fixture file as JSON.
pub fn fixture_json(rel: &str) -> Value {
    serde_json::from_str(&fixture_text(rel)).unwrap()
}

/// A string member, or a panic naming it.
pub fn s<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string in {v}"))
}

/// Address of the public Akash test account.
pub const AKASH_ADDRESS: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";

/// Public key of the Akash test account.
pub fn akash_public_key() -> Secp256k1PublicKey {
    Secp256k1PublicKey::parse("03e1fde5cc17f56501ed53d87718df76c135b9a6401dceb53d198111a1eaf85f76")
        .unwrap()
}

/// Private key of the Akash test account (from `fixtures/keys`).
pub fn akash_signing_key() -> Secp256k1SigningKey {
    Secp256k1SigningKey::from_hex(&fixture_text("keys/akash-test-private-key.hex")).unwrap()
}

/// The Filecoin test secret `000102…1f`.
pub fn filecoin_secret() -> HmacSecret {
    HmacSecret::from_bytes((0u8..32).collect()).unwrap()
}
