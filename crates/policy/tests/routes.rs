#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]
//! The route table of the shipped Akash policies, and `match_route`'s strictness.

use std::path::PathBuf;

use tollgate_policy::{LintCode, Policy, Resource, RouteMatch, RouteMiss, check, format_source};

fn load(name: &str) -> Policy {
    let origin = format!("policies/{name}.policy");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(&origin);
    Policy::compile(&std::fs::read_to_string(path).unwrap(), &origin).unwrap()
}

const AKASH: [&str; 2] = ["akash-provider", "akash-provider-compat"];

const LEASE: Resource = Resource::Lease {
    dseq: 42,
    gseq: 1,
    oseq: 7,
};

/// (method, path, operation, resource): every route of AKASH.md §8.2.
const ALLOWED: &[(&str, &str, &str, Resource)] = &[
    ("GET", "/version", "provider.version", Resource::None),
    ("GET", "/address", "provider.address", Resource::None),
    ("GET", "/status", "provider.status", Resource::None),
    (
        "PUT",
        "/deployment/42/manifest",
        "manifest.send",
        Resource::Deployment { dseq: 42 },
    ),
    ("GET", "/lease/42/1/7/manifest", "manifest.get", LEASE),
    ("GET", "/lease/42/1/7/status", "lease.status", LEASE),
    ("GET", "/lease/42/1/7/kubeevents", "lease.events", LEASE),
    ("GET", "/lease/42/1/7/logs", "lease.logs", LEASE),
    ("GET", "/lease/42/1/7/shell", "lease.shell", LEASE),
    ("POST", "/lease/42/1/7/shell", "lease.shell", LEASE),
    ("CONNECT", "/lease/42/1/7/shell", "lease.shell", LEASE),
    (
        "GET",
        "/lease/42/1/7/service/web/status",
        "lease.service-status",
        LEASE,
    ),
    (
        "POST",
        "/lease/42/1/7/attestation/quote",
        "lease.attestation",
        LEASE,
    ),
    (
        "POST",
        "/hostname/migrate",
        "hostname.migrate",
        Resource::None,
    ),
    (
        "POST",
        "/endpoint/migrate",
        "endpoint.migrate",
        Resource::None,
    ),
];

fn op_name(policy: &Policy, m: &RouteMatch) -> String {
    policy.operation_def(m.op).name.clone()
}

#[test]
fn every_akash_route_matches_its_operation_and_resource() {
    for name in AKASH {
        let policy = load(name);
        assert!(policy.has_routes());
        assert_eq!(policy.routes().len(), 13, "{name}");
        for (method, path, op, resource) in ALLOWED {
            let m = policy
                .match_route(method, path)
                .unwrap_or_else(|e| panic!("{name}: {method} {path}: {e:?}"));
            assert_eq!(op_name(&policy, &m), *op, "{method} {path}");
            assert_eq!(m.resource, *resource, "{method} {path}");
            let route = &policy.routes()[m.route];
            assert_eq!(route.operation(), m.op);
            assert_eq!(policy.operation(op), Some(m.op));
        }
    }
}

#[test]
fn route_defs_keep_the_method_and_template_as_written() {
    let policy = load("akash-provider");
    let shell = policy
        .routes()
        .iter()
        .find(|r| r.template() == "/lease/{dseq}/{gseq}/{oseq}/shell")
        .unwrap();
    assert_eq!(shell.method(), None);
    assert_eq!(policy.operation_def(shell.operation()).name, "lease.shell");
    let first = &policy.routes()[0];
    assert_eq!(first.method(), Some("GET"));
    assert_eq!(first.template(), "/version");
    // lease.restart is reachable through the library API only.
    let restart = policy.operation("lease.restart").unwrap();
    assert!(policy.routes().iter().all(|r| r.operation() != restart));
}

