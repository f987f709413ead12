//! Typed errors of token parsing, verification and verifier set-up.
//!
//! Variants carry typed facts, never preformatted prose (webpki style); each maps to one
//! deny code in the facade. Messages are lowercase with user input in backticks.

use crate::alg::{Algorithm, KeyFamily};
use std::fmt;

/// Which of the three compact JWS segments an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    /// The protected header (first segment).
    Header,
    /// The payload (second segment).
    Payload,
    /// The signature (third segment).
    Signature,
}

impl Segment {
    /// `header`, `payload` or `signature`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Segment::Header => "header",
            Segment::Payload => "payload",
            Segment::Signature => "signature",
        }
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a segment is not canonical unpadded base64url.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Base64Error {
    /// `=` padding, which JWS forbids.
    #[error("padding `=` at offset {offset}")]
    Padding {
        /// Offset of the `=` within the segment.
        offset: usize,
    },
    /// `+` or `/` from the standard alphabet instead of `-` or `_`.
    #[error("standard-alphabet character `{byte}` at offset {offset}, expected base64url")]
    StandardAlphabet {
        /// Offset within the segment.
        offset: usize,
        /// The character found.
        byte: char,
    },
    /// A byte outside the base64url alphabet (whitespace included).
    #[error("invalid byte 0x{byte:02x} at offset {offset}")]
    InvalidByte {
        /// Offset within the segment.
        offset: usize,
        /// The byte found.
        byte: u8,
    },
    /// A length of `4k + 1`, which no byte string encodes to.
    #[error("impossible length {len}")]
    InvalidLength {
        /// The segment length.
        len: usize,
    },
    /// The last character has non-zero trailing bits (a non-canonical encoding).
    #[error("non-zero trailing bits in the character at offset {offset}")]
    NonCanonical {
        /// Offset of the last character.
        offset: usize,
    },
}

/// Why a token could not be parsed. Parsing checks structure only, never the signature.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The token is empty.
    #[error("token is empty")]
    Empty,
    /// The token is longer than [`crate::Limits::max_token_bytes`].
    #[error("token is {len} bytes, the limit is {max}")]
    TooLong {
        /// Length of the token.
        len: usize,
        /// The configured limit.
        max: usize,
    },
    /// The token does not have exactly three `.`-separated segments.
    #[error("token has {found} segments, expected 3 (`header.payload.signature`)")]
    SegmentCount {
        /// Number of segments found.
        found: usize,
    },
    /// A segment is not canonical unpadded base64url.
    #[error("{segment} is not canonical unpadded base64url: {error}")]
    Base64 {
        /// The segment.
        segment: Segment,
        /// What is wrong with it.
        error: Base64Error,
    },
    /// The decoded header exceeds [`crate::Limits::max_header_bytes`].
    #[error("header decodes to {len} bytes, the limit is {max}")]
    HeaderTooLarge {
        /// Decoded length (from the encoded length).
        len: usize,
        /// The configured limit.
        max: usize,
    },
    /// The decoded payload exceeds [`crate::Limits::max_payload_bytes`].
    #[error("payload decodes to {len} bytes, the limit is {max}")]
    PayloadTooLarge {
        /// Decoded length (from the encoded length).
        len: usize,
        /// The configured limit.
        max: usize,
    },
    /// The decoded signature exceeds [`crate::MAX_SIGNATURE_BYTES`].
    #[error("signature decodes to {len} bytes, the limit is {max}")]
    SignatureTooLarge {
        /// Decoded length (from the encoded length).
        len: usize,
        /// The fixed limit.
        max: usize,
    },
    /// The header is not valid JSON (or not UTF-8).
    #[error("header is not valid json (line {line}, column {column})")]
    HeaderNotJson {
        /// 1-based line of the JSON error, 0 if unknown.
        line: usize,
        /// 1-based column of the JSON error, 0 if unknown.
        column: usize,
    },
    /// The header is JSON but not an object.
    #[error("header is not a json object")]
    HeaderNotObject,
    /// The header has no `alg`.
    #[error("header has no `alg`")]
    AlgMissing,
    /// The header `alg` is not a string.
    #[error("header `alg` is not a string")]
    AlgNotString,
    /// The payload is not valid JSON (or not UTF-8).
    #[error("payload is not valid json (line {line}, column {column})")]
    PayloadNotJson {
        /// 1-based line of the JSON error, 0 if unknown.
        line: usize,
        /// 1-based column of the JSON error, 0 if unknown.
        column: usize,
    },
    /// The payload is JSON but not an object.
    #[error("payload is not a json object")]
    PayloadNotObject,
    /// An object in the header or payload repeats a key.
    #[error("{segment} repeats the json key `{key}`")]
    DuplicateKey {
        /// The segment (header or payload).
        segment: Segment,
        /// The repeated key, unescaped.
        key: String,
    },
    /// JSON nesting exceeds [`crate::Limits::max_json_depth`].
    #[error("{segment} json nests deeper than {max} levels")]
    TooDeep {
        /// The segment (header or payload).
        segment: Segment,
        /// The configured limit.
        max: usize,
    },
}

/// Why a parsed token failed verification.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The header `alg` is not one of the verifier's algorithms (`none`, `HS512`, typos, ...).
    #[error("algorithm `{alg}` is not allowed")]
    AlgorithmNotAllowed {
        /// The header `alg` as sent.
        alg: String,
    },
    /// The key's family does not fit the algorithm (an HMAC secret for ES256K, ...).
    #[error("algorithm `{alg}` cannot be verified with a {key} key")]
    KeyFamilyMismatch {
        /// The selected algorithm.
        alg: Algorithm,
        /// The family of the key supplied.
        key: KeyFamily,
    },
    /// ES256KADR36 needs the payload's top-level string `iss` as the ADR-036 signer.
    #[error("ES256KADR36 token has no string `iss` to use as the signer")]
    IssuerMissing,
    /// The signature has the wrong length (DER ECDSA signatures land here).
    #[error("signature is {found} bytes, expected {expected}")]
    SignatureLength {
        /// Required length.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// ECDSA signature with `s > n/2`; Akash accepts low-S signatures only.
    #[error("signature has a high s value (s > n/2), only low-s signatures are accepted")]
    HighS,
    /// The signature does not verify (includes out-of-range `r`/`s`).
    #[error("signature is invalid")]
    SignatureInvalid,
}

/// Why a [`crate::Verifier`] could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[diagnostic(
    code(verify::algorithms),
    help("list algorithms of one family: `ES256K ES256KADR36`, or `HS256`")
)]
#[non_exhaustive]
pub enum VerifierConfigError {
    /// No algorithm was listed.
    #[error("no algorithm is allowed")]
    Empty,
    /// The list mixes key families (EC and HMAC), which invites algorithm confusion.
    #[error("algorithms `{first}` and `{other}` need different key families")]
    MixedFamilies {
        /// The first algorithm listed.
        first: Algorithm,
        /// The first algorithm of another family.
        other: Algorithm,
    },
}
