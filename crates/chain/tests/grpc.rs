//! `ChainKeyResolver::new_grpc` against a real tonic server on a loopback port, serving
//! `cosmos.auth.v1beta1.Query/Account` with hand-packed cosmos-sdk messages.
#![cfg(feature = "grpc")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

mod support;

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use support::{ED25519, MODULE, NEVER_SIGNED};
use tollgate_chain::grpc::{
    Any, BaseAccount, BaseVestingAccount, ModuleAccount, PubKey, QueryAccountRequest,
    QueryAccountResponse, VestingAccount,
};
use tollgate_chain::{ChainConfig, ChainKeyResolver};
use tollgate_verify::{KeyOrigin, KeyResolver, ResolveError};
use tonic::codegen::{BoxFuture, Context, Poll, Service, http};
use tonic::server::NamedService;

const TENANT: &str = "akash1l3e9pgs3mmwuwrh95fecme0s0qtn2880y3lusr";
const TENANT_KEY: &str = "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa";
const VESTING: &str = "akash179gvz0qx599tx06xmlcrw47fnfn243q0larrpe";
const VESTING_KEY: &str = "031d16453b3ab3132acb0a5bc16cc49690d819a585267a15cd5a064e2a0ad40599";
const WRONG_KEY: &str = "akash12v5lawrva7x5ez7mwfvgjy0q3k7fhwuf9jtun5";
const UNKNOWN: &str = "akash18ftnkyppvmpnxvu6y36xwc93gnp79l9ec028pd";
const FLAKY: &str = "akash1s76af50mxrhccpz4cmw7ucus2xe40qkr0vhs6r";

fn pack<M: prost::Message>(type_url: &str, message: &M) -> Any {
    Any {
        type_url: type_url.to_owned(),
        value: message.encode_to_vec(),
    }
}

fn secp(hex_key: &str) -> Option<Any> {
    Some(pack(
        "/cosmos.crypto.secp256k1.PubKey",
        &PubKey {
            key: hex::decode(hex_key).unwrap(),
        },
    ))
}

fn base(address: &str, pub_key: Option<Any>) -> BaseAccount {
    BaseAccount {
        address: address.to_owned(),
        pub_key,
        account_number: 7,
        sequence: 3,
    }
}

type Answer = Result<QueryAccountResponse, tonic::Status>;

#[derive(Clone, Default)]
struct QueryServer {
    accounts: Arc<HashMap<String, Answer>>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    delay: Duration,
}

impl QueryServer {
    fn answer(&self, address: &str) -> Answer {
        *self
            .hits
            .lock()
            .unwrap()
            .entry(address.to_owned())
            .or_default() += 1;
        if address == FLAKY {
            let hits = self.hits.lock().unwrap()[FLAKY];
            if hits < 3 {
                return Err(tonic::Status::unavailable("node is catching up"));
            }
        }
        self.accounts.get(address).cloned().unwrap_or_else(|| {
            Err(tonic::Status::not_found(format!(
                "account {address} not found"
            )))
        })
    }
}

impl NamedService for QueryServer {
    const NAME: &'static str = "cosmos.auth.v1beta1.Query";
}

struct AccountMethod(QueryServer);

impl tonic::server::UnaryService<QueryAccountRequest> for AccountMethod {
    type Response = QueryAccountResponse;
    type Future = BoxFuture<tonic::Response<QueryAccountResponse>, tonic::Status>;

    fn call(&mut self, request: tonic::Request<QueryAccountRequest>) -> Self::Future {
        let server = self.0.clone();
        Box::pin(async move {
            if !server.delay.is_zero() {
                tokio::time::sleep(server.delay).await;
            }
            server
                .answer(&request.into_inner().address)
                .map(tonic::Response::new)
        })
    }
}

