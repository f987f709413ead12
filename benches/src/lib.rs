//! Criterion benchmarks for Tollgate live in `benches/`; this library is intentionally empty.
