//! Test support shared by Tollgate's crates (a dev-dependency only, never shipped).
//!
//! The public Akash test account (`fixtures/keys/`), token minting at a fixed or the real
//! clock, fixture paths that work from any crate's tests, and an authorizer over a shipped
//! policy. Nothing here is used by library code.
#![deny(missing_docs)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test support: a missing fixture or a bad test key must fail the test loudly"
)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tollgate::verify::{Secp256k1SigningKey, SigningKey, StaticKeys, sign_token};
use tollgate::{Authorizer, Policy};

/// The public test account (`fixtures/keys/akash-test-accounts.yaml`, chain-sdk's test mnemonic).
pub const ISSUER: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";
/// The provider the HTTP tests serve as: 20 bytes of `0x02`.
pub const PROVIDER: &str = "akash1qgpqyqszqgpqyqszqgpqyqszqgpqyqszwv2uls";
/// Another provider: 20 bytes of `0x01`.
pub const OTHER_PROVIDER: &str = "akash1qyqszqgpqyqszqgpqyqszqgpqyqszqgplgve5x";

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The absolute path of a file given relative to the repository root.
pub fn path(relative: &str) -> String {
    root().join(relative).display().to_string()
}

/// A file of the repository, as text.
pub fn read(relative: &str) -> String {
    std::fs::read_to_string(path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// The system clock, in Unix seconds.
pub fn now() -> i64 {
    let elapsed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    i64::try_from(elapsed.as_secs()).unwrap()
}

/// The test account's signing key.
pub fn test_key() -> Secp256k1SigningKey {
    Secp256k1SigningKey::from_hex(read("fixtures/keys/akash-test-private-key.hex").trim()).unwrap()
}

/// The key whose secret scalar is `byte` repeated 32 times (tenants of the chain tests).
pub fn scalar_key(byte: u8) -> Secp256k1SigningKey {
    Secp256k1SigningKey::from_bytes(&[byte; 32]).unwrap()
}

/// An ES256K Akash token: `iss`, `iat = nbf = issued`, `exp`, `version: "v1"` and `leases`
/// (a JSON object), signed by `key`.
pub fn akash_token(
    key: &Secp256k1SigningKey,
    issuer: &str,
    leases: &str,
    issued: i64,
    exp: i64,
) -> String {
    let payload = format!(
        r#"{{"iss":"{issuer}","iat":{issued},"nbf":{issued},"exp":{exp},"version":"v1","leases":{leases}}}"#
    );
    sign_token(
        br#"{"alg":"ES256K","typ":"JWT"}"#,
        payload.as_bytes(),
        SigningKey::Es256k(key),
    )
    .unwrap()
}

/// A token of the test account with these `leases`, issued an hour ago by the real clock and
/// expiring `exp_in` seconds from now (negative: already expired).
pub fn token_expiring(leases: &str, exp_in: i64) -> String {
    let now = now();
    akash_token(&test_key(), ISSUER, leases, now - 3600, now + exp_in)
}

/// [`token_expiring`] in 15 minutes, as the Go provider client mints.
pub fn token(leases: &str) -> String {
    token_expiring(leases, 900)
}

/// An authorizer over a shipped policy (`policies/<name>`), the test account's key and
/// [`PROVIDER`], at the system clock.
pub fn authorizer(policy: &str) -> Authorizer {
    let policy_path = format!("policies/{policy}");
    let policy = Policy::compile(&read(&policy_path), &policy_path).unwrap();
    let keys = StaticKeys::from_keys_file(
        &read("fixtures/keys/akash-test-accounts.yaml"),
        "akash-test-accounts.yaml",
    )
    .unwrap();
    Authorizer::builder(policy)
        .key_resolver(Arc::new(keys))
        .provider(PROVIDER)
        .build()
        .unwrap()
}

/// A fresh directory under the system temp dir, removed with everything in it when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates `tollgate-<name>-<pid>-<nanos>` under the system temp dir.
    pub fn new(name: &str) -> TempDir {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir =
            std::env::temp_dir().join(format!("tollgate-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// The directory.
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl std::ops::Deref for TempDir {
    type Target = std::path::Path;

    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Best effort: a test that failed may still hold files open; the OS cleans up later.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl AsRef<std::path::Path> for TempDir {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl AsRef<std::ffi::OsStr> for TempDir {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}
