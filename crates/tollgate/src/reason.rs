//! Deny codes and one-line reasons for every failure, in one place.
//!
//! Reasons are lowercase, one line, name the offending value in backticks and, where it helps,
//! say what to do.

use tollgate_policy::{DenyReason, OperationDef, ResourceKind};
use tollgate_schema::ClaimErrors;
use tollgate_verify::{Algorithm, ParseError, ResolveError, VerifyError};

use crate::DenyCode;
use crate::cache::Claims;

pub(crate) fn unknown_operation(op: &str, policy: &str) -> String {
    format!("operation `{op}` is not declared by policy `{policy}`")
}

pub(crate) fn describe_operation(def: &OperationDef) -> String {
    let on = match def.resource {
        ResourceKind::None => "",
        ResourceKind::Provider => " on the provider",
        ResourceKind::Deployment => " on a deployment",
        ResourceKind::Lease => " on a lease",
    };
    let public = if def.public { ", public" } else { "" };
    format!("`{}` is declared{on}{public}", def.name)
}

fn resource_phrase(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::None => "no resource",
        ResourceKind::Provider => "the provider itself",
        ResourceKind::Deployment => "a deployment: pass `DSEQ`",
        ResourceKind::Lease => "a lease: pass `DSEQ/GSEQ/OSEQ`",
    }
}

pub(crate) fn parse_error(error: &ParseError) -> (DenyCode, String) {
    let code = match error {
        ParseError::TooLong { .. } => DenyCode::TokenTooLarge,
        ParseError::HeaderNotJson { .. }
        | ParseError::HeaderNotObject
        | ParseError::AlgMissing
        | ParseError::AlgNotString => DenyCode::HeaderInvalid,
        ParseError::PayloadNotJson { .. } | ParseError::PayloadNotObject => {
            DenyCode::PayloadInvalid
        }
        ParseError::DuplicateKey { .. } => DenyCode::DuplicateJsonKey,
        _ => DenyCode::TokenMalformed,
    };
    (code, format!("malformed token: {error}"))
}

pub(crate) fn verify_error(error: &VerifyError, allowed: &[Algorithm]) -> (DenyCode, String) {
    match error {
        VerifyError::AlgorithmNotAllowed { alg } => (
            DenyCode::AlgNotAllowed,
            format!("header `alg` `{alg}` is not accepted by this policy (it accepts {})", algorithm_list(allowed)),
        ),
        VerifyError::KeyFamilyMismatch { alg, .. } => (
            DenyCode::AlgNotAllowed,
            format!("header `alg` `{}` does not fit this policy's keys (it accepts {})", alg.name(), algorithm_list(allowed)),
        ),
        VerifyError::IssuerMissing => (
            DenyCode::IssuerMissing,
            "the token has no `iss`, which an ADR-036 signature signs over: mint it with the issuer address".to_owned(),
        ),
        VerifyError::SignatureLength { expected, found } => (
            DenyCode::SignatureMalformed,
            format!("signature is {found} bytes, expected {expected} (r||s; DER-encoded signatures are not accepted)"),
        ),
        VerifyError::HighS => (
            DenyCode::SignatureHighS,
            "signature has a high S value, which Akash rejects: sign with a signer that normalises S to the lower half".to_owned(),
        ),
        VerifyError::SignatureInvalid => {
            (DenyCode::SignatureInvalid, "signature does not verify with the issuer's key".to_owned())
        }
        other => (DenyCode::SignatureInvalid, format!("signature rejected: {other}")),
    }
}

