//! Wycheproof secp256k1 ECDSA (P1363 and bitcoin) and HMAC-SHA256 vectors through our primitives.
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
    HmacSecret, Secp256k1PublicKey, VerifyError, verify_es256k_message, verify_hs256,
};

/// `"valid"` P1363 cases with `s > n/2`: plain ECDSA accepts them, Akash (and we) reject them
/// with `HighS`. Listed in fixtures/wycheproof/UPSTREAM-README.md and crates/verify/README.md.
const HIGH_S_VALID_TCIDS: [u64; 72] = [
    1, 62, 63, 64, 66, 67, 68, 70, 72, 74, 75, 76, 78, 81, 83, 85, 87, 88, 89, 90, 95, 96, 97, 100,
    102, 112, 113, 115, 117, 134, 135, 136, 167, 168, 171, 172, 173, 174, 176, 177, 181, 187, 188,
    192, 196, 198, 200, 202, 206, 207, 212, 213, 221, 222, 226, 227, 228, 229, 231, 232, 233, 234,
    235, 237, 238, 239, 240, 241, 242, 243, 247, 252,
];

fn group_key(group: &serde_json::Value) -> Secp256k1PublicKey {
    // Wycheproof keys are uncompressed SEC1, which `from_sec1_bytes` accepts too.
    let bytes = hex::decode(s(&group["publicKey"], "uncompressed")).unwrap();
    Secp256k1PublicKey::from_sec1_bytes(&bytes).unwrap()
}

#[test]
fn ecdsa_p1363_matches_except_documented_high_s() {
    let file = fixture_json("wycheproof/ecdsa_secp256k1_sha256_p1363_test.json");
    let (mut total, mut accepted, mut high_s) = (0, 0, Vec::new());
    for group in file["testGroups"].as_array().unwrap() {
        let key = group_key(group);
        for case in group["tests"].as_array().unwrap() {
            let id = case["tcId"].as_u64().unwrap();
            let msg = hex::decode(s(case, "msg")).unwrap();
            let sig = hex::decode(s(case, "sig")).unwrap();
            let result = verify_es256k_message(&msg, &sig, &key);
            let expected_valid = match s(case, "result") {
                "valid" => true,
                "invalid" => false,
                other => panic!("tcId {id}: unexpected result {other}"),
            };
            total += 1;
            if expected_valid && result == Err(VerifyError::HighS) {
                high_s.push(id);
                continue;
            }
            assert_eq!(
                result.is_ok(),
                expected_valid,
                "tcId {id} ({}): {result:?}",
                s(case, "comment")
            );
            accepted += usize::from(result.is_ok());
        }
    }
    assert_eq!(total, 252);
    assert_eq!(high_s, HIGH_S_VALID_TCIDS);
    assert_eq!(accepted, 95);
}

/// Strict DER `SEQUENCE { INTEGER r, INTEGER s }` to 64-byte `r||s`, or `None` when the encoding
/// is not canonical DER or an integer needs more than 32 bytes.
fn der_to_p1363(der: &[u8]) -> Option<[u8; 64]> {
    fn int(input: &[u8]) -> Option<(&[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&len, rest) = rest.split_first()?;
        if tag != 0x02 || len >= 0x80 || len == 0 || rest.len() < usize::from(len) {
            return None;
        }
        let (value, rest) = rest.split_at(usize::from(len));
        // Negative, or a non-minimal leading zero.
        if value[0] & 0x80 != 0 || (value.len() > 1 && value[0] == 0 && value[1] & 0x80 == 0) {
            return None;
        }
        let value = if value[0] == 0 { &value[1..] } else { value };
        (value.len() <= 32).then_some((value, rest))
    }
    let (&tag, rest) = der.split_first()?;
    let (&len, body) = rest.split_first()?;
    if tag != 0x30 || len >= 0x80 || body.len() != usize::from(len) {
        return None;
    }
    let (r, rest) = int(body)?;
    let (s, rest) = int(rest)?;
    if !rest.is_empty() {
        return None;
    }
    let mut out = [0u8; 64];
    out[32 - r.len()..32].copy_from_slice(r);
    out[64 - s.len()..].copy_from_slice(s);
    Some(out)
}

#[test]
fn ecdsa_bitcoin_low_s_matches_where_der_converts() {
    let file = fixture_json("wycheproof/ecdsa_secp256k1_sha256_bitcoin_test.json");
    let (mut compared, mut skipped, mut der_rejected) = (0, 0, 0);
    for group in file["testGroups"].as_array().unwrap() {
        let key = group_key(group);
        for case in group["tests"].as_array().unwrap() {
            let id = case["tcId"].as_u64().unwrap();
            let msg = hex::decode(s(case, "msg")).unwrap();
            let der = hex::decode(s(case, "sig")).unwrap();
            let expected_valid = s(case, "result") == "valid";
            // Our 64-byte rule rejects DER as such.
            assert!(matches!(
                verify_es256k_message(&msg, &der, &key),
                Err(VerifyError::SignatureLength { expected: 64, .. })
            ));
            der_rejected += 1;
            let Some(p1363) = der_to_p1363(&der) else {
                // Malformed or non-canonical DER: only ever an expected failure.
                assert!(!expected_valid, "tcId {id}: valid but not strict DER");
                skipped += 1;
                continue;
            };
            let result = verify_es256k_message(&msg, &p1363, &key);
            assert_eq!(
                result.is_ok(),
                expected_valid,
                "tcId {id} ({}): {result:?}",
                s(case, "comment")
            );
            compared += 1;
        }
    }
    assert_eq!(der_rejected, 463);
    // Every "valid" case (162) converts; 232 invalid cases are malformed/BER DER.
    assert_eq!((compared, skipped), (231, 232));
}

#[test]
fn hmac_sha256_full_tags_match_truncated_tags_rejected() {
    let file = fixture_json("wycheproof/hmac_sha256_test.json");
    let (mut full, mut truncated) = (0, 0);
    for group in file["testGroups"].as_array().unwrap() {
        let tag_bits = group["tagSize"].as_u64().unwrap();
        for case in group["tests"].as_array().unwrap() {
            let id = case["tcId"].as_u64().unwrap();
            let key = HmacSecret::from_bytes(hex::decode(s(case, "key")).unwrap()).unwrap();
            let msg = hex::decode(s(case, "msg")).unwrap();
            let tag = hex::decode(s(case, "tag")).unwrap();
            let result = verify_hs256(&msg, &tag, &key);
            if tag_bits == 256 {
                assert_eq!(
                    result.is_ok(),
                    s(case, "result") == "valid",
                    "tcId {id}: {result:?}"
                );
                full += 1;
            } else {
                // Deliberate difference: JWS HS256 carries the full tag; truncated tags,
                // valid or not in Wycheproof, are refused before any comparison.
                assert_eq!(
                    result,
                    Err(VerifyError::SignatureLength {
                        expected: 32,
                        found: tag.len()
                    }),
                    "tcId {id}"
                );
                truncated += 1;
            }
        }
    }
    assert_eq!((full, truncated), (87, 87));
}
