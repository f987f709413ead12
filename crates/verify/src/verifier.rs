//! [`Verifier`]: the caller's algorithm list, the key-family rule, and [`VerifiedToken`].

use crate::adr36::adr36_prehash;
use crate::alg::{Algorithm, KeyFamily};
use crate::error::{VerifierConfigError, VerifyError};
use crate::es256k::{verify_es256k_message, verify_es256k_prehash};
use crate::hs256::verify_hs256;
use crate::keys::Secp256k1PublicKey;
use crate::secret::HmacSecret;
use crate::token::{Header, UnverifiedToken};

/// The key a token is verified with.
#[derive(Clone, Copy, Debug)]
pub enum VerificationKey<'k> {
    /// A secp256k1 public key, for ES256K and ES256KADR36.
    Secp256k1(&'k Secp256k1PublicKey),
    /// An HMAC secret, for HS256.
    Hmac(&'k HmacSecret),
}

impl VerificationKey<'_> {
    /// The key's family.
    pub const fn family(&self) -> KeyFamily {
        match self {
            VerificationKey::Secp256k1(_) => KeyFamily::Secp256k1,
            VerificationKey::Hmac(_) => KeyFamily::Hmac,
        }
    }
}

/// Verifies tokens against a fixed list of allowed algorithms of one key family.
///
/// Built once, `Send + Sync`. The header `alg` only selects among the allowed algorithms; the
/// key must be of the selected algorithm's family.
#[derive(Clone, Debug)]
pub struct Verifier {
    allowed: Vec<Algorithm>,
    family: KeyFamily,
}

impl Verifier {
    /// A verifier accepting `allowed` (duplicates are ignored). The list must be non-empty and
    /// of one key family: mixing EC and HMAC algorithms invites algorithm confusion.
    pub fn new(allowed: &[Algorithm]) -> Result<Self, VerifierConfigError> {
        let Some(&first) = allowed.first() else {
            return Err(VerifierConfigError::Empty);
        };
        let mut list = Vec::with_capacity(allowed.len());
        for &alg in allowed {
            if alg.family() != first.family() {
                return Err(VerifierConfigError::MixedFamilies { first, other: alg });
            }
            if !list.contains(&alg) {
                list.push(alg);
            }
        }
        Ok(Verifier {
            allowed: list,
            family: first.family(),
        })
    }

    /// The allowed algorithms, in the order given.
    pub fn allowed(&self) -> &[Algorithm] {
        &self.allowed
    }

    /// The key family of every allowed algorithm.
    pub fn family(&self) -> KeyFamily {
        self.family
    }

    /// The allowed algorithm named by the token's header `alg` (exact, case-sensitive).
    pub fn select(&self, token: &UnverifiedToken<'_>) -> Result<Algorithm, VerifyError> {
        let alg = token.alg();
        Algorithm::from_name(alg)
            .filter(|a| self.allowed.contains(a))
            .ok_or_else(|| VerifyError::AlgorithmNotAllowed {
                alg: alg.to_owned(),
            })
    }

    /// Checks the token's signature with `key`, consuming the unverified token.
    pub fn verify<'a>(
        &self,
        token: UnverifiedToken<'a>,
        key: VerificationKey<'_>,
    ) -> Result<VerifiedToken<'a>, VerifyError> {
        let algorithm = self.select(&token)?;
        let input = token.signing_input().as_bytes();
        match (algorithm, key) {
            (Algorithm::Es256k, VerificationKey::Secp256k1(pk)) => {
                verify_es256k_message(input, token.signature(), pk)?;
            }
            (Algorithm::Es256kAdr36, VerificationKey::Secp256k1(pk)) => {
                let signer = token.issuer().ok_or(VerifyError::IssuerMissing)?;
                verify_es256k_prehash(&adr36_prehash(input, signer), token.signature(), pk)?;
            }
            (Algorithm::Hs256, VerificationKey::Hmac(secret)) => {
                verify_hs256(input, token.signature(), secret)?;
            }
            (alg, key) => {
                return Err(VerifyError::KeyFamilyMismatch {
                    alg,
                    key: key.family(),
                });
            }
        }
        Ok(VerifiedToken { algorithm, token })
    }
}

/// A token whose signature verified. Only [`Verifier::verify`] constructs it.
#[derive(Clone, Debug)]
pub struct VerifiedToken<'a> {
    algorithm: Algorithm,
    token: UnverifiedToken<'a>,
}

impl<'a> VerifiedToken<'a> {
    /// The algorithm the signature verified under.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The decoded header.
    pub fn header(&self) -> &Header {
        self.token.header()
    }

    /// The decoded payload bytes (a JSON object, no repeated keys).
    pub fn payload(&self) -> &[u8] {
        self.token.payload()
    }

    /// The payload's top-level string `iss`, if any.
    pub fn issuer(&self) -> Option<&str> {
        self.token.issuer()
    }

    /// The whole token as received.
    pub fn raw(&self) -> &'a str {
        self.token.raw()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_empty_algorithm_list() {
        assert_eq!(Verifier::new(&[]).unwrap_err(), VerifierConfigError::Empty);
    }

    #[test]
    fn refuses_mixed_key_families() {
        assert_eq!(
            Verifier::new(&[Algorithm::Es256k, Algorithm::Hs256]).unwrap_err(),
            VerifierConfigError::MixedFamilies {
                first: Algorithm::Es256k,
                other: Algorithm::Hs256
            }
        );
    }

    #[test]
    fn keeps_order_and_drops_duplicates() {
        let v = Verifier::new(&[
            Algorithm::Es256kAdr36,
            Algorithm::Es256k,
            Algorithm::Es256kAdr36,
        ])
        .unwrap();
        assert_eq!(v.allowed(), [Algorithm::Es256kAdr36, Algorithm::Es256k]);
        assert_eq!(v.family(), KeyFamily::Secp256k1);
    }

    #[test]
    fn verifier_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Verifier>();
        check::<Secp256k1PublicKey>();
        check::<HmacSecret>();
    }
}
