#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]
//! The `bearer required|optional` statement: its default, where `optional` is valid, and how a
//! bad, misplaced or repeated statement is reported.

use tollgate_policy::{
    BearerPrefix, LintCode, Policy, PolicyDiagnostic, StatementKind, check, format_source,
    parse_source,
};

const AKASH: &str = "policy a\nfamily akash\nalgorithms ES256K ES256KADR36\nclaims strict\n\
                     leeway 0s\nscopes logs\naccess full unlocks every-operation\n\
                     operation lease.logs requires logs on lease\n";
const AKASH_COMPAT: &str = "policy a\nfamily akash\nalgorithms ES256K\n\
                            claims upstream-compatible\nleeway 0s\nscopes logs\n\
                            access full unlocks every-operation\n\
                            operation lease.logs requires logs on lease\n";
const FOREST: &str = "policy f\nfamily filecoin\nalgorithms HS256\nclaims forest\nleeway 60s\n\
                      permission read\nanonymous read\noperation Filecoin.ChainHead requires read\n";
const LOTUS: &str = "policy l\nfamily filecoin\nalgorithms HS256\nclaims lotus\nleeway 0s\n\
                     permission read\nanonymous read\noperation Filecoin.ChainHead requires read\n";

fn with(base: &str, line: &str) -> String {
    format!("{base}{line}\n")
}

fn only_error(source: &str) -> PolicyDiagnostic {
    let errors = Policy::compile(source, "t.policy").unwrap_err();
    let all: Vec<_> = errors.into_vec();
    assert_eq!(all.len(), 1, "{all:?}");
    all.into_iter().next().unwrap()
}

#[test]
fn the_prefix_is_required_when_the_statement_is_absent() {
    for base in [AKASH, AKASH_COMPAT, FOREST, LOTUS] {
        let policy = Policy::compile(base, "t.policy").unwrap();
        assert_eq!(policy.bearer_prefix(), BearerPrefix::Required, "{base}");
    }
}

#[test]
fn shipped_policies_stay_strict() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../policies");
    for name in ["akash-provider", "akash-provider-compat", "forest", "lotus"] {
        let source = std::fs::read_to_string(dir.join(format!("{name}.policy"))).unwrap();
        let policy = Policy::compile(&source, name).unwrap();
        assert_eq!(policy.bearer_prefix(), BearerPrefix::Required, "{name}");
    }
}

#[test]
fn bearer_required_is_accepted_in_every_family() {
    for base in [AKASH, AKASH_COMPAT, FOREST, LOTUS] {
        let source = with(base, "bearer required");
        let report = check(&source, "t.policy");
        assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
        let policy = Policy::compile(&source, "t.policy").unwrap();
        assert_eq!(policy.bearer_prefix(), BearerPrefix::Required);
    }
}

#[test]
fn bearer_optional_compiles_with_claims_forest() {
    let source = with(FOREST, "bearer optional");
    assert!(check(&source, "t.policy").diagnostics.is_empty());
    let policy = Policy::compile(&source, "t.policy").unwrap();
    assert_eq!(policy.bearer_prefix(), BearerPrefix::Optional);
    // Statement order does not matter: before the `claims` line works too.
    let early = FOREST.replace("leeway 60s\n", "leeway 60s\nbearer optional\n");
    assert_eq!(
        Policy::compile(&early, "t.policy").unwrap().bearer_prefix(),
        BearerPrefix::Optional
    );
}

#[test]
fn bearer_optional_is_an_error_outside_claims_forest() {
    for (base, claims) in [
        (AKASH, "strict"),
        (AKASH_COMPAT, "upstream-compatible"),
        (LOTUS, "lotus"),
    ] {
        let source = with(base, "bearer   optional  # legacy");
        let d = only_error(&source);
        assert_eq!(d.code(), LintCode::BearerNotApplicable);
        assert_eq!(d.code().as_str(), "policy::bearer_not_applicable");
        assert_eq!(d.span().text(&source), Some("optional"));
        assert_eq!(d.snippet(), "optional");
        assert_eq!(d.line_col(), (source.lines().count(), 10));
        assert_eq!(
            d.message(),
            format!("`bearer optional` does not apply to `claims {claims}` policies")
        );
        assert_eq!(d.label_text(), "only for `claims forest`");
        let help = d.help_text().unwrap();
        assert!(help.contains("Forest up to v0.33.7"), "{help}");
        assert!(
            help.contains("Akash and Lotus always require the prefix"),
            "{help}"
        );
    }
}

