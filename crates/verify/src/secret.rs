//! [`HmacSecret`]: the HS256 key of a Forest or Lotus node, and the file formats it comes in.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// An HS256 secret: never empty, zeroized on drop, redacted in `Debug`, no `Display`, no
/// `PartialEq` (compare tags with [`crate::verify_hs256`], which is constant time).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct HmacSecret {
    bytes: Vec<u8>,
    /// HMAC-SHA256 already keyed with `bytes` (the inner and outer pad blocks hashed once), so
    /// each verification clones it instead of re-keying: two SHA-256 blocks saved per token.
    /// Its hash states zeroize themselves on drop (the `zeroize` features of hmac and sha2).
    #[zeroize(skip)]
    keyed: crate::hs256::HmacSha256,
}

/// The file format [`HmacSecret::parse`] recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretFormat {
    /// Lotus keystore file `MF2XI2BNNJ3XILLQOJUXMYLUMU`:
    /// `{"Type":"jwt-hmac-secret","PrivateKey":"<standard base64>"}`.
    LotusKeyInfo,
    /// Forest clear-text `keystore.json` with an `auth-jwt-private` entry
    /// `{"key_type":…,"private_key":"<standard base64>"}`.
    ForestKeystore,
    /// `lotus-shed jwt new` export: hex of the Lotus KeyInfo JSON.
    LotusShedHex,
    /// The raw secret as standard base64.
    Base64,
}

/// Why a secret could not be loaded. Diagnostics never quote the file: it is the secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum SecretError {
    /// Empty key bytes.
    #[error("hmac secret is empty")]
    #[diagnostic(
        code(secret::empty),
        help("Forest and Lotus generate a 32-byte random secret")
    )]
    Empty,
    /// A secret file that is empty or decodes to an empty key.
    #[error("secret in `{origin}` is empty")]
    #[diagnostic(
        code(secret::empty),
        help("Forest and Lotus generate a 32-byte random secret")
    )]
    EmptyFile {
        /// The file.
        origin: String,
    },
    /// A JSON secret file that does not parse.
    #[error("`{origin}` is not valid json (line {line}, column {column})")]
    #[diagnostic(
        code(secret::json),
        help(
            "expected a Lotus KeyInfo `{{\"Type\":\"jwt-hmac-secret\",\"PrivateKey\":\"…\"}}` or a Forest keystore.json"
        )
    )]
    Json {
        /// The file.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A Lotus KeyInfo of another key type.
    #[error("`{origin}` holds a key of type `{found}`, not `jwt-hmac-secret`")]
    #[diagnostic(
        code(secret::key_type),
        help(
            "the JWT secret is the keystore entry `MF2XI2BNNJ3XILLQOJUXMYLUMU` (`auth-jwt-private`)"
        )
    )]
    KeyInfoType {
        /// The file.
        origin: String,
        /// The `Type` found.
        found: String,
    },
    /// A required member is missing or not a string.
    #[error("`{origin}` has no string `{field}`")]
    #[diagnostic(code(secret::missing_field))]
    MissingField {
        /// The file.
        origin: String,
        /// The member.
        field: &'static str,
    },
    /// A JSON object that is neither a KeyInfo nor a keystore with the JWT entry.
    #[error("`{origin}` has no `auth-jwt-private` entry")]
    #[diagnostic(
        code(secret::forest_entry_missing),
        help(
            "the Forest keystore has no `auth-jwt-private` entry; start the node once to create it, or point to the right keystore.json (an encrypted keystore must be decrypted first)"
        )
    )]
    ForestEntryMissing {
        /// The file.
        origin: String,
    },
    /// A key field that is not standard base64.
    #[error("`{field}` in `{origin}` is not standard base64")]
    #[diagnostic(code(secret::base64))]
    FieldBase64 {
        /// The file.
        origin: String,
        /// The member.
        field: &'static str,
    },
    /// Hex that does not decode to a Lotus KeyInfo.
    #[error("`{origin}` is hex but not a `lotus-shed jwt new` export")]
    #[diagnostic(
        code(secret::hex),
        help(
            "a `lotus-shed jwt new` file is hex of `{{\"Type\":\"jwt-hmac-secret\",\"PrivateKey\":\"…\"}}`"
        )
    )]
    HexNotKeyInfo {
        /// The file.
        origin: String,
    },
    /// Text in none of the supported formats.
    #[error("`{origin}` is not a recognised secret format")]
    #[diagnostic(
        code(secret::format),
        help(
            "use a Lotus keystore file (MF2XI2BNNJ3XILLQOJUXMYLUMU), a Forest keystore.json, a `lotus-shed jwt new` hex export, or the secret as standard base64"
        )
    )]
    Unrecognised {
        /// The file.
        origin: String,
    },
}

