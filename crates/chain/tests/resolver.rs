//! `ChainKeyResolver` against a real loopback node serving the cosmos-sdk REST shapes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

mod support;

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use support::{ED25519, MODULE, NEVER_SIGNED, Reply, TempPath, TestNode, refusing_url};
use tollgate_chain::{ChainConfig, ChainKeyResolver};
use tollgate_verify::{KeyOrigin, KeyResolver, ResolveError};

/// `base_account.json`: the account of the secret scalar `0x11…11`.
const TENANT: &str = "akash1l3e9pgs3mmwuwrh95fecme0s0qtn2880y3lusr";
const TENANT_KEY: &str = "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa";
const CONTINUOUS: &str = "akash179gvz0qx599tx06xmlcrw47fnfn243q0larrpe";
const CONTINUOUS_KEY: &str = "031d16453b3ab3132acb0a5bc16cc49690d819a585267a15cd5a064e2a0ad40599";
const DELAYED: &str = "akash1c2rmgqnped269vwzehhc60vmrqugkn36vrfk5x";
const DELAYED_KEY: &str = "03ff8adab52623bcb2717fc71d7edc6f55e98396e6c234dff01f307a12b2af1c99";
const PERIODIC: &str = "akash1s76af50mxrhccpz4cmw7ucus2xe40qkr0vhs6r";
const PERIODIC_KEY: &str = "03d793631af7aa0e709439dd47fc001acd0b0727670b6670ea528ac83cb0127f4a";
const LOCKED: &str = "akash1dap3mkhdep3lhp3fkl27u70kx0063mp06stumk";
const LOCKED_KEY: &str = "02a8397a935f0dfceba6ba9618f6451ef4d80637abf4e6af2669fbc9de6a8fd2ac";
const MULTISIG: &str = "akash1zut3w9chzut3w9chzut3w9chzut3w9chdxupxg";
/// `base_account_wrong_key.json` claims this address but carries `TENANT_KEY`.
const WRONG_KEY: &str = "akash12v5lawrva7x5ez7mwfvgjy0q3k7fhwuf9jtun5";
const UNKNOWN: &str = support::NOT_FOUND_ADDRESS;

fn config(nodes: &[&str]) -> ChainConfig {
    ChainConfig::new(nodes.iter().copied())
        .timeout(Duration::from_millis(200))
        .backoff(Duration::from_millis(5))
}

fn resolver(node: &TestNode) -> ChainKeyResolver {
    ChainKeyResolver::new(config(&[&node.url])).unwrap()
}

fn key_hex(resolver: &ChainKeyResolver, address: &str) -> (String, KeyOrigin) {
    let resolved = resolver.resolve(address).unwrap();
    (hex::encode(resolved.key.to_compressed()), resolved.origin)
}

#[test]
fn reads_the_key_of_every_account_type_that_has_one() {
    let node = TestNode::start();
    let cases = [
        (TENANT, "base_account.json", TENANT_KEY),
        (
            CONTINUOUS,
            "continuous_vesting_account.json",
            CONTINUOUS_KEY,
        ),
        (DELAYED, "delayed_vesting_account.json", DELAYED_KEY),
        (PERIODIC, "periodic_vesting_account.json", PERIODIC_KEY),
        (LOCKED, "permanent_locked_account.json", LOCKED_KEY),
    ];
    for (address, fixture, _) in cases {
        node.serve(address, Reply::ok(fixture));
    }
    let resolver = resolver(&node);
    for (address, fixture, key) in cases {
        let (found, origin) = key_hex(&resolver, address);
        assert_eq!(found, key, "{fixture}");
        assert_eq!(
            origin,
            KeyOrigin::ChainNode {
                url: node.url.clone()
            }
        );
        assert_eq!(origin.to_string(), format!("chain node `{}`", node.url));
    }
}

