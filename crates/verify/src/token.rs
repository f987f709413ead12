//! Compact JWS parsing: [`UnverifiedToken`], [`Header`] and [`Limits`].

use crate::b64;
use crate::error::{ParseError, Segment};
use crate::json::{self, Seen};
use std::borrow::Cow;

/// Largest decoded signature the parser keeps (bytes). ES256K and HS256 need 64 and 32; a
/// 72-byte DER ECDSA signature still parses so that verification can report
/// [`crate::VerifyError::SignatureLength`].
pub const MAX_SIGNATURE_BYTES: usize = 96;

/// Input limits checked before and while decoding, all in bytes except the depth.
///
/// Defaults: an 8 KiB token (the header size nginx and most proxies accept by default), a 1 KiB
/// header and a 6 KiB payload after decoding, JSON nested at
/// most 16 levels (the top-level object counts as 1; the deepest Akash claim,
/// `leases.permissions[].deployments[].scope[]`, is level 7). Depths above 127 are capped by
/// serde_json's own recursion limit and then report a JSON syntax error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Maximum length of the whole compact token. Default 8192.
    pub max_token_bytes: usize,
    /// Maximum decoded header length. Default 1024.
    pub max_header_bytes: usize,
    /// Maximum decoded payload length. Default 6144.
    pub max_payload_bytes: usize,
    /// Maximum JSON nesting depth in header and payload. Default 16.
    pub max_json_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_token_bytes: 8 * 1024,
            max_header_bytes: 1024,
            max_payload_bytes: 6 * 1024,
            max_json_depth: 16,
        }
    }
}

/// A string inside a decoded segment: a byte range when it had no escapes, else owned.
#[derive(Clone, Debug)]
enum TextRef {
    Range(usize, usize),
    Owned(Box<str>),
}

impl TextRef {
    fn new(buf: &[u8], seen: Cow<'_, str>) -> Self {
        match seen {
            Cow::Borrowed(s) => {
                let start = s.as_ptr().addr().wrapping_sub(buf.as_ptr().addr());
                let end = start.wrapping_add(s.len());
                if buf.get(start..end) == Some(s.as_bytes()) {
                    TextRef::Range(start, end)
                } else {
                    TextRef::Owned(s.into())
                }
            }
            Cow::Owned(s) => TextRef::Owned(s.into_boxed_str()),
        }
    }

    fn get<'s>(&'s self, buf: &'s str) -> &'s str {
        match self {
            TextRef::Range(start, end) => buf.get(*start..*end).unwrap_or(""),
            TextRef::Owned(s) => s,
        }
    }
}

/// The decoded protected header of a token.
#[derive(Clone, Debug)]
pub struct Header {
    json: String,
    alg: TextRef,
    typ: Option<TextRef>,
    kid: Option<TextRef>,
}

impl Header {
    /// The `alg` member as sent (always a string; parsing rejects anything else).
    pub fn alg(&self) -> &str {
        self.alg.get(&self.json)
    }

    /// The `typ` member, if it is a string. Informational only: never checked.
    pub fn typ(&self) -> Option<&str> {
        self.typ.as_ref().map(|t| t.get(&self.json))
    }

    /// The `kid` member, if it is a string. Informational only: never checked.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_ref().map(|t| t.get(&self.json))
    }

    /// The decoded header JSON exactly as sent.
    pub fn json(&self) -> &str {
        &self.json
    }
}

fn string_member(buf: &[u8], seen: Option<Seen<'_>>) -> Option<TextRef> {
    match seen {
        Some(Seen::Str(s)) => Some(TextRef::new(buf, s)),
        _ => None,
    }
}

/// A structurally valid compact JWS whose signature has **not** been checked.
///
/// Use it to print or route a token; only [`crate::Verifier::verify`] turns it into a
/// [`crate::VerifiedToken`] that may be authorized.
#[derive(Clone, Debug)]
pub struct UnverifiedToken<'a> {
    raw: &'a str,
    signing_input_len: usize,
    header: Header,
    payload: String,
    issuer: Option<TextRef>,
    signature: [u8; MAX_SIGNATURE_BYTES],
    signature_len: usize,
}