#[test]
fn bearer_optional_is_not_reported_again_when_claims_is_already_wrong() {
    // `claims forest` in an akash policy is `unknown_claims`; the bearer line adds nothing.
    let source = with(
        &AKASH.replace("claims strict", "claims forest"),
        "bearer optional",
    );
    let d = only_error(&source);
    assert_eq!(d.code(), LintCode::UnknownClaims);
}

#[test]
fn a_repeated_bearer_statement_is_a_duplicate_statement() {
    let source = with(&with(FOREST, "bearer optional"), "bearer required");
    let d = only_error(&source);
    assert_eq!(d.code(), LintCode::DuplicateStatement);
    assert_eq!(d.snippet(), "bearer required");
    assert_eq!(d.message(), "`bearer` appears more than once");
    assert_eq!(
        d.help_text(),
        Some("keep one `bearer` statement; the first is on line 9")
    );
}

#[test]
fn an_unknown_value_is_a_syntax_error_on_the_value() {
    for (value, help) in [
        ("Required", "did you mean `required`?"),
        ("optinal", "did you mean `optional`?"),
        (
            "yes",
            "the statement reads `bearer required|optional`: whether the `Authorization` header \
             must start with `Bearer `",
        ),
    ] {
        let source = with(FOREST, &format!("bearer {value}  # comment"));
        let d = only_error(&source);
        assert_eq!(d.code(), LintCode::Syntax);
        assert_eq!(d.snippet(), value);
        assert_eq!(d.line_col(), (9, 8));
        assert_eq!(
            d.message(),
            format!("unknown bearer value `{value}`: expected `required` or `optional`")
        );
        assert_eq!(d.label_text(), "not `required` or `optional`");
        assert_eq!(d.help_text(), Some(help));
    }
}

#[test]
fn a_missing_or_extra_value_is_a_syntax_error() {
    let d = only_error(&with(FOREST, "bearer"));
    assert_eq!(d.code(), LintCode::Syntax);
    assert_eq!(d.snippet(), "r");
    assert_eq!(d.message(), "unexpected end of line: expected a name");
    assert_eq!(
        d.help_text(),
        Some("the statement reads `bearer required|optional`")
    );

    let d = only_error(&with(FOREST, "bearer optional optional"));
    assert_eq!(d.code(), LintCode::Syntax);
    assert_eq!(d.snippet(), "optional");
    assert_eq!(d.line_col(), (9, 17));
}

#[test]
fn a_misspelt_keyword_suggests_bearer() {
    let d = only_error(&with(FOREST, "baerer optional"));
    assert_eq!(d.code(), LintCode::UnknownStatement);
    assert_eq!(d.help_text(), Some("did you mean `bearer`?"));
}

#[test]
fn the_statement_parses_and_formats_canonically() {
    let ast = parse_source("bearer\toptional   # legacy\nbearer required\n", "t.policy").unwrap();
    let kinds: Vec<&StatementKind> = ast.statements.iter().map(|s| &s.kind).collect();
    assert!(matches!(
        kinds.as_slice(),
        [
            StatementKind::Bearer {
                prefix: BearerPrefix::Optional,
                ..
            },
            StatementKind::Bearer {
                prefix: BearerPrefix::Required,
                ..
            }
        ]
    ));
    let out = format_source("  bearer\toptional   # legacy\n", "t.policy").unwrap();
    assert_eq!(out, "bearer optional  # legacy\n");
}

#[test]
fn bearer_prefix_spellings() {
    assert_eq!(
        BearerPrefix::parse("required"),
        Some(BearerPrefix::Required)
    );
    assert_eq!(
        BearerPrefix::parse("optional"),
        Some(BearerPrefix::Optional)
    );
    assert_eq!(BearerPrefix::parse("Optional"), None);
    assert_eq!(BearerPrefix::Required.as_str(), "required");
    assert_eq!(BearerPrefix::Optional.as_str(), "optional");
}
