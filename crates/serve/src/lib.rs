//! `tollgate serve`: a forward-auth service for nginx `auth_request`, ingress-nginx `auth-url`,
//! Traefik `forwardAuth` and Envoy `ext_authz`.
//!
//! Endpoints (documented in `specs/http-responses.md`, section "tollgate serve"):
//! - `/auth` (any method; for Envoy also `/auth/<original path>`): decides the original request
//!   the proxy names with [`tollgate_http::decide`] and answers 200 with `X-Tollgate-Issuer`,
//!   `X-Tollgate-Operation` and `X-Tollgate-Resource`, or the denial;
//! - `/healthz`: 200 while the process runs; `/readyz`: 200 while a policy is loaded and the
//!   server is not draining; `/metrics`: Prometheus text ([`metrics`]).
//!
//! The authorizer sits behind a [`SharedAuthorizer`]; SIGHUP and a poll of the watched files
//! rebuild it through the [`Loader`], and a broken new policy is logged while the old one keeps
//! serving. SIGTERM and SIGINT stop accepting connections and drain the ones in flight.
#![deny(missing_docs)]

mod auth;
mod logging;
pub mod metrics;
pub mod proxy;
mod reload;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use http::StatusCode;
use http::header::{CONTENT_TYPE, RETRY_AFTER};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tollgate_http::SharedAuthorizer;
use tower::{BoxError, ServiceBuilder};

pub use auth::{
    BODY_HEADER, CHALLENGE_HEADER, CONTENT_TYPE_HEADER, RESOURCE_HEADER, RETRY_AFTER_HEADER,
    STATUS_HEADER,
};
pub use metrics::Metrics;
pub use proxy::{AUTH_PATH, ProxyKind};
pub use reload::{LoadError, Loader};

/// The smallest `max_header_bytes` hyper accepts for its read buffer.
pub const MIN_HEADER_BYTES: usize = 8192;

/// How `tollgate serve` listens and what it guards against.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// Which proxy convention `/auth` reads.
    pub proxy: ProxyKind,
    /// Requests handled at once; more are refused with 503 instead of queueing.
    pub max_concurrency: usize,
    /// The longest a request may take, from its first byte to its answer.
    pub request_timeout: Duration,
    /// The largest request head (request line and headers) accepted, at least
    /// [`MIN_HEADER_BYTES`].
    pub max_header_bytes: usize,
    /// How long SIGTERM waits for requests in flight before exiting anyway.
    pub drain_timeout: Duration,
    /// Files whose change triggers a reload (policy, keys, secret).
    pub watch: Vec<PathBuf>,
    /// How often the watched files are looked at.
    pub watch_interval: Duration,
}

impl ServeConfig {
    /// Defaults: 1024 concurrent requests, 10 s request timeout, 16 KiB of headers, 30 s drain,
    /// files polled every second.
    pub fn new(listen: SocketAddr, proxy: ProxyKind) -> Self {
        ServeConfig {
            listen,
            proxy,
            max_concurrency: 1024,
            request_timeout: Duration::from_secs(10),
            max_header_bytes: 16 * 1024,
            drain_timeout: Duration::from_secs(30),
            watch: Vec::new(),
            watch_interval: Duration::from_secs(1),
        }
    }
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The first policy load failed.
    #[error("cannot load the policy: {0}")]
    Load(#[from] LoadError),
    /// The listen address could not be bound.
    #[error("cannot listen on `{addr}`: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The async runtime could not start.
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    /// `max_header_bytes` is below [`MIN_HEADER_BYTES`].
    #[error("`--max-header-bytes {given}` is below the minimum of {MIN_HEADER_BYTES}")]
    HeaderLimitTooSmall {
        /// The configured value.
        given: usize,
    },
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct App {
    inner: Arc<AppInner>,
}

struct AppInner {
    shared: SharedAuthorizer,
    proxy: ProxyKind,
    metrics: Metrics,
    draining: AtomicBool,
}

impl App {
    /// State for `proxy` around `shared`.
    pub fn new(shared: SharedAuthorizer, proxy: ProxyKind, metrics: Metrics) -> Self {
        App {
            inner: Arc::new(AppInner {
                shared,
                proxy,
                metrics,
                draining: AtomicBool::new(false),
            }),
        }
    }

    /// The authorizer behind the swap.
    pub fn shared(&self) -> &SharedAuthorizer {
        &self.inner.shared
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The routes: `/auth`, `/healthz`, `/readyz`, `/metrics` (no limits; see [`service`]).
    pub fn router(&self) -> Router {
        let mut router = Router::new()
            .route("/healthz", get(healthz))
            .route("/readyz", get(readyz))
            .route("/metrics", get(metrics_text))
            .route(AUTH_PATH, any(auth::check));
        if self.inner.proxy == ProxyKind::Envoy {
            router = router
                .route("/auth/", any(auth::check))
                .route("/auth/{*original}", any(auth::check));
        }
        router.fallback(not_found).with_state(self.clone())
    }
}

/// The router behind the limits: at most `max_concurrency` requests at once (more are answered
/// 503 at once), each answered within `request_timeout` (else 503). Errors never escape: the
/// limits' refusals become responses ([`Refusals`]); in nginx mode a refused `/auth` check is
/// carried in a 403 like a denial, because `auth_request` turns a 503 into a 500.
pub fn service<B>(
    app: &App,
    max_concurrency: usize,
    request_timeout: Duration,
) -> impl tower::Service<
    http::Request<B>,
    Response = Response,
    Error = BoxError,
    Future = impl Future<Output = Result<Response, BoxError>> + Send,
> + Clone
+ Send
+ 'static
where
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let metrics = app.inner.metrics.clone();
    let proxy = app.inner.proxy;
    ServiceBuilder::new()
        .layer_fn(move |inner| Refusals {
            inner,
            metrics: metrics.clone(),
            proxy,
        })
        .load_shed()
        .concurrency_limit(max_concurrency.max(1))
        .timeout(request_timeout)
        .service(app.router())
}

/// Turns the limits' errors (load shed, timeout) into 503 responses, or in nginx mode, for
/// `/auth`, into the 403 carriage of a 503 (see `auth::nginx_refusal`).
#[derive(Clone)]
pub struct Refusals<S> {
    inner: S,
    metrics: Metrics,
    proxy: ProxyKind,
}

impl<S, B> tower::Service<http::Request<B>> for Refusals<S>
where
    S: tower::Service<http::Request<B>, Response = Response, Error = BoxError>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = BoxError;
    type Future =
        std::pin::Pin<Box<dyn Future<Output = Result<Response, BoxError>> + Send + 'static>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let path = request.uri().path();
        let carried =
            self.proxy == ProxyKind::Nginx && (path == AUTH_PATH || path.starts_with("/auth/"));
        let metrics = self.metrics.clone();
        let future = self.inner.call(request);
        Box::pin(async move {
            Ok(match future.await {
                Ok(response) => response,
                Err(error) => refused(&metrics, &error, carried),
            })
        })
    }
}

