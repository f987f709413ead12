//! [`Secp256k1PublicKey`]: parsed once, verified against many times.

use super::{KeyError, akash_address};
use base64::Engine as _;
use std::fmt;

/// A secp256k1 public key, parsed and decompressed once at construction so that verification
/// pays no decoding.
///
/// Built from 33-byte compressed SEC1 (what Cosmos accounts hold) or, for test vectors such as
/// Wycheproof's, 65-byte uncompressed SEC1 (`0x04 || x || y`).
#[derive(Clone)]
pub struct Secp256k1PublicKey {
    compressed: [u8; 33],
    #[cfg(not(feature = "secp256k1"))]
    pub(crate) point: k256::ecdsa::VerifyingKey,
    #[cfg(feature = "secp256k1")]
    pub(crate) point: secp256k1::PublicKey,
}

impl Secp256k1PublicKey {
    /// Parses SEC1 bytes: 33-byte compressed (`0x02`/`0x03` prefix) or 65-byte uncompressed
    /// (`0x04` prefix). Hybrid encodings and the point at infinity are rejected.
    pub fn from_sec1_bytes(b: &[u8]) -> Result<Self, KeyError> {
        match (b.len(), b.first()) {
            (33, Some(0x02 | 0x03)) | (65, Some(0x04)) => {}
            (33 | 65, Some(&prefix)) => return Err(KeyError::PublicKeyPrefix { prefix }),
            (found, _) => return Err(KeyError::PublicKeyLength { found }),
        }
        Self::parse_point(b)
    }

    #[cfg(not(feature = "secp256k1"))]
    fn parse_point(b: &[u8]) -> Result<Self, KeyError> {
        let point =
            k256::ecdsa::VerifyingKey::from_sec1_bytes(b).map_err(|_| KeyError::NotOnCurve)?;
        Ok(Self::from_k256(point))
    }

    #[cfg(feature = "secp256k1")]
    fn parse_point(b: &[u8]) -> Result<Self, KeyError> {
        let point = secp256k1::PublicKey::from_slice(b).map_err(|_| KeyError::NotOnCurve)?;
        Ok(Secp256k1PublicKey {
            compressed: point.serialize(),
            point,
        })
    }

    #[cfg(not(feature = "secp256k1"))]
    pub(crate) fn from_k256(point: k256::ecdsa::VerifyingKey) -> Self {
        let mut compressed = [0u8; 33];
        compressed.copy_from_slice(point.to_sec1_point(true).as_bytes());
        Secp256k1PublicKey { compressed, point }
    }

    #[cfg(feature = "secp256k1")]
    pub(crate) fn from_k256(point: k256::ecdsa::VerifyingKey) -> Self {
        let mut compressed = [0u8; 33];
        compressed.copy_from_slice(point.to_sec1_point(true).as_bytes());
        #[expect(
            clippy::expect_used,
            reason = "a point k256 accepted is a valid secp256k1 point for libsecp256k1 too"
        )]
        let point = secp256k1::PublicKey::from_byte_array_compressed(compressed)
            .expect("k256 public key is on the curve");
        Secp256k1PublicKey { compressed, point }
    }

    /// Parses text: hex (66 or 130 characters) or standard base64 (the `key` of a Cosmos
    /// `pub_key`) of SEC1 bytes, surrounding whitespace ignored.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let bytes = if matches!(text.len(), 66 | 130) && text.bytes().all(|c| c.is_ascii_hexdigit())
        {
            hex::decode(text).map_err(|_| KeyError::PublicKeyEncoding)?
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|_| KeyError::PublicKeyEncoding)?
        };
        Self::from_sec1_bytes(&bytes)
    }

    /// The 33-byte compressed SEC1 encoding.
    pub fn to_compressed(&self) -> [u8; 33] {
        self.compressed
    }

    /// The Akash account address of this key (`akash1…`).
    pub fn akash_address(&self) -> String {
        akash_address(&self.compressed)
    }
}

impl PartialEq for Secp256k1PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.compressed == other.compressed
    }
}

impl Eq for Secp256k1PublicKey {}

impl fmt::Debug for Secp256k1PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secp256k1PublicKey({})", hex::encode(self.compressed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "03e1fde5cc17f56501ed53d87718df76c135b9a6401dceb53d198111a1eaf85f76";

    #[test]
    fn parses_hex_and_base64() {
        let a = Secp256k1PublicKey::parse(HEX).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(hex::decode(HEX).unwrap());
        let b = Secp256k1PublicKey::parse(&format!(" {b64}\n")).unwrap();
        assert_eq!(a, b);
        assert_eq!(hex::encode(a.to_compressed()), HEX);
        assert_eq!(
            a.akash_address(),
            "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh"
        );
    }

    #[test]
    fn rejects_wrong_length_and_prefix() {
        assert_eq!(
            Secp256k1PublicKey::from_sec1_bytes(&[2; 32]).unwrap_err(),
            KeyError::PublicKeyLength { found: 32 }
        );
        assert_eq!(
            Secp256k1PublicKey::from_sec1_bytes(&[4; 33]).unwrap_err(),
            KeyError::PublicKeyPrefix { prefix: 4 }
        );
        assert_eq!(
            Secp256k1PublicKey::from_sec1_bytes(&[6; 65]).unwrap_err(),
            KeyError::PublicKeyPrefix { prefix: 6 }
        );
    }

    #[test]
    fn rejects_point_not_on_curve() {
        // x = 5 is not the x-coordinate of any secp256k1 point (5^3 + 7 = 132 is a non-residue).
        let mut b = [0u8; 33];
        b[0] = 2;
        b[32] = 5;
        assert_eq!(
            Secp256k1PublicKey::from_sec1_bytes(&b).unwrap_err(),
            KeyError::NotOnCurve
        );
    }

    #[test]
    fn rejects_text_that_is_neither_hex_nor_base64() {
        assert_eq!(
            Secp256k1PublicKey::parse("zz!").unwrap_err(),
            KeyError::PublicKeyEncoding
        );
    }

    #[test]
    fn uncompressed_and_compressed_agree() {
        let key = Secp256k1PublicKey::parse(HEX).unwrap();
        let vk = k256::ecdsa::VerifyingKey::from_sec1_bytes(&key.to_compressed()).unwrap();
        let unc = vk.to_sec1_point(false);
        let key2 = Secp256k1PublicKey::from_sec1_bytes(unc.as_bytes()).unwrap();
        assert_eq!(key, key2);
    }
}
