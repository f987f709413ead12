//! `tollgate serve`: the forward-auth service (library: `tollgate_serve`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use tollgate::{Authorizer, CacheConfig};
use tollgate_serve::{LoadError, LogFormat, ProxyKind, ServeConfig};

use crate::exit::{Exit, report};
use tollgate_chain::ChainKeyResolver;

use crate::inputs::{
    AuthorizerError, ChainArgs, build_authorizer, combine_resolvers, load_chain, load_keys,
    load_policy, load_secret,
};

/// Which proxy asks `/auth`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProxyArg {
    /// nginx `auth_request` and ingress-nginx `auth-url` (`X-Original-Method`, `X-Original-URI`).
    Nginx,
    /// Traefik `forwardAuth` (`X-Forwarded-Method`, `X-Forwarded-Uri`).
    Traefik,
    /// Envoy `ext_authz` HTTP service with `path_prefix: /auth`.
    Envoy,
}

impl From<ProxyArg> for ProxyKind {
    fn from(value: ProxyArg) -> Self {
        match value {
            ProxyArg::Nginx => ProxyKind::Nginx,
            ProxyArg::Traefik => ProxyKind::Traefik,
            ProxyArg::Envoy => ProxyKind::Envoy,
        }
    }
}

/// Log line format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormatArg {
    /// One JSON object per line.
    Json,
    /// Compact text.
    Compact,
}

/// Arguments of `tollgate serve`. Every flag can also come from the `TOLLGATE_*` variable named
/// in its help.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(
        long,
        env = "TOLLGATE_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    pub listen: SocketAddr,
    /// The policy file (reloaded on SIGHUP and when it changes).
    #[arg(long, env = "TOLLGATE_POLICY", value_name = "FILE")]
    pub policy: PathBuf,
    /// This provider's own `akash1…` address (granular tokens must name it).
    #[arg(long, env = "TOLLGATE_PROVIDER", value_name = "AKASH_ADDR")]
    pub provider: Option<String>,
    /// Issuer public key files (repeatable; the variable takes a comma-separated list).
    #[arg(
        long,
        env = "TOLLGATE_KEYS",
        value_name = "FILE",
        value_delimiter = ','
    )]
    pub keys: Vec<PathBuf>,
    /// The Filecoin node secret.
    #[arg(long, env = "TOLLGATE_SECRET", value_name = "FILE")]
    pub secret: Option<PathBuf>,
    /// Which proxy convention `/auth` reads; headers of other conventions are ignored.
    #[arg(long, env = "TOLLGATE_PROXY", value_enum, default_value = "nginx")]
    pub proxy: ProxyArg,
    /// Requests handled at once; more are refused with 503 instead of queueing.
    #[arg(
        long,
        env = "TOLLGATE_MAX_CONCURRENCY",
        default_value_t = 1024,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub max_concurrency: u32,
    /// The longest a request may take (e.g. `10s`, `500ms`; from 1ms to one day); also the
    /// header read timeout.
    #[arg(long, env = "TOLLGATE_REQUEST_TIMEOUT", default_value = "10s", value_name = "DURATION", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// The largest request head (request line and headers) in bytes; at least 8192.
    #[arg(
        long,
        env = "TOLLGATE_MAX_HEADER_BYTES",
        default_value_t = 16384,
        value_name = "BYTES",
        value_parser = clap::value_parser!(u32).range(8192..)
    )]
    pub max_header_bytes: u32,
    /// How long SIGTERM waits for requests in flight (from 1ms to one day).
    #[arg(long, env = "TOLLGATE_DRAIN_TIMEOUT", default_value = "30s", value_name = "DURATION", value_parser = parse_duration)]
    pub drain_timeout: Duration,
    /// The most tokens the verified-claims cache keeps.
    #[arg(
        long,
        env = "TOLLGATE_CACHE_ENTRIES",
        default_value_t = 10_000,
        value_name = "N"
    )]
    pub cache_entries: usize,
    /// About the most bytes the verified-claims cache keeps (tokens and claims together).
    #[arg(long, env = "TOLLGATE_CACHE_BYTES", default_value_t = 32 * 1024 * 1024, value_name = "BYTES")]
    pub cache_bytes: u64,
    /// Log line format on stderr.
    #[arg(long, env = "TOLLGATE_LOG_FORMAT", value_enum, default_value = "json")]
    pub log_format: LogFormatArg,
    /// Issuer keys from chain nodes (after the `--keys` files); the resolver and its cache are
    /// created once and kept across reloads.
    #[command(flatten)]
    pub chain: ChainArgs,
    /// Judge tokens at this fixed time (Unix seconds) instead of the system clock (for tests).
    #[arg(long, value_name = "UNIX_SECONDS", allow_hyphen_values = true)]
    pub now: Option<i64>,
}

/// The shortest request or drain timeout.
const MIN_DURATION: Duration = Duration::from_millis(1);
/// The longest request or drain timeout (hyper adds the header read timeout to the current
/// instant, which must not overflow).
const MAX_DURATION: Duration = Duration::from_secs(24 * 60 * 60);

/// A `--request-timeout` or `--drain-timeout` value that is not a usable duration.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Not a number followed by an optional unit.
    #[error("`{0}` is not a duration like `10s` or `500ms`")]
    Malformed(String),
    /// A unit other than `ms`, `s` or `m`.
    #[error("`{0}` has an unknown unit: use `ms`, `s` or `m`")]
    UnknownUnit(String),
    /// Below 1 ms (a zero timeout would refuse every request).
    #[error("`{0}` is too short: the minimum is 1ms")]
    TooShort(String),
    /// Above one day.
    #[error("`{0}` is too long: the maximum is 1440m (one day)")]
    TooLong(String),
}