#[test]
fn accounts_without_a_usable_key_deny_with_their_own_error() {
    let node = TestNode::start();
    node.serve(NEVER_SIGNED, Reply::ok("base_account_no_pub_key.json"));
    node.serve(MODULE, Reply::ok("module_account.json"));
    node.serve(ED25519, Reply::ok("base_account_ed25519.json"));
    node.serve(MULTISIG, Reply::ok("base_account_multisig.json"));
    let resolver = resolver(&node);
    support::assert_keyless_accounts(&resolver);
    assert_eq!(
        resolver.resolve(MULTISIG).unwrap_err(),
        ResolveError::UnsupportedKeyType {
            issuer: MULTISIG.into(),
            key_type: "/cosmos.crypto.multisig.LegacyAminoPubKey".into()
        }
    );
}

#[test]
fn not_found_is_unknown_and_is_not_retried() {
    let node = TestNode::start();
    let resolver = resolver(&node);
    assert_eq!(
        resolver.resolve(UNKNOWN).unwrap_err(),
        ResolveError::UnknownIssuer {
            issuer: UNKNOWN.into()
        }
    );
    assert_eq!(node.hits(UNKNOWN), 1, "a 404 NotFound is definite");
}

#[test]
fn negative_answers_are_cached_for_the_ttl_only() {
    let node = TestNode::start();
    let resolver =
        ChainKeyResolver::new(config(&[&node.url]).negative_ttl(Duration::from_millis(300)))
            .unwrap();
    assert!(resolver.resolve(UNKNOWN).is_err());
    assert!(resolver.resolve(UNKNOWN).is_err());
    assert_eq!(
        node.hits(UNKNOWN),
        1,
        "within the TTL the node is not asked"
    );
    // The account appears on chain; after the TTL it is found.
    node.serve(UNKNOWN, Reply::ok("base_account.json").clone());
    std::thread::sleep(Duration::from_millis(350));
    // The fixture is the tenant's account, so the node answers for another address: this
    // must not be accepted either.
    let error = resolver.resolve(UNKNOWN).unwrap_err();
    assert!(
        matches!(&error, ResolveError::Unavailable { reason, .. } if reason.contains(TENANT)),
        "{error:?}"
    );
    assert_eq!(node.hits(UNKNOWN), 2);

    let no_ttl = ChainKeyResolver::new(config(&[&node.url]).negative_ttl(Duration::ZERO)).unwrap();
    node.serve(MODULE, Reply::ok("module_account.json"));
    assert!(no_ttl.resolve(MODULE).is_err());
    assert!(no_ttl.resolve(MODULE).is_err());
    assert_eq!(node.hits(MODULE), 2, "a zero TTL caches nothing");
}

#[test]
fn retries_a_500_then_succeeds() {
    let node = TestNode::start();
    node.script(
        TENANT,
        vec![
            Reply::internal_error(),
            Reply::internal_error(),
            Reply::ok("base_account.json"),
        ],
    );
    let resolver = resolver(&node);
    assert_eq!(key_hex(&resolver, TENANT).0, TENANT_KEY);
    assert_eq!(node.hits(TENANT), 3, "two retries after two 500s");
}

#[test]
fn gives_up_after_the_configured_retries() {
    let node = TestNode::start();
    node.serve(TENANT, Reply::internal_error());
    let resolver = ChainKeyResolver::new(config(&[&node.url]).retries(1)).unwrap();
    let error = resolver.resolve(TENANT).unwrap_err();
    let ResolveError::Unavailable { reason, .. } = &error else {
        panic!("{error:?}")
    };
    assert!(reason.contains("HTTP 500"), "{reason}");
    assert!(reason.contains("store is busy"), "{reason}");
    assert!(reason.contains("2 attempts"), "{reason}");
    assert_eq!(node.hits(TENANT), 2);
    // Failures are not cached: the next call asks again.
    assert!(resolver.resolve(TENANT).is_err());
    assert_eq!(node.hits(TENANT), 4);
}

