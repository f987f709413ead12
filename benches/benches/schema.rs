//! Claims validation beside raw `serde_json::from_slice::<Value>` of the same payload.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "bench code"
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tollgate_schema::{AkashBehaviour, AkashValidator, FilecoinBehaviour, FilecoinValidator};

/// A typical granular token: one provider with scoped access, one with a deployment grant.
const AKASH: &[u8] = br#"{"iss":"akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh","exp":1760000900,"nbf":1760000000,"iat":1760000000,"version":"v1","leases":{"access":"granular","permissions":[{"provider":"akash1qurswpc8qurswpc8qurswpc8qurswpc87g2aem","access":"scoped","scope":["logs","shell","status"]},{"provider":"akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh","access":"granular","deployments":[{"scope":["send-manifest","logs"],"dseq":1234567,"gseq":1,"oseq":1,"services":["web","db"]}]}]}}"#;

const FILECOIN: &[u8] = br#"{"Allow":["read","write","sign","admin"],"exp":4877839597}"#;

fn schema(c: &mut Criterion) {
    let strict = AkashValidator::new(AkashBehaviour::Strict).unwrap();
    let compat = AkashValidator::new(AkashBehaviour::UpstreamCompatible).unwrap();
    let forest = FilecoinValidator::new(FilecoinBehaviour::Forest).unwrap();
    assert!(strict.validate(AKASH).is_ok());
    assert!(compat.validate(AKASH).is_ok());
    assert!(forest.validate(FILECOIN).is_ok());

    let mut g = c.benchmark_group("schema");
    g.bench_function("tollgate_validate_strict", |b| {
        b.iter(|| strict.validate(black_box(AKASH)))
    });
    g.bench_function("tollgate_validate_compat", |b| {
        b.iter(|| compat.validate(black_box(AKASH)))
    });
    g.bench_function("serde_json_value_baseline", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(AKASH)))
    });
    g.bench_function("jsonschema_is_valid_only", |b| {
        let value: serde_json::Value = serde_json::from_slice(AKASH).unwrap();
        let schema: serde_json::Value =
            serde_json::from_str(tollgate_schema::AKASH_SCHEMA).unwrap();
        let compiled = jsonschema::draft7::new(&schema).unwrap();
        b.iter(|| compiled.is_valid(black_box(&value)))
    });
    g.bench_function("tollgate_validate_forest", |b| {
        b.iter(|| forest.validate(black_box(FILECOIN)))
    });
    g.bench_function("serde_json_value_baseline_filecoin", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(FILECOIN)))
    });
    g.finish();
}

criterion_group!(benches, schema);
criterion_main!(benches);