fn decode_segment(
    segment: Segment,
    encoded: &str,
    max: usize,
    too_large: impl FnOnce(usize, usize) -> ParseError,
) -> Result<Vec<u8>, ParseError> {
    let len = b64::decoded_len(encoded.len());
    if len > max {
        return Err(too_large(len, max));
    }
    let mut out = Vec::with_capacity(len);
    b64::decode_url_into(encoded.as_bytes(), &mut out)
        .map_err(|error| ParseError::Base64 { segment, error })?;
    Ok(out)
}

/// A decoded segment as text, checked once for UTF-8 here; the caller then walks it as `&str`,
/// so neither `serde_json` nor the plain-document scan checks it again.
///
/// Invalid UTF-8 goes through the byte-level `serde_json` walk instead, which reports the
/// error exactly as before: a walk over invalid UTF-8 always fails (inside a string it is
/// refused, outside one it is a syntax error), and the fallback error below is only there so
/// that nothing can panic.
fn into_text(
    bytes: Vec<u8>,
    segment: Segment,
    max_depth: usize,
    captures: &[&str],
) -> Result<String, ParseError> {
    String::from_utf8(bytes).or_else(|e| {
        let bytes = e.into_bytes();
        let mut ignored = [None, None, None];
        let out = ignored.get_mut(..captures.len()).unwrap_or(&mut []);
        json::walk(&bytes, segment, max_depth, captures, out)?;
        Err(match segment {
            Segment::Payload => ParseError::PayloadNotJson { line: 0, column: 0 },
            _ => ParseError::HeaderNotJson { line: 0, column: 0 },
        })
    })
}

impl<'a> UnverifiedToken<'a> {
    /// Parses a compact JWS `header.payload.signature` within `limits`.
    ///
    /// Checks, in order: non-empty and at most `max_token_bytes`; exactly three segments; each
    /// segment canonical unpadded base64url with its decoded size within its limit; the
    /// header a JSON object with a string `alg`; the payload a JSON object; no JSON object
    /// anywhere repeating a key; nesting within `max_json_depth`. Nothing is re-serialised: the
    /// signing input is the first two segments as received.
    pub fn parse(token: &'a str, limits: &Limits) -> Result<Self, ParseError> {
        if token.is_empty() {
            return Err(ParseError::Empty);
        }
        if token.len() > limits.max_token_bytes {
            return Err(ParseError::TooLong {
                len: token.len(),
                max: limits.max_token_bytes,
            });
        }
        let segment_error = || ParseError::SegmentCount {
            found: token.split('.').count(),
        };
        let (header_b64, rest) = token.split_once('.').ok_or_else(segment_error)?;
        let (payload_b64, signature_b64) = rest.split_once('.').ok_or_else(segment_error)?;
        if signature_b64.contains('.') {
            return Err(segment_error());
        }
        let signing_input_len = header_b64.len() + 1 + payload_b64.len();

        // Header.
        let header_bytes = decode_segment(
            Segment::Header,
            header_b64,
            limits.max_header_bytes,
            |len, max| ParseError::HeaderTooLarge { len, max },
        )?;
        const HEADER_MEMBERS: &[&str] = &["alg", "typ", "kid"];
        let depth = limits.max_json_depth;
        let json = into_text(header_bytes, Segment::Header, depth, HEADER_MEMBERS)?;
        let mut members = [None, None, None];
        json::walk_str(&json, Segment::Header, depth, HEADER_MEMBERS, &mut members)?;
        let [alg, typ, kid] = members;
        let alg = match alg {
            None => return Err(ParseError::AlgMissing),
            Some(Seen::Other) => return Err(ParseError::AlgNotString),
            Some(Seen::Str(s)) => TextRef::new(json.as_bytes(), s),
        };
        let typ = string_member(json.as_bytes(), typ);
        let kid = string_member(json.as_bytes(), kid);
        let header = Header {
            json,
            alg,
            typ,
            kid,
        };

        // Payload.
        let payload_bytes = decode_segment(
            Segment::Payload,
            payload_b64,
            limits.max_payload_bytes,
            |len, max| ParseError::PayloadTooLarge { len, max },
        )?;
        const PAYLOAD_MEMBERS: &[&str] = &["iss"];
        let payload = into_text(payload_bytes, Segment::Payload, depth, PAYLOAD_MEMBERS)?;
        let mut members = [None];
        json::walk_str(
            &payload,
            Segment::Payload,
            depth,
            PAYLOAD_MEMBERS,
            &mut members,
        )?;
        let [iss] = members;
        let issuer = string_member(payload.as_bytes(), iss);

        // Signature, into a fixed buffer.
        let mut signature = [0u8; MAX_SIGNATURE_BYTES];
        let signature_len = b64::decode_url_to_slice(signature_b64.as_bytes(), &mut signature)
            .map_err(|error| ParseError::Base64 {
                segment: Segment::Signature,
                error,
            })?
            .ok_or(ParseError::SignatureTooLarge {
                len: b64::decoded_len(signature_b64.len()),
                max: MAX_SIGNATURE_BYTES,
            })?;

        Ok(UnverifiedToken {
            raw: token,
            signing_input_len,
            header,
            payload,
            issuer,
            signature,
            signature_len,
        })
    }