impl HmacSecret {
    /// Wraps key bytes; refuses an empty key.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, SecretError> {
        if bytes.is_empty() {
            return Err(SecretError::Empty);
        }
        keyed(bytes)
    }

    /// Reads a secret file, detecting its format: Lotus KeyInfo JSON, Forest `keystore.json`,
    /// `lotus-shed jwt new` hex, or raw standard base64. Whitespace around the text is ignored.
    /// `origin` names the file in errors.
    pub fn parse(text: &str, origin: &str) -> Result<(Self, SecretFormat), SecretError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(SecretError::EmptyFile {
                origin: origin.to_owned(),
            });
        }
        if text.starts_with('{') {
            return from_json(text, origin);
        }
        if text.len().is_multiple_of(2) && text.bytes().all(|c| c.is_ascii_hexdigit()) {
            let hex_error = || SecretError::HexNotKeyInfo {
                origin: origin.to_owned(),
            };
            let decoded = Zeroizing::new(hex::decode(text).map_err(|_| hex_error())?);
            let json = std::str::from_utf8(&decoded)
                .map_err(|_| hex_error())?
                .trim();
            if !json.starts_with('{') {
                return Err(hex_error());
            }
            return match from_json(json, origin) {
                Ok((secret, SecretFormat::LotusKeyInfo)) => {
                    Ok((secret, SecretFormat::LotusShedHex))
                }
                Ok(_) | Err(SecretError::Json { .. } | SecretError::ForestEntryMissing { .. }) => {
                    Err(hex_error())
                }
                Err(e) => Err(e),
            };
        }
        let bytes = STANDARD
            .decode(text)
            .map_err(|_| SecretError::Unrecognised {
                origin: origin.to_owned(),
            })?;
        Ok((non_empty(bytes, origin)?, SecretFormat::Base64))
    }

    /// Length of the key in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Always `false`: an empty secret cannot be built. Present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The key bytes (tests compare them with the fixtures).
    #[cfg(test)]
    pub(crate) fn expose(&self) -> &[u8] {
        &self.bytes
    }

    /// The keyed HMAC state, for the HMAC computation only.
    pub(crate) fn keyed_mac(&self) -> &crate::hs256::HmacSha256 {
        &self.keyed
    }
}

impl fmt::Debug for HmacSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HmacSecret(<redacted, {} bytes>)", self.bytes.len())
    }
}

fn non_empty(bytes: Vec<u8>, origin: &str) -> Result<HmacSecret, SecretError> {
    if bytes.is_empty() {
        return Err(SecretError::EmptyFile {
            origin: origin.to_owned(),
        });
    }
    keyed(bytes)
}

/// Builds the secret and its keyed HMAC state.
fn keyed(bytes: Vec<u8>) -> Result<HmacSecret, SecretError> {
    use hmac::KeyInit as _;
    // HMAC takes keys of any length, so keying cannot fail; map the impossible error anyway.
    let keyed = crate::hs256::HmacSha256::new_from_slice(&bytes).map_err(|_| SecretError::Empty)?;
    Ok(HmacSecret { bytes, keyed })
}

/// Takes string member `field` out of `map` (so it can be zeroized after decoding).
fn take_string(
    map: &mut Map<String, Value>,
    field: &'static str,
    origin: &str,
) -> Result<Zeroizing<String>, SecretError> {
    match map.remove(field) {
        Some(Value::String(s)) => Ok(Zeroizing::new(s)),
        _ => Err(SecretError::MissingField {
            origin: origin.to_owned(),
            field,
        }),
    }
}

fn decode_field(value: &str, field: &'static str, origin: &str) -> Result<HmacSecret, SecretError> {
    let bytes = STANDARD
        .decode(value)
        .map_err(|_| SecretError::FieldBase64 {
            origin: origin.to_owned(),
            field,
        })?;
    non_empty(bytes, origin)
}

