//! Asking cosmos-sdk REST endpoints for an account, with retries and failover.

use std::hash::BuildHasher as _;
use std::io::Read as _;
use std::time::Duration;

use tollgate_verify::{ResolveError, Secp256k1PublicKey};

use crate::account::{self, AccountAnswer, clip};
use crate::config::ChainConfig;

/// Largest account answer read; real answers are well under 2 KiB.
pub(crate) const MAX_BODY_BYTES: u64 = 64 * 1024;

/// What one node's answer means.
pub(crate) enum Attempt {
    /// A definite answer about the account.
    Answer(AccountAnswer),
    /// The node says the account does not exist.
    NotFound,
    /// Worth asking the same node again after a pause: a 5xx or a connection error
    /// (refused, reset, DNS).
    Retry(String),
    /// This node cannot answer; ask the next one.
    Fail(String),
}

/// A way to ask one node (REST here; gRPC behind the `grpc` feature).
pub(crate) trait Transport: Send + Sync {
    /// Asks `node` about `address` once.
    fn query(&self, node: &str, address: &str) -> Attempt;
}

/// The REST transport over a blocking `ureq` agent.
pub(crate) struct Rest {
    agent: ureq::Agent,
}

impl Rest {
    /// An agent with `timeout` for each whole request, no redirects and status codes as
    /// responses.
    pub(crate) fn new(timeout: Duration) -> Rest {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(concat!("tollgate-chain/", env!("CARGO_PKG_VERSION")))
            .build();
        Rest {
            agent: ureq::Agent::new_with_config(config),
        }
    }
}

/// Reads at most [`MAX_BODY_BYTES`] of a body.
fn read_body(body: &mut ureq::Body) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    body.as_reader()
        .take(MAX_BODY_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| format!("reading the answer failed: {error}"))?;
    if bytes.len() as u64 > MAX_BODY_BYTES {
        return Err(format!("the answer is larger than {MAX_BODY_BYTES} bytes"));
    }
    Ok(bytes)
}

impl Transport for Rest {
    fn query(&self, node: &str, address: &str) -> Attempt {
        let url = format!("{node}/cosmos/auth/v1beta1/accounts/{address}");
        let mut response = match self
            .agent
            .get(&url)
            .header("accept", "application/json")
            .call()
        {
            Ok(response) => response,
            Err(error) => return request_failure(&error),
        };
        let status = response.status().as_u16();
        let body = match read_body(response.body_mut()) {
            Ok(body) => body,
            Err(reason) => return Attempt::Fail(reason),
        };
        match status {
            200 => match account::parse_account_json(&body).and_then(|facts| facts.answer(address))
            {
                Ok(answer) => Attempt::Answer(answer),
                Err(reason) => Attempt::Fail(reason),
            },
            404 => match account::parse_status_json(&body) {
                Some((account::GRPC_NOT_FOUND, _)) => Attempt::NotFound,
                Some((code, message)) => Attempt::Fail(format!(
                    "404 with gRPC code {code}: {}",
                    clip(&message, REASON_CHARS)
                )),
                None => Attempt::Fail(
                    "404 without a cosmos-sdk status body: is this the node's REST API address?"
                        .to_owned(),
                ),
            },
            500..=599 => Attempt::Retry(status_reason(status, &body)),
            _ => Attempt::Fail(status_reason(status, &body)),
        }
    }
}

/// What a request that got no response means. Connection errors (refused, reset, unreachable,
/// DNS) are retried; a timeout moves on to the next node, as does everything else — a TLS or
/// certificate failure (`InvalidData` from the handshake, or ureq's own TLS errors), a protocol
/// error — since asking the same node again would fail the same way.
fn request_failure(error: &ureq::Error) -> Attempt {
    use std::io::ErrorKind;
    let reason = || clip(&error.to_string(), REASON_CHARS);
    match error {
        ureq::Error::Timeout(_) => Attempt::Fail("timed out".to_owned()),
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => Attempt::Retry(reason()),
        ureq::Error::Io(io) => match io.kind() {
            ErrorKind::TimedOut | ErrorKind::WouldBlock => Attempt::Fail("timed out".to_owned()),
            ErrorKind::ConnectionRefused
            | ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::NotConnected
            | ErrorKind::BrokenPipe
            | ErrorKind::UnexpectedEof
            | ErrorKind::HostUnreachable
            | ErrorKind::NetworkUnreachable
            | ErrorKind::NetworkDown
            | ErrorKind::AddrNotAvailable
            | ErrorKind::Interrupted => Attempt::Retry(reason()),
            _ => Attempt::Fail(reason()),
        },
        _ => Attempt::Fail(reason()),
    }
}

/// Most characters of a node-supplied message kept in a reason.
const REASON_CHARS: usize = 200;

/// `HTTP 503: <message>`, with the gateway's message when there is one.
fn status_reason(status: u16, body: &[u8]) -> String {
    match account::parse_status_json(body) {
        Some((_, message)) => format!("HTTP {status}: {}", clip(&message, REASON_CHARS)),
        None => format!("HTTP {status}"),
    }
}

/// The nodes, in order, and how patiently to ask them.
pub(crate) struct Nodes {
    pub(crate) urls: Vec<String>,
    pub(crate) retries: u32,
    pub(crate) backoff: Duration,
    pub(crate) transport: Box<dyn Transport>,
}

