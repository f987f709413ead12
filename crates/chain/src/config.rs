//! [`ChainConfig`]: which nodes to ask, how patiently, and where to cache.

use std::path::PathBuf;
use std::time::Duration;

/// How a [`ChainKeyResolver`](crate::ChainKeyResolver) reaches the chain and caches answers.
///
/// Build with [`ChainConfig::new`] and the setters; every field is also public. Defaults:
///
/// | field | default |
/// | --- | --- |
/// | `timeout` | 2 s per HTTP request, connection to last body byte |
/// | `retries` | 2 more attempts per node after a 5xx answer or a connection error |
/// | `backoff` | 100 ms before the first retry, doubling, each jittered to 50–150 % |
/// | `negative_ttl` | 30 s for "unknown account", "no public key", "module account", "unsupported key" |
/// | `memory_capacity` | 100 000 keys in memory |
/// | `negative_capacity` | 10 000 negative answers in memory, apart from the keys |
/// | `max_concurrent_lookups` | 32 node lookups in flight at once; more answer "unavailable" at once |
/// | `cache_path` | none: memory only, refetched after a restart |
///
/// [`ChainKeyResolver::new`](crate::ChainKeyResolver::new) refuses a zero `timeout` or
/// `max_concurrent_lookups`, a `timeout` over [`MAX_TIMEOUT`](Self::MAX_TIMEOUT), `retries`
/// over [`MAX_RETRIES`](Self::MAX_RETRIES) and a `backoff` over
/// [`MAX_BACKOFF`](Self::MAX_BACKOFF).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainConfig {
    /// Base URLs of cosmos-sdk REST API endpoints (an Akash node's API port, e.g.
    /// `https://api.akashnet.net`), tried in order. At least one.
    pub nodes: Vec<String>,
    /// Time limit of one HTTP request.
    pub timeout: Duration,
    /// Extra attempts per node after a 5xx answer or a connection error.
    pub retries: u32,
    /// Wait before the first retry; doubled for each later one, jittered.
    pub backoff: Duration,
    /// How long a definite negative answer is remembered (in memory only). Zero disables it.
    pub negative_ttl: Duration,
    /// How many checked keys the in-memory layer holds.
    pub memory_capacity: usize,
    /// How many negative answers the in-memory layer holds, in a cache of their own so that a
    /// flood of unknown addresses never evicts a known key.
    pub negative_capacity: usize,
    /// How many node lookups (misses of both cache layers) may run at once; a miss beyond that
    /// is answered `Unavailable` at once instead of waiting. Bounds the threads and sockets a
    /// flood of tokens naming distinct addresses can tie up.
    pub max_concurrent_lookups: usize,
    /// The persistent cache file (redb), created if missing. `None` keeps keys in memory only.
    pub cache_path: Option<PathBuf>,
}

impl ChainConfig {
    /// Default time limit of one HTTP request.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
    /// Default number of retries per node.
    pub const DEFAULT_RETRIES: u32 = 2;
    /// Default wait before the first retry.
    pub const DEFAULT_BACKOFF: Duration = Duration::from_millis(100);
    /// Default lifetime of a cached negative answer.
    pub const DEFAULT_NEGATIVE_TTL: Duration = Duration::from_secs(30);
    /// Default capacity of the in-memory layer.
    pub const DEFAULT_MEMORY_CAPACITY: usize = 100_000;
    /// Default capacity of the negative answers' in-memory cache.
    pub const DEFAULT_NEGATIVE_CAPACITY: usize = 10_000;
    /// Default bound on node lookups in flight.
    pub const DEFAULT_MAX_CONCURRENT_LOOKUPS: usize = 32;
    /// Longest accepted time limit of one request.
    pub const MAX_TIMEOUT: Duration = Duration::from_secs(5 * 60);
    /// Most accepted retries per node.
    pub const MAX_RETRIES: u32 = 10;
    /// Longest accepted backoff; every jittered wait is also capped at this.
    pub const MAX_BACKOFF: Duration = Duration::from_secs(10);

    /// A configuration for `nodes` (base URLs, tried in order) with the default values.
    pub fn new<I, S>(nodes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ChainConfig {
            nodes: nodes.into_iter().map(Into::into).collect(),
            timeout: Self::DEFAULT_TIMEOUT,
            retries: Self::DEFAULT_RETRIES,
            backoff: Self::DEFAULT_BACKOFF,
            negative_ttl: Self::DEFAULT_NEGATIVE_TTL,
            memory_capacity: Self::DEFAULT_MEMORY_CAPACITY,
            negative_capacity: Self::DEFAULT_NEGATIVE_CAPACITY,
            max_concurrent_lookups: Self::DEFAULT_MAX_CONCURRENT_LOOKUPS,
            cache_path: None,
        }
    }

