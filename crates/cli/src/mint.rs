//! `tollgate token mint`: Akash tokens from a mnemonic or private key, Filecoin tokens from a
//! node secret. Minted tokens pass Tollgate's own `authorize` and the upstream rules.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;
use tollgate::parse_resource;
use tollgate::policy::Resource;
use tollgate::schema::Scope;
use tollgate::verify::{Secp256k1SigningKey, SigningKey, sign_token};

use crate::duration::parse_time;
use crate::exit::{Exit, report};
use crate::inputs::{load_secret, read_text};

/// The BIP-44 path of Cosmos accounts (coin type 118), as the Akash wallets use.
const AKASH_HD_PATH: &str = "m/44'/118'/0'/0/0";

/// Signature algorithms `mint` can produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MintAlg {
    /// Akash: ECDSA secp256k1 over the signing input.
    #[value(name = "ES256K")]
    Es256k,
    /// Akash: ECDSA secp256k1 over an ADR-036 sign doc (what browser wallets produce).
    #[value(name = "ES256KADR36")]
    Es256kAdr36,
    /// Filecoin: HMAC-SHA256 with the node secret.
    #[value(name = "HS256")]
    Hs256,
}

/// Akash lease access types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessArg {
    /// Every action on all of the issuer's leases, at any provider.
    Full,
    /// Only the listed scopes, at any provider.
    Scoped,
    /// Per-provider (and optionally per-deployment) entries.
    Granular,
}

/// Filecoin permission levels, expanded cumulatively as Forest and Lotus do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PermArg {
    /// `["read"]`
    Read,
    /// `["read", "write"]`
    Write,
    /// `["read", "write", "sign"]`
    Sign,
    /// `["read", "write", "sign", "admin"]`
    Admin,
}

/// Which node's header to write for HS256 tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HeaderStyle {
    /// `{"typ":"JWT","alg":"HS256"}` (Rust jsonwebtoken, as Forest writes it).
    Forest,
    /// `{"alg":"HS256","typ":"JWT"}` (gbrlsnchs/jwt, as Lotus writes it).
    Lotus,
}

/// Arguments of `tollgate token mint`.
#[derive(Args, Debug)]
pub struct MintArgs {
    /// The signature algorithm.
    #[arg(long, value_enum)]
    pub alg: MintAlg,
    /// Akash: a file holding the BIP-39 mnemonic (path m/44'/118'/0'/0/0).
    #[arg(long, value_name = "FILE", conflicts_with = "private_key_file")]
    pub mnemonic_file: Option<PathBuf>,
    /// Akash: a file holding the hex secp256k1 private key.
    #[arg(long, value_name = "FILE")]
    pub private_key_file: Option<PathBuf>,
    /// Akash: the lease access type.
    #[arg(long, value_enum, default_value = "full")]
    pub access: AccessArg,
    /// Akash: comma-separated scopes (top level for `scoped`, in the provider entry for `granular`).
    #[arg(long, value_name = "a,b", value_delimiter = ',')]
    pub scope: Vec<String>,
    /// Akash: the provider of the granular entry.
    #[arg(long, value_name = "AKASH_ADDR")]
    pub provider: Option<String>,
    /// Akash: narrow the granular provider entry to one deployment `DSEQ` or lease `DSEQ/GSEQ/OSEQ`.
    #[arg(long, value_name = "DSEQ[/GSEQ/OSEQ]")]
    pub deployment: Option<String>,
    /// Akash: service names of the deployment entry (default `web`; never enforced upstream).
    #[arg(long = "service", value_name = "NAME")]
    pub services: Vec<String>,
    /// Filecoin: the node secret file (any supported format).
    #[arg(long, value_name = "FILE")]
    pub secret: Option<PathBuf>,
    /// Filecoin: the permission level, expanded as the nodes' CLIs expand it.
    #[arg(long, value_enum)]
    pub perm: Option<PermArg>,
    /// Filecoin: which node's header layout to write.
    #[arg(long, value_enum, default_value = "forest")]
    pub header: HeaderStyle,
    /// Expiry: a duration after now (`15m`), a Unix time, or (Filecoin) `never`.
    /// Defaults: 15m for Akash (as `akash auth jwt`), 60d for Filecoin.
    #[arg(long, value_name = "DURATION|UNIX|never")]
    pub exp: Option<String>,
    /// Akash: not-before, a Unix time or a duration after now (default: now).
    #[arg(long, value_name = "UNIX|DURATION")]
    pub nbf: Option<String>,
    /// Mint as if it were this Unix time (default: the system clock).
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub now: Option<i64>,
    /// Sign these exact payload bytes (a file, or `-` for stdin) instead of building claims;
    /// nothing is validated, which is what negative test tokens need.
    #[arg(long, value_name = "FILE|-")]
    pub payload_file: Option<PathBuf>,
}