    /// The header `alg` as sent.
    pub fn alg(&self) -> &str {
        self.header.alg()
    }

    /// The decoded header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The decoded payload bytes: a JSON object with no repeated key at any level.
    pub fn payload(&self) -> &[u8] {
        self.payload.as_bytes()
    }

    /// The decoded payload as text (it is always valid UTF-8).
    pub fn payload_str(&self) -> &str {
        &self.payload
    }

    /// The payload's top-level `iss`, if it is a string.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_ref().map(|t| t.get(&self.payload))
    }

    /// `header.payload` exactly as received: the bytes the signature covers.
    pub fn signing_input(&self) -> &'a str {
        self.raw.get(..self.signing_input_len).unwrap_or("")
    }

    /// The decoded signature bytes.
    pub fn signature(&self) -> &[u8] {
        self.signature.get(..self.signature_len).unwrap_or(&[])
    }

    /// The whole token as received.
    pub fn raw(&self) -> &'a str {
        self.raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Base64Error;

    fn enc(s: &str) -> String {
        let mut out = Vec::new();
        b64::encode_url_into(s.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    fn token(header: &str, payload: &str, sig: &str) -> String {
        format!("{}.{}.{}", enc(header), enc(payload), sig)
    }

    fn parse(t: &str) -> Result<UnverifiedToken<'_>, ParseError> {
        UnverifiedToken::parse(t, &Limits::default())
    }

    const HDR: &str = r#"{"alg":"ES256K","typ":"JWT"}"#;
    const SIG: &str = "AAAA";

    #[test]
    fn parses_a_well_formed_token() {
        let t = token(HDR, r#"{"iss":"akash1x","n":1}"#, SIG);
        let p = parse(&t).unwrap();
        assert_eq!(p.alg(), "ES256K");
        assert_eq!(p.header().typ(), Some("JWT"));
        assert_eq!(p.header().kid(), None);
        assert_eq!(p.issuer(), Some("akash1x"));
        assert_eq!(p.payload(), br#"{"iss":"akash1x","n":1}"#);
        assert_eq!(p.signature(), &[0, 0, 0]);
        assert_eq!(p.raw(), t);
        assert_eq!(format!("{}.{}", p.signing_input(), SIG), t);
    }

    #[test]
    fn rejects_empty_token() {
        assert_eq!(parse("").unwrap_err(), ParseError::Empty);
    }

    #[test]
    fn rejects_too_long_token() {
        let limits = Limits {
            max_token_bytes: 10,
            ..Limits::default()
        };
        assert_eq!(
            UnverifiedToken::parse("aaaaaa.bbbbbb.cc", &limits).unwrap_err(),
            ParseError::TooLong { len: 16, max: 10 }
        );
    }

    #[test]
    fn rejects_wrong_segment_count() {
        assert_eq!(
            parse("abc").unwrap_err(),
            ParseError::SegmentCount { found: 1 }
        );
        assert_eq!(
            parse("a.b").unwrap_err(),
            ParseError::SegmentCount { found: 2 }
        );
        assert_eq!(
            parse("a.b.c.d").unwrap_err(),
            ParseError::SegmentCount { found: 4 }
        );
        assert_eq!(
            parse("a.b.c.d.e").unwrap_err(),
            ParseError::SegmentCount { found: 5 }
        );
    }

    #[test]
    fn rejects_padded_base64() {
        let t = format!("{}=.{}.{}", enc(HDR), enc("{}"), SIG);
        assert!(matches!(
            parse(&t).unwrap_err(),
            ParseError::Base64 {
                segment: Segment::Header,
                error: Base64Error::Padding { .. }
            }
        ));
        let t = format!("{}.{}.QQ==", enc(HDR), enc("{}"));
        assert!(matches!(
            parse(&t).unwrap_err(),
            ParseError::Base64 {
                segment: Segment::Signature,
                error: Base64Error::Padding { .. }
            }
        ));
    }

    #[test]
    fn rejects_standard_alphabet_base64() {
        let t = format!("{}.{}.ab+/", enc(HDR), enc("{}"));
        assert!(matches!(
            parse(&t).unwrap_err(),
            ParseError::Base64 {
                segment: Segment::Signature,
                error: Base64Error::StandardAlphabet {
                    offset: 2,
                    byte: '+'
                }
            }
        ));
    }

    #[test]
    fn rejects_whitespace_in_token() {
        let t = format!("{}.{} .{}", enc(HDR), enc("{}"), SIG);
        assert!(matches!(
            parse(&t).unwrap_err(),
            ParseError::Base64 {
                segment: Segment::Payload,
                error: Base64Error::InvalidByte { .. }
            }
        ));
        let t = format!("{}.{}.{}\n", enc(HDR), enc("{}"), SIG);
        assert!(matches!(
            parse(&t).unwrap_err(),
            ParseError::Base64 {
                segment: Segment::Signature,
                ..
            }
        ));
    }

    #[test]
    fn rejects_non_zero_trailing_bits() {
        let t = format!("{}.{}.QR", enc(HDR), enc("{}"));
        assert!(matches!(
            parse(&t).unwrap_err(),
            ParseError::Base64 {
                segment: Segment::Signature,
                error: Base64Error::NonCanonical { .. }
            }
        ));
    }

    #[test]
    fn rejects_oversized_segments_before_decoding() {
        let limits = Limits {
            max_header_bytes: 8,
            ..Limits::default()
        };
        let t = token(HDR, "{}", SIG);
        assert!(matches!(
            UnverifiedToken::parse(&t, &limits).unwrap_err(),
            ParseError::HeaderTooLarge { max: 8, .. }
        ));
        let limits = Limits {
            max_payload_bytes: 8,
            ..Limits::default()
        };
        let t = token(HDR, r#"{"abcdefgh":1}"#, SIG);
        assert!(matches!(
            UnverifiedToken::parse(&t, &limits).unwrap_err(),
            ParseError::PayloadTooLarge { max: 8, .. }
        ));
        let t = token(HDR, "{}", &"A".repeat(200));
        assert!(matches!(
            parse(&t).unwrap_err(),
            ParseError::SignatureTooLarge { .. }
        ));
    }

    #[test]
    fn rejects_header_not_json() {
        let t = token("{alg}", "{}", SIG);
        assert!(matches!(
            parse(&t).unwrap_err(),
            ParseError::HeaderNotJson { .. }
        ));
    }

    #[test]
    fn rejects_header_not_object() {
        let t = token(r#"["alg"]"#, "{}", SIG);
        assert_eq!(parse(&t).unwrap_err(), ParseError::HeaderNotObject);
    }

    #[test]
    fn rejects_missing_alg() {
        let t = token(r#"{"typ":"JWT"}"#, "{}", SIG);
        assert_eq!(parse(&t).unwrap_err(), ParseError::AlgMissing);
    }

    #[test]
    fn rejects_non_string_alg() {
        for h in [r#"{"alg":null}"#, r#"{"alg":1}"#, r#"{"alg":["ES256K"]}"#] {
            let t = token(h, "{}", SIG);
            assert_eq!(parse(&t).unwrap_err(), ParseError::AlgNotString, "{h}");
        }
    }

    #[test]
    fn rejects_duplicate_header_key() {
        let t = token(r#"{"alg":"ES256K","alg":"HS256"}"#, "{}", SIG);
        assert_eq!(
            parse(&t).unwrap_err(),
            ParseError::DuplicateKey {
                segment: Segment::Header,
                key: "alg".into()
            }
        );
    }

    #[test]
    fn rejects_duplicate_payload_key() {
        let t = token(
            HDR,
            r#"{"iss":"a","leases":{"access":"full","access":"scoped"}}"#,
            SIG,
        );
        assert_eq!(
            parse(&t).unwrap_err(),
            ParseError::DuplicateKey {
                segment: Segment::Payload,
                key: "access".into()
            }
        );
    }

    #[test]
    fn rejects_payload_not_json_or_not_object() {
        let t = token(HDR, "{", SIG);
        assert!(matches!(
            parse(&t).unwrap_err(),
            ParseError::PayloadNotJson { .. }
        ));
        let t = token(HDR, "[1]", SIG);
        assert_eq!(parse(&t).unwrap_err(), ParseError::PayloadNotObject);
        let t = format!("{}..{SIG}", enc(HDR));
        assert!(matches!(
            parse(&t).unwrap_err(),
            ParseError::PayloadNotJson { .. }
        ));
    }

    #[test]
    fn rejects_invalid_utf8_payload() {
        let mut bytes = Vec::new();
        b64::encode_url_into(b"{\"iss\":\"\xff\"}", &mut bytes);
        let t = format!("{}.{}.{SIG}", enc(HDR), String::from_utf8(bytes).unwrap());
        assert!(matches!(
            parse(&t).unwrap_err(),
            ParseError::PayloadNotJson { .. }
        ));
    }

    #[test]
    fn rejects_too_deep_payload() {
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(20), "]".repeat(20));
        let t = token(HDR, &deep, SIG);
        assert_eq!(
            parse(&t).unwrap_err(),
            ParseError::TooDeep {
                segment: Segment::Payload,
                max: 16
            }
        );
    }

    #[test]
    fn issuer_is_none_unless_top_level_string() {
        let t = token(HDR, r#"{"iss":5}"#, SIG);
        assert_eq!(parse(&t).unwrap().issuer(), None);
        let t = token(HDR, r#"{"x":{"iss":"a"}}"#, SIG);
        assert_eq!(parse(&t).unwrap().issuer(), None);
        let t = token(HDR, r#"{"iss":"a\u0062"}"#, SIG);
        assert_eq!(parse(&t).unwrap().issuer(), Some("ab"));
    }

    #[test]
    fn escaped_alg_is_unescaped() {
        let t = token(r#"{"alg":"ES256\u004b"}"#, "{}", SIG);
        assert_eq!(parse(&t).unwrap().alg(), "ES256K");
    }

    #[test]
    fn empty_signature_parses() {
        let t = format!("{}.{}.", enc(HDR), enc("{}"));
        assert_eq!(parse(&t).unwrap().signature(), &[] as &[u8]);
    }
}
