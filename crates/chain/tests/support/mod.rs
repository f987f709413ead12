//! A cosmos-sdk REST node for tests: a real axum server on a loopback port that serves the
//! account query from `fixtures/chain/` byte for byte, with scripted statuses and delays, and
//! counts the requests it sees. Shared with the CLI tests through `#[path]`.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test support"
)]

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The `fixtures/chain` folder.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/chain")
}

/// A fixture's exact bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(name)).unwrap()
}

/// The address the `not_found.json` fixture names.
pub const NOT_FOUND_ADDRESS: &str = "akash18ftnkyppvmpnxvu6y36xwc93gnp79l9ec028pd";

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Reply {
    /// `200 OK` with a fixture's bytes.
    pub fn ok(fixture_name: &str) -> Reply {
        Reply {
            status: 200,
            body: fixture(fixture_name),
            delay: Duration::ZERO,
        }
    }

    /// Any status and body.
    pub fn raw(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    /// The node's NotFound answer for `address` (the fixture, with its address replaced).
    pub fn not_found(address: &str) -> Reply {
        let body = String::from_utf8(fixture("not_found.json"))
            .unwrap()
            .replace(NOT_FOUND_ADDRESS, address);
        Reply::raw(404, body)
    }

    /// The node's 500 answer.
    pub fn internal_error() -> Reply {
        Reply::raw(500, fixture("internal_error.json"))
    }

    /// The same answer after `delay`.
    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

#[derive(Default)]
struct Shared {
    /// Per address: answers served in order; the last one stays.
    script: Mutex<HashMap<String, VecDeque<Reply>>>,
    hits: Mutex<HashMap<String, usize>>,
    total: AtomicUsize,
}

impl Shared {
    fn next(&self, address: &str) -> Reply {
        let mut script = self.script.lock().unwrap();
        match script.get_mut(address) {
            Some(queue) if queue.len() > 1 => queue.pop_front().unwrap(),
            Some(queue) if queue.len() == 1 => queue.front().unwrap().clone(),
            _ => Reply::not_found(address),
        }
    }
}

async fn account(State(shared): State<Arc<Shared>>, Path(address): Path<String>) -> Response {
    shared.total.fetch_add(1, Ordering::SeqCst);
    *shared
        .hits
        .lock()
        .unwrap()
        .entry(address.clone())
        .or_default() += 1;
    let reply = shared.next(&address);
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let status = StatusCode::from_u16(reply.status).unwrap();
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        reply.body,
    )
        .into_response()
}

/// A running test node.
pub struct TestNode {
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestNode {
    /// Starts a node on a free loopback port; it answers NotFound for every address until
    /// scripted.
    pub fn start() -> TestNode {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route("/cosmos/auth/v1beta1/accounts/{address}", get(account))
            .with_state(Arc::clone(&shared));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let server = axum::serve(listener, app).with_graceful_shutdown(async {
                    let _ = rx.await;
                });
                // Give in-flight slow answers a bounded time to finish on shutdown.
                let _ = tokio::time::timeout(Duration::from_secs(60 * 60), server).await;
            });
            runtime.shutdown_timeout(Duration::from_millis(100));
        });
        TestNode {
            url,
            shared,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// Serves `replies` for `address`, in order, the last one from then on.
    pub fn script(&self, address: &str, replies: Vec<Reply>) {
        self.shared
            .script
            .lock()
            .unwrap()
            .insert(address.to_owned(), replies.into());
    }

    /// Serves one answer for `address` from then on.
    pub fn serve(&self, address: &str, reply: Reply) {
        self.script(address, vec![reply]);
    }

    /// Requests seen for `address`.
    pub fn hits(&self, address: &str) -> usize {
        self.shared
            .hits
            .lock()
            .unwrap()
            .get(address)
            .copied()
            .unwrap_or(0)
    }

    /// Requests seen in all.
    pub fn total_hits(&self) -> usize {
        self.shared.total.load(Ordering::SeqCst)
    }

    /// Stops the node: its port refuses connections from then on.
    pub fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

impl Drop for TestNode {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A base URL on which nothing listens.
pub fn refusing_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

/// A fresh path for a cache file, removed when the guard drops.
pub struct TempPath(pub PathBuf);

impl TempPath {
    pub fn new(name: &str) -> TempPath {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let dir =
            std::env::temp_dir().join(format!("tollgate-chain-{}-{n}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempPath(dir.join(name))
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// `base_account_no_pub_key.json`: an account that never signed.
pub const NEVER_SIGNED: &str = "akash1zgfpyysjzgfpyysjzgfpyysjzgfpyysjazuqqr";
/// `module_account.json`: the `distribution` module account.
pub const MODULE: &str = "akash1jv65s3grqf6v6jl3dp4t6c9t9rk99cd82yfms9";
/// `base_account_ed25519.json`: an account holding an ed25519 key.
pub const ED25519: &str = "akash1vvxu62txcsekdygj23ythvjmfl6p9fyuc27mpz";

/// The denials every transport gives for the accounts without a usable key: [`NEVER_SIGNED`],
/// [`MODULE`] and [`ED25519`], each with its own error.
pub fn assert_keyless_accounts(resolver: &dyn tollgate_verify::KeyResolver) {
    use tollgate_verify::ResolveError;
    assert_eq!(
        resolver.resolve(NEVER_SIGNED).unwrap_err(),
        ResolveError::NoPublicKey {
            issuer: NEVER_SIGNED.into(),
            account_type: "BaseAccount".into()
        }
    );
    assert_eq!(
        resolver.resolve(MODULE).unwrap_err(),
        ResolveError::ModuleAccount {
            issuer: MODULE.into(),
            module: "distribution".into()
        }
    );
    assert_eq!(
        resolver.resolve(ED25519).unwrap_err(),
        ResolveError::UnsupportedKeyType {
            issuer: ED25519.into(),
            key_type: "/cosmos.crypto.ed25519.PubKey".into()
        }
    );
}
