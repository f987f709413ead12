//! Log output: one line per event to stderr, written by a dedicated thread so a request never
//! waits for a `write` system call; lines are batched while the thread is busy and flushed as
//! soon as it catches up.
//!
//! The queue to the writer is bounded twice, by lines and by bytes, and a logging request never
//! waits for room: when stderr is slower than the requests, lines beyond the bound are dropped
//! and counted (`tollgate_log_lines_dropped_total`). A line longer than [`MAX_LINE_BYTES`] is
//! cut (the fields that carry request data are clipped before they get here, so only a very
//! long reload diagnostic can reach it).

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use prometheus_client::metrics::counter::Counter;

/// Lines queued for the writer at most; more are dropped.
pub(crate) const QUEUE_LINES: usize = 4096;
/// Bytes of queued lines at most; more are dropped.
pub(crate) const QUEUE_BYTES: usize = 4 * 1024 * 1024;
/// The longest line written; a longer one is cut and ends with `…`.
pub(crate) const MAX_LINE_BYTES: usize = 64 * 1024;

enum Message {
    Line(Vec<u8>),
    Flush(SyncSender<()>),
}

/// What the senders and the writer thread share.
struct Queue {
    /// Bytes of lines sent and not yet written.
    bytes: AtomicUsize,
    /// The byte bound.
    max_bytes: usize,
    /// Lines dropped because the queue was full.
    dropped: Counter,
}

/// The `MakeWriter` of the subscriber: each event's text goes to the writer thread as one line.
#[derive(Clone)]
pub(crate) struct Sink {
    tx: SyncSender<Message>,
    queue: Arc<Queue>,
}

/// The sender of the installed sink, for [`flush`].
static INSTALLED: OnceLock<Mutex<Option<SyncSender<Message>>>> = OnceLock::new();

/// Lines the installed sink dropped; registered in every [`crate::Metrics`].
pub(crate) fn dropped_counter() -> Counter {
    static DROPPED: OnceLock<Counter> = OnceLock::new();
    DROPPED.get_or_init(Counter::default).clone()
}

impl Sink {
    /// Starts the stderr writer thread; falls back to `None` if no thread can be spawned.
    pub(crate) fn start() -> Option<Sink> {
        let sink = Sink::with_writer(
            std::io::stderr(),
            QUEUE_LINES,
            QUEUE_BYTES,
            dropped_counter(),
        )?;
        let installed = INSTALLED.get_or_init(|| Mutex::new(None));
        *installed.lock().unwrap_or_else(PoisonError::into_inner) = Some(sink.tx.clone());
        Some(sink)
    }

    /// A sink writing to `out` from its own thread, queueing at most `max_lines` lines and
    /// `max_bytes` bytes, counting dropped lines in `dropped`.
    fn with_writer<W: Write + Send + 'static>(
        out: W,
        max_lines: usize,
        max_bytes: usize,
        dropped: Counter,
    ) -> Option<Sink> {
        let (tx, rx) = sync_channel(max_lines.max(1));
        let queue = Arc::new(Queue {
            bytes: AtomicUsize::new(0),
            max_bytes,
            dropped,
        });
        let writer_queue = Arc::clone(&queue);
        std::thread::Builder::new()
            .name("tollgate-log".to_owned())
            .spawn(move || write_lines(&rx, out, &writer_queue))
            .ok()?;
        Some(Sink { tx, queue })
    }

    /// Queues one line without waiting; drops (and counts) it when the queue is full.
    fn send(&self, mut line: Vec<u8>) {
        if line.len() > MAX_LINE_BYTES {
            // Cut on a character boundary, leaving room for `…\n`.
            let mut end = MAX_LINE_BYTES.saturating_sub(4);
            while line.get(end).is_some_and(|&b| b & 0xC0 == 0x80) {
                end = end.saturating_sub(1);
            }
            line.truncate(end);
            line.extend_from_slice("…\n".as_bytes());
        }
        let len = line.len();
        let before = self.queue.bytes.fetch_add(len, Ordering::AcqRel);
        if before.saturating_add(len) > self.queue.max_bytes {
            self.queue.bytes.fetch_sub(len, Ordering::AcqRel);
            self.queue.dropped.inc();
            return;
        }
        match self.tx.try_send(Message::Line(line)) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.queue.bytes.fetch_sub(len, Ordering::AcqRel);
                self.queue.dropped.inc();
            }
        }
    }
}

