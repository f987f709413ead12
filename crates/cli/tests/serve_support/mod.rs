//! Shared by the `tollgate serve` tests: the test account and token minting, a raw HTTP/1.1
//! client (exact control over every header), an echoing upstream, and process helpers.
#![allow(
    dead_code,
    unused_imports,
    reason = "each test file uses a different part"
)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub use tollgate_testkit::{
    ISSUER, OTHER_PROVIDER, PROVIDER, TempDir, authorizer, now, path, read, token, token_expiring,
};

pub const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
pub const BIN: &str = env!("CARGO_BIN_EXE_tollgate");

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh directory under the system temp dir, removed when the test is done with it.
pub fn temp_dir(name: &str) -> TempDir {
    TempDir::new(name)
}

/// One HTTP response as received.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// The values of header `name` (case-insensitive).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The single value of header `name`; panics if repeated.
    pub fn header(&self, name: &str) -> Option<&str> {
        let all = self.all(name);
        assert!(
            all.len() <= 1,
            "header `{name}` repeated: {:?}",
            self.headers
        );
        all.first().copied()
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text()))
    }
}

/// Sends raw bytes, reads until the server closes, parses the response.
pub fn send_raw(port: u16, request: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse(&raw)
}

/// `METHOD target` with these headers (each sent exactly as given), `Connection: close`.
pub fn request(port: u16, method: &str, target: &str, headers: &[(&str, &str)]) -> Answer {
    let mut text =
        format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    if method != "GET" && method != "HEAD" {
        text.push_str("Content-Length: 0\r\n");
    }
    text.push_str("\r\n");
    send_raw(port, text.as_bytes())
}

fn parse(raw: &[u8]) -> Answer {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(raw)));
    let head = std::str::from_utf8(&raw[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.trim().to_owned(), value.trim().to_owned())
        })
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    Answer {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size_text = std::str::from_utf8(&data[..line_end]).unwrap();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// Waits until something accepts connections on `port`.
pub fn wait_for_port(port: u16, child: &mut Child, what: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))).is_ok() {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "{what} exited with {status} before listening: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{what} did not listen on {port} within 30 s");
}

/// A child process killed on drop.
pub struct Proc {
    pub child: Child,
    pub log: PathBuf,
}

impl Drop for Proc {
    /// SIGTERM first, so nginx's master stops its workers (SIGKILL would orphan them), then
    /// SIGKILL if it has not exited within five seconds.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Starts `tollgate serve` with `args` plus `--listen 127.0.0.1:PORT`, stderr to `dir/name.log`,
/// and waits until it listens.
pub fn spawn_tollgate(dir: &Path, name: &str, port: u16, args: &[&str]) -> Proc {
    let log = dir.join(format!("{name}.log"));
    let stderr = std::fs::File::create(&log).unwrap();
    let listen = format!("127.0.0.1:{port}");
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(["--listen", &listen])
        .args(args)
        .env_remove("TOLLGATE_LISTEN")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap();
    wait_for_port(port, &mut child, "tollgate serve", &log);
    Proc { child, log }
}

/// An upstream that answers every request 200 with a JSON echo of what reached it.
pub struct Upstream {
    pub port: u16,
    _runtime: tokio::runtime::Runtime,
}

pub fn spawn_upstream() -> Upstream {
    use axum::http::{HeaderMap, Method, Uri};
    async fn echo(
        method: Method,
        uri: Uri,
        headers: HeaderMap,
    ) -> ([(&'static str, &'static str); 1], String) {
        let tollgate: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .filter(|(name, _)| name.as_str().starts_with("x-tollgate-"))
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    serde_json::Value::String(
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    ),
                )
            })
            .collect();
        let echo = serde_json::json!({
            "method": method.as_str(),
            "uri": uri.to_string(),
            "tollgate": tollgate,
        });
        ([("content-type", "application/json")], echo.to_string())
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    runtime.spawn(async move {
        let app = axum::Router::new().fallback(echo);
        axum::serve(listener, app).await.unwrap();
    });
    Upstream {
        port,
        _runtime: runtime,
    }
}
