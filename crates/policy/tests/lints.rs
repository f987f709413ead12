#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]
//! Every lint, from a deliberately broken file under `fixtures/policies/`: snapshots of the human
//! and JSON output, and assertions on the exact text each diagnostic underlines.

use std::collections::BTreeSet;
use std::path::PathBuf;

use tollgate_policy::lint::{render_human, render_json};
use tollgate_policy::{LintCode, Policy, Severity, check};

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/policies")
}

fn fixture(name: &str) -> (String, String) {
    let path = fixtures_dir().join(format!("{name}.policy"));
    let source = std::fs::read_to_string(&path).unwrap();
    (format!("fixtures/policies/{name}.policy"), source)
}

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "policy"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn snapshots_of_every_lint_fixture() {
    for name in fixture_names() {
        let (origin, source) = fixture(&name);
        let report = check(&source, &origin);
        let files = vec![origin];
        insta::assert_snapshot!(
            format!("human__{name}"),
            render_human(&files, &report.diagnostics)
        );
        insta::assert_json_snapshot!(
            format!("json__{name}"),
            render_json(&files, &report.diagnostics)
        );
    }
}

#[test]
fn every_lint_code_has_a_fixture_that_triggers_it() {
    let mut seen = BTreeSet::new();
    for name in fixture_names() {
        let (origin, source) = fixture(&name);
        let report = check(&source, &origin);
        let code = format!("policy::{name}");
        assert!(
            report.diagnostics.iter().any(|d| d.code().as_str() == code),
            "{name}.policy does not trigger {code}"
        );
        for d in &report.diagnostics {
            seen.insert(d.code());
        }
    }
    for code in LintCode::ALL {
        assert!(seen.contains(code), "no fixture triggers {code}");
    }
}

