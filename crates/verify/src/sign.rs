//! Signing: ES256K, ES256KADR36 and HS256 tokens, byte-identical to the Akash reference
//! client for identical header and payload bytes (RFC 6979 nonces, low-S).

use crate::adr36::adr36_prehash;
use crate::alg::Algorithm;
use crate::b64;
use crate::error::{ParseError, Segment};
use crate::hs256::hs256_tag;
use crate::json::{self, Seen};
use crate::keys::{KeyError, Secp256k1PublicKey};
use crate::secret::HmacSecret;
use k256::ecdsa::signature::hazmat::PrehashSigner as _;
use sha2::{Digest as _, Sha256};
use std::fmt;
use std::str::FromStr as _;
use zeroize::Zeroize as _;

/// A secp256k1 private key (zeroized on drop by k256).
#[derive(Clone)]
pub struct Secp256k1SigningKey {
    inner: k256::ecdsa::SigningKey,
}

impl Secp256k1SigningKey {
    /// A key from its 32 big-endian bytes.
    pub fn from_bytes(b: &[u8]) -> Result<Self, KeyError> {
        if b.len() != 32 {
            return Err(KeyError::PrivateKeyLength { found: b.len() });
        }
        let inner =
            k256::ecdsa::SigningKey::from_slice(b).map_err(|_| KeyError::PrivateKeyRange)?;
        Ok(Secp256k1SigningKey { inner })
    }

    /// A key from 64 hex characters (surrounding whitespace ignored).
    pub fn from_hex(s: &str) -> Result<Self, KeyError> {
        let s = s.trim();
        if s.len() != 64 {
            return Err(if s.bytes().all(|c| c.is_ascii_hexdigit()) {
                KeyError::PrivateKeyLength { found: s.len() / 2 }
            } else {
                KeyError::PrivateKeyEncoding
            });
        }
        let mut bytes = [0u8; 32];
        let result = hex::decode_to_slice(s, &mut bytes)
            .map_err(|_| KeyError::PrivateKeyEncoding)
            .and_then(|()| Self::from_bytes(&bytes));
        bytes.zeroize();
        result
    }

    /// A key derived from a BIP-39 English mnemonic, a passphrase (usually empty) and a
    /// BIP-32 path such as Akash's `m/44'/118'/0'/0/0`.
    pub fn from_mnemonic(phrase: &str, passphrase: &str, path: &str) -> Result<Self, KeyError> {
        let mnemonic = bip39::Mnemonic::parse(phrase).map_err(|e| match e {
            bip39::Error::BadWordCount(count) => KeyError::MnemonicWordCount { count },
            bip39::Error::UnknownWord(index) => KeyError::MnemonicWord { index: index + 1 },
            bip39::Error::InvalidChecksum => KeyError::MnemonicChecksum,
            _ => KeyError::Mnemonic,
        })?;
        let derivation =
            bip32::DerivationPath::from_str(path).map_err(|_| KeyError::DerivationPath {
                path: path.to_owned(),
            })?;
        let mut seed = mnemonic.to_seed(passphrase);
        let xprv = bip32::XPrv::derive_from_path(&seed, &derivation);
        seed.zeroize();
        let xprv = xprv.map_err(|_| KeyError::Derivation)?;
        Ok(Secp256k1SigningKey {
            inner: xprv.private_key().clone(),
        })
    }

    /// The matching public key.
    pub fn public_key(&self) -> Secp256k1PublicKey {
        Secp256k1PublicKey::from_k256(*self.inner.verifying_key())
    }

    /// Signs a SHA-256 digest: RFC 6979 nonce, low-S, 64-byte `r||s`.
    pub fn sign_prehash(&self, prehash: &[u8; 32]) -> Result<[u8; 64], SignError> {
        let sig: k256::ecdsa::Signature = self
            .inner
            .sign_prehash(prehash)
            .map_err(|_| SignError::Signing)?;
        // k256 already normalises secp256k1 signatures to low-S; keep it explicit.
        Ok(sig.normalize_s().to_bytes().into())
    }
}

impl fmt::Debug for Secp256k1SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Secp256k1SigningKey(<redacted>, public {:?})",
            self.public_key()
        )
    }
}

/// The key and algorithm to sign a token with.
#[derive(Clone, Copy, Debug)]
pub enum SigningKey<'k> {
    /// ES256K with a secp256k1 key.
    Es256k(&'k Secp256k1SigningKey),
    /// ES256KADR36 with a secp256k1 key; `signer` is the ADR-036 signer (the token's `iss`).
    Es256kAdr36 {
        /// The private key.
        key: &'k Secp256k1SigningKey,
        /// The signer address written into the sign doc.
        signer: &'k str,
    },
    /// HS256 with a shared secret.
    Hs256(&'k HmacSecret),
}

impl SigningKey<'_> {
    /// The algorithm this key signs with.
    pub const fn algorithm(&self) -> Algorithm {
        match self {
            SigningKey::Es256k(_) => Algorithm::Es256k,
            SigningKey::Es256kAdr36 { .. } => Algorithm::Es256kAdr36,
            SigningKey::Hs256(_) => Algorithm::Hs256,
        }
    }
}

