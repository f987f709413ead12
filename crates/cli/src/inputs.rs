//! Reading the files a command names: policies, key files, node secrets, tokens.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tollgate::verify::{FallbackResolver, HmacSecret, KeyResolver, StaticKeys};
use tollgate::{Authorizer, BuildError, CacheConfig, FixedClock, Policy, SystemClock};
use tollgate_chain::{ChainConfig, ChainKeyResolver};

/// Where verification keys and the clock come from; shared by `authorize`, `explain` and
/// `token inspect`.
#[derive(clap::Args, Debug)]
pub struct KeyArgs {
    /// Issuer public keys: YAML or JSON `{"accounts": [{"pubkey": …, "address": …}]}` (repeatable).
    #[arg(long, value_name = "FILE")]
    pub keys: Vec<PathBuf>,
    /// The Filecoin node secret (Lotus KeyInfo, Forest keystore.json, lotus-shed hex, or base64).
    #[arg(long, value_name = "FILE")]
    pub secret: Option<PathBuf>,
    /// Judge the token at this time (Unix seconds) instead of the system clock.
    #[arg(long, value_name = "UNIX_SECONDS", allow_hyphen_values = true)]
    pub now: Option<i64>,
    /// Issuer keys from the chain.
    #[command(flatten)]
    pub chain: ChainArgs,
}

/// Issuer keys from chain nodes' account query (`tollgate_chain`), after any `--keys` files.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ChainArgs {
    /// Base URL of a cosmos-sdk REST API (an Akash node's API port) to look up issuer keys
    /// that no `--keys` file lists (repeatable; tried in order).
    #[arg(long = "chain-node", value_name = "URL")]
    pub chain_nodes: Vec<String>,
    /// Persistent cache of keys from the chain (a redb file, created if missing), so a restart
    /// does not refetch and known issuers keep working while every node is down.
    #[arg(long, value_name = "PATH", requires = "chain_nodes")]
    pub key_cache: Option<PathBuf>,
    /// Time limit of one chain request, e.g. `2s` or `500ms` (default 2s).
    #[arg(long, value_name = "DURATION", requires = "chain_nodes", value_parser = parse_timeout)]
    pub chain_timeout: Option<std::time::Duration>,
}

/// Parses `500ms`, `2s` or a bare number of seconds (for `--chain-timeout` and `keys fetch --timeout`).
pub fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    let (number, scale) = if let Some(ms) = text.strip_suffix("ms") {
        (ms, 1)
    } else {
        (text.strip_suffix('s').unwrap_or(text), 1000)
    };
    let value: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as `2s` or `500ms`"))?;
    let millis = value
        .checked_mul(scale)
        .filter(|millis| *millis > 0)
        .ok_or_else(|| format!("`{text}` must be longer than zero and shorter than ages"))?;
    Ok(std::time::Duration::from_millis(millis))
}

/// A file that could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot read `{path}`: {source}")]
#[diagnostic(code(tollgate::io), help("check the path and its permissions"))]
pub struct ReadError {
    /// The path as given.
    pub path: String,
    /// The I/O error.
    pub source: std::io::Error,
}

/// Reads a UTF-8 file, or stdin for `-`.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let shown = path.display().to_string();
    if shown == "-" {
        let mut text = String::new();
        return std::io::stdin()
            .read_to_string(&mut text)
            .map(|_| text)
            .map_err(|source| ReadError {
                path: shown,
                source,
            });
    }
    fs::read_to_string(path).map_err(|source| ReadError {
        path: shown,
        source,
    })
}

/// Any failure while loading inputs, as one diagnostic.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InputError {
    /// An unreadable file.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(#[from] ReadError),
    /// A policy that does not compile.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Policy(#[from] tollgate::policy::PolicyErrors),
    /// A bad `--keys` file.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Keys(Box<tollgate::verify::KeysFileError>),
    /// A bad `--secret` file.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Secret(#[from] tollgate::verify::SecretError),
    /// A chain key source that cannot start (bad node URL, cache file in use).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Chain(#[from] tollgate_chain::ChainSetupError),
    /// A token argument that cannot be used.
    #[error("{0}")]
    #[diagnostic(code(tollgate::token_input))]
    Token(String),
}

/// Reads and compiles a policy file.
pub fn load_policy(path: &Path) -> Result<Policy, InputError> {
    let source = read_text(path)?;
    Ok(Policy::compile(&source, &path.display().to_string())?)
}

