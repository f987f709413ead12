//! Log output: one line per event to stderr, written by a dedicated thread so a request never
//! waits for a `write` system call; lines are batched while the thread is busy and flushed as
//! soon as it catches up.

use std::io::Write;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

/// Lines queued before a logging request waits for the writer (backpressure, never dropped).
const QUEUE: usize = 64 * 1024;

enum Message {
    Line(Vec<u8>),
    Flush(SyncSender<()>),
}

/// The `MakeWriter` of the subscriber: each event's text goes to the writer thread as one line.
#[derive(Clone)]
pub(crate) struct Sink {
    tx: SyncSender<Message>,
}

/// The sender of the installed sink, for [`flush`].
static INSTALLED: OnceLock<Mutex<Option<SyncSender<Message>>>> = OnceLock::new();

impl Sink {
    /// Starts the writer thread; falls back to `None` if no thread can be spawned.
    pub(crate) fn start() -> Option<Sink> {
        let (tx, rx) = sync_channel(QUEUE);
        std::thread::Builder::new()
            .name("tollgate-log".to_owned())
            .spawn(move || write_lines(&rx))
            .ok()?;
        let installed = INSTALLED.get_or_init(|| Mutex::new(None));
        *installed.lock().unwrap_or_else(PoisonError::into_inner) = Some(tx.clone());
        Some(Sink { tx })
    }
}

fn write_lines(rx: &Receiver<Message>) {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
    let mut pending = Vec::new();
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        let mut lines = 0usize;
        while let Some(message) = next {
            lines += 1;
            match message {
                Message::Line(line) => {
                    let _ = out.write_all(&line);
                }
                Message::Flush(done) => pending.push(done),
            }
            next = rx.try_recv().ok();
        }
        let _ = out.flush();
        for done in pending.drain(..) {
            let _ = done.send(());
        }
        // Under load, let lines gather for a moment instead of waking for each one.
        if lines >= 16 {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// Waits (up to a second) until every line logged so far is written.
pub(crate) fn flush() {
    let Some(installed) = INSTALLED.get() else {
        return;
    };
    let tx = installed
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    if let Some(tx) = tx {
        let (done_tx, done_rx) = sync_channel(1);
        if tx.send(Message::Flush(done_tx)).is_ok() {
            let _ = done_rx.recv_timeout(Duration::from_secs(1));
        }
    }
}

/// One event's text, sent when the subscriber drops it.
pub(crate) struct Line {
    buf: Vec<u8>,
    tx: SyncSender<Message>,
}

impl Write for Line {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            let _ = self.tx.send(Message::Line(std::mem::take(&mut self.buf)));
        }
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Sink {
    type Writer = Line;

    fn make_writer(&'a self) -> Line {
        Line {
            buf: Vec::with_capacity(256),
            tx: self.tx.clone(),
        }
    }
}
