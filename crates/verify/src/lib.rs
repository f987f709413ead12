//! Compact JWS parsing and ES256K / ES256KADR36 / HS256 verification for Tollgate.
//!
//! - [`UnverifiedToken::parse`] checks structure only, within [`Limits`]: three segments of
//!   canonical unpadded base64url, JSON objects without repeated keys, a string header `alg`.
//! - [`Verifier`] holds the caller's algorithm list (one key family); the header `alg` only
//!   selects among it, and the key must fit the algorithm. Success yields a [`VerifiedToken`].
//! - Keys: [`Secp256k1PublicKey`] (parsed once), [`KeyResolver`] / [`StaticKeys`] for Akash
//!   issuers, [`HmacSecret`] for Forest and Lotus.
//! - Signing: [`sign_token`], reproducing the Akash reference client byte for byte.
#![deny(missing_docs)]

mod adr36;
mod alg;
mod b64;
mod error;
mod es256k;
mod hs256;
mod json;
mod keys;
mod secret;
mod sign;
mod token;
mod verifier;

pub use adr36::{adr36_prehash, adr36_sign_doc};
pub use alg::{Algorithm, KeyFamily};
pub use error::{Base64Error, ParseError, Segment, VerifierConfigError, VerifyError};
pub use es256k::{ES256K_SIGNATURE_LEN, verify_es256k_message, verify_es256k_prehash};
pub use hs256::{HS256_TAG_LEN, verify_hs256};
pub use keys::{
    FallbackResolver, KeyError, KeyOrigin, KeyResolver, KeysFileError, ResolveError, ResolvedKey,
    Secp256k1PublicKey, StaticKeys, akash_address,
};
pub use secret::{HmacSecret, SecretError, SecretFormat};
pub use sign::{Secp256k1SigningKey, SignError, SigningKey, sign_token};
pub use token::{Header, Limits, MAX_SIGNATURE_BYTES, UnverifiedToken};
pub use verifier::{VerificationKey, VerifiedToken, Verifier};
