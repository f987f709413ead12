//! The stable deny codes. Scripts and dashboards depend on these strings: never rename one.

use std::fmt;

/// Why a request was denied, as a stable machine-readable code (documented in
/// `specs/deny-codes.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DenyCode {
    /// The operation is not declared by the policy.
    UnknownOperation,
    /// No route of the policy matches the request's method and path.
    RouteNotFound,
    /// A route matched, but a path variable that names the resource is not a valid number.
    ResourceInvalid,
    /// The `Authorization` header is present but not of the form the policy's family accepts
    /// (`Bearer <token>`).
    AuthorizationHeaderInvalid,
    /// The request carries no token and the operation is not open to anonymous callers.
    TokenRequired,
    /// The token exceeds the configured size limit.
    TokenTooLarge,
    /// The token is not a compact JWS: segment count, base64url or sizes are wrong.
    TokenMalformed,
    /// The JOSE header is not a JSON object with a string `alg`.
    HeaderInvalid,
    /// The payload is not a JSON object.
    PayloadInvalid,
    /// The header or payload repeats a JSON key.
    DuplicateJsonKey,
    /// The header `alg` is not one the policy accepts.
    AlgNotAllowed,
    /// The token has no `iss`, so no key can be found for it.
    IssuerMissing,
    /// No public key is known for the token's `iss`.
    IssuerUnknown,
    /// The key source failed to answer (for example a chain node is unreachable).
    KeyUnavailable,
    /// The issuer's account exists but has no public key: it has never signed a transaction.
    IssuerNoPublicKey,
    /// The issuer is a module account, which has no key and cannot sign.
    IssuerModuleAccount,
    /// The issuer's account holds a key that is not secp256k1 (ed25519, multisig).
    IssuerKeyUnsupported,
    /// The key source returned a key that does not hash to the issuer's address.
    IssuerKeyMismatch,
    /// The signature has the wrong length or encoding (for example DER instead of r||s).
    SignatureMalformed,
    /// The ECDSA signature has a high S value, which Akash rejects.
    SignatureHighS,
    /// The signature does not verify with the issuer's key or the node secret.
    SignatureInvalid,
    /// The claims break the schema or the semantic rules.
    ClaimsInvalid,
    /// The token's `exp` has passed (after the policy's leeway).
    TokenExpired,
    /// The token's `nbf` is still in the future (after the policy's leeway).
    TokenNotYetValid,
    /// The request's resource does not fit the operation (for example a lease operation without
    /// a lease id).
    ResourceRequired,
    /// The resource belongs to another owner than the token's issuer.
    OwnerMismatch,
    /// A granular token has no entry for this provider.
    ProviderNotGranted,
    /// A granular provider entry has no deployment entry matching the resource.
    DeploymentNotGranted,
    /// The token's access does not include the scope the operation requires.
    ScopeMissing,
    /// The token's `Allow` list lacks the permission the method requires.
    PermissionMissing,
    /// The policy does not unlock the token's access type.
    AccessNotUnlocked,
}

impl DenyCode {
    /// Every deny code, in documentation order.
    pub const ALL: [DenyCode; 31] = [
        DenyCode::UnknownOperation,
        DenyCode::RouteNotFound,
        DenyCode::ResourceInvalid,
        DenyCode::AuthorizationHeaderInvalid,
        DenyCode::TokenRequired,
        DenyCode::TokenTooLarge,
        DenyCode::TokenMalformed,
        DenyCode::HeaderInvalid,
        DenyCode::PayloadInvalid,
        DenyCode::DuplicateJsonKey,
        DenyCode::AlgNotAllowed,
        DenyCode::IssuerMissing,
        DenyCode::IssuerUnknown,
        DenyCode::KeyUnavailable,
        DenyCode::IssuerNoPublicKey,
        DenyCode::IssuerModuleAccount,
        DenyCode::IssuerKeyUnsupported,
        DenyCode::IssuerKeyMismatch,
        DenyCode::SignatureMalformed,
        DenyCode::SignatureHighS,
        DenyCode::SignatureInvalid,
        DenyCode::ClaimsInvalid,
        DenyCode::TokenExpired,
        DenyCode::TokenNotYetValid,
        DenyCode::ResourceRequired,
        DenyCode::OwnerMismatch,
        DenyCode::ProviderNotGranted,
        DenyCode::DeploymentNotGranted,
        DenyCode::ScopeMissing,
        DenyCode::PermissionMissing,
        DenyCode::AccessNotUnlocked,
    ];