/// Why a request was refused by a limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// `--max-concurrency` requests were in flight.
    Overloaded,
    /// Not answered within `--request-timeout`.
    Timeout,
    /// Any other error of the stack (none is expected).
    Internal,
}

impl Refusal {
    /// The text body, with its newline.
    pub(crate) const fn body(self) -> &'static str {
        match self {
            Refusal::Overloaded => "overloaded: too many requests in flight\n",
            Refusal::Timeout => "request timed out\n",
            Refusal::Internal => "internal error\n",
        }
    }
}

/// Seconds a client should wait before retrying a refused request.
pub const RETRY_AFTER_SECONDS: &str = "1";

fn refused(metrics: &Metrics, error: &BoxError, carried: bool) -> Response {
    let refusal = if error.is::<tower::load_shed::error::Overloaded>() {
        metrics.overloaded();
        Refusal::Overloaded
    } else if error.is::<tower::timeout::error::Elapsed>() {
        Refusal::Timeout
    } else {
        Refusal::Internal
    };
    if carried {
        return auth::nginx_refusal(refusal);
    }
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (CONTENT_TYPE, "text/plain; charset=utf-8"),
            (RETRY_AFTER, RETRY_AFTER_SECONDS),
        ],
        refusal.body(),
    )
        .into_response()
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(app): State<App>) -> Response {
    if app.inner.draining.load(Ordering::Relaxed) {
        return (StatusCode::SERVICE_UNAVAILABLE, "draining\n").into_response();
    }
    let policy = app.inner.shared.load();
    format!("ready: policy `{}`\n", policy.policy().name()).into_response()
}