impl Service<http::Request<tonic::body::Body>> for QueryServer {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Infallible>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        let server = self.clone();
        Box::pin(async move {
            if request.uri().path() != "/cosmos.auth.v1beta1.Query/Account" {
                return Ok(tonic::Status::unimplemented("no such method").into_http());
            }
            let codec =
                tonic_prost::ProstCodec::<QueryAccountResponse, QueryAccountRequest>::default();
            let mut grpc = tonic::server::Grpc::new(codec);
            Ok(grpc.unary(AccountMethod(server), request).await)
        })
    }
}

struct GrpcNode {
    url: String,
    server: QueryServer,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl GrpcNode {
    fn start(delay: Duration) -> GrpcNode {
        let vesting = VestingAccount {
            base_vesting_account: Some(BaseVestingAccount {
                base_account: Some(base(VESTING, secp(VESTING_KEY))),
                end_time: 1_767_225_600,
                ..BaseVestingAccount::default()
            }),
        };
        let mut accounts: HashMap<String, Answer> = HashMap::new();
        let mut account = |address: &str, any: Any| {
            accounts.insert(
                address.to_owned(),
                Ok(QueryAccountResponse { account: Some(any) }),
            );
        };
        account(
            TENANT,
            pack(
                "/cosmos.auth.v1beta1.BaseAccount",
                &base(TENANT, secp(TENANT_KEY)),
            ),
        );
        account(
            VESTING,
            pack("/cosmos.vesting.v1beta1.ContinuousVestingAccount", &vesting),
        );
        account(
            FLAKY,
            pack(
                "/cosmos.auth.v1beta1.BaseAccount",
                &base(FLAKY, secp(TENANT_KEY)),
            ),
        );
        account(
            WRONG_KEY,
            pack(
                "/cosmos.auth.v1beta1.BaseAccount",
                &base(WRONG_KEY, secp(TENANT_KEY)),
            ),
        );
        account(
            NEVER_SIGNED,
            pack(
                "/cosmos.auth.v1beta1.BaseAccount",
                &base(NEVER_SIGNED, None),
            ),
        );
        account(
            MODULE,
            pack(
                "/cosmos.auth.v1beta1.ModuleAccount",
                &ModuleAccount {
                    base_account: Some(base(MODULE, None)),
                    name: "distribution".into(),
                    permissions: vec![],
                },
            ),
        );
        account(
            ED25519,
            pack(
                "/cosmos.auth.v1beta1.BaseAccount",
                &base(
                    ED25519,
                    Some(pack(
                        "/cosmos.crypto.ed25519.PubKey",
                        &PubKey {
                            key: (0u8..32).collect(),
                        },
                    )),
                ),
            ),
        );
        let server = QueryServer {
            accounts: Arc::new(accounts),
            hits: Arc::default(),
            delay,
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let service = server.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let incoming = tonic::transport::server::TcpIncoming::from(listener);
                let _ = tonic::transport::Server::builder()
                    .add_service(service)
                    .serve_with_incoming_shutdown(incoming, async {
                        let _ = rx.await;
                    })
                    .await;
            });
            runtime.shutdown_timeout(Duration::from_millis(100));
        });
        GrpcNode {
            url,
            server,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    fn hits(&self, address: &str) -> usize {
        self.server
            .hits
            .lock()
            .unwrap()
            .get(address)
            .copied()
            .unwrap_or(0)
    }

    fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

impl Drop for GrpcNode {
    fn drop(&mut self) {
        self.stop();
    }
}

fn resolver(nodes: &[&str]) -> ChainKeyResolver {
    ChainKeyResolver::new_grpc(
        ChainConfig::new(nodes.iter().copied())
            .timeout(Duration::from_millis(500))
            .backoff(Duration::from_millis(5)),
    )
    .unwrap()
}

fn key_hex(resolver: &ChainKeyResolver, address: &str) -> (String, KeyOrigin) {
    let resolved = resolver.resolve(address).unwrap();
    (hex::encode(resolved.key.to_compressed()), resolved.origin)
}

#[test]
fn resolves_keys_and_denials_over_grpc() {
    let node = GrpcNode::start(Duration::ZERO);
    let resolver = resolver(&[&node.url]);
    assert_eq!(
        key_hex(&resolver, TENANT),
        (
            TENANT_KEY.to_owned(),
            KeyOrigin::ChainNode {
                url: node.url.clone()
            }
        )
    );
    assert_eq!(key_hex(&resolver, TENANT).1, KeyOrigin::MemoryCache);
    assert_eq!(key_hex(&resolver, VESTING).0, VESTING_KEY);
    support::assert_keyless_accounts(&resolver);
    assert_eq!(
        resolver.resolve(WRONG_KEY).unwrap_err(),
        ResolveError::KeyMismatch {
            issuer: WRONG_KEY.into(),
            derived: TENANT.into()
        }
    );
    assert_eq!(
        resolver.resolve(UNKNOWN).unwrap_err(),
        ResolveError::UnknownIssuer {
            issuer: UNKNOWN.into()
        }
    );
    assert_eq!(node.hits(UNKNOWN), 1, "NotFound is definite");
    // The flaky account answers Unavailable twice, then the (mismatching) key: retried twice.
    assert!(matches!(
        resolver.resolve(FLAKY),
        Err(ResolveError::KeyMismatch { .. })
    ));
    assert_eq!(node.hits(FLAKY), 3);
}

#[test]
fn fails_over_times_out_and_keeps_known_keys_when_the_node_goes() {
    let mut node = GrpcNode::start(Duration::ZERO);
    let down = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let resolver = Arc::new(resolver(&[&down, &node.url]));
    let barrier = Arc::new(Barrier::new(20));
    let threads: Vec<_> = (0..20)
        .map(|_| {
            let resolver = Arc::clone(&resolver);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                resolver.resolve(TENANT).unwrap().origin
            })
        })
        .collect();
    for thread in threads {
        let origin = thread.join().unwrap();
        assert!(
            matches!(&origin, KeyOrigin::ChainNode { url } if *url == node.url)
                || origin == KeyOrigin::MemoryCache,
            "{origin:?}"
        );
    }
    assert_eq!(node.hits(TENANT), 1, "concurrent misses are one query");
    node.stop();
    assert_eq!(key_hex(&resolver, TENANT).1, KeyOrigin::MemoryCache);
    assert!(matches!(
        resolver.resolve(VESTING),
        Err(ResolveError::Unavailable { .. })
    ));

    let slow = GrpcNode::start(Duration::from_millis(1500));
    let slow_resolver = self::resolver(&[&slow.url]);
    let started = std::time::Instant::now();
    let error = slow_resolver.resolve(TENANT).unwrap_err();
    assert!(
        matches!(&error, ResolveError::Unavailable { reason, .. } if reason.contains("timed out")),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(1400));
}