impl Nodes {
    /// Asks node after node until one gives a definite answer, and checks a returned key
    /// against `address`. A node whose key does not hash to the address is treated as broken
    /// and the next node is asked; if none does better, the answer is `KeyMismatch`.
    pub(crate) fn ask(&self, address: &str) -> Result<(Secp256k1PublicKey, String), ResolveError> {
        let issuer = || address.to_owned();
        let mut failures = Vec::new();
        let mut mismatch = None;
        for url in &self.urls {
            let mut attempt = 0u32;
            loop {
                match self.transport.query(url, address) {
                    Attempt::Answer(AccountAnswer::Key(bytes)) => {
                        match Secp256k1PublicKey::from_sec1_bytes(&bytes) {
                            Ok(key) => {
                                let derived = key.akash_address();
                                if derived == address {
                                    return Ok((key, url.clone()));
                                }
                                failures.push(format!("`{url}`: returned the key of `{derived}`"));
                                mismatch = Some(derived);
                            }
                            Err(error) => failures.push(format!(
                                "`{url}`: returned an invalid secp256k1 key: {error}"
                            )),
                        }
                        break;
                    }
                    Attempt::Answer(AccountAnswer::NoPublicKey { account_type }) => {
                        return Err(ResolveError::NoPublicKey {
                            issuer: issuer(),
                            account_type,
                        });
                    }
                    Attempt::Answer(AccountAnswer::Module { module }) => {
                        return Err(ResolveError::ModuleAccount {
                            issuer: issuer(),
                            module,
                        });
                    }
                    Attempt::Answer(AccountAnswer::UnsupportedKey { key_type }) => {
                        return Err(ResolveError::UnsupportedKeyType {
                            issuer: issuer(),
                            key_type,
                        });
                    }
                    Attempt::NotFound => {
                        return Err(ResolveError::UnknownIssuer { issuer: issuer() });
                    }
                    Attempt::Fail(reason) => {
                        failures.push(format!("`{url}`: {}", clip(&reason, REASON_CHARS)));
                        break;
                    }
                    Attempt::Retry(reason) => {
                        if attempt >= self.retries {
                            let tries = attempt.saturating_add(1);
                            failures.push(format!(
                                "`{url}`: {} ({tries} attempt{})",
                                clip(&reason, REASON_CHARS),
                                if tries == 1 { "" } else { "s" }
                            ));
                            break;
                        }
                        std::thread::sleep(jittered(self.backoff, attempt));
                        attempt = attempt.saturating_add(1);
                    }
                }
            }
        }
        match mismatch {
            Some(derived) => Err(ResolveError::KeyMismatch {
                issuer: issuer(),
                derived,
            }),
            None => Err(ResolveError::Unavailable {
                issuer: issuer(),
                reason: format!("no chain node answered: {}", failures.join("; ")),
            }),
        }
    }
}

/// `base · 2^attempt`, scaled by a random factor in [0.5, 1.5), and never more than
/// [`ChainConfig::MAX_BACKOFF`] whatever `base` is.
fn jittered(base: Duration, attempt: u32) -> Duration {
    let cap = ChainConfig::MAX_BACKOFF;
    let nominal = base.saturating_mul(1u32 << attempt.min(16)).min(cap);
    let random = std::collections::hash_map::RandomState::new().hash_one(attempt);
    let factor = 0.5 + (random % 1000) as f64 / 1000.0;
    Duration::try_from_secs_f64(nominal.as_secs_f64() * factor)
        .unwrap_or(cap)
        .min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_the_jitter() {
        let base = Duration::from_millis(100);
        for attempt in 0..4 {
            let wait = jittered(base, attempt);
            let nominal = base * (1 << attempt);
            assert!(wait >= nominal / 2 && wait < nominal * 3 / 2, "{wait:?}");
        }
    }

    #[test]
    fn backoff_is_capped_and_never_overflows() {
        for attempt in [0, 1, 16, 40, u32::MAX] {
            for base in [
                Duration::from_secs(9),
                Duration::from_secs(u64::MAX),
                Duration::MAX,
            ] {
                assert!(jittered(base, attempt) <= ChainConfig::MAX_BACKOFF);
            }
        }
        assert!(jittered(Duration::MAX, 0) >= ChainConfig::MAX_BACKOFF / 2);
    }

    #[test]
    fn only_connection_errors_are_retried() {
        use std::io::{Error, ErrorKind};
        let io = |kind| ureq::Error::Io(Error::new(kind, "x"));
        for retried in [
            io(ErrorKind::ConnectionRefused),
            io(ErrorKind::ConnectionReset),
            ureq::Error::HostNotFound,
            ureq::Error::ConnectionFailed,
        ] {
            assert!(
                matches!(request_failure(&retried), Attempt::Retry(_)),
                "{retried}"
            );
        }
        for failed in [
            io(ErrorKind::InvalidData),
            io(ErrorKind::TimedOut),
            ureq::Error::Tls("bad certificate"),
            ureq::Error::BadUri("x".into()),
        ] {
            assert!(
                matches!(request_failure(&failed), Attempt::Fail(_)),
                "{failed}"
            );
        }
    }
}
