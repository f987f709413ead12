//! Akash account addresses.

use bech32::{Bech32, ByteIterExt as _, Fe32IterExt as _, Hrp};
use ripemd::Ripemd160;
use sha2::{Digest as _, Sha256};

/// The human-readable part of Akash account addresses.
const AKASH_HRP: Hrp = Hrp::parse_unchecked("akash");

/// The Akash account address of a compressed secp256k1 public key:
/// `bech32("akash", RIPEMD160(SHA256(pubkey)))`.
pub fn akash_address(compressed_pubkey: &[u8; 33]) -> String {
    let hash = Ripemd160::digest(Sha256::digest(compressed_pubkey));
    hash.iter()
        .copied()
        .bytes_to_fes()
        .with_checksum::<Bech32>(&AKASH_HRP)
        .chars()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_the_test_account_address() {
        let mut pk = [0u8; 33];
        hex::decode_to_slice(
            "03e1fde5cc17f56501ed53d87718df76c135b9a6401dceb53d198111a1eaf85f76",
            &mut pk,
        )
        .unwrap();
        assert_eq!(
            akash_address(&pk),
            "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh"
        );
    }
}
