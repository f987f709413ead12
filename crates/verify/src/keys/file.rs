//! Keys files: `accounts` of public keys with optional expected addresses, in YAML or JSON.
//!
//! Both are read with serde-saphyr (JSON is a subset of YAML 1.2), which records where every
//! value is, so each error underlines the offending value.

use super::{KeyError, Secp256k1PublicKey};
use miette::{NamedSource, SourceSpan};
use serde::Deserialize;
use serde_saphyr::Spanned;

/// Why a keys file could not be loaded. Each variant underlines the offending text.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum KeysFileError {
    /// Not YAML/JSON of the expected shape.
    #[error("keys file is not valid: {reason}")]
    #[diagnostic(
        code(keys::file_syntax),
        help(
            "expected `accounts:` with a list of `{{pubkey: <hex or base64>, address: <akash1…>}}`"
        )
    )]
    Syntax {
        /// The parser's explanation.
        reason: String,
        /// The file.
        #[source_code]
        src: NamedSource<String>,
        /// Where the parser stopped.
        #[label("here")]
        span: SourceSpan,
    },
    /// The file lists no account.
    #[error("keys file lists no account")]
    #[diagnostic(
        code(keys::file_empty),
        help("add at least one `- pubkey: <hex>` under `accounts:`")
    )]
    NoAccounts {
        /// The file.
        #[source_code]
        src: NamedSource<String>,
        /// The start of the file.
        #[label("no account here")]
        span: SourceSpan,
    },
    /// A `pubkey` that is not a secp256k1 public key.
    #[error("`pubkey` is not a secp256k1 public key")]
    #[diagnostic(
        code(keys::file_pubkey),
        help("give the 33-byte compressed key as 66 hex characters or standard base64")
    )]
    PublicKey {
        /// What is wrong with the key.
        #[source]
        error: KeyError,
        /// The file.
        #[source_code]
        src: NamedSource<String>,
        /// The key's value.
        #[label("{error}")]
        span: SourceSpan,
    },
    /// An `address` that is not the one the `pubkey` derives to.
    #[error("`address` `{given}` does not match the public key")]
    #[diagnostic(
        code(keys::file_address_mismatch),
        help("this pubkey derives to `{derived}`; fix the address or the key, or drop `address`")
    )]
    AddressMismatch {
        /// The address in the file.
        given: String,
        /// The address the key derives to.
        derived: String,
        /// The file.
        #[source_code]
        src: NamedSource<String>,
        /// The address value.
        #[label("expected `{derived}`")]
        span: SourceSpan,
    },
    /// The same key is listed twice.
    #[error("account `{address}` is listed twice")]
    #[diagnostic(code(keys::file_duplicate), help("remove one of the two entries"))]
    Duplicate {
        /// The derived address.
        address: String,
        /// The file.
        #[source_code]
        src: NamedSource<String>,
        /// The second key's value.
        #[label("second entry")]
        span: SourceSpan,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysFile {
    accounts: Vec<Account>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Account {
    pubkey: Spanned<String>,
    #[serde(default)]
    address: Option<Spanned<String>>,
}

fn span_of(text: &str, location: &serde_saphyr::Location) -> SourceSpan {
    let span = location.span();
    let offset = span
        .byte_offset()
        .and_then(|o| usize::try_from(o).ok())
        .unwrap_or(0)
        .min(text.len());
    let len = span
        .byte_len()
        .and_then(|l| usize::try_from(l).ok())
        .unwrap_or(0);
    SourceSpan::new(offset.into(), len.min(text.len() - offset))
}

/// Parses `text` into public keys, checking every stated address.
#[expect(
    clippy::result_large_err,
    reason = "cold start-up path; the error carries the file for miette"
)]
pub(super) fn parse(text: &str, origin: &str) -> Result<Vec<Secp256k1PublicKey>, KeysFileError> {
    let src = || NamedSource::new(origin, text.to_owned());
    let file: KeysFile = serde_saphyr::from_str(text).map_err(|e| {
        let span = e
            .location()
            .map_or_else(|| SourceSpan::new(0.into(), 0), |l| span_of(text, &l));
        KeysFileError::Syntax {
            reason: syntax_reason(&e),
            src: src(),
            span,
        }
    })?;
    if file.accounts.is_empty() {
        return Err(KeysFileError::NoAccounts {
            src: src(),
            span: SourceSpan::new(0.into(), 0),
        });
    }
    let mut keys: Vec<Secp256k1PublicKey> = Vec::with_capacity(file.accounts.len());
    for account in &file.accounts {
        let span = span_of(text, &account.pubkey.referenced);
        let key = Secp256k1PublicKey::parse(&account.pubkey.value).map_err(|error| {
            KeysFileError::PublicKey {
                error,
                src: src(),
                span,
            }
        })?;
        let derived = key.akash_address();
        if let Some(given) = &account.address
            && given.value.trim() != derived
        {
            return Err(KeysFileError::AddressMismatch {
                given: given.value.clone(),
                derived,
                src: src(),
                span: span_of(text, &given.referenced),
            });
        }
        if keys.contains(&key) {
            return Err(KeysFileError::Duplicate {
                address: derived,
                src: src(),
                span,
            });
        }
        keys.push(key);
    }
    Ok(keys)
}

