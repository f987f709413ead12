//! [`ChainKeyResolver`]: memory, then the persistent cache, then the chain.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;
use tollgate_verify::{KeyOrigin, KeyResolver, ResolveError, ResolvedKey, Secp256k1PublicKey};

use crate::address::is_akash_account_address;
use crate::config::{ChainConfig, ChainSetupError, NodeUrlProblem};
use crate::node::{Nodes, Rest, Transport};
use crate::store::Store;

/// A preloaded key that could not be written to the cache file.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot store the key of `{address}` in the key cache")]
#[diagnostic(code(tollgate::chain::cache_write))]
pub struct PreloadError {
    /// The key's address.
    pub address: String,
    /// What went wrong.
    #[source]
    pub source: redb::Error,
}

/// A definite negative answer the memory layer remembers, until `until`.
#[derive(Clone)]
struct Denial {
    error: ResolveError,
    until: Instant,
}

/// A counting semaphore that never waits: it bounds the node lookups in flight.
struct LookupLimit {
    in_flight: AtomicUsize,
    max: usize,
}

impl LookupLimit {
    /// A permit, or `None` when `max` lookups are already running.
    fn try_acquire(&self) -> Option<LookupPermit<'_>> {
        self.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n.saturating_add(1))
            })
            .ok()
            .map(|_| LookupPermit(self))
    }
}

/// One running node lookup; released on drop, also when the lookup unwinds.
struct LookupPermit<'a>(&'a LookupLimit);

impl Drop for LookupPermit<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One lookup in progress; concurrent callers for the same address wait for its result.
#[derive(Default)]
struct Flight {
    result: Mutex<Option<Result<ResolvedKey, ResolveError>>>,
    done: Condvar,
}

/// The caller running a [`Flight`]'s lookup. Dropping it — after [`finish`](Self::finish) or
/// while unwinding from a panic in the lookup — publishes a result (`Unavailable` if none was
/// set), leaves the in-flight map and wakes every waiter, so no waiter is left hanging.
struct Leader<'a> {
    resolver: &'a ChainKeyResolver,
    issuer: &'a str,
    flight: Arc<Flight>,
}

impl Leader<'_> {
    /// Publishes `result` to the waiters and returns it.
    fn finish(
        self,
        result: Result<ResolvedKey, ResolveError>,
    ) -> Result<ResolvedKey, ResolveError> {
        *self
            .flight
            .result
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(result.clone());
        result
    }
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        {
            let mut slot = self
                .flight
                .result
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if slot.is_none() {
                *slot = Some(Err(ResolveError::Unavailable {
                    issuer: self.issuer.to_owned(),
                    reason: "the key lookup failed unexpectedly".to_owned(),
                }));
            }
        }
        self.resolver
            .flights
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(self.issuer);
        self.flight.done.notify_all();
    }
}

/// Resolves Akash issuers through the chain's account query (AKASH.md §7), with a memory
/// layer over an optional persistent redb cache.
///
/// Order: memory ([`KeyOrigin::MemoryCache`]) → the cache file
/// ([`KeyOrigin::PersistentCache`]) → the nodes in order ([`KeyOrigin::ChainNode`]).
/// Every key, whether from a node or the file, must hash to the address asked for
/// (`bech32("akash", ripemd160(sha256(key)))`): upstream trusts the node, tollgate does not.
/// Because an address is the hash of its key, a checked key never goes stale, so it is kept
/// without expiry. Negative answers are kept in memory for
/// [`negative_ttl`](ChainConfig::negative_ttl), in a cache of their own
/// ([`negative_capacity`](ChainConfig::negative_capacity)) so that they never evict keys;
/// failures (`Unavailable`, `KeyMismatch`) are never kept. Concurrent misses for one address
/// make one lookup, and at most
/// [`max_concurrent_lookups`](ChainConfig::max_concurrent_lookups) node lookups run at once:
/// a miss beyond that is `Unavailable` at once.
///
/// [`resolve`](KeyResolver::resolve) blocks on the network only on a miss; inside a
/// multi-thread tokio runtime that wait runs in `block_in_place`, so other tasks keep running.
pub struct ChainKeyResolver {
    memory: Cache<String, Arc<Secp256k1PublicKey>>,
    denials: Cache<String, Denial>,
    store: Option<Store>,
    nodes: Nodes,
    negative_ttl: Duration,
    flights: Mutex<HashMap<String, Arc<Flight>>>,
    lookups: LookupLimit,
}

impl std::fmt::Debug for ChainKeyResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainKeyResolver")
            .field("nodes", &self.nodes.urls)
            .field("persistent", &self.store.is_some())
            .field("in_memory", &self.memory.len())
            .field("denials_in_memory", &self.denials.len())
            .finish_non_exhaustive()
    }
}

