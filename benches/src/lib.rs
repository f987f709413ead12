//! Criterion benchmarks for Tollgate live in `benches/benches/`; this library is intentionally empty.