/// `10s`, `250ms`, `2m`, or a bare number of seconds; from 1 ms to one day.
fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let value: u64 = number
        .parse()
        .map_err(|_| DurationError::Malformed(text.to_owned()))?;
    let duration = match unit {
        "ms" => Duration::from_millis(value),
        "s" => Duration::from_secs(value),
        "m" => Duration::from_secs(value.saturating_mul(60)),
        _ => return Err(DurationError::UnknownUnit(text.to_owned())),
    };
    if duration < MIN_DURATION {
        return Err(DurationError::TooShort(text.to_owned()));
    }
    if duration > MAX_DURATION {
        return Err(DurationError::TooLong(text.to_owned()));
    }
    Ok(duration)
}

/// What a (re)load reads.
struct Sources {
    policy: PathBuf,
    keys: Vec<PathBuf>,
    secret: Option<PathBuf>,
    provider: Option<String>,
    now: Option<i64>,
    chain: Option<Arc<ChainKeyResolver>>,
    cache: CacheConfig,
}

impl Sources {
    fn build(&self) -> Result<Authorizer, AuthorizerError> {
        let policy = load_policy(&self.policy)?;
        let keys = combine_resolvers(load_keys(&self.keys)?, self.chain.clone());
        let secret = self.secret.as_deref().map(load_secret).transpose()?;
        Ok(build_authorizer(
            policy,
            keys,
            secret,
            self.provider.as_deref(),
            self.now,
            Some(self.cache),
        )?)
    }

    /// Every file a change of which reloads.
    fn watched(&self) -> Vec<PathBuf> {
        let mut paths = vec![self.policy.clone()];
        paths.extend(self.keys.iter().cloned());
        paths.extend(self.secret.iter().cloned());
        paths
    }
}

/// The diagnostic as plain text (no colour, fixed width), for logs.
fn render(diagnostic: &dyn miette::Diagnostic) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_links(false);
    let mut out = String::new();
    match handler.render_report(&mut out, diagnostic) {
        Ok(()) => out,
        Err(_) => diagnostic.to_string(),
    }
}

/// Runs `tollgate serve` until SIGTERM or SIGINT: exit 0 after draining, 2 if the first load
/// or the listen address fails.
pub fn run_serve(args: &ServeArgs) -> Exit {
    let chain = match load_chain(&args.chain) {
        Ok(chain) => chain,
        Err(error) => return report(error),
    };
    let sources = Sources {
        chain,
        policy: args.policy.clone(),
        keys: args.keys.clone(),
        secret: args.secret.clone(),
        provider: args.provider.clone(),
        now: args.now,
        cache: CacheConfig {
            max_entries: args.cache_entries,
            max_bytes: args.cache_bytes,
        },
    };
    // The first load reports a full diagnostic and exits 2, like every other command.
    if let Err(error) = sources.build() {
        return report(error);
    }
    tollgate_serve::init_logging(match args.log_format {
        LogFormatArg::Json => LogFormat::Json,
        LogFormatArg::Compact => LogFormat::Compact,
    });
    let mut config = ServeConfig::new(args.listen, args.proxy.into());
    config.max_concurrency = usize::try_from(args.max_concurrency).unwrap_or(usize::MAX);
    config.request_timeout = args.request_timeout;
    config.max_header_bytes = usize::try_from(args.max_header_bytes).unwrap_or(usize::MAX);
    config.drain_timeout = args.drain_timeout;
    config.watch = sources.watched();
    let loader = move || {
        sources.build().map_err(|error| LoadError {
            diagnostic: render(&error),
        })
    };
    match tollgate_serve::run(config, Arc::new(loader)) {
        Ok(()) => Exit::Allow,
        Err(error) => {
            eprintln!("error: {error}");
            Exit::Error
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("7").unwrap(), Duration::from_secs(7));
        assert!(parse_duration("1h").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("-1s").is_err());
        assert_eq!(parse_duration("1ms").unwrap(), Duration::from_millis(1));
        assert_eq!(
            parse_duration("1440m").unwrap(),
            Duration::from_secs(86_400)
        );
        assert_eq!(
            parse_duration("86400").unwrap(),
            Duration::from_secs(86_400)
        );
    }

    #[test]
    fn durations_out_of_range_are_refused() {
        for zero in ["0s", "0ms", "0", "0m"] {
            assert_eq!(
                parse_duration(zero),
                Err(DurationError::TooShort(zero.to_owned()))
            );
        }
        for long in [
            "86401",
            "1441m",
            "18446744073709551615s",
            "99999999999999999999ms",
        ] {
            assert!(parse_duration(long).is_err(), "{long}");
        }
        assert_eq!(
            parse_duration("86401s").unwrap_err().to_string(),
            "`86401s` is too long: the maximum is 1440m (one day)"
        );
    }

    #[derive(clap::Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    #[test]
    fn the_command_line_refuses_zero_and_huge_timeouts() {
        use clap::Parser;
        let parse = |flag: &str, value: &str| {
            Cli::try_parse_from(["tollgate", "--policy", "p.policy", flag, value])
        };
        assert!(parse("--request-timeout", "250ms").is_ok());
        for flag in ["--request-timeout", "--drain-timeout"] {
            let error = parse(flag, "0s").unwrap_err();
            assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation);
            assert!(
                error
                    .to_string()
                    .contains("`0s` is too short: the minimum is 1ms"),
                "{error}"
            );
            let error = parse(flag, "100000000000s").unwrap_err();
            assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation);
            assert!(error.to_string().contains("is too long"), "{error}");
        }
    }
}