fn from_json(text: &str, origin: &str) -> Result<(HmacSecret, SecretFormat), SecretError> {
    let mut map: Map<String, Value> =
        serde_json::from_str(text).map_err(|e| SecretError::Json {
            origin: origin.to_owned(),
            line: e.line(),
            column: e.column(),
        })?;
    if map.contains_key("Type") || map.contains_key("PrivateKey") {
        let kind = take_string(&mut map, "Type", origin)?;
        if kind.as_str() != "jwt-hmac-secret" {
            return Err(SecretError::KeyInfoType {
                origin: origin.to_owned(),
                found: kind.as_str().to_owned(),
            });
        }
        let key = take_string(&mut map, "PrivateKey", origin)?;
        return Ok((
            decode_field(&key, "PrivateKey", origin)?,
            SecretFormat::LotusKeyInfo,
        ));
    }
    match map.remove("auth-jwt-private") {
        Some(Value::Object(mut entry)) => {
            let key = take_string(&mut entry, "private_key", origin)?;
            Ok((
                decode_field(&key, "private_key", origin)?,
                SecretFormat::ForestKeystore,
            ))
        }
        Some(_) => Err(SecretError::MissingField {
            origin: origin.to_owned(),
            field: "private_key",
        }),
        None => Err(SecretError::ForestEntryMissing {
            origin: origin.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    #[test]
    fn debug_is_redacted() {
        let s = HmacSecret::from_bytes(vec![1, 2, 3]).unwrap();
        assert_eq!(format!("{s:?}"), "HmacSecret(<redacted, 3 bytes>)");
    }

    #[test]
    fn refuses_empty_keys() {
        assert_eq!(
            HmacSecret::from_bytes(Vec::new()).unwrap_err(),
            SecretError::Empty
        );
        assert!(matches!(
            HmacSecret::parse("  \n", "f"),
            Err(SecretError::EmptyFile { .. })
        ));
        assert!(matches!(
            HmacSecret::parse(r#"{"Type":"jwt-hmac-secret","PrivateKey":""}"#, "f"),
            Err(SecretError::EmptyFile { .. })
        ));
    }

    #[test]
    fn detects_each_format() {
        let lotus = format!(r#"{{"Type":"jwt-hmac-secret","PrivateKey":"{B64}"}}"#);
        assert_eq!(
            HmacSecret::parse(&lotus, "f").unwrap().1,
            SecretFormat::LotusKeyInfo
        );
        let forest = format!(r#"{{"auth-jwt-private":{{"key_type":2,"private_key":"{B64}"}}}}"#);
        assert_eq!(
            HmacSecret::parse(&forest, "f").unwrap().1,
            SecretFormat::ForestKeystore
        );
        let shed = hex::encode(&lotus);
        assert_eq!(
            HmacSecret::parse(&shed, "f").unwrap().1,
            SecretFormat::LotusShedHex
        );
        let (s, f) = HmacSecret::parse(&format!("{B64}\n"), "f").unwrap();
        assert_eq!(f, SecretFormat::Base64);
        assert_eq!(s.expose(), (0u8..32).collect::<Vec<_>>());
    }

    #[test]
    fn explains_missing_forest_entry() {
        let err = HmacSecret::parse(
            r#"{"wallet-default":{"key_type":1,"private_key":"AA=="}}"#,
            "keystore.json",
        )
        .unwrap_err();
        assert_eq!(
            err,
            SecretError::ForestEntryMissing {
                origin: "keystore.json".into()
            }
        );
        let help = miette::Diagnostic::help(&err).unwrap().to_string();
        assert!(help.contains("the Forest keystore has no `auth-jwt-private` entry"));
    }

    #[test]
    fn rejects_wrong_key_type() {
        let err =
            HmacSecret::parse(r#"{"Type":"secp256k1","PrivateKey":"AA=="}"#, "f").unwrap_err();
        assert_eq!(
            err,
            SecretError::KeyInfoType {
                origin: "f".into(),
                found: "secp256k1".into()
            }
        );
    }

    #[test]
    fn rejects_unrecognised_text() {
        assert!(matches!(
            HmacSecret::parse("not a secret!", "f"),
            Err(SecretError::Unrecognised { .. })
        ));
        assert!(matches!(
            HmacSecret::parse("abcd", "f"),
            Err(SecretError::HexNotKeyInfo { .. })
        ));
        assert!(matches!(
            HmacSecret::parse("{", "f"),
            Err(SecretError::Json { .. })
        ));
    }
}