#[test]
fn near_misses_are_not_found() {
    let misses: &[(&str, &str)] = &[
        // wrong method; GET does not imply HEAD; methods are case-sensitive
        ("POST", "/version"),
        ("HEAD", "/version"),
        ("get", "/version"),
        ("GET", "/deployment/42/manifest"),
        ("PUT", "/lease/42/1/7/manifest"),
        ("GET", "/lease/42/1/7/attestation/quote"),
        ("GET", "/hostname/migrate"),
        ("", "/version"),
        // trailing slash, empty segments, dot segments
        ("GET", "/version/"),
        ("GET", "//version"),
        ("GET", "/lease/42/1/7//status"),
        ("GET", "/lease/42/1/7/status/"),
        ("GET", "/lease/42/1/7/./status"),
        ("GET", "/lease/42/1/7/../status"),
        ("GET", "/lease/42/1/../7/status"),
        ("GET", "/lease/42/1/7/service/../status"),
        ("GET", "/lease/42/1/7/service/./status"),
        ("GET", "/lease/42/1/7/service//status"),
        // percent-encoding is not decoded; case is not folded
        ("GET", "/%76ersion"),
        ("GET", "/lease/42/1/7/%73tatus"),
        ("GET", "/lease%2F42/1/7/status"),
        ("GET", "/Version"),
        ("GET", "/LEASE/42/1/7/status"),
        // wrong segment counts, unknown paths, no leading slash
        ("GET", "/lease/42/1/status"),
        ("GET", "/lease/42/1/7/8/status"),
        ("GET", "/lease/42/1/7"),
        ("GET", "/lease/42/1/7/service/web"),
        ("GET", "/"),
        ("GET", ""),
        ("GET", "version"),
        ("GET", "?/version"),
        ("GET", "/nope"),
        ("GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t"),
    ];
    for name in AKASH {
        let policy = load(name);
        for (method, path) in misses {
            assert_eq!(
                policy.match_route(method, path),
                Err(RouteMiss::NotFound),
                "{name}: {method:?} {path:?}"
            );
        }
    }
}

#[test]
fn bad_numbers_are_resource_invalid() {
    let policy = load("akash-provider");
    let invalid = |method: &str, path: &str| match policy.match_route(method, path) {
        Err(RouteMiss::ResourceInvalid {
            variable,
            value,
            route,
        }) => {
            let template = policy.routes()[route].template();
            assert!(template.contains(&format!("{{{variable}}}")), "{template}");
            (variable, value)
        }
        other => panic!("{method} {path}: {other:?}"),
    };
    let expect = |variable: &'static str, value: &str| (variable, value.to_owned());
    assert_eq!(
        invalid("GET", "/lease/abc/1/7/status"),
        expect("dseq", "abc")
    );
    assert_eq!(
        invalid("PUT", "/deployment/x42/manifest"),
        expect("dseq", "x42")
    );
    // u32 overflow for gseq and oseq; u64 overflow for dseq
    assert_eq!(
        invalid("GET", "/lease/42/4294967296/7/logs"),
        expect("gseq", "4294967296")
    );
    assert_eq!(
        invalid("GET", "/lease/42/1/99999999999/logs"),
        expect("oseq", "99999999999")
    );
    assert_eq!(
        invalid("GET", "/lease/18446744073709551616/1/7/logs"),
        expect("dseq", "18446744073709551616")
    );
    // signs, spaces, percent-encoded digits, more than 20 digits
    for bad in [
        "+42",
        "-1",
        " 42",
        "42 ",
        "%34%32",
        "1e3",
        "000000000000000000042",
    ] {
        assert_eq!(
            invalid("GET", &format!("/lease/{bad}/1/7/status")),
            expect("dseq", bad),
            "{bad:?}"
        );
    }
    // the first failing variable in template order is reported
    assert_eq!(invalid("GET", "/lease/a/b/c/status"), expect("dseq", "a"));
    // the method must match for a structural match to count
    assert_eq!(
        policy.match_route("DELETE", "/lease/abc/1/7/status"),
        Err(RouteMiss::NotFound)
    );
}

#[test]
fn numbers_at_the_limits_and_leading_zeros_are_accepted() {
    let policy = load("akash-provider");
    let m = policy
        .match_route("GET", "/lease/18446744073709551615/4294967295/0/status")
        .unwrap();
    assert_eq!(
        m.resource,
        Resource::Lease {
            dseq: u64::MAX,
            gseq: u32::MAX,
            oseq: 0
        }
    );
    let m = policy
        .match_route("GET", "/lease/0042/001/0000000007/status")
        .unwrap();
    assert_eq!(m.resource, LEASE);
    let m = policy
        .match_route("PUT", "/deployment/00000000000000000042/manifest")
        .unwrap();
    assert_eq!(m.resource, Resource::Deployment { dseq: 42 });
}