#[test]
fn fails_over_to_the_next_node() {
    let node = TestNode::start();
    node.serve(TENANT, Reply::ok("base_account.json"));
    let down = refusing_url();
    let resolver = ChainKeyResolver::new(config(&[&down, &node.url])).unwrap();
    let (key, origin) = key_hex(&resolver, TENANT);
    assert_eq!(key, TENANT_KEY);
    assert_eq!(
        origin,
        KeyOrigin::ChainNode {
            url: node.url.clone()
        }
    );
    assert_eq!(resolver.nodes(), [down, node.url.clone()]);
}

#[test]
fn every_node_down_is_unavailable_and_names_each_node() {
    let first = refusing_url();
    let second = refusing_url();
    let resolver = ChainKeyResolver::new(config(&[&first, &second]).retries(0)).unwrap();
    let error = resolver.resolve(TENANT).unwrap_err();
    let ResolveError::Unavailable { reason, .. } = &error else {
        panic!("{error:?}")
    };
    assert!(reason.starts_with("no chain node answered"), "{reason}");
    assert!(
        reason.contains(&first) && reason.contains(&second),
        "{reason}"
    );
}

#[test]
fn a_slow_node_times_out() {
    let node = TestNode::start();
    node.serve(
        TENANT,
        Reply::ok("base_account.json").after(Duration::from_millis(700)),
    );
    let resolver = resolver(&node);
    let started = Instant::now();
    let error = resolver.resolve(TENANT).unwrap_err();
    let elapsed = started.elapsed();
    let ResolveError::Unavailable { reason, .. } = &error else {
        panic!("{error:?}")
    };
    assert!(reason.contains("timed out"), "{reason}");
    assert!(elapsed < Duration::from_millis(600), "{elapsed:?}");
    assert_eq!(
        node.hits(TENANT),
        1,
        "a timeout is not retried on the same node"
    );
}

#[test]
fn malformed_answers_are_unavailable_and_not_cached() {
    let node = TestNode::start();
    let full = support::fixture("base_account.json");
    node.serve(TENANT, Reply::raw(200, full[..full.len() / 2].to_vec()));
    let resolver = resolver(&node);
    for _ in 0..2 {
        let error = resolver.resolve(TENANT).unwrap_err();
        assert!(
            matches!(&error, ResolveError::Unavailable { reason, .. } if reason.contains("malformed account response")),
            "{error:?}"
        );
    }
    assert_eq!(node.hits(TENANT), 2);

    for (body, expect) in [
        (
            &b"<html>not found</html>"[..],
            "without a cosmos-sdk status",
        ),
        (
            &br#"{"code":12,"message":"Not Implemented","details":[]}"#[..],
            "gRPC code 12",
        ),
    ] {
        node.serve(CONTINUOUS, Reply::raw(404, body));
        let error = resolver.resolve(CONTINUOUS).unwrap_err();
        assert!(
            matches!(&error, ResolveError::Unavailable { reason, .. } if reason.contains(expect)),
            "{error:?}"
        );
    }

    node.serve(DELAYED, Reply::raw(200, vec![b' '; 70 * 1024]));
    let error = resolver.resolve(DELAYED).unwrap_err();
    assert!(
        matches!(&error, ResolveError::Unavailable { reason, .. } if reason.contains("larger than 65536 bytes")),
        "{error:?}"
    );

    let unknown_type = String::from_utf8(support::fixture("base_account.json"))
        .unwrap()
        .replace(
            "/cosmos.auth.v1beta1.BaseAccount",
            "/ethermint.types.v1.EthAccount",
        )
        .replace(TENANT, PERIODIC);
    node.serve(PERIODIC, Reply::raw(200, unknown_type));
    let error = resolver.resolve(PERIODIC).unwrap_err();
    assert!(
        matches!(&error, ResolveError::Unavailable { reason, .. } if reason.contains("`/ethermint.types.v1.EthAccount`")),
        "{error:?}"
    );
}

