//! `tollgate` with keys from a chain node: `--chain-node`, `--key-cache` and `keys fetch`,
//! against a real loopback node (the chain crate's test node).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

#[path = "../../chain/tests/support/mod.rs"]
mod support;

use std::process::{Command, Output};

use support::{Reply, TempPath, TestNode};
use tollgate_testkit::{akash_token, root, scalar_key, test_key};
use tollgate_verify::Secp256k1SigningKey;

const NOW: i64 = 1_900_000_000;
/// `base_account.json`: the account of the secret scalar `0x11…11`.
const TENANT: &str = "akash1l3e9pgs3mmwuwrh95fecme0s0qtn2880y3lusr";
/// `continuous_vesting_account.json`: secret scalar `0x13…13`.
const VESTING: &str = "akash179gvz0qx599tx06xmlcrw47fnfn243q0larrpe";
const VESTING_KEY: &str = "031d16453b3ab3132acb0a5bc16cc49690d819a585267a15cd5a064e2a0ad40599";
const NEVER_SIGNED: &str = "akash1zgfpyysjzgfpyysjzgfpyysjzgfpyysjazuqqr";
const MODULE: &str = "akash1jv65s3grqf6v6jl3dp4t6c9t9rk99cd82yfms9";
/// The test account of `fixtures/keys/akash-test-accounts.yaml`.
const FILE_TENANT: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";

fn tollgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A full-access ES256K token for `issuer`, signed by `key`.
fn token(issuer: &str, key: &Secp256k1SigningKey) -> String {
    akash_token(key, issuer, r#"{"access":"full"}"#, NOW - 10, NOW + 600)
}

/// A token signed by the secret scalar `byte` repeated.
fn scalar_token(issuer: &str, byte: u8) -> String {
    token(issuer, &scalar_key(byte))
}

fn decide<'a>(command: &'a str, token: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        command,
        "--policy",
        "policies/akash-provider.policy",
        "--op",
        "lease.logs",
        "--resource",
        "42/1/1",
        "--now",
        "1900000000",
        "--token",
        token,
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn explain_names_the_node_then_the_persistent_cache_in_a_second_process() {
    let cache = TempPath::new("keys.redb");
    let cache_path = cache.0.to_str().unwrap();
    let mut node = TestNode::start();
    node.serve(TENANT, Reply::ok("base_account.json"));
    let token = scalar_token(TENANT, 0x11);
    let url = node.url.clone();
    let chain = ["--chain-node", url.as_str(), "--key-cache", cache_path];

    let first = tollgate(&decide("explain", &token, &chain));
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(
        stdout(&first).contains(&format!("public key of `{TENANT}` from chain node `{url}`")),
        "{}",
        stdout(&first)
    );
    assert!(stdout(&first).contains(&format!("allow `lease.logs` for `{TENANT}`")));

    node.stop();
    let second = tollgate(&decide("explain", &token, &chain));
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert!(
        stdout(&second).contains(&format!("public key of `{TENANT}` from persistent cache")),
        "{}",
        stdout(&second)
    );
    assert_eq!(node.hits(TENANT), 1);

    // An issuer never fetched cannot be looked up with the node gone.
    let stranger = scalar_token(VESTING, 0x13);
    let third = tollgate(&decide(
        "authorize",
        &stranger,
        &[
            &chain[..],
            &["--format", "json", "--chain-timeout", "300ms"],
        ]
        .concat(),
    ));
    assert_eq!(third.status.code(), Some(1), "{}", stderr(&third));
    let json: serde_json::Value = serde_json::from_str(&stdout(&third)).unwrap();
    assert_eq!(json["code"], "key_unavailable");
    assert_eq!(json["issuer"], VESTING);
}

#[test]
fn key_files_are_asked_first_and_the_chain_for_everyone_else() {
    let node = TestNode::start();
    node.serve(VESTING, Reply::ok("continuous_vesting_account.json"));
    let url = node.url.clone();
    let extra = [
        "--keys",
        "fixtures/keys/akash-test-accounts.yaml",
        "--chain-node",
        url.as_str(),
        "--format",
        "json",
    ];
    let listed = token(FILE_TENANT, &test_key());
    let output = tollgate(&decide("authorize", &listed, &extra));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(node.total_hits(), 0, "a listed tenant costs no query");

    let vesting = scalar_token(VESTING, 0x13);
    let output = tollgate(&decide("authorize", &vesting, &extra));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(node.hits(VESTING), 1);

    node.serve(MODULE, Reply::ok("module_account.json"));
    let module = scalar_token(MODULE, 0x11);
    let output = tollgate(&decide("authorize", &module, &extra));
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["code"], "issuer_module_account");
}

