//! The `tollgate` binary's human-facing output, pinned with insta, and its round trips.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use std::path::PathBuf;
use std::process::{Command, Output};

const PROVIDER: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tollgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap()
}

fn vector(index: usize) -> String {
    let text = std::fs::read_to_string(root().join("fixtures/akash/derived-vectors.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["vectors"][index]["token"].as_str().unwrap().to_owned()
}

/// stdout, stderr and the exit code, as one snapshot.
fn transcript(output: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn akash_args<'a>(op: &'a str, token: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "--policy",
        "policies/akash-provider.policy",
        "--keys",
        "fixtures/keys/akash-test-accounts.yaml",
        "--provider",
        PROVIDER,
        "--op",
        op,
        "--now",
        "1900000000",
        "--token",
        token,
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn explain_traces_every_check_of_an_allow() {
    let token = vector(7);
    let mut args = vec!["explain"];
    args.extend(akash_args("lease.logs", &token, &["--resource", "42/1/1"]));
    let output = tollgate(&args);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn explain_stops_at_the_first_failed_check() {
    let token = vector(4); // ES256KADR36, scoped, expired 2025-10-14
    let mut args = vec!["explain"];
    args.extend(akash_args("lease.logs", &token, &["--resource", "42/1/1"]));
    let output = tollgate(&args);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn authorize_json_reports_a_high_s_signature() {
    let token = vector(9);
    let mut args = vec!["authorize", "--format", "json"];
    args.extend(akash_args("lease.logs", &token, &["--resource", "42/1/1"]));
    let output = tollgate(&args);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn inspect_lists_claim_problems_and_never_says_valid_without_a_key() {
    let token = vector(1); // minimal payload: no iss, no times, empty version and access
    let output = tollgate(&["token", "inspect", &token, "--now", "1900000000"]);
    assert_eq!(output.status.code(), Some(1));
    let text = transcript(&output);
    assert!(!text.contains("signature  valid"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_broken_policy_is_a_diagnostic_with_exit_2() {
    // A path relative to the repository root, so the rendering (which wraps long lines) does
    // not depend on where the repository is checked out.
    let broken = "target/tollgate-test-broken.policy";
    let text = "policy broken\nfamily akash\nalgorithms ES256K none\nclaims strict\nleeway 0s\n";
    std::fs::write(root().join(broken), text).unwrap();
    let output = tollgate(&["authorize", "--policy", broken, "--op", "lease.logs"]);
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_keys_file_whose_address_does_not_match_its_key_is_a_diagnostic() {
    let keys = "target/tollgate-test-bad-keys.yaml";
    std::fs::write(
        root().join(keys),
        "accounts:\n  - pubkey: \"03e1fde5cc17f56501ed53d87718df76c135b9a6401dceb53d198111a1eaf85f76\"\n    address: \"akash1qgpqyqszqgpqyqszqgpqyqszqgpqyqszwv2uls\"\n",
    )
    .unwrap();
    let token = vector(7);
    let output = tollgate(&[
        "authorize",
        "--policy",
        "policies/akash-provider.policy",
        "--keys",
        keys,
        "--op",
        "provider.status",
        "--token",
        &token,
    ]);
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stderr));
}

#[test]
fn minted_akash_tokens_pass_authorize() {
    for alg in ["ES256K", "ES256KADR36"] {
        let minted = tollgate(&[
            "token",
            "mint",
            "--alg",
            alg,
            "--mnemonic-file",
            "fixtures/akash/test-mnemonic.txt",
            "--access",
            "granular",
            "--provider",
            PROVIDER,
            "--deployment",
            "42/1/0",
            "--scope",
            "logs,shell",
            "--now",
            "1900000000",
            "--exp",
            "15m",
        ]);
        assert_eq!(minted.status.code(), Some(0), "{}", transcript(&minted));
        let token = String::from_utf8(minted.stdout).unwrap();
        let token = token.trim();
        let mut args = vec!["authorize"];
        args.extend(akash_args("lease.shell", token, &["--resource", "42/1/7"]));
        assert_eq!(
            tollgate(&args).status.code(),
            Some(0),
            "{alg}: {}",
            transcript(&tollgate(&args))
        );
        let mut args = vec!["authorize"];
        args.extend(akash_args("lease.status", token, &["--resource", "42/1/7"]));
        assert_eq!(
            tollgate(&args).status.code(),
            Some(1),
            "{alg}: status scope not granted"
        );
    }
}

#[test]
fn minted_filecoin_tokens_expand_permissions_like_the_nodes() {
    for (perm, allowed, denied) in [
        ("read", "Filecoin.ChainHead", "Filecoin.WalletNew"),
        ("write", "Filecoin.WalletNew", "Filecoin.WalletSign"),
        ("sign", "Filecoin.WalletSign", "Filecoin.AuthNew"),
        ("admin", "Filecoin.AuthNew", "Filecoin.NoSuchMethod"),
    ] {
        let minted = tollgate(&[
            "token",
            "mint",
            "--alg",
            "HS256",
            "--secret",
            "fixtures/keys/lotus-shed-jwt.hex",
            "--perm",
            perm,
            "--now",
            "1900000000",
            "--exp",
            "1h",
        ]);
        assert_eq!(minted.status.code(), Some(0), "{}", transcript(&minted));
        let token = String::from_utf8(minted.stdout).unwrap();
        for (op, code) in [(allowed, Some(0)), (denied, Some(1))] {
            let output = tollgate(&[
                "authorize",
                "--policy",
                "policies/forest.policy",
                "--secret",
                "fixtures/keys/forest-keystore.json",
                "--op",
                op,
                "--now",
                "1900000000",
                "--token",
                token.trim(),
            ]);
            assert_eq!(
                output.status.code(),
                code,
                "{perm} {op}: {}",
                transcript(&output)
            );
        }
    }
}

#[test]
fn anonymous_requests_get_the_policy_s_anonymous_grant() {
    let output = tollgate(&[
        "authorize",
        "--policy",
        "policies/lotus.policy",
        "--secret",
        "fixtures/keys/MF2XI2BNNJ3XILLQOJUXMYLUMU",
        "--op",
        "Filecoin.ChainHead",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(transcript(&output));
}
