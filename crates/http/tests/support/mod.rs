//! Shared by the HTTP tests: the request table of AKASH.md §8.2 and the grants that unlock it;
//! the test account, token minting and authorizers come from `tollgate-testkit`.
#![allow(
    dead_code,
    unused_imports,
    reason = "each test file uses a different part"
)]

pub use tollgate_testkit::{
    ISSUER, OTHER_PROVIDER, PROVIDER, authorizer, now, read, token, token_expiring,
};

/// The repository root, for paths handed to code that reads files itself.
pub const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// One provider route of AKASH.md §8.2 with concrete ids, and the scope it needs in the strict
/// policy (`None`: lease or provider access alone).
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub operation: &'static str,
    pub scope: Option<&'static str>,
    /// Whether the compat policy (upstream) checks the scope.
    pub scope_upstream: bool,
    pub public: bool,
}

pub const ROUTES: &[Route] = &[
    Route {
        method: "GET",
        path: "/version",
        operation: "provider.version",
        scope: None,
        scope_upstream: false,
        public: true,
    },
    Route {
        method: "GET",
        path: "/address",
        operation: "provider.address",
        scope: None,
        scope_upstream: false,
        public: true,
    },
    Route {
        method: "GET",
        path: "/status",
        operation: "provider.status",
        scope: None,
        scope_upstream: false,
        public: true,
    },
    Route {
        method: "PUT",
        path: "/deployment/42/manifest",
        operation: "manifest.send",
        scope: Some("send-manifest"),
        scope_upstream: true,
        public: false,
    },
    Route {
        method: "GET",
        path: "/lease/42/1/1/manifest",
        operation: "manifest.get",
        scope: Some("get-manifest"),
        scope_upstream: true,
        public: false,
    },
    Route {
        method: "GET",
        path: "/lease/42/1/1/status",
        operation: "lease.status",
        scope: Some("status"),
        scope_upstream: true,
        public: false,
    },
    Route {
        method: "GET",
        path: "/lease/42/1/1/kubeevents?follow=true&tail=10",
        operation: "lease.events",
        scope: Some("events"),
        scope_upstream: true,
        public: false,
    },
    Route {
        method: "GET",
        path: "/lease/42/1/1/logs?follow=false&service=web",
        operation: "lease.logs",
        scope: Some("logs"),
        scope_upstream: true,
        public: false,
    },
    Route {
        method: "GET",
        path: "/lease/42/1/1/shell?cmd0=sh&tty=1&stdin=1&service=web&podIndex=0",
        operation: "lease.shell",
        scope: Some("shell"),
        scope_upstream: true,
        public: false,
    },
    Route {
        method: "POST",
        path: "/lease/42/1/1/shell",
        operation: "lease.shell",
        scope: Some("shell"),
        scope_upstream: true,
        public: false,
    },
    Route {
        method: "GET",
        path: "/lease/42/1/1/service/web/status",
        operation: "lease.service-status",
        scope: None,
        scope_upstream: false,
        public: false,
    },
    Route {
        method: "POST",
        path: "/lease/42/1/1/attestation/quote",
        operation: "lease.attestation",
        scope: Some("attestation"),
        scope_upstream: true,
        public: false,
    },
    Route {
        method: "POST",
        path: "/hostname/migrate",
        operation: "hostname.migrate",
        scope: Some("hostname-migrate"),
        scope_upstream: false,
        public: false,
    },
    Route {
        method: "POST",
        path: "/endpoint/migrate",
        operation: "endpoint.migrate",
        scope: Some("ip-migrate"),
        scope_upstream: false,
        public: false,
    },
];

/// A token shape and which routes it unlocks.
pub struct Grant {
    pub name: &'static str,
    pub leases: String,
    /// Whether the token may call `route` under the strict (`true`) or compat policy.
    pub allows: fn(&Route, bool) -> bool,
}

fn scope_ok(route: &Route, strict: bool, scopes: &[&str]) -> bool {
    let checked = if strict {
        route.scope
    } else {
        route.scope.filter(|_| route.scope_upstream)
    };
    checked.is_none_or(|scope| scopes.contains(&scope))
}

pub fn grants() -> Vec<Grant> {
    vec![
        Grant {
            name: "full",
            leases: r#"{"access":"full"}"#.to_owned(),
            allows: |_, _| true,
        },
        Grant {
            name: "scoped status+logs",
            leases: r#"{"access":"scoped","scope":["status","logs"]}"#.to_owned(),
            allows: |route, strict| route.public || scope_ok(route, strict, &["status", "logs"]),
        },
        Grant {
            name: "granular: this provider, deployment 42 with status+shell",
            leases: format!(
                r#"{{"access":"granular","permissions":[{{"provider":"{PROVIDER}","access":"granular","deployments":[{{"dseq":42,"gseq":0,"oseq":0,"scope":["status","shell","hostname-migrate"],"services":["web"]}}]}}]}}"#
            ),
            allows: |route, strict| {
                route.public || scope_ok(route, strict, &["status", "shell", "hostname-migrate"])
            },
        },
        Grant {
            name: "granular: another provider only",
            leases: format!(
                r#"{{"access":"granular","permissions":[{{"provider":"{OTHER_PROVIDER}","access":"full"}}]}}"#
            ),
            allows: |route, _| route.public,
        },
    ]
}
