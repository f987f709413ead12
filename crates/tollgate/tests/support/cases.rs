//! The golden decision tables of `fixtures/cases/*.yaml`: loading them and minting each case's
//! token. Shared by the library harness (`crates/tollgate/tests/golden_cases.rs`) and the CLI
//! harness (`crates/cli/tests/golden_cases_cli.rs`), which include this file by path.

use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{KeyInit, Mac};
use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use sha2::{Digest, Sha256};
use tollgate_verify::{HmacSecret, Secp256k1SigningKey, adr36_prehash};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every case file, sorted by name.
pub fn case_files() -> Vec<PathBuf> {
    let dir = repo_root().join("fixtures/cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    files
}

/// One `fixtures/cases/*.yaml` file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    pub policy: String,
    pub keys: Option<String>,
    pub secret: Option<String>,
    pub provider: Option<String>,
    pub now: i64,
    pub cases: Vec<Case>,
}

/// One request and its expected decision.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    pub op: String,
    pub resource: Option<String>,
    pub owner: Option<String>,
    pub provider: Option<String>,
    pub now: Option<i64>,
    pub token: Option<TokenSpec>,
    pub expect: Expect,
}

/// How to make the case's token.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenSpec {
    pub alg: Option<String>,
    pub header: Option<Json>,
    pub claims: Option<Json>,
    pub payload_raw: Option<String>,
    pub signer: Option<String>,
    pub mutate: Option<String>,
    pub raw: Option<String>,
}

/// `allow` or `{deny: code}`.
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Expect {
    Word(String),
    Deny { deny: String },
}

impl Expect {
    /// `None` for allow, else the expected deny code.
    pub fn deny_code(&self) -> Option<&str> {
        match self {
            Expect::Word(word) => {
                assert_eq!(word, "allow", "expect must be `allow` or `{{deny: code}}`");
                None
            }
            Expect::Deny { deny } => Some(deny),
        }
    }
}

/// Fails with every failed case listed, and insists the tables stay at least 200 cases.
#[track_caller]
pub fn assert_all_passed(failures: &[String], total: usize) {
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(total >= 200, "only {total} golden cases");
}