fn algorithm_list(allowed: &[Algorithm]) -> String {
    allowed
        .iter()
        .map(|alg| format!("`{}`", alg.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn resolve_error(error: &ResolveError) -> (DenyCode, String) {
    match error {
        ResolveError::UnknownIssuer { issuer } => (
            DenyCode::IssuerUnknown,
            format!(
                "no public key is known for issuer `{issuer}`: the account must exist on chain with a public key"
            ),
        ),
        ResolveError::Unavailable { issuer, reason } => (
            DenyCode::KeyUnavailable,
            format!("could not look up the key of issuer `{issuer}`: {reason}"),
        ),
        ResolveError::NoPublicKey { .. } => (
            DenyCode::IssuerNoPublicKey,
            format!("{error}: send any transaction from the account to publish its key"),
        ),
        ResolveError::ModuleAccount { .. } => (DenyCode::IssuerModuleAccount, error.to_string()),
        ResolveError::UnsupportedKeyType { .. } => (
            DenyCode::IssuerKeyUnsupported,
            format!("{error}: sign with a single-key secp256k1 account"),
        ),
        ResolveError::KeyMismatch { .. } => (
            DenyCode::IssuerKeyMismatch,
            format!("{error}: the key source is wrong or compromised"),
        ),
    }
}

pub(crate) fn claims_errors(errors: &ClaimErrors) -> String {
    let first = errors.first();
    let more = errors.len().saturating_sub(1);
    let tail = if more == 0 {
        String::new()
    } else {
        format!(" (and {more} more)")
    };
    let at = if first.pointer.is_empty() {
        String::new()
    } else {
        format!(" at `{}`", first.pointer)
    };
    format!("invalid claims: {}{at}{tail}", first.message)
}

pub(crate) fn expired(exp: i64, now: i64, leeway: i64) -> String {
    format!("token expired at {exp} (now {now}, leeway {leeway} s): mint a new token")
}

pub(crate) fn not_yet_valid(nbf: i64, now: i64, leeway: i64) -> String {
    format!(
        "token is not valid before {nbf} (now {now}, leeway {leeway} s): check the issuer's clock"
    )
}

pub(crate) fn describe_time(claims: &Claims, now: i64, leeway: i64) -> String {
    match claims {
        Claims::Akash(akash) => {
            format!(
                "nbf {} <= now {now} < exp {} (leeway {leeway} s)",
                akash.nbf, akash.exp
            )
        }
        Claims::Filecoin(filecoin) => match filecoin.exp {
            Some(exp) => format!("now {now} < exp {exp} (leeway {leeway} s)"),
            None => "no expiry to check under this policy".to_owned(),
        },
    }
}

pub(crate) fn policy_denial(
    why: &DenyReason,
    def: &OperationDef,
    provider: &str,
) -> (DenyCode, String) {
    let op = &def.name;
    match why {
        DenyReason::TokenRequired => (
            DenyCode::TokenRequired,
            format!("`{op}` is not open to anonymous requests: send a token"),
        ),
        DenyReason::ResourceRequired { expected } => (
            DenyCode::ResourceRequired,
            format!("`{op}` acts on {}", resource_phrase(*expected)),
        ),
        DenyReason::OwnerMismatch { owner, issuer } => (
            DenyCode::OwnerMismatch,
            format!("the resource belongs to `{owner}`, not to the token's issuer `{issuer}`"),
        ),
        DenyReason::ProviderNotGranted => (
            DenyCode::ProviderNotGranted,
            if provider.is_empty() {
                "the granular token names providers, but this service has no provider address configured".to_owned()
            } else {
                format!("the granular token has no entry for this provider `{provider}`")
            },
        ),
        DenyReason::DeploymentNotGranted => (
            DenyCode::DeploymentNotGranted,
            format!(
                "no deployment entry of the token's provider entry matches the resource of `{op}`"
            ),
        ),
        DenyReason::ScopeMissing { scope } => (
            DenyCode::ScopeMissing,
            format!(
                "the token does not grant scope `{}`, which `{op}` requires",
                scope.as_str()
            ),
        ),
        DenyReason::PermissionMissing { permission } => (
            DenyCode::PermissionMissing,
            format!("missing permission to invoke `{op}` (need `{permission}`)"),
        ),
        DenyReason::AccessNotUnlocked { access } => (
            DenyCode::AccessNotUnlocked,
            format!("this policy does not unlock `{}` access", access.as_str()),
        ),
        other => (
            DenyCode::AccessNotUnlocked,
            format!("denied by policy: {other:?}"),
        ),
    }
}
