//! Akash upstream cases and derived vectors: verification outcomes and byte-identical re-signing.
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
use sha2::{Digest as _, Sha256};
use tollgate_verify::{
    Algorithm, Base64Error, Limits, ParseError, Secp256k1SigningKey, Segment, SigningKey,
    UnverifiedToken, VerificationKey, Verifier, VerifyError, adr36_prehash, adr36_sign_doc,
    akash_address, sign_token, verify_es256k_prehash,
};

/// The upstream DER case ends in `W`, whose trailing bits are non-zero: Go's lenient decoder
/// accepts it, our canonical decoder does not. Returns the token with the bits cleared.
fn canonical_der_token(token: &str) -> String {
    assert!(token.ends_with('W'));
    assert!(matches!(
        UnverifiedToken::parse(token, &Limits::default()).unwrap_err(),
        ParseError::Base64 {
            segment: Segment::Signature,
            error: Base64Error::NonCanonical { .. }
        }
    ));
    format!("{}Q", &token[..token.len() - 1])
}

fn verifier() -> Verifier {
    Verifier::new(&[Algorithm::Es256k, Algorithm::Es256kAdr36]).unwrap()
}

fn verify(token: &str) -> Result<(), String> {
    let key = akash_public_key();
    let parsed =
        UnverifiedToken::parse(token, &Limits::default()).map_err(|e| format!("parse: {e:?}"))?;
    verifier()
        .verify(parsed, VerificationKey::Secp256k1(&key))
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}

fn verify_err(token: &str) -> VerifyError {
    let key = akash_public_key();
    let parsed = UnverifiedToken::parse(token, &Limits::default()).unwrap();
    verifier()
        .verify(parsed, VerificationKey::Secp256k1(&key))
        .unwrap_err()
}

/// Re-signs a token's exact header and payload bytes with the test key.
fn resign(token: &str) -> String {
    let parsed = UnverifiedToken::parse(token, &Limits::default()).unwrap();
    let key = akash_signing_key();
    let header = parsed.header().json().as_bytes();
    let signing_key = match parsed.alg() {
        "ES256K" => SigningKey::Es256k(&key),
        "ES256KADR36" => SigningKey::Es256kAdr36 {
            key: &key,
            signer: AKASH_ADDRESS,
        },
        other => panic!("unexpected alg {other}"),
    };
    sign_token(header, parsed.payload(), signing_key).unwrap()
}

#[test]
fn upstream_cases_es256k() {
    let cases = fixture_json("akash/cases_es256k.json");
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for (i, case) in cases.iter().enumerate() {
        let owned = if i == 1 {
            canonical_der_token(s(case, "tokenString"))
        } else {
            s(case, "tokenString").to_owned()
        };
        let token = owned.as_str();
        let must_fail = case["mustFail"].as_bool().unwrap();
        let parsed = UnverifiedToken::parse(token, &Limits::default()).unwrap();
        if i != 4 {
            assert_eq!(parsed.alg(), s(&case["expected"], "alg"), "case {i}");
        }
        match i {
            // Valid ES256K, and valid ES256KADR36 with `iss`: verify and re-sign identically.
            0 | 2 => {
                assert!(!must_fail);
                verify(token).unwrap_or_else(|e| panic!("case {i}: {e}"));
                assert_eq!(resign(token), token, "case {i}");
            }
            // Valid ES256KADR36 over a payload without `iss`: the signature is valid for the
            // signer address, but Tollgate needs `iss` as the signer, so the verifier refuses it.
            3 => {
                assert!(!must_fail);
                assert_eq!(verify_err(token), VerifyError::IssuerMissing);
                let prehash = adr36_prehash(parsed.signing_input().as_bytes(), AKASH_ADDRESS);
                verify_es256k_prehash(&prehash, parsed.signature(), &akash_public_key()).unwrap();
                assert_eq!(resign(token), token, "case {i}");
            }
            // DER signature.
            1 => {
                assert!(must_fail);
                assert_eq!(
                    verify_err(token),
                    VerifyError::SignatureLength {
                        expected: 64,
                        found: 70
                    }
                );
                assert_ne!(resign(token), token);
            }
            // Header alg typo `ES256KARD36`.
            4 => {
                assert!(must_fail);
                assert_eq!(
                    verify_err(token),
                    VerifyError::AlgorithmNotAllowed {
                        alg: "ES256KARD36".into()
                    }
                );
            }
            _ => unreachable!(),
        }
    }
}