#[test]
fn a_key_that_does_not_hash_to_the_address_is_refused() {
    let node = TestNode::start();
    node.serve(WRONG_KEY, Reply::ok("base_account_wrong_key.json"));
    let resolver = resolver(&node);
    for _ in 0..2 {
        assert_eq!(
            resolver.resolve(WRONG_KEY).unwrap_err(),
            ResolveError::KeyMismatch {
                issuer: WRONG_KEY.into(),
                derived: TENANT.into()
            }
        );
    }
    assert_eq!(node.hits(WRONG_KEY), 2, "a mismatch is never cached");
}

#[test]
fn an_honest_second_node_wins_over_a_lying_first_one() {
    let liar = TestNode::start();
    let honest = TestNode::start();
    let lie = String::from_utf8(support::fixture("base_account.json"))
        .unwrap()
        .replace(TENANT, CONTINUOUS);
    liar.serve(CONTINUOUS, Reply::raw(200, lie));
    honest.serve(CONTINUOUS, Reply::ok("continuous_vesting_account.json"));
    let resolver = ChainKeyResolver::new(config(&[&liar.url, &honest.url])).unwrap();
    let (key, origin) = key_hex(&resolver, CONTINUOUS);
    assert_eq!(key, CONTINUOUS_KEY);
    assert_eq!(
        origin,
        KeyOrigin::ChainNode {
            url: honest.url.clone()
        }
    );
}

#[test]
fn other_prefixes_and_bad_addresses_never_reach_the_node() {
    let node = TestNode::start();
    let resolver = resolver(&node);
    for issuer in [
        "cosmos1l3e9pgs3mmwuwrh95fecme0s0qtn2880f2jmfe",
        "osmo1l3e9pgs3mmwuwrh95fecme0s0qtn2880p3ptlt",
        "akash1l3e9pgs3mmwuwrh95fecme0s0qtn2880y3lusq",
        "AKASH1L3E9PGS3MMWUWRH95FECME0S0QTN2880Y3LUSR",
        "akash1l3e9pgs3mmwuwrh95fecme0s0qtn2880y3lusr/../x",
        "",
    ] {
        assert_eq!(
            resolver.resolve(issuer).unwrap_err(),
            ResolveError::UnknownIssuer {
                issuer: issuer.into()
            }
        );
    }
    assert_eq!(node.total_hits(), 0);
    // The same key hash under the `cosmos` prefix is served by the node, but never asked for.
    node.serve(
        "cosmos1l3e9pgs3mmwuwrh95fecme0s0qtn2880f2jmfe",
        Reply::ok("base_account.json"),
    );
    assert!(
        resolver
            .resolve("cosmos1l3e9pgs3mmwuwrh95fecme0s0qtn2880f2jmfe")
            .is_err()
    );
    assert_eq!(node.total_hits(), 0);
}

#[test]
fn the_memory_layer_answers_the_second_time() {
    let mut node = TestNode::start();
    node.serve(TENANT, Reply::ok("base_account.json"));
    let resolver = resolver(&node);
    let first = resolver.resolve(TENANT).unwrap();
    node.stop();
    let second = resolver.resolve(TENANT).unwrap();
    assert_eq!(second.origin, KeyOrigin::MemoryCache);
    assert!(Arc::ptr_eq(&first.key, &second.key));
    assert_eq!(resolver.memory_len(), 1);
}

#[test]
fn a_new_resolver_with_the_same_cache_file_answers_without_the_node() {
    let path = TempPath::new("keys.redb");
    let mut node = TestNode::start();
    node.serve(TENANT, Reply::ok("base_account.json"));
    node.serve(PERIODIC, Reply::ok("periodic_vesting_account.json"));
    {
        let resolver = ChainKeyResolver::new(config(&[&node.url]).cache_path(&path.0)).unwrap();
        assert!(matches!(
            resolver.resolve(TENANT).unwrap().origin,
            KeyOrigin::ChainNode { .. }
        ));
        assert!(resolver.resolve(PERIODIC).is_ok());
        assert!(resolver.resolve(UNKNOWN).is_err());
        assert_eq!(
            resolver.persistent_len(),
            Some(2),
            "negatives stay in memory"
        );
    }
    node.stop();
    let restarted = ChainKeyResolver::new(config(&[&node.url]).cache_path(&path.0)).unwrap();
    let (key, origin) = key_hex(&restarted, TENANT);
    assert_eq!(key, TENANT_KEY);
    assert_eq!(origin, KeyOrigin::PersistentCache);
    assert_eq!(origin.to_string(), "persistent cache");
    assert_eq!(key_hex(&restarted, TENANT).1, KeyOrigin::MemoryCache);
    assert_eq!(key_hex(&restarted, PERIODIC).0, PERIODIC_KEY);
    assert!(matches!(
        restarted.resolve(UNKNOWN),
        Err(ResolveError::Unavailable { .. })
    ));
}

