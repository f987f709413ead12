//! The HS256 primitive: HMAC-SHA256 with the full 32-byte tag, compared in constant time.

use crate::error::VerifyError;
use crate::secret::HmacSecret;
use hmac::Mac as _;
use subtle::ConstantTimeEq as _;

/// Length of an HS256 tag. Truncated tags are rejected.
pub const HS256_TAG_LEN: usize = 32;

/// HMAC-SHA256.
pub(crate) type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Computes the HMAC-SHA256 tag of `message`.
pub(crate) fn hs256_tag(message: &[u8], secret: &HmacSecret) -> [u8; HS256_TAG_LEN] {
    let mut mac = secret.keyed_mac().clone();
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Verifies an HS256 `tag` over `message`: exactly 32 bytes, compared in constant time.
pub fn verify_hs256(message: &[u8], tag: &[u8], secret: &HmacSecret) -> Result<(), VerifyError> {
    if tag.len() != HS256_TAG_LEN {
        return Err(VerifyError::SignatureLength {
            expected: HS256_TAG_LEN,
            found: tag.len(),
        });
    }
    let expected = hs256_tag(message, secret);
    if bool::from(expected.ct_eq(tag)) {
        Ok(())
    } else {
        Err(VerifyError::SignatureInvalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2() {
        let secret = HmacSecret::from_bytes(b"Jefe".to_vec()).unwrap();
        let tag = hex::decode("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
            .unwrap();
        verify_hs256(b"what do ya want for nothing?", &tag, &secret).unwrap();
        assert_eq!(
            verify_hs256(b"what do ya want for nothing!", &tag, &secret),
            Err(VerifyError::SignatureInvalid)
        );
        assert_eq!(
            verify_hs256(b"what do ya want for nothing?", &tag[..16], &secret),
            Err(VerifyError::SignatureLength {
                expected: 32,
                found: 16
            })
        );
    }
}
