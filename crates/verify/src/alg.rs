//! The JWS algorithms Tollgate knows and the key families they need.

use std::fmt;

/// A JWS signature algorithm Tollgate can verify.
///
/// The header `alg` of a token only *selects* among the algorithms a [`crate::Verifier`] was
/// built with; it never adds one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// ECDSA secp256k1 over SHA-256 of the signing input, 64-byte `r||s`, low-S only (Akash).
    Es256k,
    /// ECDSA secp256k1 over SHA-256 of the ADR-036 amino sign doc of the signing input (Akash).
    Es256kAdr36,
    /// HMAC-SHA256 with a full 32-byte tag (Forest and Lotus).
    Hs256,
}

/// The kind of key an [`Algorithm`] needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyFamily {
    /// A secp256k1 public key.
    Secp256k1,
    /// A shared HMAC secret.
    Hmac,
}

impl Algorithm {
    /// Every algorithm, in a fixed order.
    pub const ALL: [Algorithm; 3] = [Algorithm::Es256k, Algorithm::Es256kAdr36, Algorithm::Hs256];

    /// The registered header name: `ES256K`, `ES256KADR36` or `HS256`.
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Es256k => "ES256K",
            Algorithm::Es256kAdr36 => "ES256KADR36",
            Algorithm::Hs256 => "HS256",
        }
    }

    /// Looks up an algorithm by its exact, case-sensitive header name.
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "ES256K" => Some(Algorithm::Es256k),
            "ES256KADR36" => Some(Algorithm::Es256kAdr36),
            "HS256" => Some(Algorithm::Hs256),
            _ => None,
        }
    }

    /// The key family this algorithm verifies with.
    pub const fn family(self) -> KeyFamily {
        match self {
            Algorithm::Es256k | Algorithm::Es256kAdr36 => KeyFamily::Secp256k1,
            Algorithm::Hs256 => KeyFamily::Hmac,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl KeyFamily {
    /// A short lowercase name: `secp256k1` or `hmac`.
    pub const fn as_str(self) -> &'static str {
        match self {
            KeyFamily::Secp256k1 => "secp256k1",
            KeyFamily::Hmac => "hmac",
        }
    }
}

impl fmt::Display for KeyFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(alg.name()), Some(alg));
        }
    }

    #[test]
    fn from_name_is_exact_and_case_sensitive() {
        for bad in [
            "es256k",
            "ES256KARD36",
            "HS512",
            "none",
            "",
            " ES256K",
            "ES256K ",
        ] {
            assert_eq!(Algorithm::from_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn families() {
        assert_eq!(Algorithm::Es256k.family(), KeyFamily::Secp256k1);
        assert_eq!(Algorithm::Es256kAdr36.family(), KeyFamily::Secp256k1);
        assert_eq!(Algorithm::Hs256.family(), KeyFamily::Hmac);
    }
}