#[test]
fn a_tampered_cache_entry_is_never_used() {
    let path = TempPath::new("keys.redb");
    let mut node = TestNode::start();
    node.serve(TENANT, Reply::ok("base_account.json"));
    node.serve(CONTINUOUS, Reply::ok("continuous_vesting_account.json"));
    {
        let resolver = ChainKeyResolver::new(config(&[&node.url]).cache_path(&path.0)).unwrap();
        resolver.resolve(TENANT).unwrap();
        resolver.resolve(CONTINUOUS).unwrap();
    }
    // Someone writes the tenant's key under the continuous-vesting account's address.
    {
        let table: redb::TableDefinition<&str, &[u8]> =
            redb::TableDefinition::new("akash_account_keys_v1");
        let db = redb::Database::create(&path.0).unwrap();
        let write = db.begin_write().unwrap();
        {
            let mut keys = write.open_table(table).unwrap();
            keys.insert(CONTINUOUS, hex::decode(TENANT_KEY).unwrap().as_slice())
                .unwrap();
        }
        write.commit().unwrap();
    }
    // With the node up, the entry is ignored and refetched.
    {
        let resolver = ChainKeyResolver::new(config(&[&node.url]).cache_path(&path.0)).unwrap();
        let (key, origin) = key_hex(&resolver, CONTINUOUS);
        assert_eq!(key, CONTINUOUS_KEY);
        assert!(matches!(origin, KeyOrigin::ChainNode { .. }));
    }
    // Tamper again, then take the node away: the entry still does not authorize.
    {
        let table: redb::TableDefinition<&str, &[u8]> =
            redb::TableDefinition::new("akash_account_keys_v1");
        let db = redb::Database::create(&path.0).unwrap();
        let write = db.begin_write().unwrap();
        {
            let mut keys = write.open_table(table).unwrap();
            keys.insert(CONTINUOUS, &[2u8; 33][..]).unwrap();
        }
        write.commit().unwrap();
    }
    node.stop();
    let resolver = ChainKeyResolver::new(config(&[&node.url]).cache_path(&path.0)).unwrap();
    assert!(matches!(
        resolver.resolve(CONTINUOUS),
        Err(ResolveError::Unavailable { .. })
    ));
    assert_eq!(key_hex(&resolver, TENANT).1, KeyOrigin::PersistentCache);
}

#[test]
fn a_second_process_cannot_open_a_cache_in_use() {
    let path = TempPath::new("keys.redb");
    let _first =
        ChainKeyResolver::new(config(&["http://127.0.0.1:9"]).cache_path(&path.0)).unwrap();
    let error =
        ChainKeyResolver::new(config(&["http://127.0.0.1:9"]).cache_path(&path.0)).unwrap_err();
    let tollgate_chain::ChainSetupError::CacheOpen { source, .. } = &error else {
        panic!("{error:?}")
    };
    // The redb error is kept as the typed source, not flattened into a string.
    assert!(
        matches!(source, redb::Error::DatabaseAlreadyOpen),
        "{source:?}"
    );
    assert!(std::error::Error::source(&error).is_some());
}

