//! Policy decisions on compiled policies (no token work), HTTP route matching on the Akash route
//! table, and the compile time of forest.policy.
//!
//! Targets: one decision ≤ 50 ns; one route match well under 1 µs (no allocation on a hit). The
//! `policy/route_match` group runs in the same process as `policy/decide`, so their ratio is
//! meaningful.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tollgate_policy::{AkashRequest, Policy, Resource};
use tollgate_schema::{
    Access, AkashClaims, DeploymentPermission, FilecoinClaims, Leases, ProviderPermission, Scope,
    ScopeSet,
};

const PROVIDER: &str = "akash1qgpqyqszqgpqyqszqgpqyqszqgpqyqszwv2uls";
const ISS: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";

fn read(name: &str) -> String {
    let path = format!("{}/../policies/{name}.policy", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap_or_default()
}

fn granular_claims() -> AkashClaims {
    let mut scope = ScopeSet::EMPTY;
    scope.insert(Scope::Logs);
    scope.insert(Scope::Status);
    AkashClaims {
        iss: ISS.into(),
        iat: 0,
        nbf: 0,
        exp: 1,
        jti: None,
        version: "v1".into(),
        leases: Leases {
            access: Access::Granular,
            scope: ScopeSet::EMPTY,
            permissions: vec![ProviderPermission {
                provider: PROVIDER.into(),
                access: Access::Granular,
                scope: ScopeSet::EMPTY,
                deployments: vec![
                    DeploymentPermission {
                        dseq: 41,
                        gseq: 1,
                        oseq: 1,
                        scope,
                        services: vec!["web".into()],
                    },
                    DeploymentPermission {
                        dseq: 42,
                        gseq: 0,
                        oseq: 0,
                        scope,
                        services: vec!["web".into()],
                    },
                ],
            }],
        },
    }
}

fn bench(c: &mut Criterion) {
    let akash_src = read("akash-provider");
    let forest_src = read("forest");
    let (Ok(akash), Ok(forest)) = (
        Policy::compile(&akash_src, "akash-provider.policy"),
        Policy::compile(&forest_src, "forest.policy"),
    ) else {
        eprintln!("the shipped policies do not compile; run policy-check policies");
        return;
    };
    let claims = granular_claims();
    let req = AkashRequest {
        provider: PROVIDER,
        resource: Resource::Lease {
            dseq: 42,
            gseq: 3,
            oseq: 1,
        },
        owner: Some(ISS),
    };
    let (Some(logs), Some(shell), Some(wallet_new), Some(head)) = (
        akash.operation("lease.logs"),
        akash.operation("lease.shell"),
        forest.operation("Filecoin.WalletNew"),
        forest.operation("Filecoin.ChainHead"),
    ) else {
        eprintln!("the shipped policies lack the benchmarked operations");
        return;
    };
    let sign = FilecoinClaims {
        allow: vec!["read".into(), "write".into(), "sign".into()],
        exp: None,
    };
    let admin_only = FilecoinClaims {
        allow: vec!["admin".into()],
        exp: None,
    };

    let mut g = c.benchmark_group("policy/decide");
    g.bench_function("akash-provider/allow granular lease.logs", |b| {
        b.iter(|| akash.decide_akash(black_box(logs), black_box(&claims), black_box(&req)));
    });
    g.bench_function("akash-provider/deny granular lease.shell", |b| {
        b.iter(|| akash.decide_akash(black_box(shell), black_box(&claims), black_box(&req)));
    });
    g.bench_function("forest/allow Filecoin.WalletNew", |b| {
        b.iter(|| forest.decide_filecoin(black_box(wallet_new), black_box(&sign)));
    });
    g.bench_function("forest/deny Filecoin.ChainHead admin-only", |b| {
        b.iter(|| forest.decide_filecoin(black_box(head), black_box(&admin_only)));
    });
    g.bench_function("forest/lookup+allow Filecoin.WalletNew", |b| {
        b.iter(|| {
            forest
                .operation(black_box("Filecoin.WalletNew"))
                .map(|op| forest.decide_filecoin(op, black_box(&sign)))
        });
    });
    g.finish();

    // Route matching on the Akash table (13 routes): the first and the last routes, the longest
    // template, a query string, and the two kinds of miss.
    let mut g = c.benchmark_group("policy/route_match");
    for (label, method, path) in [
        ("hit GET /version (first route)", "GET", "/version"),
        (
            "hit GET lease logs + query",
            "GET",
            "/lease/1234567/1/1/logs?follow=true&tail=100",
        ),
        (
            "hit GET lease service status (7 segments)",
            "GET",
            "/lease/1234567/1/1/service/web/status",
        ),
        (
            "hit POST /endpoint/migrate (last route)",
            "POST",
            "/endpoint/migrate",
        ),
        ("miss not found", "GET", "/lease/1234567/1/1/nope"),
        (
            "miss resource invalid",
            "GET",
            "/lease/1234567/4294967296/1/status",
        ),
    ] {
        g.bench_function(label, |b| {
            b.iter(|| akash.match_route(black_box(method), black_box(path)));
        });
    }
    g.bench_function("match + decide granular lease.logs", |b| {
        b.iter(|| {
            akash
                .match_route(black_box("GET"), black_box("/lease/42/3/1/logs"))
                .map(|m| {
                    let req = AkashRequest {
                        resource: m.resource,
                        ..req
                    };
                    akash.decide_akash(m.op, black_box(&claims), &req)
                })
        });
    });
    g.finish();

    c.bench_function("policy/compile forest.policy", |b| {
        b.iter(|| Policy::compile(black_box(&forest_src), "forest.policy").is_ok());
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
