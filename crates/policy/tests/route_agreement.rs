#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]
//! The compiled route matcher and the reference matcher over the syntax tree agree on random
//! method/path pairs built from the Akash table's pieces plus junk, on the shipped Akash policies
//! and on random route tables.

use std::path::PathBuf;
use std::sync::LazyLock;

use proptest::prelude::*;
use tollgate_policy::{Policy, PolicyAst, RouteMiss, parse_source, reference};

fn shipped(name: &str) -> (Policy, PolicyAst) {
    let origin = format!("policies/{name}.policy");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(&origin);
    let source = std::fs::read_to_string(path).unwrap();
    (
        Policy::compile(&source, &origin).unwrap(),
        parse_source(&source, &origin).unwrap(),
    )
}

static SHIPPED: LazyLock<[(Policy, PolicyAst); 2]> =
    LazyLock::new(|| [shipped("akash-provider"), shipped("akash-provider-compat")]);

const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "HEAD", "DELETE", "CONNECT", "get", "Get", "*", "",
];

const WORDS: &[&str] = &[
    "lease",
    "deployment",
    "manifest",
    "status",
    "logs",
    "kubeevents",
    "shell",
    "service",
    "web",
    "attestation",
    "quote",
    "version",
    "address",
    "hostname",
    "endpoint",
    "migrate",
    "Status",
    "LEASE",
    "%73tatus",
];

const NUMBERS: &[&str] = &[
    "0",
    "1",
    "42",
    "007",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "000000000000000000001",
    "00000000001",
    "00000000000000000001",
    "-1",
    "+1",
    "1e3",
    " 1",
    "abc",
    "%34%32",
];

const ODD: &[&str] = &["", ".", "..", "%2e%2e", "%2F", "~", "a b", "é"];

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(WORDS).prop_map(str::to_owned),
        4 => prop::sample::select(NUMBERS).prop_map(str::to_owned),
        1 => prop::sample::select(ODD).prop_map(str::to_owned),
        1 => "[ -~]{0,6}",
    ]
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(METHODS).prop_map(str::to_owned),
        1 => "[A-Za-z*-]{0,7}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    let built = (
        prop::collection::vec(segment(), 0..9),
        prop::sample::select(&["", "", "", "/", "?follow=1", "#x", "?a=/../b#c", "//", "?"][..]),
    )
        .prop_map(|(segments, suffix)| format!("/{}{suffix}", segments.join("/")));
    let lease = (
        prop::sample::select(NUMBERS),
        prop::sample::select(NUMBERS),
        prop::sample::select(NUMBERS),
        prop::sample::select(
            &[
                "manifest",
                "status",
                "kubeevents",
                "logs",
                "shell",
                "service/web/status",
                "attestation/quote",
                "service/../status",
                "logs/",
            ][..],
        ),
    )
        .prop_map(|(d, g, o, tail)| format!("/lease/{d}/{g}/{o}/{tail}"));
    prop_oneof![4 => built, 4 => lease, 1 => "[ -~]{0,30}"]
}

/// A match reduced to comparable values: route index, operation name, resource.
type Outcome = Result<(usize, String, tollgate_policy::Resource), RouteMiss>;

/// Both matchers, reduced to comparable values.
fn both(policy: &Policy, ast: &PolicyAst, method: &str, path: &str) -> (Outcome, Outcome) {
    let fast = policy
        .match_route(method, path)
        .map(|m| (m.route, policy.operation_def(m.op).name.clone(), m.resource));
    let slow = reference::match_route(ast, method, path);
    (fast, slow)
}

/// A template for an operation acting on `kind` (`l`, `d`, `p`, `n`): literals, the resource
/// variables the kind needs, maybe a free variable, rotated.
fn template(kind: &'static str) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(
            prop::sample::select(&["lease", "a", "b", "status"][..]),
            0..3,
        ),
        any::<bool>(),
        0usize..6,
    )
        .prop_map(move |(literals, free, rotate)| {
            let mut segments: Vec<&str> = literals;
            segments.extend(match kind {
                "l" => &["{dseq}", "{gseq}", "{oseq}"][..],
                "d" => &["{dseq}"][..],
                _ => &[][..],
            });
            if free {
                segments.push("{x}");
            }
            if !segments.is_empty() {
                let k = rotate % segments.len();
                segments.rotate_left(k);
            }
            format!("/{}", segments.join("/"))
        })
}

/// A random route table over four operations, one per resource kind.
fn table() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::sample::select(&["GET", "POST", "*"][..]),
            prop::sample::select(&["l", "d", "p", "n"][..]),
        )
            .prop_flat_map(|(method, op)| (Just(method), template(op), Just(op))),
        1..6,
    )
    .prop_map(|routes| {
        let mut source = String::from(
            "policy t\nfamily akash\nalgorithms ES256K\nclaims strict\nleeway 0s\n\
             access full unlocks every-operation\noperation l on lease\n\
             operation d on deployment\noperation p on provider\noperation n public\n",
        );
        for (method, template, op) in routes {
            source.push_str(&format!("route {method} {template} -> {op}\n"));
        }
        source
    })
}

fn table_path() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(&["lease", "a", "b", "status", "c"][..]).prop_map(str::to_owned),
            prop::sample::select(NUMBERS).prop_map(str::to_owned),
        ],
        0..5,
    )
    .prop_map(|s| format!("/{}", s.join("/")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4_000))]

    #[test]
    fn fast_and_reference_matchers_agree_on_the_akash_tables(method in method(), path in path()) {
        for (policy, ast) in SHIPPED.iter() {
            let (fast, slow) = both(policy, ast, &method, &path);
            prop_assert_eq!(fast, slow, "{} {:?} {:?}", policy.name(), method, path);
        }
    }

    #[test]
    fn fast_and_reference_matchers_agree_on_random_tables(
        source in table(),
        requests in prop::collection::vec((prop::sample::select(&["GET", "POST", "PUT"][..]), table_path()), 1..8),
    ) {
        // Tables with lint errors (overlaps, resource mismatches) do not compile: nothing to compare.
        if let Ok(policy) = Policy::compile(&source, "t.policy") {
            let ast = parse_source(&source, "t.policy").unwrap();
            for (method, path) in &requests {
                let (fast, slow) = both(&policy, &ast, method, path);
                prop_assert_eq!(fast, slow, "{}\n{} {}", source, method, path);
            }
        }
    }
}

#[test]
fn random_tables_compile_often_enough_to_compare() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = table();
    let compiled = (0..500)
        .filter(|_| {
            let source = strategy.new_tree(&mut runner).unwrap().current();
            Policy::compile(&source, "t.policy").is_ok()
        })
        .count();
    assert!(
        compiled >= 100,
        "only {compiled} of 500 random tables compile"
    );
}