#[test]
fn a_hundred_concurrent_misses_make_one_query() {
    let node = TestNode::start();
    node.serve(
        TENANT,
        Reply::ok("base_account.json").after(Duration::from_millis(100)),
    );
    let resolver = Arc::new(
        ChainKeyResolver::new(config(&[&node.url]).timeout(Duration::from_secs(5))).unwrap(),
    );
    let barrier = Arc::new(Barrier::new(100));
    let threads: Vec<_> = (0..100)
        .map(|_| {
            let resolver = Arc::clone(&resolver);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                let resolved = resolver.resolve(TENANT).unwrap();
                hex::encode(resolved.key.to_compressed())
            })
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap(), TENANT_KEY);
    }
    assert_eq!(node.hits(TENANT), 1);
}

#[test]
fn concurrent_callers_share_a_failure_too() {
    let node = TestNode::start();
    node.serve(
        TENANT,
        Reply::internal_error().after(Duration::from_millis(100)),
    );
    let resolver = Arc::new(ChainKeyResolver::new(config(&[&node.url]).retries(0)).unwrap());
    let barrier = Arc::new(Barrier::new(20));
    let threads: Vec<_> = (0..20)
        .map(|_| {
            let resolver = Arc::clone(&resolver);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                resolver.resolve(TENANT)
            })
        })
        .collect();
    for thread in threads {
        assert!(matches!(
            thread.join().unwrap(),
            Err(ResolveError::Unavailable { .. })
        ));
    }
    assert!(node.hits(TENANT) <= 2, "{} queries", node.hits(TENANT));
}

#[test]
fn works_inside_both_tokio_runtime_flavours() {
    let node = TestNode::start();
    node.serve(TENANT, Reply::ok("base_account.json"));
    node.serve(DELAYED, Reply::ok("delayed_vesting_account.json"));
    let resolver = Arc::new(resolver(&node));
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let inner = Arc::clone(&resolver);
    let key = multi
        .block_on(async move { tokio::spawn(async move { inner.resolve(TENANT) }).await })
        .unwrap()
        .unwrap();
    assert_eq!(hex::encode(key.key.to_compressed()), TENANT_KEY);
    let current = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let key = current
        .block_on(async { resolver.resolve(DELAYED) })
        .unwrap();
    assert_eq!(hex::encode(key.key.to_compressed()), DELAYED_KEY);
}

#[test]
fn preloaded_keys_are_served_from_memory_and_survive_a_restart() {
    let path = TempPath::new("keys.redb");
    let mut node = TestNode::start();
    node.stop();
    let key = tollgate_verify::Secp256k1PublicKey::parse(TENANT_KEY).unwrap();
    {
        let resolver = ChainKeyResolver::new(config(&[&node.url]).cache_path(&path.0)).unwrap();
        assert_eq!(resolver.preload(key).unwrap(), TENANT);
        assert_eq!(
            key_hex(&resolver, TENANT),
            (TENANT_KEY.to_owned(), KeyOrigin::MemoryCache)
        );
    }
    let restarted = ChainKeyResolver::new(config(&[&node.url]).cache_path(&path.0)).unwrap();
    assert_eq!(key_hex(&restarted, TENANT).1, KeyOrigin::PersistentCache);
    assert_eq!(node.total_hits(), 0);
}

/// `n` distinct valid `akash1…` addresses (hashes of made-up key bytes).
fn distinct_addresses(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let mut bytes = [2u8; 33];
            bytes[1..9].copy_from_slice(&(i as u64).to_be_bytes());
            tollgate_verify::akash_address(&bytes)
        })
        .collect()
}