/// Checks a node base URL and returns it without a trailing `/`.
fn node_url(url: &str) -> Result<String, ChainSetupError> {
    let invalid = |problem| ChainSetupError::NodeUrl {
        url: url.to_owned(),
        problem,
    };
    let uri: ureq::http::Uri = url.parse().map_err(|_| invalid(NodeUrlProblem::NotAUrl))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err(invalid(NodeUrlProblem::Scheme)),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(invalid(NodeUrlProblem::NoHost));
    }
    if uri.query().is_some() || url.contains('#') {
        return Err(invalid(NodeUrlProblem::QueryOrFragment));
    }
    if uri
        .authority()
        .is_some_and(|authority| authority.as_str().contains('@'))
    {
        return Err(invalid(NodeUrlProblem::Credentials));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// Runs `f`, which blocks, without starving a multi-thread tokio runtime it may be called on.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

impl ChainKeyResolver {
    /// Checks `config`, opens (or creates) the cache file, and builds the resolver. No node is
    /// contacted here.
    pub fn new(config: ChainConfig) -> Result<ChainKeyResolver, ChainSetupError> {
        let transport = Box::new(Rest::new(config.timeout));
        Self::with_transport(config, transport)
    }

    /// Like [`new`](Self::new), but asks the nodes' gRPC endpoints
    /// (`cosmos.auth.v1beta1.Query/Account`, plaintext HTTP/2, e.g. `http://127.0.0.1:9090`)
    /// instead of their REST API. Everything else (checks, caches, retries) is the same.
    #[cfg(feature = "grpc")]
    pub fn new_grpc(config: ChainConfig) -> Result<ChainKeyResolver, ChainSetupError> {
        if let Some(url) = config.nodes.iter().find(|url| !url.starts_with("http://")) {
            return Err(ChainSetupError::NodeUrl {
                url: url.clone(),
                problem: NodeUrlProblem::GrpcNeedsHttp,
            });
        }
        let transport =
            crate::grpc::Grpc::new(config.timeout).map_err(ChainSetupError::GrpcRuntime)?;
        Self::with_transport(config, Box::new(transport))
    }

    pub(crate) fn with_transport(
        config: ChainConfig,
        transport: Box<dyn Transport>,
    ) -> Result<ChainKeyResolver, ChainSetupError> {
        if config.nodes.is_empty() {
            return Err(ChainSetupError::NoNodes);
        }
        config.check_bounds()?;
        let urls = config
            .nodes
            .iter()
            .map(|url| node_url(url))
            .collect::<Result<Vec<_>, _>>()?;
        let store = match &config.cache_path {
            Some(path) => Some(
                Store::open(path).map_err(|source| ChainSetupError::CacheOpen {
                    path: path.display().to_string(),
                    source,
                })?,
            ),
            None => None,
        };
        Ok(ChainKeyResolver {
            memory: Cache::new(config.memory_capacity.max(1)),
            denials: Cache::new(config.negative_capacity.max(1)),
            store,
            nodes: Nodes {
                urls,
                retries: config.retries,
                backoff: config.backoff,
                transport,
            },
            negative_ttl: config.negative_ttl,
            flights: Mutex::new(HashMap::new()),
            lookups: LookupLimit {
                in_flight: AtomicUsize::new(0),
                max: config.max_concurrent_lookups,
            },
        })
    }

    /// The node base URLs, in the order they are asked.
    pub fn nodes(&self) -> &[String] {
        &self.nodes.urls
    }

    /// Number of addresses in the memory layer (keys and negative answers not yet evicted).
    pub fn memory_len(&self) -> usize {
        self.memory.len().saturating_add(self.denials.len())
    }

    /// Number of keys in the persistent cache (`None` without a cache file or if it cannot be
    /// read).
    pub fn persistent_len(&self) -> Option<u64> {
        self.store.as_ref().and_then(|store| store.len().ok())
    }

    /// Adds a key known by other means (for example the owners of this provider's leases) to
    /// both layers and returns its address. The address is derived from the key, so nothing
    /// unchecked can enter this way.
    pub fn preload(&self, key: Secp256k1PublicKey) -> Result<String, PreloadError> {
        let address = key.akash_address();
        if let Some(store) = &self.store {
            store
                .put(&address, &key.to_compressed())
                .map_err(|source| PreloadError {
                    address: address.clone(),
                    source,
                })?;
        }
        self.denials.remove(&address);
        self.memory.insert(address.clone(), Arc::new(key));
        Ok(address)
    }

    /// Forgets everything held in memory (the persistent cache is kept).
    pub fn clear_memory(&self) {
        self.memory.clear();
        self.denials.clear();
    }

    /// The memory layer's answer, if it has a live one.
    fn memory_answer(&self, issuer: &str) -> Option<Result<ResolvedKey, ResolveError>> {
        if let Some(key) = self.memory.get(issuer) {
            return Some(Ok(ResolvedKey {
                key,
                origin: KeyOrigin::MemoryCache,
            }));
        }
        let Denial { error, until } = self.denials.get(issuer)?;
        if Instant::now() < until {
            Some(Err(error))
        } else {
            self.denials.remove(issuer);
            None
        }
    }

    /// The persistent cache's key for `issuer`, if it holds one that hashes to it. An entry
    /// that does not is deleted.
    fn stored_key(&self, issuer: &str) -> Option<Arc<Secp256k1PublicKey>> {
        let store = self.store.as_ref()?;
        let bytes = store.get(issuer).ok()??;
        let checked = Secp256k1PublicKey::from_sec1_bytes(&bytes)
            .ok()
            .filter(|key| key.akash_address() == issuer);
        match checked {
            Some(key) => Some(Arc::new(key)),
            None => {
                // Tampered or corrupted: never use it; the next chain answer replaces it.
                let _ = store.remove(issuer);
                None
            }
        }
    }

    /// The full lookup after a memory miss: the file, then the nodes. Remembers the answer.
    fn lookup(&self, issuer: &str) -> Result<ResolvedKey, ResolveError> {
        if let Some(key) = self.stored_key(issuer) {
            self.memory.insert(issuer.to_owned(), Arc::clone(&key));
            return Ok(ResolvedKey {
                key,
                origin: KeyOrigin::PersistentCache,
            });
        }
        let Some(_permit) = self.lookups.try_acquire() else {
            return Err(ResolveError::Unavailable {
                issuer: issuer.to_owned(),
                reason: format!(
                    "too many key lookups in flight (at most {}); try again shortly",
                    self.lookups.max
                ),
            });
        };
        match self.nodes.ask(issuer) {
            Ok((key, url)) => {
                if let Some(store) = &self.store {
                    // A failed write costs a refetch after a restart, not a wrong decision.
                    let _ = store.put(issuer, &key.to_compressed());
                }
                let key = Arc::new(key);
                self.memory.insert(issuer.to_owned(), Arc::clone(&key));
                Ok(ResolvedKey {
                    key,
                    origin: KeyOrigin::ChainNode { url },
                })
            }
            Err(error) => {
                let definite = matches!(
                    error,
                    ResolveError::UnknownIssuer { .. }
                        | ResolveError::NoPublicKey { .. }
                        | ResolveError::ModuleAccount { .. }
                        | ResolveError::UnsupportedKeyType { .. }
                );
                if definite
                    && let Some(until) = Instant::now()
                        .checked_add(self.negative_ttl)
                        .filter(|_| !self.negative_ttl.is_zero())
                {
                    self.denials.insert(
                        issuer.to_owned(),
                        Denial {
                            error: error.clone(),
                            until,
                        },
                    );
                }
                Err(error)
            }
        }
    }

    /// Runs `lookup` (normally [`lookup`](Self::lookup)) once per address at a time;
    /// concurrent callers share the result. If `lookup` panics, the waiters get `Unavailable`.
    fn coalesced(
        &self,
        issuer: &str,
        lookup: impl FnOnce() -> Result<ResolvedKey, ResolveError>,
    ) -> Result<ResolvedKey, ResolveError> {
        let (flight, leader) = {
            let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(flight) = flights.get(issuer) {
                (Arc::clone(flight), false)
            } else {
                // A lookup that finished between our memory miss and this lock has already
                // filled the memory layer (it does so before leaving the map).
                if let Some(answer) = self.memory_answer(issuer) {
                    return answer;
                }
                let flight = Arc::new(Flight::default());
                flights.insert(issuer.to_owned(), Arc::clone(&flight));
                (flight, true)
            }
        };
        if leader {
            let leader = Leader {
                resolver: self,
                issuer,
                flight,
            };
            return leader.finish(blocking(lookup));
        }
        blocking(|| {
            let mut slot = flight.result.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                if let Some(result) = slot.as_ref() {
                    return result.clone();
                }
                slot = flight
                    .done
                    .wait(slot)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        })
    }
}

impl KeyResolver for ChainKeyResolver {
    fn resolve(&self, issuer: &str) -> Result<ResolvedKey, ResolveError> {
        if let Some(answer) = self.memory_answer(issuer) {
            return answer;
        }
        if !is_akash_account_address(issuer) {
            return Err(ResolveError::UnknownIssuer {
                issuer: issuer.to_owned(),
            });
        }
        self.coalesced(issuer, || self.lookup(issuer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_urls_are_checked_and_trimmed() {
        assert_eq!(
            node_url("http://127.0.0.1:1317/").unwrap(),
            "http://127.0.0.1:1317"
        );
        assert_eq!(
            node_url("https://api.example.org/rest").unwrap(),
            "https://api.example.org/rest"
        );
        for bad in [
            "",
            "127.0.0.1:1317",
            "ftp://node",
            "http://node/?x=1",
            "http://node/#f",
            "http://user:pw@node",
        ] {
            assert!(
                matches!(node_url(bad), Err(ChainSetupError::NodeUrl { .. })),
                "{bad}"
            );
        }
    }

    const ADDR: &str = "akash1l3e9pgs3mmwuwrh95fecme0s0qtn2880y3lusr";

    #[test]
    fn a_panicking_lookup_releases_its_waiters() {
        let resolver =
            Arc::new(ChainKeyResolver::new(ChainConfig::new(["http://127.0.0.1:9"])).unwrap());
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let leader = {
            let resolver = Arc::clone(&resolver);
            std::thread::spawn(move || {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    resolver.coalesced(ADDR, || {
                        started_tx.send(()).unwrap();
                        std::thread::sleep(Duration::from_millis(200));
                        panic!("lookup bug");
                    })
                }))
                .is_err()
            })
        };
        started_rx.recv().unwrap();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        {
            let resolver = Arc::clone(&resolver);
            std::thread::spawn(move || {
                let result = resolver.coalesced(ADDR, || {
                    Err(ResolveError::Unavailable {
                        issuer: ADDR.to_owned(),
                        reason: "the waiter ran its own lookup".to_owned(),
                    })
                });
                let _ = done_tx.send(result);
            });
        }
        let waited = done_rx
            .recv_timeout(Duration::from_secs(5))
            .expect("the waiter hangs after the leader panicked");
        assert!(leader.join().unwrap(), "the leader did not panic");
        match waited {
            Err(ResolveError::Unavailable { reason, .. }) => {
                assert_eq!(reason, "the key lookup failed unexpectedly");
            }
            other => panic!("{other:?}"),
        }
        // The flight is gone: the next caller runs its own lookup.
        assert!(resolver.flights.lock().unwrap().is_empty());
        let next = resolver.coalesced(ADDR, || {
            Err(ResolveError::UnknownIssuer {
                issuer: ADDR.to_owned(),
            })
        });
        assert!(matches!(next, Err(ResolveError::UnknownIssuer { .. })));
    }

    #[test]
    fn lookup_permits_are_bounded_and_released() {
        let limit = LookupLimit {
            in_flight: AtomicUsize::new(0),
            max: 2,
        };
        let first = limit.try_acquire().unwrap();
        let second = limit.try_acquire().unwrap();
        assert!(limit.try_acquire().is_none());
        drop(first);
        let third = limit.try_acquire().unwrap();
        assert!(limit.try_acquire().is_none());
        drop((second, third));
        assert_eq!(limit.in_flight.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn setup_errors() {
        assert!(matches!(
            ChainKeyResolver::new(ChainConfig::new(Vec::<String>::new())),
            Err(ChainSetupError::NoNodes)
        ));
        assert!(matches!(
            ChainKeyResolver::new(ChainConfig::new(["http://n"]).timeout(Duration::ZERO)),
            Err(ChainSetupError::ZeroTimeout)
        ));
        let out_of_range = |config: ChainConfig| match ChainKeyResolver::new(config) {
            Err(ChainSetupError::OutOfRange { setting, .. }) => setting,
            other => panic!("{other:?}"),
        };
        let base = || ChainConfig::new(["http://n"]);
        assert_eq!(
            out_of_range(base().timeout(Duration::from_secs(301))),
            "timeout"
        );
        assert_eq!(out_of_range(base().retries(11)), "retries");
        assert_eq!(out_of_range(base().backoff(Duration::MAX)), "backoff");
        assert_eq!(
            out_of_range(base().max_concurrent_lookups(0)),
            "max_concurrent_lookups"
        );
        let limits = base()
            .timeout(ChainConfig::MAX_TIMEOUT)
            .retries(ChainConfig::MAX_RETRIES)
            .backoff(ChainConfig::MAX_BACKOFF)
            .max_concurrent_lookups(1);
        assert!(ChainKeyResolver::new(limits).is_ok());
    }
}