    /// The stable snake_case spelling, e.g. `signature_high_s`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DenyCode::UnknownOperation => "unknown_operation",
            DenyCode::RouteNotFound => "route_not_found",
            DenyCode::ResourceInvalid => "resource_invalid",
            DenyCode::AuthorizationHeaderInvalid => "authorization_header_invalid",
            DenyCode::TokenRequired => "token_required",
            DenyCode::TokenTooLarge => "token_too_large",
            DenyCode::TokenMalformed => "token_malformed",
            DenyCode::HeaderInvalid => "header_invalid",
            DenyCode::PayloadInvalid => "payload_invalid",
            DenyCode::DuplicateJsonKey => "duplicate_json_key",
            DenyCode::AlgNotAllowed => "alg_not_allowed",
            DenyCode::IssuerMissing => "issuer_missing",
            DenyCode::IssuerUnknown => "issuer_unknown",
            DenyCode::KeyUnavailable => "key_unavailable",
            DenyCode::IssuerNoPublicKey => "issuer_no_public_key",
            DenyCode::IssuerModuleAccount => "issuer_module_account",
            DenyCode::IssuerKeyUnsupported => "issuer_key_unsupported",
            DenyCode::IssuerKeyMismatch => "issuer_key_mismatch",
            DenyCode::SignatureMalformed => "signature_malformed",
            DenyCode::SignatureHighS => "signature_high_s",
            DenyCode::SignatureInvalid => "signature_invalid",
            DenyCode::ClaimsInvalid => "claims_invalid",
            DenyCode::TokenExpired => "token_expired",
            DenyCode::TokenNotYetValid => "token_not_yet_valid",
            DenyCode::ResourceRequired => "resource_required",
            DenyCode::OwnerMismatch => "owner_mismatch",
            DenyCode::ProviderNotGranted => "provider_not_granted",
            DenyCode::DeploymentNotGranted => "deployment_not_granted",
            DenyCode::ScopeMissing => "scope_missing",
            DenyCode::PermissionMissing => "permission_missing",
            DenyCode::AccessNotUnlocked => "access_not_unlocked",
        }
    }

    /// Whether a denial with this code happened after the signature was verified, so the
    /// issuer it names is the token's verified `iss`. For earlier codes (route, header, token,
    /// algorithm, key, signature) the issuer, if any, is only what the token claims: log it as
    /// a claim, never as an identity.
    pub const fn issuer_is_verified(self) -> bool {
        matches!(
            self,
            DenyCode::ClaimsInvalid
                | DenyCode::TokenExpired
                | DenyCode::TokenNotYetValid
                | DenyCode::ResourceRequired
                | DenyCode::OwnerMismatch
                | DenyCode::ProviderNotGranted
                | DenyCode::DeploymentNotGranted
                | DenyCode::ScopeMissing
                | DenyCode::PermissionMissing
                | DenyCode::AccessNotUnlocked
        )
    }

    /// Looks a code up by its stable spelling.
    pub fn from_name(name: &str) -> Option<DenyCode> {
        DenyCode::ALL.into_iter().find(|code| code.as_str() == name)
    }
}

impl fmt::Display for DenyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_codes_after_the_signature_check_vouch_for_the_issuer() {
        assert!(DenyCode::ScopeMissing.issuer_is_verified());
        assert!(DenyCode::TokenExpired.issuer_is_verified());
        assert!(!DenyCode::SignatureInvalid.issuer_is_verified());
        assert!(!DenyCode::IssuerUnknown.issuer_is_verified());
        assert!(!DenyCode::TokenMalformed.issuer_is_verified());
    }

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in DenyCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert_eq!(DenyCode::from_name(code.as_str()), Some(code));
        }
    }

    #[test]
    fn every_code_is_documented_in_specs() {
        let doc = include_str!("../../../specs/deny-codes.md");
        for code in DenyCode::ALL {
            assert!(
                doc.contains(&format!("`{code}`")),
                "specs/deny-codes.md lacks `{code}`"
            );
        }
    }
}
