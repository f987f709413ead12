//! Forest and Lotus HS256 vectors, sample tokens, and secret file formats.
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
use tollgate_verify::{
    Algorithm, Base64Error, HmacSecret, Limits, ParseError, SecretFormat, Segment, SigningKey,
    UnverifiedToken, VerificationKey, Verifier, VerifyError, sign_token,
};

fn hs256() -> Verifier {
    Verifier::new(&[Algorithm::Hs256]).unwrap()
}

fn verify_with(token: &str, secret: &HmacSecret) -> Result<(), VerifyError> {
    let parsed = UnverifiedToken::parse(token, &Limits::default()).unwrap();
    hs256()
        .verify(parsed, VerificationKey::Hmac(secret))
        .map(|_| ())
}

#[test]
fn forest_lotus_derived_vectors() {
    let file = fixture_json("filecoin/forest-lotus-derived-vectors.json");
    let secret = HmacSecret::from_bytes(hex::decode(s(&file, "key_hex")).unwrap()).unwrap();
    let vectors = file["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 16);
    for v in vectors {
        let name = s(v, "name");
        let token = s(v, "token");
        match name {
            "header_alg_none_hs256_signature" | "header_alg_hs512_hs256_signature" => {
                let parsed = UnverifiedToken::parse(token, &Limits::default()).unwrap();
                let alg = parsed.alg().to_owned();
                assert!(alg == "none" || alg == "HS512");
                assert_eq!(
                    hs256()
                        .verify(parsed, VerificationKey::Hmac(&secret))
                        .unwrap_err(),
                    VerifyError::AlgorithmNotAllowed { alg }
                );
            }
            "noncanonical_signature_trailing_bits" => {
                assert!(matches!(
                    UnverifiedToken::parse(token, &Limits::default()).unwrap_err(),
                    ParseError::Base64 {
                        segment: Segment::Signature,
                        error: Base64Error::NonCanonical { .. }
                    }
                ));
            }
            _ => {
                let parsed = UnverifiedToken::parse(token, &Limits::default()).unwrap();
                assert_eq!(parsed.header().json(), s(v, "header_json"), "{name}");
                assert_eq!(parsed.payload(), s(v, "payload_json").as_bytes(), "{name}");
                verify_with(token, &secret).unwrap_or_else(|e| panic!("{name}: {e:?}"));
                let again = sign_token(
                    s(v, "header_json").as_bytes(),
                    s(v, "payload_json").as_bytes(),
                    SigningKey::Hs256(&secret),
                )
                .unwrap();
                assert_eq!(again, token, "{name}");
            }
        }
    }
}

#[test]
fn sample_tokens_decode_but_do_not_verify_with_the_test_key() {
    let secret = filecoin_secret();
    for rel in [
        "filecoin/forest-docs-sample-tokens.json",
        "filecoin/lotus-sample-tokens.json",
    ] {
        let file = fixture_json(rel);
        let tokens = file["tokens"].as_array().unwrap();
        assert!(!tokens.is_empty());
        for t in tokens {
            let token = s(t, "token");
            let parsed = UnverifiedToken::parse(token, &Limits::default()).unwrap();
            assert_eq!(parsed.alg(), "HS256");
            assert_eq!(parsed.header().typ(), Some("JWT"));
            assert_eq!(parsed.header().json(), s(t, "header_json"));
            assert_eq!(parsed.payload(), s(t, "payload_json").as_bytes());
            assert_eq!(
                parsed.signature().len() as u64,
                t["signature_bytes"].as_u64().unwrap()
            );
            assert_eq!(parsed.issuer(), None);
            assert_eq!(
                verify_with(token, &secret),
                Err(VerifyError::SignatureInvalid),
                "{token}"
            );
        }
    }
}

#[test]
fn secret_formats_parse_to_the_same_key() {
    let file = fixture_json("filecoin/forest-lotus-derived-vectors.json");
    let reference = file["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "canonical_reference")
        .map(|v| s(v, "token").to_owned())
        .unwrap();
    let cases = [
        (
            "keys/MF2XI2BNNJ3XILLQOJUXMYLUMU",
            SecretFormat::LotusKeyInfo,
        ),
        ("keys/forest-keystore.json", SecretFormat::ForestKeystore),
        ("keys/lotus-shed-jwt.hex", SecretFormat::LotusShedHex),
        ("keys/filecoin-secret.base64", SecretFormat::Base64),
    ];
    for (rel, format) in cases {
        let (secret, found) = HmacSecret::parse(&fixture_text(rel), rel).unwrap();
        assert_eq!(found, format, "{rel}");
        assert_eq!(secret.len(), 32, "{rel}");
        // Same 32 bytes: each verifies the reference token and signs it identically.
        verify_with(&reference, &secret).unwrap_or_else(|e| panic!("{rel}: {e:?}"));
        let parsed = UnverifiedToken::parse(&reference, &Limits::default()).unwrap();
        let again = sign_token(
            parsed.header().json().as_bytes(),
            parsed.payload(),
            SigningKey::Hs256(&secret),
        )
        .unwrap();
        assert_eq!(again, reference, "{rel}");
    }
}

#[test]
fn secp256k1_key_never_verifies_hs256() {
    let file = fixture_json("filecoin/forest-lotus-derived-vectors.json");
    let token = s(&file["vectors"][0], "token");
    let key = akash_public_key();
    let parsed = UnverifiedToken::parse(token, &Limits::default()).unwrap();
    assert_eq!(
        hs256()
            .verify(parsed, VerificationKey::Secp256k1(&key))
            .unwrap_err(),
        VerifyError::KeyFamilyMismatch {
            alg: Algorithm::Hs256,
            key: tollgate_verify::KeyFamily::Secp256k1
        }
    );
}
