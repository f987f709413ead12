//! Rebuilding the authorizer on SIGHUP or when a watched file changes.

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::watch;
use tollgate::Authorizer;
use tollgate_http::SharedAuthorizer;

use crate::metrics::Metrics;

/// A policy, key file or secret that could not be loaded; `diagnostic` is the full rendered
/// diagnostic text (for miette errors: the report with its source snippet).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{diagnostic}")]
pub struct LoadError {
    /// The rendered diagnostic.
    pub diagnostic: String,
}

/// Builds a complete authorizer from the configured files; called once at start and on every
/// reload. Long-lived parts (a chain key resolver and its cache) belong in the loader, created
/// once, so that a reload keeps them.
pub trait Loader: Send + Sync + 'static {
    /// A fresh authorizer, or why none could be built.
    fn load(&self) -> Result<Authorizer, LoadError>;
}

impl<F> Loader for F
where
    F: Fn() -> Result<Authorizer, LoadError> + Send + Sync + 'static,
{
    fn load(&self) -> Result<Authorizer, LoadError> {
        self()
    }
}

/// What the file watch compares: modification time and length.
type Stamp = Option<(SystemTime, u64)>;

fn stamp(path: &PathBuf) -> Stamp {
    let meta = fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Swaps in a freshly loaded authorizer, or keeps the current one when loading fails.
pub(crate) struct Reloader {
    pub(crate) shared: SharedAuthorizer,
    pub(crate) loader: Arc<dyn Loader>,
    pub(crate) metrics: Metrics,
    paths: Vec<PathBuf>,
    /// The stamps the current authorizer was loaded from.
    stamps: Vec<Stamp>,
    /// Changed stamps seen at the last poll, waiting to settle.
    pending: Option<Vec<Stamp>>,
}

impl Reloader {
    pub(crate) fn new(
        shared: SharedAuthorizer,
        loader: Arc<dyn Loader>,
        metrics: Metrics,
        paths: Vec<PathBuf>,
    ) -> Self {
        let stamps = paths.iter().map(stamp).collect();
        Reloader {
            shared,
            loader,
            metrics,
            paths,
            stamps,
            pending: None,
        }
    }

    /// One poll of the watched files: true when they changed and have settled, i.e. the same
    /// changed stamps were seen at two consecutive polls, so a file caught mid-write (its
    /// length or time still moving) is not loaded half-written.
    fn settled_change(&mut self) -> bool {
        let now: Vec<Stamp> = self.paths.iter().map(stamp).collect();
        if now == self.stamps {
            self.pending = None;
            return false;
        }
        if self.pending.as_ref() == Some(&now) {
            self.pending = None;
            self.stamps = now;
            return true;
        }
        self.pending = Some(now);
        false
    }

    /// Loads and swaps; on failure logs the diagnostic and keeps serving the current policy.
    pub(crate) async fn reload(&mut self, trigger: &'static str) {
        // Re-read the stamps so a SIGHUP after an edit does not cause a second reload.
        self.stamps = self.paths.iter().map(stamp).collect();
        self.pending = None;
        let loader = Arc::clone(&self.loader);
        let result = tokio::task::spawn_blocking(move || loader.load()).await;
        match result {
            Ok(Ok(authorizer)) => {
                let policy = authorizer.policy().name().to_owned();
                let old = self.shared.load();
                self.shared.replace(authorizer);
                self.metrics.retire_cache(old.cache_stats());
                self.metrics.reload(true);
                tracing::info!(target: "tollgate::reload", trigger, policy, "reloaded");
            }
            Ok(Err(error)) => {
                self.metrics.reload(false);
                tracing::error!(
                    target: "tollgate::reload",
                    trigger,
                    error = %error.diagnostic,
                    "reload failed; the previous policy keeps serving"
                );
            }
            Err(join) => {
                self.metrics.reload(false);
                tracing::error!(
                    target: "tollgate::reload",
                    trigger,
                    error = %join,
                    "reload failed; the previous policy keeps serving"
                );
            }
        }
    }

    /// Reloads at once on SIGHUP, and when a watched file's modification time or length
    /// changed and then stayed the same for one more poll (polled every `interval`), until
    /// `stop` turns true.
    pub(crate) async fn run(
        mut self,
        mut hangup: Hangup,
        interval: Duration,
        mut stop: watch::Receiver<bool>,
    ) {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tokio::select! {
                _ = stop.changed() => return,
                Some(()) = recv(&mut hangup) => self.reload("sighup").await,
                _ = tick.tick() => {
                    if !self.paths.is_empty() && self.settled_change() {
                        self.reload("file-change").await;
                    }
                }
            }
        }
    }
}

/// The SIGHUP stream, registered before serving so an early SIGHUP cannot kill the process.
#[cfg(unix)]
pub(crate) type Hangup = Option<tokio::signal::unix::Signal>;
/// No SIGHUP off Unix.
#[cfg(not(unix))]
pub(crate) type Hangup = Option<()>;

/// Registers the SIGHUP handler (must run inside the runtime).
#[cfg(unix)]
pub(crate) fn hangup_signal() -> Hangup {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::hangup()) {
        Ok(signal) => Some(signal),
        Err(error) => {
            tracing::warn!(target: "tollgate::reload", %error, "cannot listen for SIGHUP; only the file watch reloads");
            None
        }
    }
}

/// Registers nothing off Unix.
#[cfg(not(unix))]
pub(crate) fn hangup_signal() -> Hangup {
    None
}

/// The next SIGHUP; pending forever without a signal handler.
#[cfg(unix)]
async fn recv(hangup: &mut Hangup) -> Option<()> {
    match hangup {
        Some(signal) => signal.recv().await,
        None => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn recv(_hangup: &mut Hangup) -> Option<()> {
    std::future::pending().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reloader(paths: Vec<PathBuf>) -> Reloader {
        let loader: Arc<dyn Loader> = Arc::new(|| -> Result<Authorizer, LoadError> {
            Err(LoadError {
                diagnostic: "unused".to_owned(),
            })
        });
        Reloader::new(
            SharedAuthorizer::new(tollgate_testkit::authorizer("akash-provider.policy")),
            loader,
            Metrics::new(),
            paths,
        )
    }

    #[test]
    fn a_change_reloads_only_once_the_file_stops_changing() {
        let dir = tollgate_testkit::TempDir::new("reload-settle");
        let file = dir.join("policy");
        std::fs::write(&file, "one").unwrap();
        let mut reloader = reloader(vec![file.clone()]);
        assert!(!reloader.settled_change(), "nothing changed");
        // A writer in the middle of writing: the length moves between polls.
        std::fs::write(&file, "half").unwrap();
        assert!(!reloader.settled_change(), "first sight of a change");
        std::fs::write(&file, "half written").unwrap();
        assert!(!reloader.settled_change(), "still changing");
        std::fs::write(&file, "half written, done").unwrap();
        assert!(!reloader.settled_change(), "still changing");
        // Unchanged for one poll: settled, reload once.
        assert!(reloader.settled_change(), "settled");
        assert!(!reloader.settled_change(), "no second reload");
        // A file removed, then written again, reloads once it settles.
        std::fs::remove_file(&file).unwrap();
        assert!(!reloader.settled_change());
        std::fs::write(&file, "x").unwrap();
        assert!(!reloader.settled_change());
        assert!(reloader.settled_change());
    }
}
