//! [`ChainKeyResolver`]: memory, then the persistent cache, then the chain.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;
use tollgate_verify::{KeyOrigin, KeyResolver, ResolveError, ResolvedKey, Secp256k1PublicKey};

use crate::address::is_akash_account_address;
use crate::config::{ChainConfig, ChainSetupError};
use crate::node::{Nodes, Rest, Transport};
use crate::store::Store;

/// A preloaded key that could not be written to the cache file.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot store the key of `{address}` in the key cache: {reason}")]
#[diagnostic(code(tollgate::chain::cache_write))]
pub struct PreloadError {
    /// The key's address.
    pub address: String,
    /// What went wrong.
    pub reason: String,
}

/// What the memory layer remembers about an address.
#[derive(Clone)]
enum Memo {
    /// A key checked against the address: valid forever, since the address is its hash.
    Key(Arc<Secp256k1PublicKey>),
    /// A definite negative answer, until `until`.
    Denied { error: ResolveError, until: Instant },
}

/// One lookup in progress; concurrent callers for the same address wait for its result.
#[derive(Default)]
struct Flight {
    result: Mutex<Option<Result<ResolvedKey, ResolveError>>>,
    done: Condvar,
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
/// [`negative_ttl`](ChainConfig::negative_ttl); failures (`Unavailable`, `KeyMismatch`) are
/// never kept. Concurrent misses for one address make one lookup.
///
/// [`resolve`](KeyResolver::resolve) blocks on the network only on a miss; inside a
/// multi-thread tokio runtime that wait runs in `block_in_place`, so other tasks keep running.
pub struct ChainKeyResolver {
    memory: Cache<String, Memo>,
    store: Option<Store>,
    nodes: Nodes,
    negative_ttl: Duration,
    flights: Mutex<HashMap<String, Arc<Flight>>>,
}

impl std::fmt::Debug for ChainKeyResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainKeyResolver")
            .field("nodes", &self.nodes.urls)
            .field("persistent", &self.store.is_some())
            .field("in_memory", &self.memory.len())
            .finish_non_exhaustive()
    }
}

/// Checks a node base URL and returns it without a trailing `/`.
fn node_url(url: &str) -> Result<String, ChainSetupError> {
    let invalid = |reason: &str| ChainSetupError::NodeUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let uri: ureq::http::Uri = url.parse().map_err(|_| invalid("not a URL"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err(invalid("the scheme must be `http` or `https`")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    if uri.query().is_some() || url.contains('#') {
        return Err(invalid("a base URL has no query or fragment"));
    }
    if uri
        .authority()
        .is_some_and(|authority| authority.as_str().contains('@'))
    {
        return Err(invalid("credentials in the URL are not supported"));
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
                reason: "gRPC nodes are reached over plaintext `http://` only".to_owned(),
            });
        }
        let transport =
            crate::grpc::Grpc::new(config.timeout).map_err(|reason| ChainSetupError::NodeUrl {
                url: config.nodes.first().cloned().unwrap_or_default(),
                reason,
            })?;
        Self::with_transport(config, Box::new(transport))
    }

    pub(crate) fn with_transport(
        config: ChainConfig,
        transport: Box<dyn Transport>,
    ) -> Result<ChainKeyResolver, ChainSetupError> {
        if config.nodes.is_empty() {
            return Err(ChainSetupError::NoNodes);
        }
        if config.timeout.is_zero() {
            return Err(ChainSetupError::ZeroTimeout);
        }
        let urls = config
            .nodes
            .iter()
            .map(|url| node_url(url))
            .collect::<Result<Vec<_>, _>>()?;
        let store = match &config.cache_path {
            Some(path) => Some(
                Store::open(path).map_err(|reason| ChainSetupError::CacheOpen {
                    path: path.display().to_string(),
                    reason,
                })?,
            ),
            None => None,
        };
        Ok(ChainKeyResolver {
            memory: Cache::new(config.memory_capacity.max(1)),
            store,
            nodes: Nodes {
                urls,
                retries: config.retries,
                backoff: config.backoff,
                transport,
            },
            negative_ttl: config.negative_ttl,
            flights: Mutex::new(HashMap::new()),
        })
    }

    /// The node base URLs, in the order they are asked.
    pub fn nodes(&self) -> &[String] {
        &self.nodes.urls
    }

    /// Number of addresses in the memory layer (keys and unexpired negative answers).
    pub fn memory_len(&self) -> usize {
        self.memory.len()
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
                .map_err(|reason| PreloadError {
                    address: address.clone(),
                    reason,
                })?;
        }
        self.memory
            .insert(address.clone(), Memo::Key(Arc::new(key)));
        Ok(address)
    }

    /// Forgets everything held in memory (the persistent cache is kept).
    pub fn clear_memory(&self) {
        self.memory.clear();
    }

    /// The memory layer's answer, if it has a live one.
    fn memory_answer(&self, issuer: &str) -> Option<Result<ResolvedKey, ResolveError>> {
        match self.memory.get(issuer)? {
            Memo::Key(key) => Some(Ok(ResolvedKey {
                key,
                origin: KeyOrigin::MemoryCache,
            })),
            Memo::Denied { error, until } => {
                if Instant::now() < until {
                    Some(Err(error))
                } else {
                    self.memory.remove(issuer);
                    None
                }
            }
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
            self.memory
                .insert(issuer.to_owned(), Memo::Key(Arc::clone(&key)));
            return Ok(ResolvedKey {
                key,
                origin: KeyOrigin::PersistentCache,
            });
        }
        match self.nodes.ask(issuer) {
            Ok((key, url)) => {
                if let Some(store) = &self.store {
                    // A failed write costs a refetch after a restart, not a wrong decision.
                    let _ = store.put(issuer, &key.to_compressed());
                }
                let key = Arc::new(key);
                self.memory
                    .insert(issuer.to_owned(), Memo::Key(Arc::clone(&key)));
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
                    self.memory.insert(
                        issuer.to_owned(),
                        Memo::Denied {
                            error: error.clone(),
                            until,
                        },
                    );
                }
                Err(error)
            }
        }
    }

    /// Runs [`lookup`](Self::lookup) once per address at a time; concurrent callers share the
    /// result.
    fn coalesced(&self, issuer: &str) -> Result<ResolvedKey, ResolveError> {
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
            let result = blocking(|| self.lookup(issuer));
            *flight.result.lock().unwrap_or_else(PoisonError::into_inner) = Some(result.clone());
            self.flights
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(issuer);
            flight.done.notify_all();
            return result;
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
        self.coalesced(issuer)
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
    }
}