/// (fixture, code, the exact text underlined, message, help)
const UNDERLINES: &[(&str, &str, &str, &str, Option<&str>)] = &[
    (
        "syntax",
        "policy::syntax",
        "(dseq)",
        "unexpected `(dseq)`: expected end of line or `public`",
        None,
    ),
    (
        "unknown_statement",
        "policy::unknown_statement",
        "leway",
        "unknown statement `leway`",
        Some("did you mean `leeway`?"),
    ),
    (
        "invalid_leeway",
        "policy::invalid_leeway",
        "5d",
        "unknown duration unit `d`",
        None,
    ),
    (
        "missing_statement",
        "policy::missing_statement",
        "",
        "missing `claims` statement",
        Some("add a line such as `claims strict`"),
    ),
    (
        "duplicate_statement",
        "policy::duplicate_statement",
        "family akash",
        "`family` appears more than once",
        Some("keep one `family` statement; the first is on line 3"),
    ),
    (
        "unknown_family",
        "policy::unknown_family",
        "akash-provider",
        "unknown token family `akash-provider`",
        Some("the family is `akash` or `filecoin`"),
    ),
    (
        "unknown_algorithm",
        "policy::unknown_algorithm",
        "ES256KADR63",
        "unknown algorithm `ES256KADR63`",
        Some("did you mean `ES256KADR36`?"),
    ),
    (
        "algorithm_none",
        "policy::algorithm_none",
        "none",
        "the algorithm list names `none`",
        None,
    ),
    (
        "mixed_algorithm_families",
        "policy::mixed_algorithm_families",
        "ES256K HS256",
        "the algorithm list mixes HMAC and EC algorithms",
        None,
    ),
    (
        "algorithm_family_mismatch",
        "policy::algorithm_family_mismatch",
        "ES256K",
        "`ES256K` is not used by filecoin tokens",
        Some("filecoin tokens use `HS256`"),
    ),
    (
        "unknown_claims",
        "policy::unknown_claims",
        "lotus",
        "unknown claims behaviour `lotus` for akash policies",
        None,
    ),
    (
        "wrong_family",
        "policy::wrong_family",
        "lease",
        "`on` does not apply to filecoin policies",
        None,
    ),
    (
        "bearer_not_applicable",
        "policy::bearer_not_applicable",
        "optional",
        "`bearer optional` does not apply to `claims lotus` policies",
        Some(
            "`bearer optional` exists for tokens sent by clients of Forest up to v0.33.7, which \
             accepted a header without the `Bearer ` prefix; Akash and Lotus always require the \
             prefix: remove the line or write `bearer required`",
        ),
    ),
    (
        "unknown_scope",
        "policy::unknown_scope",
        "exec",
        "unknown scope `exec`",
        None,
    ),
    (
        "duplicate_scope",
        "policy::duplicate_scope",
        "logs",
        "scope `logs` is declared twice",
        Some("remove it; it is first declared on line 7"),
    ),
    (
        "duplicate_permission",
        "policy::duplicate_permission",
        "read",
        "permission `read` is declared twice",
        None,
    ),
    (
        "duplicate_set",
        "policy::duplicate_set",
        "write",
        "permission set `write` is defined twice",
        None,
    ),
    (
        "duplicate_operation",
        "policy::duplicate_operation",
        "lease.logs",
        "operation `lease.logs` is declared twice",
        Some("remove one; the first is on line 10"),
    ),
    (
        "duplicate_access",
        "policy::duplicate_access",
        "full",
        "access type `full` is configured twice",
        None,
    ),
    (
        "undeclared_scope",
        "policy::undeclared_scope",
        "shel",
        "scope `shel` is not declared",
        Some("did you mean `shell`?"),
    ),
    (
        "undeclared_permission",
        "policy::undeclared_permission",
        "sing",
        "permission `sing` is not declared",
        None,
    ),
    (
        "undeclared_operation",
        "policy::undeclared_operation",
        "Filecoin.ChainHeed",
        "alias `eth_chainHead` names undeclared operation `Filecoin.ChainHeed`",
        Some("did you mean `Filecoin.ChainHead`?"),
    ),
    (
        "unknown_access",
        "policy::unknown_access",
        "scope",
        "unknown access type `scope`",
        Some("did you mean `scoped`?"),
    ),
    (
        "invalid_unlock",
        "policy::invalid_unlock",
        "listed-scope",
        "`scoped` access cannot unlock `listed-scope`",
        Some("did you mean `listed-scopes`?"),
    ),
    (
        "unknown_resource",
        "policy::unknown_resource",
        "leases",
        "unknown resource `leases`",
        Some("did you mean `lease`?"),
    ),
    (
        "public_with_requirement",
        "policy::public_with_requirement",
        "logs",
        "public operation `provider.version` also requires a grant or a resource",
        None,
    ),
    (
        "route_unknown_operation",
        "policy::route_unknown_operation",
        "lease.log",
        "route names undeclared operation `lease.log`",
        Some("did you mean `lease.logs`?"),
    ),
    (
        "route_overlap",
        "policy::route_overlap",
        "GET /lease/{dseq}/{gseq}/{oseq}/logs",
        "route `GET /lease/{dseq}/{gseq}/{oseq}/logs` can match the same requests as `* /lease/{dseq}/{gseq}/{oseq}/{action}`",
        Some(
            "a request takes the first route that matches (line 15); make a literal segment or the method differ, or remove one route",
        ),
    ),
    (
        "route_resource_mismatch",
        "policy::route_resource_mismatch",
        "{dseq}",
        "`{dseq}` is not part of the resource of `provider.version`, which acts on no resource",
        None,
    ),
    (
        "unrouted_has_route",
        "policy::unrouted_has_route",
        "lease.shell",
        "`lease.shell` is marked unrouted but has a route",
        Some("remove `lease.shell` from the `unrouted` line, or remove the route on line 16"),
    ),
    (
        "duplicate_item",
        "policy::duplicate_item",
        "ES256K",
        "algorithm `ES256K` is listed twice",
        None,
    ),
    (
        "unused_scope",
        "policy::unused_scope",
        "events",
        "scope `events` is required by no operation",
        None,
    ),
    (
        "unused_permission",
        "policy::unused_permission",
        "sign",
        "permission `sign` is required by no operation",
        None,
    ),
    (
        "unreachable_operation",
        "policy::unreachable_operation",
        "lease.logs",
        "no token can perform `lease.logs`",
        None,
    ),
    (
        "anonymous_above_read",
        "policy::anonymous_above_read",
        "write",
        "anonymous requests are granted `write`",
        None,
    ),
    (
        "large_leeway",
        "policy::large_leeway",
        "leeway 1h",
        "a leeway of 3600s accepts tokens long after they expire",
        None,
    ),
    (
        "confusable_name",
        "policy::confusable_name",
        "provider.versi0n",
        "operation `provider.versi0n` looks like `provider.version`",
        None,
    ),
    (
        "operation_without_route",
        "policy::operation_without_route",
        "lease.status",
        "operation `lease.status` has no route",
        Some(
            "add a `route METHOD /path -> lease.status` line, or `unrouted lease.status` if it has no HTTP route",
        ),
    ),
];

