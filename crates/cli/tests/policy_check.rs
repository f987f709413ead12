#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]
//! `policy-check` and `tollgate fmt` over the shipped policies and the broken fixtures.

use std::path::PathBuf;

use clap::Parser as _;
use tollgate_cli::policy_check::{Args, run_fmt_with, run_with};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> (u8, String, String) {
    let mut argv = vec!["policy-check".to_owned()];
    argv.extend(args.iter().map(|a| (*a).to_owned()));
    let args = Args::try_parse_from(argv).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_with(&args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn path(rel: &str) -> String {
    repo().join(rel).display().to_string()
}

#[test]
fn shipped_policies_are_clean_even_with_deny_warnings() {
    let (code, out, _) = run(&["--deny-warnings", &path("policies")]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.ends_with("4 files checked: 0 errors, 0 warnings\n"),
        "{out}"
    );
}

#[test]
fn errors_exit_1_and_warnings_only_with_deny_warnings() {
    let (code, out, _) = run(&[&path("fixtures/policies/duplicate_scope.policy")]);
    assert_eq!(code, 1);
    assert!(out.contains("policy::duplicate_scope"));
    let warn = path("fixtures/policies/unused_scope.policy");
    assert_eq!(run(&[&warn]).0, 0);
    assert_eq!(run(&["--deny-warnings", &warn]).0, 1);
}

#[test]
fn missing_path_is_an_io_error() {
    let (code, out, err) = run(&[&path("fixtures/policies/no-such.policy")]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn directories_are_searched_and_every_fixture_reported() {
    let (code, out, _) = run(&["--format", "json", &path("fixtures/policies")]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["files"].as_array().unwrap().len(), 38);
    let d = &json["diagnostics"][0];
    for key in [
        "code", "severity", "message", "help", "file", "line", "column", "span", "snippet",
    ] {
        assert!(d.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn sarif_lists_every_rule_and_locates_results() {
    let (_, out, _) = run(&[
        "--format",
        "sarif",
        &path("fixtures/policies/unknown_scope.policy"),
    ]);
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif"));
    let run = &sarif["runs"][0];
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        tollgate_policy::LintCode::ALL.len()
    );
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "policy::unknown_scope");
    assert_eq!(result["level"], "error");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 7);
    assert_eq!(region["startColumn"], 19);
    assert_eq!(region["endColumn"], 23);
}

#[test]
fn github_format_emits_workflow_commands() {
    let (_, out, _) = run(&[
        "--format",
        "github",
        &path("fixtures/policies/large_leeway.policy"),
    ]);
    let line = out.lines().next().unwrap();
    assert!(line.starts_with("::warning file="), "{line}");
    assert!(line.contains(",line=6,col=1,"), "{line}");
    assert!(
        line.contains("title=policy%3A%3Alarge_leeway::a leeway of 3600s"),
        "{line}"
    );
}

#[test]
fn fmt_check_accepts_canonical_files_and_flags_others() {
    let files: Vec<PathBuf> = ["akash-provider", "akash-provider-compat", "forest", "lotus"]
        .iter()
        .map(|n| repo().join(format!("policies/{n}.policy")))
        .collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(run_fmt_with(true, &files, &mut out, &mut err), 0);
    assert!(out.is_empty());

    let dir = std::env::temp_dir().join(format!("tollgate-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let messy = dir.join("messy.policy");
    std::fs::write(&messy, "policy   x\n\n\nscope a\n").unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(
        run_fmt_with(true, std::slice::from_ref(&messy), &mut out, &mut err),
        1
    );
    assert!(
        String::from_utf8(err)
            .unwrap()
            .contains("not in canonical form")
    );
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(
        run_fmt_with(false, std::slice::from_ref(&messy), &mut out, &mut err),
        0
    );
    assert_eq!(String::from_utf8(out).unwrap(), "policy x\n\nscope a\n");
    std::fs::write(&messy, "policy\n").unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(
        run_fmt_with(false, std::slice::from_ref(&messy), &mut out, &mut err),
        2
    );
    assert!(String::from_utf8(err).unwrap().contains("policy::syntax"));
    std::fs::remove_dir_all(&dir).unwrap();
}