/// A usage problem specific to `mint`.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(tollgate::mint))]
struct MintError {
    message: String,
    #[help]
    help: Option<String>,
}

fn usage(message: impl Into<String>, help: impl Into<String>) -> MintError {
    MintError {
        message: message.into(),
        help: Some(help.into()),
    }
}

#[derive(Serialize)]
struct AkashPayload<'a> {
    iss: &'a str,
    exp: i64,
    nbf: i64,
    iat: i64,
    version: &'static str,
    leases: Leases,
}

#[derive(Serialize)]
struct Leases {
    access: AccessArg,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    scope: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    permissions: Vec<Permission>,
}

#[derive(Serialize)]
struct Permission {
    provider: String,
    access: AccessArg,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    scope: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    deployments: Vec<Deployment>,
}

#[derive(Serialize)]
struct Deployment {
    scope: Vec<&'static str>,
    dseq: u64,
    #[serde(skip_serializing_if = "is_zero")]
    gseq: u32,
    #[serde(skip_serializing_if = "is_zero")]
    oseq: u32,
    services: Vec<String>,
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

#[derive(Serialize)]
struct FilecoinPayload {
    #[serde(rename = "Allow")]
    allow: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exp: Option<i64>,
}

/// Runs `tollgate token mint`: prints the token and a newline.
pub fn run_mint(args: &MintArgs) -> Exit {
    let minted = match args.alg {
        MintAlg::Hs256 => mint_filecoin(args),
        MintAlg::Es256k | MintAlg::Es256kAdr36 => mint_akash(args),
    };
    match minted {
        Ok(token) => {
            println!("{token}");
            Exit::Allow
        }
        Err(exit) => exit,
    }
}

fn now(args: &MintArgs) -> i64 {
    args.now
        .unwrap_or_else(|| tollgate::Clock::now(&tollgate::SystemClock))
}

fn parse_scopes(names: &[String]) -> Result<Vec<&'static str>, MintError> {
    names
        .iter()
        .map(|name| {
            Scope::parse(name.trim()).map(Scope::as_str).ok_or_else(|| {
                let known: Vec<&str> = Scope::ALL.iter().map(|scope| scope.as_str()).collect();
                usage(
                    format!("unknown scope `{name}`"),
                    format!("scopes are {}", known.join(", ")),
                )
            })
        })
        .collect()
}

fn mint_akash(args: &MintArgs) -> Result<String, Exit> {
    let key = match (&args.mnemonic_file, &args.private_key_file) {
        (Some(path), None) => {
            let phrase = read_text(path).map_err(report)?;
            Secp256k1SigningKey::from_mnemonic(phrase.trim(), "", AKASH_HD_PATH).map_err(report)?
        }
        (None, Some(path)) => {
            let hex = read_text(path).map_err(report)?;
            Secp256k1SigningKey::from_hex(hex.trim()).map_err(report)?
        }
        _ => {
            return Err(report(usage(
                "an Akash token needs a signing key",
                "pass `--mnemonic-file FILE` or `--private-key-file FILE`",
            )));
        }
    };
    let issuer = key.public_key().akash_address();
    let now = now(args);
    let payload = match &args.payload_file {
        Some(path) => read_text(path).map_err(report)?.into_bytes(),
        None => akash_payload(args, &issuer, now).map_err(report)?,
    };
    let header = match args.alg {
        MintAlg::Es256kAdr36 => br#"{"alg":"ES256KADR36","typ":"JWT"}"#.as_slice(),
        _ => br#"{"alg":"ES256K","typ":"JWT"}"#.as_slice(),
    };
    let signing = match args.alg {
        MintAlg::Es256kAdr36 => SigningKey::Es256kAdr36 {
            key: &key,
            signer: &issuer,
        },
        _ => SigningKey::Es256k(&key),
    };
    sign_token(header, &payload, signing).map_err(report)
}