/// The first line of the parser's message (it may append its own rendered snippet).
fn syntax_reason(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    text.lines().next().unwrap_or("").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::super::StaticKeys;
    use super::*;

    const HEX: &str = "03e1fde5cc17f56501ed53d87718df76c135b9a6401dceb53d198111a1eaf85f76";
    const ADDR: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";

    fn underlined(text: &str, span: SourceSpan) -> &str {
        text.get(span.offset()..span.offset() + span.len()).unwrap()
    }

    #[test]
    fn reads_yaml_and_json() {
        let yaml = format!("accounts:\n  - pubkey: \"{HEX}\"\n    address: {ADDR}\n");
        assert!(
            StaticKeys::from_keys_file(&yaml, "k.yaml")
                .unwrap()
                .contains(ADDR)
        );
        let json = format!(r#"{{"accounts":[{{"pubkey":"{HEX}"}}]}}"#);
        assert!(
            StaticKeys::from_keys_file(&json, "k.json")
                .unwrap()
                .contains(ADDR)
        );
    }

    #[test]
    fn reports_address_mismatch_with_derived_address() {
        let other = "akash1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq";
        let yaml = format!("accounts:\n  - pubkey: {HEX}\n    address: {other}\n");
        let err = StaticKeys::from_keys_file(&yaml, "k.yaml").unwrap_err();
        let KeysFileError::AddressMismatch {
            given,
            derived,
            span,
            ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(given, other);
        assert_eq!(derived, ADDR);
        assert!(underlined(&yaml, *span).contains(other), "{span:?}");
        let help = miette::Diagnostic::help(&err).unwrap().to_string();
        assert!(help.contains(ADDR), "{help}");
    }

    #[test]
    fn reports_bad_pubkey_at_its_value() {
        let yaml = "accounts:\n  - pubkey: \"02abcd\"\n";
        let err = StaticKeys::from_keys_file(yaml, "k.yaml").unwrap_err();
        let KeysFileError::PublicKey { span, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(underlined(yaml, *span).contains("02abcd"), "{span:?}");
    }

    #[test]
    fn reports_syntax_errors() {
        let err = StaticKeys::from_keys_file("accounts: [", "k.yaml").unwrap_err();
        assert!(matches!(err, KeysFileError::Syntax { .. }), "{err:?}");
        let err = StaticKeys::from_keys_file("acounts: []", "k.yaml").unwrap_err();
        assert!(matches!(err, KeysFileError::Syntax { .. }), "{err:?}");
    }

    #[test]
    fn rejects_empty_and_duplicate_accounts() {
        let err = StaticKeys::from_keys_file("accounts: []", "k.yaml").unwrap_err();
        assert!(matches!(err, KeysFileError::NoAccounts { .. }), "{err:?}");
        let yaml = format!("accounts:\n  - pubkey: {HEX}\n  - pubkey: {HEX}\n");
        let err = StaticKeys::from_keys_file(&yaml, "k.yaml").unwrap_err();
        assert!(matches!(err, KeysFileError::Duplicate { .. }), "{err:?}");
    }
}