fn write_lines<W: Write>(rx: &Receiver<Message>, out: W, queue: &Queue) {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
    let mut pending = Vec::new();
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        let mut lines = 0usize;
        while let Some(message) = next {
            lines += 1;
            match message {
                Message::Line(line) => {
                    let _ = out.write_all(&line);
                    queue.bytes.fetch_sub(line.len(), Ordering::AcqRel);
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
        flush_through(&tx);
    }
}

/// Sends a flush marker (waiting at most a second for room) and waits for it to be written.
fn flush_through(tx: &SyncSender<Message>) {
    let (done_tx, done_rx) = sync_channel(1);
    let mut message = Message::Flush(done_tx);
    for _ in 0..100 {
        match tx.try_send(message) {
            Ok(()) => {
                let _ = done_rx.recv_timeout(Duration::from_secs(1));
                return;
            }
            Err(TrySendError::Full(back)) => {
                message = back;
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(TrySendError::Disconnected(_)) => return,
        }
    }
}

/// One event's text, sent when the subscriber drops it.
pub(crate) struct Line {
    buf: Vec<u8>,
    sink: Sink,
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
            self.sink.send(std::mem::take(&mut self.buf));
        }
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Sink {
    type Writer = Line;

    fn make_writer(&'a self) -> Line {
        Line {
            buf: Vec::with_capacity(256),
            sink: self.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that blocks until the gate opens, like a stderr nobody reads.
    struct Gate {
        open: Arc<(Mutex<bool>, std::sync::Condvar)>,
        out: Arc<Mutex<Vec<u8>>>,
    }

    impl Write for Gate {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            let (lock, cvar) = &*self.open;
            let mut open = lock.lock().unwrap();
            while !*open {
                open = cvar.wait(open).unwrap();
            }
            self.out.lock().unwrap().extend_from_slice(data);
            Ok(data.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    type Opener = Arc<(Mutex<bool>, std::sync::Condvar)>;

    fn gated(max_lines: usize, max_bytes: usize) -> (Sink, Opener, Arc<Mutex<Vec<u8>>>) {
        let open = Arc::new((Mutex::new(false), std::sync::Condvar::new()));
        let out = Arc::new(Mutex::new(Vec::new()));
        let gate = Gate {
            open: Arc::clone(&open),
            out: Arc::clone(&out),
        };
        let sink = Sink::with_writer(gate, max_lines, max_bytes, Counter::default()).unwrap();
        (sink, open, out)
    }

    fn log(sink: &Sink, text: &str) {
        use tracing_subscriber::fmt::MakeWriter;
        let mut line = sink.make_writer();
        line.write_all(text.as_bytes()).unwrap();
    }

    fn wait_until(mut done: impl FnMut() -> bool) {
        for _ in 0..500 {
            if done() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("timed out");
    }

    fn release(open: &(Mutex<bool>, std::sync::Condvar)) {
        *open.0.lock().unwrap() = true;
        open.1.notify_all();
    }

    #[test]
    fn a_stalled_writer_never_blocks_logging_and_drops_are_counted() {
        let (sink, open, out) = gated(8, 1 << 20);
        // The writer takes the first line and stalls writing it; 8 more fill the queue.
        log(&sink, "first\n");
        wait_until(|| sink.queue.bytes.load(Ordering::Acquire) == 0);
        std::thread::sleep(Duration::from_millis(50));
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let logger = sink.clone();
        std::thread::spawn(move || {
            for i in 0..10_000 {
                log(&logger, &format!("line {i}\n"));
            }
            done_tx.send(()).unwrap();
        });
        done_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("logging waited for the stalled writer");
        assert_eq!(sink.queue.dropped.get(), 10_000 - 8);
        release(&open);
        flush_through(&sink.tx);
        let text = String::from_utf8(out.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            "first\nline 0\nline 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\n"
        );
        assert_eq!(sink.queue.bytes.load(Ordering::Acquire), 0);
    }

    #[test]
    fn the_queue_is_bounded_by_bytes_and_long_lines_are_cut() {
        let (sink, open, out) = gated(1000, 2 * MAX_LINE_BYTES + 100);
        log(&sink, "first\n");
        wait_until(|| sink.queue.bytes.load(Ordering::Acquire) == 0);
        std::thread::sleep(Duration::from_millis(50));
        // A 1 MiB line is cut to MAX_LINE_BYTES; two fit in the byte bound, the third does not.
        let huge = format!("{}\n", "x".repeat(1 << 20));
        for _ in 0..3 {
            log(&sink, &huge);
        }
        assert_eq!(sink.queue.dropped.get(), 1);
        assert!(sink.queue.bytes.load(Ordering::Acquire) <= 2 * MAX_LINE_BYTES + 100);
        release(&open);
        flush_through(&sink.tx);
        let text = String::from_utf8(out.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1].len() + 1, MAX_LINE_BYTES);
        assert!(lines[1].ends_with('…'));
    }
}
