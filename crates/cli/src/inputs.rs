//! Reading the files a command names: policies, key files, node secrets, tokens.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tollgate::Policy;
use tollgate::verify::{HmacSecret, StaticKeys};

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
