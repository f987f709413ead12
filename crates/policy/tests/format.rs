#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]
//! `tollgate fmt`: parse → format → parse is the identity on the syntax tree (spans ignored), and
//! formatting is idempotent.

use proptest::prelude::*;
use tollgate_policy::{
    BearerPrefix, Ident, PolicyAst, Span, Statement, StatementKind, format_source, parse_source,
    print_statement,
};

fn name() -> impl Strategy<Value = Ident> {
    "[A-Za-z_][A-Za-z0-9_.-]{0,10}".prop_map(|s| Ident::new(s, Span::default()))
}

fn names() -> impl Strategy<Value = Vec<Ident>> {
    prop::collection::vec(name(), 1..4)
}

/// A valid route template: literals and `{variables}`, no dot segments, each variable once.
fn template() -> impl Strategy<Value = Ident> {
    prop::collection::vec(
        prop_oneof![
            "[A-Za-z0-9._~-]{1,6}",
            "[a-z_][a-z0-9_]{0,5}".prop_map(|v| format!("{{{v}}}")),
            Just("{dseq}".to_owned()),
        ],
        0..5,
    )
    .prop_map(|segments| {
        let mut seen: Vec<String> = Vec::new();
        let mut kept = Vec::new();
        for s in segments {
            if s == "." || s == ".." || (s.starts_with('{') && seen.contains(&s)) {
                continue;
            }
            seen.push(s.clone());
            kept.push(s);
        }
        Ident::new(format!("/{}", kept.join("/")), Span::default())
    })
}

fn method() -> impl Strategy<Value = Ident> {
    prop_oneof![
        prop::sample::select(&["GET", "POST", "PUT", "*", "M-SEARCH"][..]).prop_map(str::to_owned),
        "[A-Z][A-Z0-9_-]{0,7}",
    ]
    .prop_map(|m| Ident::new(m, Span::default()))
}

fn statement() -> impl Strategy<Value = StatementKind> {
    prop_oneof![
        name().prop_map(StatementKind::Policy),
        name().prop_map(StatementKind::Family),
        names().prop_map(StatementKind::Algorithms),
        name().prop_map(StatementKind::Claims),
        (0u64..100_000).prop_map(StatementKind::Leeway),
        prop::sample::select(&[BearerPrefix::Required, BearerPrefix::Optional][..]).prop_map(
            |prefix| StatementKind::Bearer {
                prefix,
                value: Span::default()
            }
        ),
        names().prop_map(StatementKind::Scopes),
        names().prop_map(StatementKind::Permissions),
        (name(), names()).prop_map(|(name, members)| StatementKind::Set { name, members }),
        names().prop_map(StatementKind::Anonymous),
        (name(), names()).prop_map(|(access, unlocks)| StatementKind::Access { access, unlocks }),
        (
            name(),
            prop::option::of(name()),
            prop::option::of(name()),
            any::<bool>()
        )
            .prop_map(|(name, requires, on, public)| StatementKind::Operation {
                name,
                requires,
                on,
                public
            }),
        (name(), name()).prop_map(|(name, target)| StatementKind::Alias { name, target }),
        (method(), template(), name()).prop_map(|(method, template, operation)| {
            StatementKind::Route {
                method,
                template,
                operation,
            }
        }),
        names().prop_map(StatementKind::Unrouted),
    ]
}

/// A statement as a person might write it: odd spacing, tabs, a trailing comment.
fn messy(kind: &StatementKind, indent: usize, comment: Option<&str>) -> String {
    let mut line = " ".repeat(indent);
    line.push_str(&print_statement(kind).replace(
        ' ',
        if indent.is_multiple_of(2) {
            "  "
        } else {
            " \t"
        },
    ));
    if let Some(c) = comment {
        line.push_str(&format!("   # {c}"));
    }
    line
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn print_then_parse_is_identity(kinds in prop::collection::vec(statement(), 0..12)) {
        let ast = PolicyAst {
            statements: kinds.into_iter().map(|kind| Statement { kind, span: Span::default() }).collect(),
        };
        let text: String = ast.statements.iter().map(|s| print_statement(&s.kind) + "\n").collect();
        let parsed = parse_source(&text, "gen.policy").unwrap();
        prop_assert_eq!(parsed.without_spans(), ast);
    }

    #[test]
    fn format_preserves_the_tree_and_is_idempotent(
        lines in prop::collection::vec(
            (statement(), 0usize..4, prop::option::of("[a-z ]{0,12}"), 0usize..3),
            0..12,
        )
    ) {
        let mut source = String::new();
        for (kind, indent, comment, blanks) in &lines {
            source.push_str(&"\n".repeat(*blanks));
            if *blanks == 2 {
                source.push_str("# a comment line\n");
            }
            source.push_str(&messy(kind, *indent, comment.as_deref()));
            source.push('\n');
        }
        let original = parse_source(&source, "gen.policy").unwrap();
        let once = format_source(&source, "gen.policy").unwrap();
        let reparsed = parse_source(&once, "gen.policy").unwrap();
        prop_assert_eq!(reparsed.without_spans(), original.without_spans());
        let twice = format_source(&once, "gen.policy").unwrap();
        prop_assert_eq!(twice, once);
    }
}

#[test]
fn format_canonicalises_spacing_keywords_and_comments() {
    let source = "\n\n  policy   x   # the name\n\n\n\nscope a\tb\nleeway 2m\n# tail\n\n";
    let out = format_source(source, "t.policy").unwrap();
    assert_eq!(
        out,
        "policy x  # the name\n\nscopes a b\nleeway 120s\n# tail\n"
    );
}

#[test]
fn format_canonicalises_routes() {
    let source =
        "route\tGET   /lease/{dseq}/{gseq}/{oseq}/logs\t->  lease.logs#c\nunrouted  a   b\n";
    let out = format_source(source, "t.policy").unwrap();
    assert_eq!(
        out,
        "route GET /lease/{dseq}/{gseq}/{oseq}/logs -> lease.logs  #c\nunrouted a b\n"
    );
}

#[test]
fn format_refuses_a_file_with_syntax_errors() {
    let err = format_source("policy x\noperation\n", "t.policy").unwrap_err();
    let first = err.first().unwrap();
    assert_eq!(first.code().as_str(), "policy::syntax");
    assert_eq!(first.line_col().0, 2);
}