#[test]
fn query_and_fragment_are_ignored() {
    let policy = load("akash-provider");
    for path in [
        "/lease/42/1/7/logs?follow=true&tail=10",
        "/lease/42/1/7/logs#frag",
        "/lease/42/1/7/logs?x=/../y#z",
        "/lease/42/1/7/logs?",
    ] {
        let m = policy.match_route("GET", path).unwrap();
        assert_eq!(op_name(&policy, &m), "lease.logs", "{path}");
        assert_eq!(m.resource, LEASE);
    }
    assert_eq!(
        policy.match_route("GET", "/lease/42/1/7/logs/?follow=1"),
        Err(RouteMiss::NotFound)
    );
    assert_eq!(
        policy.match_route("GET", "/version?"),
        policy.match_route("GET", "/version")
    );
}

const HEADER: &str = "policy t\nfamily akash\nalgorithms ES256K\nclaims strict\nleeway 0s\n\
    scope logs\naccess full unlocks every-operation\n";

fn compile(body: &str) -> Policy {
    Policy::compile(&format!("{HEADER}{body}"), "t.policy").unwrap()
}

#[test]
fn a_failed_number_is_reported_only_when_no_route_matches() {
    // Routes that differ only in a variable's name would overlap; these differ by method.
    let policy = compile(
        "operation a requires logs on deployment\noperation b\n\
         route GET /d/{dseq} -> a\nroute POST /d/{x} -> b\n",
    );
    assert_eq!(
        policy.match_route("GET", "/d/zz"),
        Err(RouteMiss::ResourceInvalid {
            variable: "dseq",
            value: "zz".into(),
            route: 0
        })
    );
    let m = policy.match_route("POST", "/d/zz").unwrap();
    assert_eq!(m.route, 1);
    assert_eq!(m.resource, Resource::None);
}

#[test]
fn the_root_template_matches_only_the_root() {
    let policy = compile("operation root public\nroute GET / -> root\n");
    let m = policy.match_route("GET", "/").unwrap();
    assert_eq!(m.resource, Resource::None);
    assert_eq!(policy.match_route("GET", "/?q"), Ok(m));
    for path in ["//", "/x", "", "/."] {
        assert_eq!(policy.match_route("GET", path), Err(RouteMiss::NotFound));
    }
}

#[test]
fn a_policy_without_routes_matches_nothing() {
    let policy = compile("operation a public\n");
    assert!(!policy.has_routes());
    assert!(policy.routes().is_empty());
    assert_eq!(policy.match_route("GET", "/a"), Err(RouteMiss::NotFound));
}

#[test]
fn route_miss_messages_are_lowercase_and_quote_the_value() {
    assert_eq!(
        RouteMiss::NotFound.to_string(),
        "no route matches the request"
    );
    let e = RouteMiss::ResourceInvalid {
        variable: "gseq",
        value: "x".into(),
        route: 0,
    };
    assert_eq!(
        e.to_string(),
        "`x` is not a valid `gseq`: expected a decimal u32"
    );
}

/// (line, the exact text underlined, message)
const TEMPLATE_ERRORS: &[(&str, &str, &str)] = &[
    (
        "route GET /lease/{dseq}/{dseq} -> a",
        "{dseq}",
        "variable `{dseq}` appears twice in route template `/lease/{dseq}/{dseq}`",
    ),
    (
        "route GET /lease//x -> a",
        "/",
        "route template `/lease//x` has an empty segment",
    ),
    (
        "route GET /lease/ -> a",
        "/",
        "route template `/lease/` ends with `/`",
    ),
    (
        "route GET /le%41se -> a",
        "%",
        "character `%` is not allowed in route template `/le%41se`",
    ),
    (
        "route GET /a/b?c -> a",
        "?",
        "character `?` is not allowed in route template `/a/b?c`",
    ),
    (
        "route GET /a/{d-seq} -> a",
        "{d-seq}",
        "malformed variable `{d-seq}` in route template `/a/{d-seq}`",
    ),
    (
        "route GET /a/x{dseq} -> a",
        "{",
        "character `{` is not allowed in route template `/a/x{dseq}`",
    ),
    (
        "route GET /a/{} -> a",
        "{}",
        "malformed variable `{}` in route template `/a/{}`",
    ),
    (
        "route GET /a/.. -> a",
        "..",
        "dot segment `..` in route template `/a/..`",
    ),
    ("route get /a -> a", "get", "method `get` is not uppercase"),
    ("route G@T /a -> a", "@", "`G@T` is not an HTTP method"),
    (
        "route GET /a/é -> a",
        "é",
        "character `é` is not allowed in route template `/a/é`",
    ),
];