async fn metrics_text(State(app): State<App>) -> Response {
    let authorizer = app.inner.shared.load();
    let (cached, stats) = (authorizer.cached_tokens(), authorizer.cache_stats());
    (
        [(
            CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.inner.metrics.render(cached, stats),
    )
        .into_response()
}

async fn not_found() -> Response {
    let mut response = Response::new(Body::from(
        "not found: tollgate serves /auth, /healthz, /readyz and /metrics\n",
    ));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// A bound server with its first policy loaded.
pub struct Server {
    listener: TcpListener,
    config: ServeConfig,
    app: App,
    loader: Arc<dyn Loader>,
}

impl Server {
    /// Loads the first policy (failing if it does not load) and binds the listen address.
    pub async fn bind(config: ServeConfig, loader: Arc<dyn Loader>) -> Result<Server, ServeError> {
        if config.max_header_bytes < MIN_HEADER_BYTES {
            return Err(ServeError::HeaderLimitTooSmall {
                given: config.max_header_bytes,
            });
        }
        let authorizer = loader.load()?;
        let app = App::new(
            SharedAuthorizer::new(authorizer),
            config.proxy,
            Metrics::new(),
        );
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| ServeError::Bind {
                    addr: config.listen,
                    source,
                })?;
        Ok(Server {
            listener,
            config,
            app,
            loader,
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// The handler state (for tests).
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Serves until `shutdown` resolves, then stops accepting, waits up to the drain timeout
    /// for requests in flight, and returns.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let Server {
            listener,
            config,
            app,
            loader,
        } = self;
        let (stop_tx, stop_rx) = watch::channel(false);
        let reloader = reload::Reloader::new(
            app.inner.shared.clone(),
            loader,
            app.inner.metrics.clone(),
            config.watch.clone(),
        );
        let hangup = reload::hangup_signal();
        let reload_task = tokio::spawn(reloader.run(hangup, config.watch_interval, stop_rx));
        let service = TowerToHyperService::new(service(
            &app,
            config.max_concurrency,
            config.request_timeout,
        ));
        let graceful = GracefulShutdown::new();
        tracing::info!(
            target: "tollgate::serve",
            listen = %listener.local_addr().map_or_else(|_| config.listen.to_string(), |a| a.to_string()),
            proxy = config.proxy.as_str(),
            policy = app.inner.shared.load().policy().name(),
            "serving"
        );
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => {
                    let Ok((stream, _peer)) = accepted else {
                        // Out of file descriptors and the like: back off briefly.
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    let mut builder = hyper::server::conn::http1::Builder::new();
                    builder
                        .timer(TokioTimer::new())
                        .header_read_timeout(config.request_timeout)
                        .max_buf_size(config.max_header_bytes.max(MIN_HEADER_BYTES));
                    let connection = builder.serve_connection(TokioIo::new(stream), service.clone());
                    let connection = graceful.watch(connection);
                    tokio::spawn(async move {
                        let _ = connection.await;
                    });
                }
            }
        }
        app.inner.draining.store(true, Ordering::Relaxed);
        drop(listener);
        let _ = stop_tx.send(true);
        tracing::info!(target: "tollgate::serve", "draining requests in flight");
        if tokio::time::timeout(config.drain_timeout, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!(target: "tollgate::serve", "drain timeout reached; exiting with requests in flight");
        }
        let _ = reload_task.await;
        tracing::info!(target: "tollgate::serve", "stopped");
    }
}

/// Registers SIGTERM and SIGINT handlers now (inside the runtime) and returns a future that
/// resolves on the first of them.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        )
    };
    async move {
        #[cfg(unix)]
        if let (Ok(mut term), Ok(mut int)) = signals {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Builds a multi-threaded runtime, loads the policy, binds, and serves until SIGTERM or
/// SIGINT; then drains and returns `Ok(())`.
pub fn run(config: ServeConfig, loader: Arc<dyn Loader>) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    let result = runtime.block_on(async move {
        let shutdown = shutdown_signal();
        let server = Server::bind(config, loader).await?;
        server.run(shutdown).await;
        Ok(())
    });
    flush_logs();
    result
}

/// Log line format on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line.
    Json,
    /// `tracing-subscriber`'s compact text.
    Compact,
}

/// Installs the global `tracing` subscriber: INFO and above to stderr, one line per event,
/// written by a background thread (requests never wait for the write). Does nothing if a
/// subscriber is already installed.
pub fn init_logging(format: LogFormat) {
    let Some(sink) = logging::Sink::start() else {
        let builder = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false);
        let _ = match format {
            LogFormat::Json => builder.json().flatten_event(true).try_init(),
            LogFormat::Compact => builder.compact().try_init(),
        };
        return;
    };
    let builder = tracing_subscriber::fmt()
        .with_writer(sink)
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Compact => builder.compact().try_init(),
    };
}

/// Waits (up to a second) until every log line so far is written; [`run`] calls it before
/// returning.
pub fn flush_logs() {
    logging::flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_is_a_503_or_its_nginx_carriage() {
        let metrics = Metrics::new();
        let elapsed: BoxError = Box::new(tower::timeout::error::Elapsed::new());
        let plain = refused(&metrics, &elapsed, false);
        assert_eq!(plain.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(plain.headers()[RETRY_AFTER], "1");
        let carried = refused(&metrics, &elapsed, true);
        assert_eq!(carried.status(), StatusCode::FORBIDDEN);
        assert_eq!(carried.headers()[STATUS_HEADER], "503");
        assert_eq!(carried.headers()[BODY_HEADER], "request timed out");
        assert_eq!(carried.headers()[RETRY_AFTER_HEADER], "1");
        assert!(carried.headers().get(tollgate_http::CODE_HEADER).is_none());
        assert!(
            !metrics
                .render(0, (0, 0))
                .contains("tollgate_overloaded_total 1")
        );
    }

    #[tokio::test]
    async fn a_header_limit_below_the_minimum_is_refused() {
        let mut config = ServeConfig::new(([127, 0, 0, 1], 0).into(), ProxyKind::Nginx);
        config.max_header_bytes = 100;
        let loader: Arc<dyn Loader> =
            Arc::new(|| Ok(tollgate_testkit::authorizer("akash-provider.policy")));
        let error = Server::bind(config, loader).await.err().unwrap();
        assert!(matches!(
            error,
            ServeError::HeaderLimitTooSmall { given: 100 }
        ));
        assert_eq!(
            error.to_string(),
            "`--max-header-bytes 100` is below the minimum of 8192"
        );
    }
}