#[test]
fn node_lookups_in_flight_are_bounded_and_the_rest_fail_fast() {
    const LIMIT: usize = 4;
    const CALLERS: usize = 24;
    let node = TestNode::start();
    let addresses = distinct_addresses(CALLERS);
    for address in &addresses {
        node.serve(
            address,
            Reply::not_found(address).after(Duration::from_millis(400)),
        );
    }
    let resolver = Arc::new(
        ChainKeyResolver::new(
            config(&[&node.url])
                .timeout(Duration::from_secs(5))
                .max_concurrent_lookups(LIMIT),
        )
        .unwrap(),
    );
    let barrier = Arc::new(Barrier::new(CALLERS));
    let threads: Vec<_> = addresses
        .iter()
        .cloned()
        .map(|address| {
            let resolver = Arc::clone(&resolver);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                let started = Instant::now();
                let result = resolver.resolve(&address);
                (result, started.elapsed())
            })
        })
        .collect();
    let mut answered = 0;
    let mut refused = 0;
    for thread in threads {
        match thread.join().unwrap() {
            (Err(ResolveError::UnknownIssuer { .. }), _) => answered += 1,
            (Err(ResolveError::Unavailable { reason, .. }), elapsed) => {
                assert!(
                    reason.contains("too many key lookups in flight"),
                    "{reason}"
                );
                assert!(elapsed < Duration::from_millis(300), "waited {elapsed:?}");
                refused += 1;
            }
            (other, _) => panic!("{other:?}"),
        }
    }
    assert!((1..=LIMIT).contains(&answered), "{answered} lookups ran");
    assert_eq!(answered + refused, CALLERS);
    assert_eq!(
        node.total_hits(),
        answered,
        "one request per lookup that ran"
    );
    // The permits came back: a later miss is looked up.
    node.serve(TENANT, Reply::ok("base_account.json"));
    assert_eq!(
        key_hex(&resolver, TENANT).1,
        KeyOrigin::ChainNode {
            url: node.url.clone()
        }
    );
}

#[test]
fn a_flood_of_unknown_addresses_never_evicts_a_known_key() {
    let node = TestNode::start();
    node.serve(TENANT, Reply::ok("base_account.json"));
    let resolver =
        ChainKeyResolver::new(config(&[&node.url]).memory_capacity(8).negative_capacity(8))
            .unwrap();
    assert!(matches!(
        key_hex(&resolver, TENANT).1,
        KeyOrigin::ChainNode { .. }
    ));
    for address in distinct_addresses(300) {
        assert!(matches!(
            resolver.resolve(&address),
            Err(ResolveError::UnknownIssuer { .. })
        ));
    }
    assert_eq!(node.total_hits(), 301);
    assert_eq!(
        key_hex(&resolver, TENANT),
        (TENANT_KEY.to_owned(), KeyOrigin::MemoryCache)
    );
    assert_eq!(node.hits(TENANT), 1);
}

#[test]
fn a_tls_failure_moves_on_without_retrying_the_node() {
    // A "node" that speaks plain bytes where the client expects a TLS handshake.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    {
        let connections = Arc::clone(&connections);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                connections.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                use std::io::{Read as _, Write as _};
                let mut buffer = [0u8; 512];
                let _ = stream.read(&mut buffer);
                let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
            }
        });
    }
    let node = TestNode::start();
    node.serve(TENANT, Reply::ok("base_account.json"));
    let resolver = ChainKeyResolver::new(config(&[&url, &node.url]).retries(2)).unwrap();
    assert_eq!(
        key_hex(&resolver, TENANT),
        (
            TENANT_KEY.to_owned(),
            KeyOrigin::ChainNode {
                url: node.url.clone()
            }
        )
    );
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[test]
fn a_huge_key_type_is_clipped_in_the_deny_reason() {
    let node = TestNode::start();
    let body = String::from_utf8(support::fixture("base_account_ed25519.json")).unwrap();
    let long_type = format!("/cosmos.crypto.{}.PubKey", "z".repeat(50_000));
    let body = body.replace("/cosmos.crypto.ed25519.PubKey", &long_type);
    assert!(body.contains(&long_type), "the fixture changed");
    node.serve(ED25519, Reply::raw(200, body));
    let error = resolver(&node).resolve(ED25519).unwrap_err();
    let ResolveError::UnsupportedKeyType { key_type, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(key_type.chars().count(), 81, "{key_type}");
    assert!(key_type.ends_with('…'));
    assert!(error.to_string().len() < 300);
}
