//! `tollgate serve` as a process: reload on SIGHUP and on file change (a broken policy keeps the
//! old one serving), graceful drain on SIGTERM with exit 0, the limits, the `TOLLGATE_*`
//! environment, one log line per decision and never a token in the log.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

mod serve_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serve_support::*;

fn signal(proc: &Proc, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), proc.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits until the log has `count` lines containing `needle`.
fn wait_for_log(proc: &Proc, needle: &str, count: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let log = proc.log_text();
        if log.lines().filter(|l| l.contains(needle)).count() >= count {
            return log;
        }
        assert!(
            Instant::now() < deadline,
            "no {count}× `{needle}` in the log:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An nginx-convention check of `GET target` straight to Tollgate.
fn check(port: u16, target: &str, authorization: Option<&str>) -> Answer {
    let mut headers = vec![("X-Original-Method", "GET"), ("X-Original-URI", target)];
    if let Some(value) = authorization {
        headers.push(("Authorization", value));
    }
    request(port, "GET", "/auth", &headers)
}

#[test]
fn reload_on_sighup_and_file_change_keeps_the_old_policy_when_the_new_one_is_broken() {
    let dir = temp_dir("reload");
    let policy = dir.join("provider.policy");
    std::fs::write(&policy, read("policies/akash-provider.policy")).unwrap();
    let port = free_port();
    let keys = path("fixtures/keys/akash-test-accounts.yaml");
    let proc = spawn_tollgate(
        &dir,
        "tollgate",
        port,
        &[
            "--policy",
            policy.to_str().unwrap(),
            "--keys",
            &keys,
            "--provider",
            PROVIDER,
        ],
    );
    let full = format!("Bearer {}", token(r#"{"access":"full"}"#));
    let strict_anonymous = |answer: &Answer| {
        assert_eq!(answer.status, 401);
        assert_eq!(answer.header("x-tollgate-code"), Some("token_required"));
        assert!(
            answer
                .header("x-tollgate-body")
                .unwrap()
                .starts_with(r#"{"code":"token_required","#)
        );
    };
    strict_anonymous(&check(port, "/lease/1/1/1/logs", None));
    assert_eq!(check(port, "/lease/1/1/1/logs", Some(&full)).status, 200);

    // A broken policy, noticed by the file watch: logged with its diagnostic, old one serves.
    std::fs::write(
        &policy,
        "policy broken\nfamily akash\nthis is not a statement\n",
    )
    .unwrap();
    let log = wait_for_log(&proc, "reload failed", 1);
    assert!(log.contains("file-change"), "{log}");
    assert!(
        log.contains("provider.policy:") && log.contains("tollgate::reload"),
        "the diagnostic names the file: {log}"
    );
    strict_anonymous(&check(port, "/lease/1/1/1/logs", None));
    assert_eq!(check(port, "/lease/1/1/1/logs", Some(&full)).status, 200);
    // SIGHUP with the broken file: the same.
    signal(&proc, "HUP");
    let log = wait_for_log(&proc, "reload failed", 2);
    assert!(log.contains("sighup"), "{log}");
    strict_anonymous(&check(port, "/lease/1/1/1/logs", None));
    let ready = request(port, "GET", "/readyz", &[]);
    assert_eq!(ready.text(), "ready: policy `akash-provider`\n");

    // A good policy is picked up by the watch: the upstream-compatible answers now.
    std::fs::write(&policy, read("policies/akash-provider-compat.policy")).unwrap();
    wait_for_log(&proc, "\"reloaded\"", 1);
    let answer = check(port, "/lease/1/1/1/logs", None);
    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.header("x-tollgate-body"),
        Some(r#"{"message":"unauthorized access"}"#)
    );
    let ready = request(port, "GET", "/readyz", &[]);
    assert_eq!(ready.text(), "ready: policy `akash-provider-compat`\n");
    // And SIGHUP reloads it again.
    signal(&proc, "HUP");
    let log = wait_for_log(&proc, "\"reloaded\"", 2);
    let metrics = request(port, "GET", "/metrics", &[]).text();
    assert!(
        metrics.contains(r#"tollgate_reloads_total{result="error"} 2"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"tollgate_reloads_total{result="ok"} 2"#),
        "{metrics}"
    );
    // One log line per decision, none with the token.
    let decisions = log
        .lines()
        .filter(|l| l.contains("\"tollgate::decision\""))
        .count();
    assert_eq!(decisions, 6, "{log}");
    assert!(
        !log.contains(
            full.trim_start_matches("Bearer ")
                .split('.')
                .nth(2)
                .unwrap()
        )
    );
}

#[test]
fn sigterm_drains_a_request_in_flight_and_exits_zero() {
    let dir = temp_dir("drain");
    let port = free_port();
    let keys = path("fixtures/keys/akash-test-accounts.yaml");
    let policy = path("policies/akash-provider.policy");
    let mut proc = spawn_tollgate(
        &dir,
        "tollgate",
        port,
        &[
            "--policy",
            &policy,
            "--keys",
            &keys,
            "--provider",
            PROVIDER,
            "--log-format",
            "compact",
        ],
    );
    let full = token(r#"{"access":"full"}"#);
    // A slow client: the request is in flight (head half sent) when SIGTERM arrives.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET /auth HTTP/1.1\r\nHost: tollgate\r\nX-Original-Method: GET\r\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    signal(&proc, "TERM");
    wait_for_log(&proc, "draining", 1);
    // New connections are refused once draining started.
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "still accepting after SIGTERM"
    );
    stream
        .write_all(
            format!(
                "X-Original-URI: /lease/1/1/1/status\r\nAuthorization: Bearer {full}\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        )
        .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 200 OK\r\n"), "{raw}");
    assert!(
        raw.to_ascii_lowercase()
            .contains("x-tollgate-operation: lease.status"),
        "{raw}"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = proc.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "did not exit after draining");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "{}", proc.log_text());
    assert!(proc.log_text().contains("stopped"));
}

#[test]
fn header_size_and_request_time_are_limited() {
    let dir = temp_dir("limits");
    let port = free_port();
    let keys = path("fixtures/keys/akash-test-accounts.yaml");
    let policy = path("policies/akash-provider.policy");
    let mut proc = spawn_tollgate(
        &dir,
        "tollgate",
        port,
        &[
            "--policy",
            &policy,
            "--keys",
            &keys,
            "--provider",
            PROVIDER,
            "--max-header-bytes",
            "8192",
            "--request-timeout",
            "300ms",
        ],
    );
    // 16 KiB of headers.
    let big = "a".repeat(16 * 1024);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = stream
        .write_all(format!("GET /auth HTTP/1.1\r\nHost: t\r\nX-Big: {big}\r\n\r\n").as_bytes());
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.starts_with("HTTP/1.1 431"), "{raw}");
    // A head that never ends is cut off after the request timeout.
    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    slow.write_all(b"GET /auth HTTP/1.1\r\nHost: t\r\n")
        .unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the slow head was not cut off"
    );
    // Still serving.
    assert_eq!(request(port, "GET", "/healthz", &[]).status, 200);
    assert!(proc.child.try_wait().unwrap().is_none());
}

#[test]
fn every_flag_comes_from_the_environment_too() {
    let dir = temp_dir("env");
    let port = free_port();
    let log = dir.join("env.log");
    let keys = path("fixtures/keys/akash-test-accounts.yaml");
    let child = Command::new(BIN)
        .arg("serve")
        .env("TOLLGATE_LISTEN", format!("127.0.0.1:{port}"))
        .env("TOLLGATE_POLICY", path("policies/akash-provider.policy"))
        // Comma-separated: the same file twice merges cleanly.
        .env("TOLLGATE_KEYS", format!("{keys},{keys}"))
        .env("TOLLGATE_PROVIDER", PROVIDER)
        .env("TOLLGATE_PROXY", "traefik")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut proc = Proc { child, log };
    wait_for_port(port, &mut proc.child, "tollgate serve", &proc.log.clone());
    let entry = format!(
        "Bearer {}",
        token(&format!(
            r#"{{"access":"granular","permissions":[{{"provider":"{PROVIDER}","access":"scoped","scope":["logs"]}}]}}"#
        ))
    );
    let traefik = |auth: &str| {
        request(
            port,
            "GET",
            "/auth",
            &[
                ("X-Forwarded-Method", "GET"),
                ("X-Forwarded-Uri", "/lease/7/1/1/logs"),
                ("Authorization", auth),
            ],
        )
    };
    let answer = traefik(&entry);
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.header("x-tollgate-issuer"), Some(ISSUER));
    // The traefik convention answers denials directly (no nginx carriage).
    let answer = traefik("Bearer abc");
    assert_eq!(answer.status, 401);
    assert_eq!(answer.header("x-tollgate-code"), Some("token_malformed"));
    assert_eq!(answer.header("x-tollgate-status"), None);
}

#[test]
fn a_broken_policy_at_start_exits_2_with_a_diagnostic() {
    let dir = temp_dir("broken");
    let policy = dir.join("broken.policy");
    std::fs::write(&policy, "policy broken\nfamily akash\nnonsense here\n").unwrap();
    let output = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--policy",
            policy.to_str().unwrap(),
        ])
        .env_remove("TOLLGATE_LISTEN")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("broken.policy"), "{stderr}");
    let output = Command::new(BIN)
        .args([
            "serve",
            "--policy",
            &path("policies/akash-provider.policy"),
            "--max-header-bytes",
            "100",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "below hyper's minimum");
}
