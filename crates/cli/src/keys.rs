//! `tollgate keys fetch`: issuer keys from chain nodes, written as a `--keys` file.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Args;
use tollgate::verify::{KeyOrigin, KeyResolver as _, ResolveError};
use tollgate_chain::{ChainConfig, ChainKeyResolver};

use crate::exit::{Exit, report};
use crate::inputs::InputError;

/// Arguments of `tollgate keys fetch`.
#[derive(Args, Debug)]
pub struct FetchArgs {
    /// Base URL of a cosmos-sdk REST API, e.g. an Akash node's API port (repeatable; tried in
    /// order).
    #[arg(long = "node", value_name = "URL", required = true)]
    pub nodes: Vec<String>,
    /// Where to write the keys file; `-` for stdout.
    #[arg(long, value_name = "FILE|-", default_value = "-")]
    pub out: PathBuf,
    /// Time limit of one request, e.g. `2s` or `500ms`.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = crate::inputs::parse_timeout)]
    pub timeout: Duration,
    /// The `akash1…` addresses whose keys to fetch.
    #[arg(required = true, value_name = "ADDRESS")]
    pub addresses: Vec<String>,
}

/// One address without a usable key.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct AddressProblem {
    /// Why.
    pub error: ResolveError,
}

impl miette::Diagnostic for AddressProblem {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        let code = match self.error {
            ResolveError::UnknownIssuer { .. } => "tollgate::keys::issuer_unknown",
            ResolveError::Unavailable { .. } => "tollgate::keys::key_unavailable",
            ResolveError::NoPublicKey { .. } => "tollgate::keys::issuer_no_public_key",
            ResolveError::ModuleAccount { .. } => "tollgate::keys::issuer_module_account",
            ResolveError::UnsupportedKeyType { .. } => "tollgate::keys::issuer_key_unsupported",
            ResolveError::KeyMismatch { .. } => "tollgate::keys::issuer_key_mismatch",
        };
        Some(Box::new(code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        let help = match self.error {
            ResolveError::UnknownIssuer { .. } => {
                "it is not an `akash1…` account address, or the node does not know it: check the address"
            }
            ResolveError::Unavailable { .. } => "check the node URL and that the node is synced",
            ResolveError::NoPublicKey { .. } => {
                "the account publishes its key with its first transaction: send one, then fetch again"
            }
            ResolveError::ModuleAccount { .. } => "module accounts cannot sign tokens",
            ResolveError::UnsupportedKeyType { .. } => {
                "tokens are signed with a single secp256k1 key; use such an account"
            }
            ResolveError::KeyMismatch { .. } => {
                "the node returned a key of another account: use a node you trust"
            }
        };
        Some(Box::new(help))
    }
}

/// Some addresses have no usable key; nothing was written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{} of {total} address(es) have no usable key, so no keys file was written", problems.len())]
#[diagnostic(
    code(tollgate::keys::fetch),
    help("remove the addresses named below, or fix what each one says, and run again")
)]
pub struct FetchError {
    /// How many addresses were asked for.
    pub total: usize,
    /// One entry per failed address.
    #[related]
    pub problems: Vec<AddressProblem>,
}

/// A keys file that cannot be written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot write `{path}`: {source}")]
#[diagnostic(code(tollgate::io), help("check the path and its permissions"))]
pub struct WriteError {
    /// The path as given.
    pub path: String,
    /// The I/O error.
    pub source: std::io::Error,
}

/// `YYYY-MM-DD` (UTC) of a Unix time.
fn utc_date(unix: u64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let days = i64::try_from(unix / 86_400).unwrap_or(0) + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The keys file text for `(address, pubkey hex, node)` entries.
fn keys_file(entries: &[(String, String, String)], date: &str) -> String {
    let mut nodes: Vec<&str> = entries.iter().map(|(_, _, node)| node.as_str()).collect();
    nodes.dedup();
    let mut out = format!(
        "# Issuer keys fetched by `tollgate keys fetch` on {date} (UTC) from {}.\n\
         # Each key was checked to hash to its address (bech32(\"akash\", ripemd160(sha256(key)))).\n\
         accounts:\n",
        nodes.join(", ")
    );
    for (address, pubkey, node) in entries {
        out.push_str(&format!(
            "  # from {node}\n  - pubkey: \"{pubkey}\"\n    address: \"{address}\"\n"
        ));
    }
    out
}

/// Runs `tollgate keys fetch`: exit 0 with the file written, 2 if any address has no usable
/// key (nothing is written then) or the arguments are wrong.
pub fn run_fetch(args: &FetchArgs) -> Exit {
    let config = ChainConfig::new(args.nodes.iter().cloned())
        .timeout(args.timeout)
        .negative_ttl(Duration::ZERO);
    let resolver = match ChainKeyResolver::new(config) {
        Ok(resolver) => resolver,
        Err(error) => return report(InputError::from(error)),
    };
    let mut addresses: Vec<&str> = Vec::new();
    for address in &args.addresses {
        if !addresses.contains(&address.as_str()) {
            addresses.push(address);
        }
    }
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for address in &addresses {
        match resolver.resolve(address) {
            Ok(resolved) => {
                let node = match resolved.origin {
                    KeyOrigin::ChainNode { url } => url,
                    other => other.to_string(),
                };
                entries.push((
                    (*address).to_owned(),
                    hex::encode(resolved.key.to_compressed()),
                    node,
                ));
            }
            Err(error) => problems.push(AddressProblem { error }),
        }
    }
    if !problems.is_empty() {
        return report(FetchError {
            total: addresses.len(),
            problems,
        });
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let text = keys_file(&entries, &utc_date(now));
    if args.out.as_os_str() == "-" {
        print!("{text}");
        return Exit::Allow;
    }
    match std::fs::write(&args.out, text) {
        Ok(()) => {
            eprintln!("wrote {} key(s) to `{}`", entries.len(), args.out.display());
            Exit::Allow
        }
        Err(source) => report(WriteError {
            path: args.out.display().to_string(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_900_000_000), "2030-03-17");
    }

    #[test]
    fn the_file_reads_back_as_static_keys() {
        let text = keys_file(
            &[(
                "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh".into(),
                "03e1fde5cc17f56501ed53d87718df76c135b9a6401dceb53d198111a1eaf85f76".into(),
                "http://127.0.0.1:1317".into(),
            )],
            "2030-03-17",
        );
        let keys = tollgate::verify::StaticKeys::from_keys_file(&text, "fetched").unwrap();
        assert!(keys.contains("akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh"));
        assert!(text.contains("on 2030-03-17 (UTC) from http://127.0.0.1:1317"));
    }
}
