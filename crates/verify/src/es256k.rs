//! The ES256K primitive: ECDSA secp256k1 over a SHA-256 digest, 64-byte `r||s`, low-S only.
//!
//! Checks in order: length exactly 64 ([`VerifyError::SignatureLength`], so DER is rejected);
//! `r` and `s` in `[1, n-1]` (else [`VerifyError::SignatureInvalid`]); `s <= n/2` (else
//! [`VerifyError::HighS`], as cosmos-sdk's `VerifySignature`); then ECDSA verification. The
//! backend is k256, or libsecp256k1 with the `secp256k1` feature; both give identical results.

use crate::error::VerifyError;
use crate::keys::Secp256k1PublicKey;
use sha2::{Digest as _, Sha256};

/// Length of an ES256K signature: 32-byte `r` then 32-byte `s`, big-endian.
pub const ES256K_SIGNATURE_LEN: usize = 64;

/// The secp256k1 group order `n`, big-endian.
const ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];

/// `floor(n / 2)`, big-endian: the largest accepted `s`.
const HALF_ORDER: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

fn in_range(x: &[u8; 32]) -> bool {
    x.iter().any(|b| *b != 0) && *x < ORDER
}

/// Verifies a 64-byte `r||s` signature over a 32-byte SHA-256 digest.
pub fn verify_es256k_prehash(
    prehash: &[u8; 32],
    signature: &[u8],
    key: &Secp256k1PublicKey,
) -> Result<(), VerifyError> {
    let Ok(sig) = <&[u8; ES256K_SIGNATURE_LEN]>::try_from(signature) else {
        return Err(VerifyError::SignatureLength {
            expected: ES256K_SIGNATURE_LEN,
            found: signature.len(),
        });
    };
    let (r, s) = sig.split_at(32);
    let (Ok(r), Ok(s)) = (<&[u8; 32]>::try_from(r), <&[u8; 32]>::try_from(s)) else {
        return Err(VerifyError::SignatureInvalid);
    };
    if !in_range(r) || !in_range(s) {
        return Err(VerifyError::SignatureInvalid);
    }
    // Big-endian byte arrays of equal length compare like the integers they encode.
    if *s > HALF_ORDER {
        return Err(VerifyError::HighS);
    }
    backend_verify(prehash, sig, key)
}

/// Verifies a 64-byte `r||s` signature over `SHA-256(message)`.
pub fn verify_es256k_message(
    message: &[u8],
    signature: &[u8],
    key: &Secp256k1PublicKey,
) -> Result<(), VerifyError> {
    let prehash: [u8; 32] = Sha256::digest(message).into();
    verify_es256k_prehash(&prehash, signature, key)
}

#[cfg(not(feature = "secp256k1"))]
fn backend_verify(
    prehash: &[u8; 32],
    sig: &[u8; 64],
    key: &Secp256k1PublicKey,
) -> Result<(), VerifyError> {
    use k256::ecdsa::signature::hazmat::PrehashVerifier as _;
    let sig = k256::ecdsa::Signature::from_slice(sig).map_err(|_| VerifyError::SignatureInvalid)?;
    key.point
        .verify_prehash(prehash, &sig)
        .map_err(|_| VerifyError::SignatureInvalid)
}

#[cfg(feature = "secp256k1")]
fn backend_verify(
    prehash: &[u8; 32],
    sig: &[u8; 64],
    key: &Secp256k1PublicKey,
) -> Result<(), VerifyError> {
    let sig = secp256k1::ecdsa::Signature::from_compact(sig)
        .map_err(|_| VerifyError::SignatureInvalid)?;
    // `s <= n/2` was checked above, so libsecp256k1's own low-S requirement never differs
    // from ours and no normalisation is needed.
    secp256k1::ecdsa::verify(&sig, secp256k1::Message::from_digest(*prehash), &key.point)
        .map_err(|_| VerifyError::SignatureInvalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_order_is_half_the_order() {
        // n is odd: HALF_ORDER * 2 + 1 == ORDER.
        let mut doubled = [0u8; 32];
        let mut carry = 1u16;
        for i in (0..32).rev() {
            let v = u16::from(HALF_ORDER[i]) * 2 + carry;
            doubled[i] = v as u8;
            carry = v >> 8;
        }
        assert_eq!(doubled, ORDER);
    }

    #[test]
    fn rejects_zero_and_out_of_range_scalars() {
        let key = Secp256k1PublicKey::parse(
            "03e1fde5cc17f56501ed53d87718df76c135b9a6401dceb53d198111a1eaf85f76",
        )
        .unwrap();
        let digest = [7u8; 32];
        let mut sig = [0u8; 64];
        sig[63] = 1;
        assert_eq!(
            verify_es256k_prehash(&digest, &sig, &key),
            Err(VerifyError::SignatureInvalid)
        );
        sig[31] = 1;
        sig[32..].copy_from_slice(&ORDER);
        assert_eq!(
            verify_es256k_prehash(&digest, &sig, &key),
            Err(VerifyError::SignatureInvalid)
        );
        sig[32..].copy_from_slice(&HALF_ORDER);
        sig[63] += 1;
        assert_eq!(
            verify_es256k_prehash(&digest, &sig, &key),
            Err(VerifyError::HighS)
        );
        sig[63] -= 1;
        assert_eq!(
            verify_es256k_prehash(&digest, &sig, &key),
            Err(VerifyError::SignatureInvalid)
        );
    }

    #[test]
    fn rejects_wrong_length() {
        let key = Secp256k1PublicKey::parse(
            "03e1fde5cc17f56501ed53d87718df76c135b9a6401dceb53d198111a1eaf85f76",
        )
        .unwrap();
        assert_eq!(
            verify_es256k_message(b"x", &[1; 70], &key),
            Err(VerifyError::SignatureLength {
                expected: 64,
                found: 70
            })
        );
    }
}