#[test]
fn derived_vectors() {
    let file = fixture_json("akash/derived-vectors.json");
    let vectors = file["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 11);
    let key = akash_public_key();
    let signer = akash_signing_key();
    for (i, v) in vectors.iter().enumerate() {
        let owned = if i == 3 {
            canonical_der_token(s(v, "token"))
        } else {
            s(v, "token").to_owned()
        };
        let token = owned.as_str();
        let parsed = UnverifiedToken::parse(token, &Limits::default()).unwrap();
        assert_eq!(parsed.header().json(), s(v, "header_json"), "vector {i}");
        assert_eq!(
            parsed.payload(),
            s(v, "payload_json").as_bytes(),
            "vector {i}"
        );
        assert_eq!(parsed.signing_input(), s(v, "signing_input"), "vector {i}");
        assert_eq!(
            parsed.signature().len() as u64,
            v["signature_len"].as_u64().unwrap()
        );
        if i == 3 {
            assert_eq!(parsed.signature().first(), Some(&0x30), "DER sequence");
        }
        if let Some(r) = v["sig_r_hex"].as_str() {
            assert_eq!(hex::encode(&parsed.signature()[..32]), r, "vector {i}");
            assert_eq!(
                hex::encode(&parsed.signature()[32..]),
                s(v, "sig_s_hex"),
                "vector {i}"
            );
        }
        // The signed bytes: the sign doc for ES256KADR36, else the signing input.
        let signed: Vec<u8> = match v["adr36_sign_doc"].as_str() {
            Some(doc) => {
                let ours = adr36_sign_doc(parsed.signing_input().as_bytes(), AKASH_ADDRESS);
                assert_eq!(std::str::from_utf8(&ours).unwrap(), doc, "vector {i}");
                ours
            }
            None => parsed.signing_input().as_bytes().to_vec(),
        };
        assert_eq!(
            hex::encode(Sha256::digest(&signed)),
            s(v, "sha256_of_signed_bytes_hex"),
            "vector {i}"
        );

        let expected_valid = v["expected_signature_valid"].as_bool().unwrap();
        let header = s(v, "header_json").as_bytes();
        let payload = s(v, "payload_json").as_bytes();
        let result = verifier().verify(parsed.clone(), VerificationKey::Secp256k1(&key));
        match i {
            0 | 1 | 2 | 4 | 7 | 8 => {
                assert!(expected_valid, "vector {i}");
                let verified = result.unwrap_or_else(|e| panic!("vector {i}: {e:?}"));
                assert_eq!(verified.raw(), token);
                let signing_key = match verified.algorithm() {
                    Algorithm::Es256k => SigningKey::Es256k(&signer),
                    _ => SigningKey::Es256kAdr36 {
                        key: &signer,
                        signer: AKASH_ADDRESS,
                    },
                };
                assert_eq!(
                    sign_token(header, payload, signing_key).unwrap(),
                    token,
                    "vector {i}"
                );
            }
            5 => {
                // Valid ADR-036 signature over a payload without `iss` (see README).
                assert!(expected_valid);
                assert_eq!(result.unwrap_err(), VerifyError::IssuerMissing);
                let prehash = adr36_prehash(parsed.signing_input().as_bytes(), AKASH_ADDRESS);
                verify_es256k_prehash(&prehash, parsed.signature(), &key).unwrap();
                let again = sign_token(
                    header,
                    payload,
                    SigningKey::Es256kAdr36 {
                        key: &signer,
                        signer: AKASH_ADDRESS,
                    },
                )
                .unwrap();
                assert_eq!(again, token);
            }
            3 => {
                assert!(!expected_valid);
                assert_eq!(
                    result.unwrap_err(),
                    VerifyError::SignatureLength {
                        expected: 64,
                        found: 70
                    }
                );
            }
            6 => {
                assert!(!expected_valid);
                assert_eq!(
                    result.unwrap_err(),
                    VerifyError::AlgorithmNotAllowed {
                        alg: "ES256KARD36".into()
                    }
                );
            }
            9 => {
                assert!(!expected_valid);
                assert_eq!(result.unwrap_err(), VerifyError::HighS);
            }
            10 => {
                assert!(!expected_valid);
                assert_eq!(result.unwrap_err(), VerifyError::SignatureInvalid);
            }
            _ => unreachable!(),
        }
    }
}

#[test]
fn non_canonical_base64_is_a_parse_error() {
    let file = fixture_json("akash/derived-vectors.json");
    let token = s(&file["vectors"][0], "token");
    // The last signature character of a 64-byte signature carries 4 trailing bits.
    let last = token.chars().last().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let idx = alphabet.find(last).unwrap();
    let bumped = alphabet.chars().nth(idx ^ 1).unwrap();
    let tampered = format!("{}{bumped}", &token[..token.len() - 1]);
    assert!(matches!(
        UnverifiedToken::parse(&tampered, &Limits::default()).unwrap_err(),
        ParseError::Base64 {
            segment: Segment::Signature,
            error: Base64Error::NonCanonical { .. }
        }
    ));
    let padded = format!("{token}==");
    assert!(matches!(
        UnverifiedToken::parse(&padded, &Limits::default()).unwrap_err(),
        ParseError::Base64 {
            segment: Segment::Signature,
            error: Base64Error::Padding { .. }
        }
    ));
    let standard = token.replace('-', "+").replace('_', "/");
    assert_ne!(standard, token);
    assert!(matches!(
        UnverifiedToken::parse(&standard, &Limits::default()).unwrap_err(),
        ParseError::Base64 {
            error: Base64Error::StandardAlphabet { .. },
            ..
        }
    ));
}

#[test]
fn hmac_key_never_verifies_es256k() {
    let file = fixture_json("akash/derived-vectors.json");
    let token = s(&file["vectors"][0], "token");
    let secret = filecoin_secret();
    let parsed = UnverifiedToken::parse(token, &Limits::default()).unwrap();
    assert_eq!(
        verifier()
            .verify(parsed, VerificationKey::Hmac(&secret))
            .unwrap_err(),
        VerifyError::KeyFamilyMismatch {
            alg: Algorithm::Es256k,
            key: tollgate_verify::KeyFamily::Hmac
        }
    );
}

#[test]
fn es256k_only_verifier_refuses_adr36() {
    let file = fixture_json("akash/derived-vectors.json");
    let token = s(&file["vectors"][7], "token");
    let key = akash_public_key();
    let parsed = UnverifiedToken::parse(token, &Limits::default()).unwrap();
    let only = Verifier::new(&[Algorithm::Es256k]).unwrap();
    assert_eq!(
        only.verify(parsed, VerificationKey::Secp256k1(&key))
            .unwrap_err(),
        VerifyError::AlgorithmNotAllowed {
            alg: "ES256KADR36".into()
        }
    );
}

#[test]
fn mnemonic_derives_the_listed_key() {
    let file = fixture_json("akash/derived-vectors.json");
    let tk = &file["test_key"];
    let phrase = fixture_text("akash/test-mnemonic.txt");
    let from_mnemonic = Secp256k1SigningKey::from_mnemonic(
        phrase.trim(),
        s(tk, "bip39_passphrase"),
        s(tk, "bip44_path"),
    )
    .unwrap();
    let from_hex = Secp256k1SigningKey::from_hex(s(tk, "secp256k1_private_key_hex")).unwrap();
    let pk = from_mnemonic.public_key();
    // Equal public keys imply equal private keys.
    assert_eq!(pk, from_hex.public_key());
    assert_eq!(pk, akash_signing_key().public_key());
    assert_eq!(
        hex::encode(pk.to_compressed()),
        s(tk, "compressed_pubkey_hex")
    );
    assert_eq!(pk.akash_address(), s(tk, "address"));
    assert_eq!(akash_address(&pk.to_compressed()), AKASH_ADDRESS);
    // And it signs identically.
    let h = br#"{"alg":"ES256K","typ":"JWT"}"#;
    assert_eq!(
        sign_token(h, b"{}", SigningKey::Es256k(&from_mnemonic)).unwrap(),
        sign_token(h, b"{}", SigningKey::Es256k(&from_hex)).unwrap()
    );
}

#[test]
fn keys_file_fixture_loads() {
    let keys = tollgate_verify::StaticKeys::from_keys_file(
        &fixture_text("keys/akash-test-accounts.yaml"),
        "akash-test-accounts.yaml",
    )
    .unwrap();
    assert_eq!(keys.len(), 1);
    use tollgate_verify::KeyResolver as _;
    assert_eq!(
        *keys.resolve(AKASH_ADDRESS).unwrap().key,
        akash_public_key()
    );
}
