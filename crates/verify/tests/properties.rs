//! Property tests: the parser never panics; any single-bit change breaks a valid token.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    clippy::unreachable,
    reason = "test code"
)]

mod common;

use common::*;
use proptest::prelude::*;
use tollgate_verify::{
    Algorithm, Limits, SigningKey, UnverifiedToken, VerificationKey, Verifier, sign_token,
};

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Parse and verify; `true` when the token is accepted.
fn accepted(token: &[u8], alg: Algorithm) -> bool {
    let Ok(text) = std::str::from_utf8(token) else {
        return false;
    };
    let Ok(parsed) = UnverifiedToken::parse(text, &Limits::default()) else {
        return false;
    };
    let pk = akash_public_key();
    let secret = filecoin_secret();
    let (verifier, key) = match alg {
        Algorithm::Hs256 => (
            Verifier::new(&[Algorithm::Hs256]).unwrap(),
            VerificationKey::Hmac(&secret),
        ),
        _ => (
            Verifier::new(&[Algorithm::Es256k, Algorithm::Es256kAdr36]).unwrap(),
            VerificationKey::Secp256k1(&pk),
        ),
    };
    verifier.verify(parsed, key).is_ok()
}

fn valid_tokens() -> Vec<(String, Algorithm)> {
    let sk = akash_signing_key();
    let secret = filecoin_secret();
    let payload = format!(
        r#"{{"iss":"{AKASH_ADDRESS}","exp":2046667103,"nbf":1746666103,"iat":1746666103,"version":"v1","leases":{{"access":"full"}}}}"#
    );
    vec![
        (
            sign_token(
                br#"{"alg":"ES256K","typ":"JWT"}"#,
                payload.as_bytes(),
                SigningKey::Es256k(&sk),
            )
            .unwrap(),
            Algorithm::Es256k,
        ),
        (
            sign_token(
                br#"{"alg":"ES256KADR36","typ":"JWT"}"#,
                payload.as_bytes(),
                SigningKey::Es256kAdr36 {
                    key: &sk,
                    signer: AKASH_ADDRESS,
                },
            )
            .unwrap(),
            Algorithm::Es256kAdr36,
        ),
        (
            sign_token(
                br#"{"typ":"JWT","alg":"HS256"}"#,
                br#"{"Allow":["read","write"],"exp":4877839597}"#,
                SigningKey::Hs256(&secret),
            )
            .unwrap(),
            Algorithm::Hs256,
        ),
    ]
}

#[test]
fn unmodified_tokens_are_accepted() {
    for (token, alg) in valid_tokens() {
        assert!(accepted(token.as_bytes(), alg), "{alg}: {token}");
    }
}

proptest! {
    #[test]
    fn parser_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = UnverifiedToken::parse(&text, &Limits::default());
    }

    #[test]
    fn parser_never_panics_on_strings(text in "\\PC{0,400}") {
        let _ = UnverifiedToken::parse(&text, &Limits::default());
    }

    #[test]
    fn parser_never_panics_on_token_alphabet(text in "[A-Za-z0-9_=+/. -]{0,400}") {
        let _ = UnverifiedToken::parse(&text, &Limits::default());
    }

    #[test]
    fn parser_never_panics_on_encoded_json_like_segments(
        header in "[{}\\[\\]\":,a-z0-9 \\\\]{0,60}",
        payload in "[{}\\[\\]\":,a-z0-9 \\\\]{0,120}",
        sig in proptest::collection::vec(any::<u8>(), 0..100),
    ) {
        let token = format!("{}.{}.{}", b64url(header.as_bytes()), b64url(payload.as_bytes()), b64url(&sig));
        let limits = Limits { max_json_depth: 3, ..Limits::default() };
        let _ = UnverifiedToken::parse(&token, &limits);
    }

    #[test]
    fn any_single_bit_flip_is_rejected(which in 0usize..3, index in any::<prop::sample::Index>(), bit in 0u8..8) {
        let tokens = valid_tokens();
        let (token, alg) = &tokens[which];
        let mut bytes = token.clone().into_bytes();
        let i = index.index(bytes.len());
        bytes[i] ^= 1 << bit;
        prop_assert!(!accepted(&bytes, *alg), "{alg}: flipped bit {bit} of byte {i}");
    }
}