    /// Sets the time limit of one HTTP request.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the number of retries per node.
    #[must_use]
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// Sets the wait before the first retry.
    #[must_use]
    pub fn backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff;
        self
    }

    /// Sets how long negative answers are remembered.
    #[must_use]
    pub fn negative_ttl(mut self, ttl: Duration) -> Self {
        self.negative_ttl = ttl;
        self
    }

    /// Sets the capacity of the in-memory layer.
    #[must_use]
    pub fn memory_capacity(mut self, capacity: usize) -> Self {
        self.memory_capacity = capacity;
        self
    }

    /// Sets the capacity of the negative answers' in-memory cache.
    #[must_use]
    pub fn negative_capacity(mut self, capacity: usize) -> Self {
        self.negative_capacity = capacity;
        self
    }

    /// Sets how many node lookups may run at once.
    #[must_use]
    pub fn max_concurrent_lookups(mut self, max: usize) -> Self {
        self.max_concurrent_lookups = max;
        self
    }

    /// Checks every bound documented on [`ChainConfig`] except the node URLs.
    pub(crate) fn check_bounds(&self) -> Result<(), ChainSetupError> {
        if self.timeout.is_zero() {
            return Err(ChainSetupError::ZeroTimeout);
        }
        let out_of_range = |setting, value: String, allowed| {
            Err(ChainSetupError::OutOfRange {
                setting,
                value,
                allowed,
            })
        };
        if self.timeout > Self::MAX_TIMEOUT {
            return out_of_range("timeout", format!("{:?}", self.timeout), "at most 5 min");
        }
        if self.retries > Self::MAX_RETRIES {
            return out_of_range("retries", self.retries.to_string(), "at most 10");
        }
        if self.backoff > Self::MAX_BACKOFF {
            return out_of_range("backoff", format!("{:?}", self.backoff), "at most 10 s");
        }
        if self.max_concurrent_lookups == 0 {
            return out_of_range("max_concurrent_lookups", "0".to_owned(), "at least 1");
        }
        Ok(())
    }

    /// Sets the persistent cache file.
    #[must_use]
    pub fn cache_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.cache_path = Some(path.into());
        self
    }
}

/// A configuration the resolver cannot start with.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ChainSetupError {
    /// No node URL was given.
    #[error("no chain node is configured")]
    #[diagnostic(
        code(tollgate::chain::no_nodes),
        help("pass at least one `--chain-node URL`, e.g. `https://api.akashnet.net`")
    )]
    NoNodes,
    /// A node URL that is not an absolute `http` or `https` URL.
    #[error("chain node URL `{url}` is invalid: {problem}")]
    #[diagnostic(
        code(tollgate::chain::node_url),
        help("give the base URL of the node's REST API port, e.g. `http://127.0.0.1:1317`")
    )]
    NodeUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        problem: NodeUrlProblem,
    },
    /// The gRPC transport's private runtime cannot start.
    #[cfg(feature = "grpc")]
    #[error("cannot start the gRPC runtime")]
    #[diagnostic(code(tollgate::chain::grpc_runtime))]
    GrpcRuntime(#[source] std::io::Error),
    /// A zero request timeout.
    #[error("the chain request timeout must be longer than zero")]
    #[diagnostic(code(tollgate::chain::timeout))]
    ZeroTimeout,
    /// A setting outside its accepted range (see [`ChainConfig`]).
    #[error("the chain setting `{setting}` is {value}, but must be {allowed}")]
    #[diagnostic(code(tollgate::chain::setting))]
    OutOfRange {
        /// The [`ChainConfig`] field.
        setting: &'static str,
        /// Its value as given.
        value: String,
        /// The accepted range.
        allowed: &'static str,
    },
    /// The persistent cache file cannot be opened or created.
    #[error("cannot open the key cache `{path}`")]
    #[diagnostic(
        code(tollgate::chain::cache_open),
        help(
            "check the path and its permissions; only one process may hold the cache file open at a time"
        )
    )]
    CacheOpen {
        /// The path as given.
        path: String,
        /// What went wrong.
        #[source]
        source: redb::Error,
    },
}

/// What is wrong with a node URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NodeUrlProblem {
    /// It does not parse as a URL.
    #[error("not a URL")]
    NotAUrl,
    /// Its scheme is not `http` or `https`.
    #[error("the scheme must be `http` or `https`")]
    Scheme,
    /// It has no host.
    #[error("it has no host")]
    NoHost,
    /// It has a query or a fragment.
    #[error("a base URL has no query or fragment")]
    QueryOrFragment,
    /// It carries credentials.
    #[error("credentials in the URL are not supported")]
    Credentials,
    /// A gRPC node URL that is not plaintext `http://`.
    #[error("gRPC nodes are reached over plaintext `http://` only")]
    GrpcNeedsHttp,
}
