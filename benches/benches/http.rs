//! The HTTP layer's own cost, beside `authorize` alone in the same run.
//!
//! - `tollgate_http::decide` on `GET /lease/42/1/1/logs?follow=true` with `Authorization:
//!   Bearer <token>` (route match, header parse, cached authorize, identity) vs
//!   `Authorizer::authorize` of the same cached token with a prebuilt `Operation`;
//! - the same two with the verified-claims cache off (the signature dominates).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "benchmark code"
)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use tollgate::verify::StaticKeys;
use tollgate::{Authorizer, FixedClock, Operation, Policy};
use tollgate_http::{AuthorizationHeader, HttpDecision, RequestFacts, decide};
use tollgate_testkit::{ISSUER, PROVIDER, akash_token, read, test_key};

const NOW: i64 = 1_900_000_000;

fn authorizer(cache: bool) -> Authorizer {
    let policy = Policy::compile(
        &read("policies/akash-provider.policy"),
        "akash-provider.policy",
    )
    .unwrap();
    let keys = StaticKeys::from_keys_file(&read("fixtures/keys/akash-test-accounts.yaml"), "keys")
        .unwrap();
    let builder = Authorizer::builder(policy)
        .key_resolver(Arc::new(keys))
        .provider(PROVIDER)
        .clock(Arc::new(FixedClock(NOW)));
    if cache {
        builder.build().unwrap()
    } else {
        builder.without_cache().build().unwrap()
    }
}

fn token() -> String {
    let leases = format!(
        r#"{{"access":"granular","permissions":[{{"provider":"{PROVIDER}","access":"granular","deployments":[{{"dseq":42,"gseq":1,"oseq":1,"scope":["logs","shell"],"services":["web"]}}]}}]}}"#
    );
    akash_token(&test_key(), ISSUER, &leases, NOW - 60, NOW + 900)
}

fn bench(c: &mut Criterion) {
    let token = token();
    let header = format!("Bearer {token}");
    let operation = Operation::new("lease.logs").on_lease(42, 1, 1);
    for (cache, name) in [(true, "cached"), (false, "uncached")] {
        let authorizer = authorizer(cache);
        let facts = RequestFacts {
            method: "GET",
            target: "/lease/42/1/1/logs?follow=true",
            authorization: AuthorizationHeader::One(header.as_bytes()),
        };
        assert!(matches!(
            decide(&authorizer, &facts),
            HttpDecision::Allow(_)
        ));
        let mut group = c.benchmark_group(format!("http/{name}"));
        group.bench_function("decide", |b| {
            b.iter(|| black_box(decide(&authorizer, black_box(&facts))));
        });
        group.bench_function("authorize (baseline)", |b| {
            b.iter(|| black_box(authorizer.authorize(Some(black_box(&token)), &operation)));
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