#[test]
fn keys_fetch_writes_a_keys_file_that_authorize_reads() {
    let node = TestNode::start();
    node.serve(TENANT, Reply::ok("base_account.json"));
    node.serve(VESTING, Reply::ok("continuous_vesting_account.json"));
    let url = node.url.clone();

    let printed = tollgate(&["keys", "fetch", "--node", &url, VESTING]);
    assert_eq!(printed.status.code(), Some(0), "{}", stderr(&printed));
    let text = stdout(&printed);
    assert!(
        text.starts_with("# Issuer keys fetched by `tollgate keys fetch` on "),
        "{text}"
    );
    assert!(text.contains(&format!("from {url}")), "{text}");
    assert!(
        text.contains(&format!(
            "  - pubkey: \"{VESTING_KEY}\"\n    address: \"{VESTING}\"\n"
        )),
        "{text}"
    );

    let out = TempPath::new("tenants.yaml");
    let out_path = out.0.to_str().unwrap();
    let written = tollgate(&[
        "keys", "fetch", "--node", &url, "--out", out_path, TENANT, VESTING, TENANT,
    ]);
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    assert!(
        stderr(&written).contains("wrote 2 key(s)"),
        "{}",
        stderr(&written)
    );
    assert_eq!(node.hits(TENANT), 1, "duplicates are fetched once");

    for (issuer, byte) in [(TENANT, 0x11), (VESTING, 0x13)] {
        let token = scalar_token(issuer, byte);
        let output = tollgate(&decide("authorize", &token, &["--keys", out_path]));
        assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    }
}

#[test]
fn keys_fetch_names_every_address_without_a_usable_key_and_writes_nothing() {
    let node = TestNode::start();
    node.serve(TENANT, Reply::ok("base_account.json"));
    node.serve(NEVER_SIGNED, Reply::ok("base_account_no_pub_key.json"));
    node.serve(MODULE, Reply::ok("module_account.json"));
    let url = node.url.clone();
    let out = TempPath::new("tenants.yaml");
    let out_path = out.0.to_str().unwrap();
    let cosmos = "cosmos1l3e9pgs3mmwuwrh95fecme0s0qtn2880f2jmfe";
    let output = tollgate(&[
        "keys",
        "fetch",
        "--node",
        &url,
        "--out",
        out_path,
        TENANT,
        NEVER_SIGNED,
        MODULE,
        cosmos,
    ]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("3 of 4 address(es) have no usable key, so no keys file was written"),
        "{err}"
    );
    for needle in [
        format!("account `{NEVER_SIGNED}` (BaseAccount) has no public key"),
        format!("account `{MODULE}` is the module account `distribution`"),
        format!("no public key is known for issuer `{cosmos}`"),
        "tollgate::keys::issuer_no_public_key".to_owned(),
        "tollgate::keys::issuer_module_account".to_owned(),
    ] {
        assert!(err.contains(&needle), "{needle}\n{err}");
    }
    assert!(!out.0.exists());
    assert_eq!(node.hits(cosmos), 0);
}

#[test]
fn chain_options_are_checked() {
    let token = scalar_token(TENANT, 0x11);
    let output = tollgate(&decide("authorize", &token, &["--key-cache", "x.redb"]));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--chain-node"),
        "{}",
        stderr(&output)
    );

    let output = tollgate(&decide(
        "authorize",
        &token,
        &["--chain-node", "ftp://node"],
    ));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("chain node URL `ftp://node` is invalid"),
        "{}",
        stderr(&output)
    );

    let output = tollgate(&["keys", "fetch", TENANT]);
    assert_eq!(output.status.code(), Some(2));
}