/// Reads one case file.
pub fn load(path: &Path) -> CaseFile {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// JSON that keeps the key order of the YAML it came from, so payload bytes are exactly what
/// the case author wrote.
#[derive(Debug, Clone)]
pub enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub fn to_compact(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(&n.to_string()),
            Json::String(s) => out.push_str(&serde_json::to_string(s).unwrap()),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(key).unwrap());
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct JsonVisitor;
        impl<'de> Visitor<'de> for JsonVisitor {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON-like value")
            }
            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_none<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
                Ok(Json::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
                Ok(Json::Number(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
                Ok(Json::Number(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
                serde_json::Number::from_f64(v)
                    .map(Json::Number)
                    .ok_or_else(|| E::custom("non-finite float"))
            }
            fn visit_str<E>(self, v: &str) -> Result<Json, E> {
                Ok(Json::String(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Json, E> {
                Ok(Json::String(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Json::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Json>()? {
                    entries.push((key, value));
                }
                Ok(Json::Object(entries))
            }
        }
        deserializer.deserialize_any(JsonVisitor)
    }
}

/// The secp256k1 group order n, big-endian.
const ORDER: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
    0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41,
];

/// n - s, big-endian.
fn negate_scalar(s: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(ORDER[i]) - i16::from(s[i]) - borrow;
        borrow = if d < 0 { 1 } else { 0 };
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    out
}

/// DER `SEQUENCE { INTEGER r, INTEGER s }` of a 64-byte r||s signature.
fn der(sig: &[u8]) -> Vec<u8> {
    fn integer(bytes: &[u8]) -> Vec<u8> {
        let mut trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
        if trimmed.first().is_none_or(|b| *b & 0x80 != 0) {
            trimmed.insert(0, 0);
        }
        let mut out = vec![0x02, trimmed.len() as u8];
        out.extend(trimmed);
        out
    }
    let mut body = integer(&sig[..32]);
    body.extend(integer(&sig[32..]));
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

fn test_akash_key() -> Secp256k1SigningKey {
    let hex = std::fs::read_to_string(repo_root().join("fixtures/keys/akash-test-private-key.hex"))
        .unwrap();
    Secp256k1SigningKey::from_hex(hex.trim()).unwrap()
}

fn other_akash_key() -> Secp256k1SigningKey {
    Secp256k1SigningKey::from_hex(
        "0707070707070707070707070707070707070707070707070707070707070707",
    )
    .unwrap()
}

/// The raw bytes of the node secret (the harness MACs tokens whose header `alg` lies, which
/// `sign_token` refuses to do).
fn secret_bytes(file: &CaseFile, signer: &str) -> Vec<u8> {
    if signer == "other" {
        return vec![0x42; 32];
    }
    let path = repo_root().join(file.secret.as_deref().expect("HS256 cases need `secret:`"));
    let text = std::fs::read_to_string(&path).unwrap();
    // Parsing proves the fixture is a secret Tollgate reads; the bytes are the public test key.
    let (secret, _) = HmacSecret::parse(&text, &path.display().to_string()).unwrap();
    assert_eq!(secret.len(), 32);
    (0u8..32).collect()
}

/// Mints (or copies) the token a case describes.
pub fn make_token(file: &CaseFile, spec: &TokenSpec) -> String {
    if let Some(raw) = &spec.raw {
        return raw.clone();
    }
    let alg = spec.alg.as_deref().expect("token needs `alg` or `raw`");
    let header = match &spec.header {
        Some(header) => header.to_compact(),
        None => format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#),
    };
    let payload = match (&spec.claims, &spec.payload_raw) {
        (Some(claims), None) => claims.to_compact(),
        (None, Some(raw)) => raw.clone(),
        _ => panic!("token needs exactly one of `claims` and `payload_raw`"),
    };
    let signer = spec.signer.as_deref().unwrap_or("test");
    let ec_key = match signer {
        "test" => test_akash_key(),
        "other" => other_akash_key(),
        other => panic!("unknown signer `{other}`"),
    };
    let issuer = test_akash_key().public_key().akash_address();
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    // `alg` picks the signing method whatever the header says: the verifier must refuse a
    // lying header on its own.
    let signature: Vec<u8> = match alg {
        "HS256" => {
            let mut mac =
                hmac::Hmac::<Sha256>::new_from_slice(&secret_bytes(file, signer)).unwrap();
            mac.update(signing_input.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        "ES256KADR36" => ec_key
            .sign_prehash(&adr36_prehash(signing_input.as_bytes(), &issuer))
            .unwrap()
            .to_vec(),
        _ => {
            let digest: [u8; 32] = Sha256::digest(signing_input.as_bytes()).into();
            ec_key.sign_prehash(&digest).unwrap().to_vec()
        }
    };
    let token = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature));
    match spec.mutate.as_deref() {
        None => token,
        Some(mutation) => mutate(&token, mutation),
    }
}

fn mutate(token: &str, mutation: &str) -> String {
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let mut sig = URL_SAFE_NO_PAD.decode(signature).unwrap();
    let encoded = match mutation {
        "high-s" => {
            let high = negate_scalar(&sig[32..]);
            sig.truncate(32);
            sig.extend(high);
            URL_SAFE_NO_PAD.encode(&sig)
        }
        "der-signature" => URL_SAFE_NO_PAD.encode(der(&sig)),
        "flip-signature-bit" => {
            sig[0] ^= 0x01;
            URL_SAFE_NO_PAD.encode(&sig)
        }
        "truncate-signature" => {
            sig.pop();
            URL_SAFE_NO_PAD.encode(&sig)
        }
        "pad-base64" => {
            let mut padded = signature.to_owned();
            while padded.len() % 4 != 0 {
                padded.push('=');
            }
            padded
        }
        other => panic!("unknown mutation `{other}`"),
    };
    format!("{signing_input}.{encoded}")
}