#[test]
fn grpc_nodes_must_be_plaintext_http() {
    assert!(matches!(
        ChainKeyResolver::new_grpc(ChainConfig::new(["https://grpc.example.org:443"])),
        Err(tollgate_chain::ChainSetupError::NodeUrl { .. })
    ));
}

#[test]
fn works_inside_a_current_thread_runtime() {
    let node = GrpcNode::start(Duration::ZERO);
    let resolver = resolver(&[&node.url]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let resolved = runtime
        .block_on(async { resolver.resolve(TENANT) })
        .unwrap();
    assert_eq!(hex::encode(resolved.key.to_compressed()), TENANT_KEY);
}

#[tokio::test]
async fn a_grpc_resolver_can_be_dropped_inside_a_runtime() {
    let resolver = ChainKeyResolver::new_grpc(ChainConfig::new(["http://127.0.0.1:9"])).unwrap();
    drop(resolver);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_grpc_resolver_can_be_dropped_by_a_task() {
    let node = GrpcNode::start(Duration::ZERO);
    let resolver = resolver(&[&node.url]);
    let resolver = tokio::spawn(async move {
        assert_eq!(key_hex(&resolver, TENANT).0, TENANT_KEY);
        resolver
    })
    .await
    .unwrap();
    tokio::spawn(async move { drop(resolver) }).await.unwrap();
}