#[test]
fn each_lint_underlines_the_offending_text() {
    for (name, code, snippet, message, help) in UNDERLINES {
        let (origin, source) = fixture(name);
        let report = check(&source, &origin);
        let d = report
            .diagnostics
            .iter()
            .find(|d| d.code().as_str() == *code)
            .unwrap_or_else(|| panic!("{name}: no {code}"));
        // Read the underlined text back from the span, not from the stored snippet.
        let underlined = d.span().text(&source).unwrap();
        assert_eq!(underlined, *snippet, "{name}: underlined text");
        assert_eq!(d.snippet(), *snippet);
        assert_eq!(d.message(), *message, "{name}: message");
        if let Some(help) = help {
            assert_eq!(d.help_text(), Some(*help), "{name}: help");
        } else {
            assert!(
                d.help_text().is_some(),
                "{name}: every diagnostic has a help line"
            );
        }
    }
    assert_eq!(UNDERLINES.len(), LintCode::ALL.len());
}

#[test]
fn compile_fails_only_on_errors() {
    for name in fixture_names() {
        let (origin, source) = fixture(&name);
        let report = check(&source, &origin);
        let has_error = report
            .diagnostics
            .iter()
            .any(|d| d.severity() == Severity::Error);
        let compiled = Policy::compile(&source, &origin);
        assert_eq!(compiled.is_err(), has_error, "{name}");
        match compiled {
            Ok(policy) => assert_eq!(policy.warnings().len(), report.diagnostics.len()),
            Err(errors) => {
                assert_eq!(errors.len(), report.diagnostics.len());
                assert!(errors.to_string().starts_with(&origin), "{errors}");
            }
        }
    }
}

#[test]
fn diagnostics_are_sorted_by_position() {
    for name in fixture_names() {
        let (origin, source) = fixture(&name);
        let report = check(&source, &origin);
        let offsets: Vec<usize> = report.diagnostics.iter().map(|d| d.span().offset).collect();
        let mut sorted = offsets.clone();
        sorted.sort_unstable();
        assert_eq!(offsets, sorted, "{name}");
    }
}

#[test]
fn syntax_errors_are_reported_for_every_bad_line() {
    let source = "policy x\nfamily\nalgorithms ES256K\nclaims strict strict\nleeway 0s\nscope =\n";
    let report = check(source, "t.policy");
    let lines: Vec<usize> = report.diagnostics.iter().map(|d| d.line_col().0).collect();
    assert_eq!(lines, vec![2, 4, 6]);
    assert!(
        report
            .diagnostics
            .iter()
            .all(|d| d.code() == LintCode::Syntax)
    );
}

#[test]
fn the_spec_lint_table_lists_every_code_with_its_anchor_and_fixture() {
    let spec = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/policy-language.md"),
    )
    .unwrap();
    for code in LintCode::ALL {
        let name = code.as_str();
        let anchor = name.replace("::", "").replace('_', "-");
        let stem = name.trim_start_matches("policy::");
        let row = format!(
            "| <a id=\"{anchor}\"></a>`{name}` | {} | {} | `fixtures/policies/{stem}.policy` |",
            code.severity().as_str(),
            code.summary()
        );
        assert!(
            spec.contains(&row),
            "specs/policy-language.md lacks the row:\n{row}"
        );
    }
}
