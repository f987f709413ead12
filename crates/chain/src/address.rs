//! Which issuers can be Akash accounts at all.

use bech32::{Bech32, Hrp};

/// The human-readable part of Akash account addresses.
const AKASH_HRP: Hrp = Hrp::parse_unchecked("akash");

/// Whether `issuer` is a canonical Akash account address: lowercase bech32 (not bech32m) with
/// the `akash` prefix and a 20-byte payload, which is what `ripemd160(sha256(key))` yields.
///
/// Anything else (another chain's prefix, a bad checksum, a 32-byte module-derived address)
/// can never hash from a secp256k1 key, so it is answered "unknown" without asking a node.
pub fn is_akash_account_address(issuer: &str) -> bool {
    let Ok((hrp, data)) = bech32::decode(issuer) else {
        return false;
    };
    if hrp != AKASH_HRP || data.len() != 20 {
        return false;
    }
    // `decode` accepts bech32m and uppercase; only the canonical encoding is an address here.
    bech32::encode_lower::<Bech32>(hrp, &data).is_ok_and(|canonical| canonical == issuer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_canonical_akash_account_addresses() {
        assert!(is_akash_account_address(
            "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh"
        ));
        for bad in [
            "",
            "akash1",
            "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmj",
            "AKASH1QUFA3XZRF34QVWYEJKHVNC4PSF49FFTAW0ASMH",
            "cosmos1qufa3xzrf34qvwyejkhvnc4psf49fftaw9lx0v",
            "not an address",
        ] {
            assert!(!is_akash_account_address(bad), "{bad}");
        }
        let cosmos =
            bech32::encode_lower::<Bech32>(Hrp::parse("cosmos").unwrap(), &[7; 20]).unwrap();
        assert!(!is_akash_account_address(&cosmos));
        let long = bech32::encode_lower::<Bech32>(AKASH_HRP, &[7; 32]).unwrap();
        assert!(!is_akash_account_address(&long));
        let m = bech32::encode_lower::<bech32::Bech32m>(AKASH_HRP, &[7; 20]).unwrap();
        assert!(!is_akash_account_address(&m));
    }
}
