//! Prometheus metrics (`/metrics`, text exposition format).
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `tollgate_decisions_total` | counter | `operation` (a policy operation, or `none` when no route matched), `code` (`allow` or a deny code) |
//! | `tollgate_decision_duration_seconds` | histogram | — |
//! | `tollgate_cached_tokens` | gauge | — |
//! | `tollgate_cache_hits_total`, `tollgate_cache_misses_total` | counter | — (verified-claims cache lookups; hit ratio = hits / (hits + misses)) |
//! | `tollgate_reloads_total` | counter | `result` (`ok`, `error`) |
//! | `tollgate_overloaded_total` | counter | — (requests shed with 503 by `--max-concurrency`) |
//! | `tollgate_log_lines_dropped_total` | counter | — (log lines dropped because stderr could not keep up) |
//!
//! Label values come from the policy's operations and the fixed deny codes only, never from
//! the request, so a flood of random paths cannot grow the label set.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The `operation` label of a request that no route matched.
pub const NO_OPERATION: &str = "none";
/// The `code` label of an allow.
pub const ALLOW_CODE: &str = "allow";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecisionLabels {
    operation: String,
    code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReloadLabels {
    result: &'static str,
}

/// Every metric `tollgate serve` exports, and their registry.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    decisions: Family<DecisionLabels, Counter>,
    latency: Histogram,
    cached_tokens: Gauge,
    reloads: Family<ReloadLabels, Counter>,
    overloaded: Counter,
    cache_hits: Counter,
    cache_misses: Counter,
    cache: Mutex<CacheTotals>,
}

/// Cache lookups of replaced authorizers, and what has been exported so far.
#[derive(Default)]
struct CacheTotals {
    retired: (u64, u64),
    exported: (u64, u64),
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let decisions = Family::<DecisionLabels, Counter>::default();
        registry.register(
            "tollgate_decisions",
            "Forward-auth decisions by operation and code (`allow` or the deny code)",
            decisions.clone(),
        );
        // 1 µs … ~16 s in powers of two.
        let latency = Histogram::new(exponential_buckets(1e-6, 2.0, 24));
        registry.register(
            "tollgate_decision_duration_seconds",
            "Time from receiving a check request to its answer",
            latency.clone(),
        );
        let cached_tokens = Gauge::default();
        registry.register(
            "tollgate_cached_tokens",
            "Tokens in the verified-claims cache",
            cached_tokens.clone(),
        );
        let reloads = Family::<ReloadLabels, Counter>::default();
        registry.register(
            "tollgate_reloads",
            "Policy and key reloads by result",
            reloads.clone(),
        );
        let overloaded = Counter::default();
        registry.register(
            "tollgate_overloaded",
            "Requests refused with 503 because --max-concurrency requests were in flight",
            overloaded.clone(),
        );
        let cache_hits = Counter::default();
        registry.register(
            "tollgate_cache_hits",
            "Verified-claims cache lookups that found the token",
            cache_hits.clone(),
        );
        let cache_misses = Counter::default();
        registry.register(
            "tollgate_cache_misses",
            "Verified-claims cache lookups that did not find the token",
            cache_misses.clone(),
        );
        registry.register(
            "tollgate_log_lines_dropped",
            "Log lines dropped because stderr could not keep up (the log queue was full)",
            crate::logging::dropped_counter(),
        );
        Metrics {
            inner: Arc::new(Inner {
                cache_hits,
                cache_misses,
                cache: Mutex::new(CacheTotals::default()),
                registry,
                decisions,
                latency,
                cached_tokens,
                reloads,
                overloaded,
            }),
        }
    }

    /// Counts one decision: `operation` is `None` when no route matched, `code` is `None` for
    /// an allow.
    pub fn decision(&self, operation: Option<&str>, code: Option<&'static str>, took: Duration) {
        let labels = DecisionLabels {
            operation: operation.unwrap_or(NO_OPERATION).to_owned(),
            code: code.unwrap_or(ALLOW_CODE),
        };
        self.inner.decisions.get_or_create(&labels).inc();
        self.inner.latency.observe(took.as_secs_f64());
    }

    /// Counts one reload attempt.
    pub fn reload(&self, ok: bool) {
        let result = if ok { "ok" } else { "error" };
        self.inner
            .reloads
            .get_or_create(&ReloadLabels { result })
            .inc();
    }

    /// Counts one request shed for overload.
    pub fn overloaded(&self) {
        self.inner.overloaded.inc();
    }

    /// Remembers the cache lookups (hits, misses) of an authorizer being replaced, so the
    /// exported counters keep growing across reloads.
    pub fn retire_cache(&self, stats: (u64, u64)) {
        let mut totals = self
            .inner
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        totals.retired.0 = totals.retired.0.saturating_add(stats.0);
        totals.retired.1 = totals.retired.1.saturating_add(stats.1);
    }

    /// The text exposition, with the cache gauge set to `cached_tokens` and the cache counters
    /// brought up to the current authorizer's `cache_stats` (hits, misses) first.
    pub fn render(&self, cached_tokens: usize, cache_stats: (u64, u64)) -> String {
        self.inner
            .cached_tokens
            .set(i64::try_from(cached_tokens).unwrap_or(i64::MAX));
        {
            let mut totals = self
                .inner
                .cache
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let hits = totals.retired.0.saturating_add(cache_stats.0);
            let misses = totals.retired.1.saturating_add(cache_stats.1);
            self.inner
                .cache_hits
                .inc_by(hits.saturating_sub(totals.exported.0));
            self.inner
                .cache_misses
                .inc_by(misses.saturating_sub(totals.exported.1));
            totals.exported = (hits.max(totals.exported.0), misses.max(totals.exported.1));
        }
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.inner.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_decisions_by_operation_and_code() {
        let metrics = Metrics::new();
        metrics.decision(Some("lease.status"), None, Duration::from_micros(30));
        metrics.decision(Some("lease.status"), None, Duration::from_micros(30));
        metrics.decision(None, Some("route_not_found"), Duration::from_micros(5));
        metrics.reload(false);
        let text = metrics.render(7, (5, 2));
        assert!(
            text.contains(r#"tollgate_decisions_total{operation="lease.status",code="allow"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"tollgate_decisions_total{operation="none",code="route_not_found"} 1"#),
            "{text}"
        );
        assert!(
            text.contains("tollgate_decision_duration_seconds_count 3"),
            "{text}"
        );
        assert!(text.contains("tollgate_cached_tokens 7"), "{text}");
        assert!(
            text.contains(r#"tollgate_reloads_total{result="error"} 1"#),
            "{text}"
        );
        assert!(text.contains("tollgate_cache_hits_total 5"), "{text}");
        assert!(text.contains("tollgate_cache_misses_total 2"), "{text}");
        assert!(text.contains("tollgate_log_lines_dropped_total "), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
        // A reload retires the old authorizer's lookups; the new one starts from zero.
        metrics.retire_cache((6, 2));
        let text = metrics.render(0, (1, 1));
        assert!(text.contains("tollgate_cache_hits_total 7"), "{text}");
        assert!(text.contains("tollgate_cache_misses_total 3"), "{text}");
    }
}