#[test]
fn bad_templates_and_methods_are_syntax_errors_on_the_exact_text() {
    for (line, underlined, message) in TEMPLATE_ERRORS {
        let source = format!("{HEADER}operation a\n   {line}  # comment\n");
        let report = check(&source, "t.policy");
        assert_eq!(
            report.diagnostics.len(),
            1,
            "{line}: {:?}",
            report.diagnostics
        );
        let d = &report.diagnostics[0];
        assert_eq!(d.code(), LintCode::Syntax, "{line}");
        assert_eq!(d.span().text(&source), Some(*underlined), "{line}");
        assert_eq!(d.message(), *message, "{line}");
        assert!(d.help_text().is_some(), "{line}");
        assert!(format_source(&source, "t.policy").is_err(), "{line}");
    }
}

#[test]
fn malformed_route_lines_are_syntax_errors() {
    for line in [
        "route /version -> a",
        "route GET -> a",
        "route GET /version a",
        "route GET /version ->",
        "route GET /version => a",
        "route GET version -> a",
        "route GET /version -> a b",
        "unrouted",
    ] {
        let source = format!("{HEADER}operation a\n{line}\n");
        let report = check(&source, "t.policy");
        assert!(
            report
                .diagnostics
                .iter()
                .any(|d| d.code() == LintCode::Syntax && d.line_col().0 == 9),
            "{line}: {:?}",
            report.diagnostics
        );
    }
}

#[test]
fn other_rfc_9110_tokens_are_methods() {
    let policy = compile("operation a public\nroute PROPFIND /a -> a\nroute M-SEARCH /b -> a\n");
    assert!(policy.match_route("PROPFIND", "/a").is_ok());
    assert!(policy.match_route("M-SEARCH", "/b").is_ok());
    assert_eq!(
        policy.match_route("propfind", "/a"),
        Err(RouteMiss::NotFound)
    );
}

#[test]
fn unrouted_twice_is_a_duplicate_item_and_aliases_can_be_routed() {
    let source = format!(
        "{HEADER}operation a public\noperation b public\noperation c public\n\
         alias b2 = b\nroute GET /a -> a\nroute GET /b -> b2\nunrouted c\nunrouted c\n"
    );
    let report = check(&source, "t.policy");
    // (HEADER's `logs` scope is unused here.)
    let codes: Vec<LintCode> = report.diagnostics.iter().map(|d| d.code()).collect();
    assert_eq!(codes, vec![LintCode::UnusedScope, LintCode::DuplicateItem]);
    let d = &report.diagnostics[1];
    assert_eq!(d.message(), "`c` is listed as unrouted twice");
    assert_eq!(d.line_col().0, 15);
    let policy = report.policy.unwrap();
    let m = policy.match_route("GET", "/b").unwrap();
    assert_eq!(policy.operation_def(m.op).name, "b2");
}

#[test]
fn policies_without_routes_draw_no_route_lint() {
    for name in ["forest", "lotus"] {
        let policy = load(name);
        assert!(!policy.has_routes(), "{name}");
        assert!(policy.warnings().is_empty(), "{name}");
    }
}

#[test]
fn overlap_and_unrouted_conflicts_label_both_lines() {
    let source = format!(
        "{HEADER}operation a public\noperation b public\n\
         route GET /x/{{y}} -> a\nroute * /x/z -> b\nunrouted a\n"
    );
    let report = check(&source, "t.policy");
    let overlap = report
        .diagnostics
        .iter()
        .find(|d| d.code() == LintCode::RouteOverlap)
        .unwrap();
    assert_eq!(overlap.snippet(), "* /x/z");
    let secondary = overlap.secondary_labels();
    assert_eq!(secondary.len(), 1);
    assert_eq!(secondary[0].0.text(&source), Some("GET /x/{y}"));
    let unrouted = report
        .diagnostics
        .iter()
        .find(|d| d.code() == LintCode::UnroutedHasRoute)
        .unwrap();
    assert_eq!(unrouted.snippet(), "a");
    assert_eq!(
        unrouted.secondary_labels()[0].0.text(&source),
        Some("GET /x/{y}")
    );
    assert!(Policy::compile(&source, "t.policy").is_err());
}