/// Reads and merges every `--keys` file.
pub fn load_keys(paths: &[PathBuf]) -> Result<Option<Arc<StaticKeys>>, InputError> {
    if paths.is_empty() {
        return Ok(None);
    }
    let mut keys = StaticKeys::new();
    for path in paths {
        let text = read_text(path)?;
        let file = StaticKeys::from_keys_file(&text, &path.display().to_string())
            .map_err(|error| InputError::Keys(Box::new(error)))?;
        keys.merge(file);
    }
    Ok(Some(Arc::new(keys)))
}

/// The chain resolver `--chain-node`, `--key-cache` and `--chain-timeout` describe, if any
/// node is given. Build it once per process: the cache file is held open (and locked) for as
/// long as the resolver lives.
pub fn load_chain(args: &ChainArgs) -> Result<Option<Arc<ChainKeyResolver>>, InputError> {
    if args.chain_nodes.is_empty() {
        return Ok(None);
    }
    let mut config = ChainConfig::new(args.chain_nodes.iter().cloned());
    if let Some(path) = &args.key_cache {
        config = config.cache_path(path);
    }
    if let Some(timeout) = args.chain_timeout {
        config = config.timeout(timeout);
    }
    Ok(Some(Arc::new(ChainKeyResolver::new(config)?)))
}

/// Key files first, then the chain: the resolver `authorize`, `explain`, `token inspect` and
/// `serve` use. `None` when neither is configured.
pub fn combine_resolvers(
    keys: Option<Arc<StaticKeys>>,
    chain: Option<Arc<ChainKeyResolver>>,
) -> Option<Arc<dyn KeyResolver>> {
    match (keys, chain) {
        (None, None) => None,
        (Some(keys), None) => Some(keys),
        (None, Some(chain)) => Some(chain),
        (Some(keys), Some(chain)) => Some(Arc::new(FallbackResolver::new(vec![keys, chain]))),
    }
}

/// Reads every `--keys` file and starts the chain resolver, and combines them: static keys,
/// the chain, or the files in front of the chain.
pub fn key_resolver(args: &KeyArgs) -> Result<Option<Arc<dyn KeyResolver>>, InputError> {
    let keys = load_keys(&args.keys)?;
    let chain = load_chain(&args.chain)?;
    Ok(combine_resolvers(keys, chain))
}

/// Anything that stops an authorizer from being built out of the command's files.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum AuthorizerError {
    /// A file could not be read or parsed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Input(#[from] InputError),
    /// The parts do not fit together (e.g. an Akash policy without a key source).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Build(#[from] BuildError),
}

/// The authorizer every command builds: `policy` with its key resolver, node secret and
/// provider address, judging time by `now` (fixed) or the system clock; `cache` `None` turns
/// the verified-claims cache off.
pub fn build_authorizer(
    policy: Policy,
    keys: Option<Arc<dyn KeyResolver>>,
    secret: Option<HmacSecret>,
    provider: Option<&str>,
    now: Option<i64>,
    cache: Option<CacheConfig>,
) -> Result<Authorizer, BuildError> {
    let mut builder = Authorizer::builder(policy);
    builder = match cache {
        Some(config) => builder.cache(config),
        None => builder.without_cache(),
    };
    if let Some(keys) = keys {
        builder = builder.key_resolver(keys);
    }
    if let Some(secret) = secret {
        builder = builder.hmac_secret(secret);
    }
    if let Some(provider) = provider {
        builder = builder.provider(provider);
    }
    builder = match now {
        Some(now) => builder.clock(Arc::new(FixedClock(now))),
        None => builder.clock(Arc::new(SystemClock)),
    };
    builder.build()
}

/// Reads a node secret in any supported format.
pub fn load_secret(path: &Path) -> Result<HmacSecret, InputError> {
    let text = read_text(path)?;
    let (secret, _format) = HmacSecret::parse(&text, &path.display().to_string())?;
    Ok(secret)
}

/// The token from `--token` or `--token-file` (`-` for stdin), trimmed of surrounding
/// whitespace; `None` for an anonymous request.
pub fn load_token(
    token: Option<&str>,
    token_file: Option<&Path>,
) -> Result<Option<String>, InputError> {
    match (token, token_file) {
        (Some(_), Some(_)) => Err(InputError::Token(
            "give either `--token` or `--token-file`, not both".to_owned(),
        )),
        (Some(token), None) => Ok(Some(token.trim().to_owned())),
        (None, Some(path)) => {
            let text = read_text(path)?;
            let token = text.trim();
            if token.is_empty() {
                return Err(InputError::Token(format!(
                    "`{}` holds no token",
                    path.display()
                )));
            }
            Ok(Some(token.to_owned()))
        }
        (None, None) => Ok(None),
    }
}