fn akash_payload(args: &MintArgs, issuer: &str, now: i64) -> Result<Vec<u8>, MintError> {
    let time = |text: &str| {
        parse_time(text, now).map_err(|error| usage(error.to_string(), "see `--help`"))
    };
    let exp = time(args.exp.as_deref().unwrap_or("15m"))?;
    let nbf = match args.nbf.as_deref() {
        Some(text) => time(text)?,
        None => now,
    };
    let scopes = parse_scopes(&args.scope)?;
    let leases = match args.access {
        AccessArg::Full => {
            if !scopes.is_empty() || args.provider.is_some() {
                return Err(usage(
                    "`full` access takes no `--scope` or `--provider`",
                    "drop them, or use `--access scoped|granular`",
                ));
            }
            Leases {
                access: AccessArg::Full,
                scope: Vec::new(),
                permissions: Vec::new(),
            }
        }
        AccessArg::Scoped => {
            if scopes.is_empty() {
                return Err(usage(
                    "`scoped` access needs `--scope`",
                    "for example `--scope logs,status`",
                ));
            }
            Leases {
                access: AccessArg::Scoped,
                scope: scopes,
                permissions: Vec::new(),
            }
        }
        AccessArg::Granular => {
            let Some(provider) = args.provider.clone() else {
                return Err(usage(
                    "`granular` access needs `--provider`",
                    "name the provider the token is for",
                ));
            };
            let permission = match args.deployment.as_deref() {
                Some(text) => {
                    let (dseq, gseq, oseq) = match parse_resource(text) {
                        Ok(Resource::Deployment { dseq }) => (dseq, 0, 0),
                        Ok(Resource::Lease { dseq, gseq, oseq }) => (dseq, gseq, oseq),
                        Ok(Resource::None) | Err(_) => {
                            return Err(usage(
                                format!("invalid deployment `{text}`"),
                                "write `DSEQ` or `DSEQ/GSEQ/OSEQ`",
                            ));
                        }
                    };
                    if scopes.is_empty() {
                        return Err(usage(
                            "a deployment entry needs `--scope`",
                            "for example `--scope logs`",
                        ));
                    }
                    let services = if args.services.is_empty() {
                        vec!["web".to_owned()]
                    } else {
                        args.services.clone()
                    };
                    Permission {
                        provider,
                        access: AccessArg::Granular,
                        scope: Vec::new(),
                        deployments: vec![Deployment {
                            scope: scopes,
                            dseq,
                            gseq,
                            oseq,
                            services,
                        }],
                    }
                }
                None if scopes.is_empty() => Permission {
                    provider,
                    access: AccessArg::Full,
                    scope: Vec::new(),
                    deployments: Vec::new(),
                },
                None => Permission {
                    provider,
                    access: AccessArg::Scoped,
                    scope: scopes,
                    deployments: Vec::new(),
                },
            };
            Leases {
                access: AccessArg::Granular,
                scope: Vec::new(),
                permissions: vec![permission],
            }
        }
    };
    let payload = AkashPayload {
        iss: issuer,
        exp,
        nbf,
        iat: now,
        version: "v1",
        leases,
    };
    serde_json::to_vec(&payload).map_err(|error| {
        usage(
            format!("cannot serialise claims: {error}"),
            "report this bug",
        )
    })
}

fn mint_filecoin(args: &MintArgs) -> Result<String, Exit> {
    let Some(path) = &args.secret else {
        return Err(report(usage(
            "an HS256 token needs the node secret",
            "pass `--secret FILE`",
        )));
    };
    let secret = load_secret(path).map_err(report)?;
    let now = now(args);
    let payload = match &args.payload_file {
        Some(path) => read_text(path).map_err(report)?.into_bytes(),
        None => {
            let Some(perm) = args.perm else {
                return Err(report(usage(
                    "an HS256 token needs `--perm`",
                    "one of read, write, sign, admin",
                )));
            };
            let allow = match perm {
                PermArg::Read => vec!["read"],
                PermArg::Write => vec!["read", "write"],
                PermArg::Sign => vec!["read", "write", "sign"],
                PermArg::Admin => vec!["read", "write", "sign", "admin"],
            };
            let exp = match args.exp.as_deref().unwrap_or("60d") {
                "never" => None,
                text => Some(parse_time(text, now).map_err(report)?),
            };
            serde_json::to_vec(&FilecoinPayload { allow, exp }).map_err(|error| {
                report(usage(
                    format!("cannot serialise claims: {error}"),
                    "report this bug",
                ))
            })?
        }
    };
    let header = match args.header {
        HeaderStyle::Forest => br#"{"typ":"JWT","alg":"HS256"}"#.as_slice(),
        HeaderStyle::Lotus => br#"{"alg":"HS256","typ":"JWT"}"#.as_slice(),
    };
    sign_token(header, &payload, SigningKey::Hs256(&secret)).map_err(report)
}