/// Why a token could not be signed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[diagnostic(code(verify::sign))]
#[non_exhaustive]
pub enum SignError {
    /// The header is not a JSON object with a string `alg` and no repeated key.
    #[error("header to sign is invalid: {0}")]
    Header(ParseError),
    /// The header `alg` is not the signing key's algorithm.
    #[error("header `alg` is `{header}` but the key signs `{key}`")]
    AlgMismatch {
        /// The header's `alg`.
        header: String,
        /// The key's algorithm.
        key: Algorithm,
    },
    /// The signing backend failed (not expected for a valid key).
    #[error("signing failed")]
    Signing,
}

/// Signs `payload_json` under `header_json`, both used byte for byte, and returns the compact
/// token. The header must be a JSON object whose `alg` names the key's algorithm; the payload
/// is not inspected.
pub fn sign_token(
    header_json: &[u8],
    payload_json: &[u8],
    key: SigningKey<'_>,
) -> Result<String, SignError> {
    let mut members = [None];
    json::walk(header_json, Segment::Header, 16, &["alg"], &mut members)
        .map_err(SignError::Header)?;
    let [alg] = members;
    let header_alg = match alg {
        Some(Seen::Str(s)) => s,
        Some(Seen::Other) => return Err(SignError::Header(ParseError::AlgNotString)),
        None => return Err(SignError::Header(ParseError::AlgMissing)),
    };
    if header_alg != key.algorithm().name() {
        return Err(SignError::AlgMismatch {
            header: header_alg.into_owned(),
            key: key.algorithm(),
        });
    }

    let mut out = Vec::with_capacity((header_json.len() + payload_json.len()) * 4 / 3 + 96);
    b64::encode_url_into(header_json, &mut out);
    out.push(b'.');
    b64::encode_url_into(payload_json, &mut out);
    let signature: Vec<u8> = match key {
        SigningKey::Es256k(k) => k.sign_prehash(&Sha256::digest(&out).into())?.to_vec(),
        SigningKey::Es256kAdr36 { key, signer } => {
            key.sign_prehash(&adr36_prehash(&out, signer))?.to_vec()
        }
        SigningKey::Hs256(secret) => hs256_tag(&out, secret).to_vec(),
    };
    out.push(b'.');
    b64::encode_url_into(&signature, &mut out);
    // Base64url output and `.` are ASCII.
    String::from_utf8(out).map_err(|_| SignError::Signing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_private_key() {
        let k = Secp256k1SigningKey::from_hex(
            "f9f6eca1743a30df6d6c84e5cbb4c7a35467c52bf8bb9ea15c104c9f24510232",
        )
        .unwrap();
        let d = format!("{k:?}");
        assert!(!d.contains("f9f6eca1"), "{d}");
        assert!(d.contains("03e1fde5"), "{d}");
    }

    #[test]
    fn rejects_bad_private_keys() {
        assert_eq!(
            Secp256k1SigningKey::from_bytes(&[1; 31]).unwrap_err(),
            KeyError::PrivateKeyLength { found: 31 }
        );
        assert_eq!(
            Secp256k1SigningKey::from_bytes(&[0; 32]).unwrap_err(),
            KeyError::PrivateKeyRange
        );
        assert_eq!(
            Secp256k1SigningKey::from_hex(&"zz".repeat(32)).unwrap_err(),
            KeyError::PrivateKeyEncoding
        );
        assert_eq!(
            Secp256k1SigningKey::from_bytes(&[0xff; 32]).unwrap_err(),
            KeyError::PrivateKeyRange
        );
    }

    #[test]
    fn rejects_bad_mnemonics_and_paths() {
        assert!(matches!(
            Secp256k1SigningKey::from_mnemonic("abandon abandon", "", "m/44'/118'/0'/0/0"),
            Err(KeyError::MnemonicWordCount { count: 2 })
        ));
        let phrase = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
        assert!(matches!(
            Secp256k1SigningKey::from_mnemonic(phrase, "", "44/x"),
            Err(KeyError::DerivationPath { .. })
        ));
        let bad = phrase.replace("about", "abandon");
        assert!(matches!(
            Secp256k1SigningKey::from_mnemonic(&bad, "", "m/44'/118'/0'/0/0"),
            Err(KeyError::MnemonicChecksum)
        ));
    }

    #[test]
    fn refuses_header_alg_of_another_algorithm() {
        let secret = HmacSecret::from_bytes(vec![1; 32]).unwrap();
        assert_eq!(
            sign_token(br#"{"alg":"ES256K"}"#, b"{}", SigningKey::Hs256(&secret)).unwrap_err(),
            SignError::AlgMismatch {
                header: "ES256K".into(),
                key: Algorithm::Hs256
            }
        );
        assert!(matches!(
            sign_token(b"[]", b"{}", SigningKey::Hs256(&secret)).unwrap_err(),
            SignError::Header(ParseError::HeaderNotObject)
        ));
    }
}
