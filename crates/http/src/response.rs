//! Denials as HTTP responses, in the style the policy prescribes (`specs/http-responses.md`).

use http::header::{CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use http::{Response, StatusCode};
use tollgate::policy::{ClaimsRule, Policy};
use tollgate::schema::AkashBehaviour;
use tollgate::{DenyCode, Resource};

use crate::CODE_HEADER;

/// How denials look on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseStyle {
    /// The Go provider's responses (AKASH.md §8.3): 400 `invalid authorization header`, 400
    /// `JWT has invalid claims` (expired tokens included), 401 `JWT is invalid`, 401
    /// `unauthorized access`, 404 `404 page not found`. Chosen by `claims upstream-compatible`.
    Upstream,
    /// RFC 6750: 400 for a malformed header, 401 for a missing, bad or expired token, 403 for a
    /// good token that lacks the permission, 503 when the key source cannot answer.
    Strict,
}

impl ResponseStyle {
    /// The style of `policy`: upstream for an Akash policy with upstream-compatible claims,
    /// strict otherwise.
    pub fn of(policy: &Policy) -> Self {
        match policy.claims_rule() {
            ClaimsRule::Akash(AkashBehaviour::UpstreamCompatible) => ResponseStyle::Upstream,
            _ => ResponseStyle::Strict,
        }
    }
}

/// The body of a deny response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DenyBody {
    /// No body.
    Empty,
    /// A JSON object, e.g. `{"message":"JWT is invalid"}`.
    Json(String),
    /// Plain text, as Go's `http.Error` writes it (with its trailing newline).
    Text(String),
}

impl DenyBody {
    /// The `Content-Type` of the body, if any.
    pub fn content_type(&self) -> Option<&'static str> {
        match self {
            DenyBody::Empty => None,
            DenyBody::Json(_) => Some("application/json"),
            DenyBody::Text(_) => Some("text/plain; charset=utf-8"),
        }
    }

    /// The body bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            DenyBody::Empty => b"",
            DenyBody::Json(text) | DenyBody::Text(text) => text.as_bytes(),
        }
    }

    /// The body as text.
    pub fn as_str(&self) -> &str {
        match self {
            DenyBody::Empty => "",
            DenyBody::Json(text) | DenyBody::Text(text) => text,
        }
    }
}

/// A refusal, mapped to the HTTP response the policy's style prescribes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpDenial {
    /// The stable deny code (also sent as `X-Tollgate-Code`).
    pub code: DenyCode,
    /// One line for logs and strict bodies; never contains the token.
    pub reason: String,
    /// The operation, when a route matched.
    pub operation: Option<String>,
    /// The resource the route named (`Resource::None` when no route matched or the operation
    /// acts on none).
    pub resource: Resource,
    /// The token's issuer, when it was read.
    pub issuer: Option<String>,
    /// The response status.
    pub status: StatusCode,
    /// The response body.
    pub body: DenyBody,
    /// The `WWW-Authenticate` challenge (RFC 6750), on 400, 401 and 403.
    pub www_authenticate: Option<&'static str>,
}

impl HttpDenial {
    /// The response: status, `X-Tollgate-Code`, `WWW-Authenticate`, `Content-Type` and body.
    pub fn to_response<B: From<String>>(&self) -> Response<B> {
        let mut response = Response::new(B::from(self.body.as_str().to_owned()));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(CODE_HEADER, HeaderValue::from_static(self.code.as_str()));
        if let Some(challenge) = self.www_authenticate {
            headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        if let Some(content_type) = self.body.content_type() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        response
    }
}

/// RFC 6750 §3 challenges.
const CHALLENGE_NO_TOKEN: &str = "Bearer";
const CHALLENGE_INVALID_REQUEST: &str = "Bearer error=\"invalid_request\"";
const CHALLENGE_INVALID_TOKEN: &str = "Bearer error=\"invalid_token\"";
const CHALLENGE_INSUFFICIENT_SCOPE: &str = "Bearer error=\"insufficient_scope\"";

/// Which family of failure a code belongs to, for the status mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// No route, or an unusable path.
    Route,
    /// The path's resource id is not a number.
    Resource,
    /// The `Authorization` header is malformed.
    Header,
    /// The token is unusable: parse, algorithm, key, signature.
    Token,
    /// The key source could not answer.
    KeySource,
    /// The claims or the time window.
    Claims,
    /// No token where one is needed.
    Missing,
    /// A valid token without the right.
    Permission,
}

const fn stage(code: DenyCode) -> Stage {
    match code {
        DenyCode::RouteNotFound | DenyCode::UnknownOperation => Stage::Route,
        DenyCode::ResourceInvalid => Stage::Resource,
        DenyCode::AuthorizationHeaderInvalid => Stage::Header,
        DenyCode::TokenTooLarge
        | DenyCode::TokenMalformed
        | DenyCode::HeaderInvalid
        | DenyCode::PayloadInvalid
        | DenyCode::DuplicateJsonKey
        | DenyCode::AlgNotAllowed
        | DenyCode::IssuerMissing
        | DenyCode::IssuerUnknown
        | DenyCode::IssuerNoPublicKey
        | DenyCode::IssuerModuleAccount
        | DenyCode::IssuerKeyUnsupported
        | DenyCode::IssuerKeyMismatch
        | DenyCode::SignatureMalformed
        | DenyCode::SignatureHighS
        | DenyCode::SignatureInvalid => Stage::Token,
        DenyCode::KeyUnavailable => Stage::KeySource,
        DenyCode::ClaimsInvalid | DenyCode::TokenExpired | DenyCode::TokenNotYetValid => {
            Stage::Claims
        }
        DenyCode::TokenRequired => Stage::Missing,
        DenyCode::ResourceRequired
        | DenyCode::OwnerMismatch
        | DenyCode::ProviderNotGranted
        | DenyCode::DeploymentNotGranted
        | DenyCode::ScopeMissing
        | DenyCode::PermissionMissing
        | DenyCode::AccessNotUnlocked => Stage::Permission,
    }
}

/// Maps a deny to its response in `style`.
pub(crate) fn denial(
    style: ResponseStyle,
    code: DenyCode,
    reason: String,
    operation: Option<String>,
    issuer: Option<String>,
) -> HttpDenial {
    let (status, body, www_authenticate) = match style {
        ResponseStyle::Upstream => upstream(code, &reason),
        ResponseStyle::Strict => strict(code, &reason),
    };
    HttpDenial {
        code,
        reason,
        operation,
        resource: Resource::None,
        issuer,
        status,
        body,
        www_authenticate,
    }
}

/// `jwtErrorToHTTP` and the gorilla/mux defaults of `akash-network/provider@afc4dd7`.
fn upstream(code: DenyCode, reason: &str) -> (StatusCode, DenyBody, Option<&'static str>) {
    let message = |text: &str| DenyBody::Json(serde_json::json!({ "message": text }).to_string());
    match stage(code) {
        // mux's NotFoundHandler: `http.NotFound`.
        Stage::Route => (
            StatusCode::NOT_FOUND,
            DenyBody::Text("404 page not found\n".to_owned()),
            None,
        ),
        // `requireDeploymentID` / `requireLeaseID`: `http.Error(w, err.Error(), 400)`.
        Stage::Resource => (
            StatusCode::BAD_REQUEST,
            DenyBody::Text(format!("{reason}\n")),
            None,
        ),
        Stage::Header => (
            StatusCode::BAD_REQUEST,
            message("invalid authorization header"),
            Some(CHALLENGE_INVALID_REQUEST),
        ),
        // golang-jwt wraps expiry in ErrTokenInvalidClaims, which the provider tests first.
        Stage::Claims => (
            StatusCode::BAD_REQUEST,
            message("JWT has invalid claims"),
            Some(CHALLENGE_INVALID_TOKEN),
        ),
        Stage::Token | Stage::KeySource => (
            StatusCode::UNAUTHORIZED,
            message("JWT is invalid"),
            Some(CHALLENGE_INVALID_TOKEN),
        ),
        Stage::Missing => (
            StatusCode::UNAUTHORIZED,
            message("unauthorized access"),
            Some(CHALLENGE_NO_TOKEN),
        ),
        Stage::Permission => (
            StatusCode::UNAUTHORIZED,
            message("unauthorized access"),
            Some(CHALLENGE_INSUFFICIENT_SCOPE),
        ),
    }
}

/// RFC 6750 statuses with Tollgate's reason and code in the body.
fn strict(code: DenyCode, reason: &str) -> (StatusCode, DenyBody, Option<&'static str>) {
    let body =
        DenyBody::Json(serde_json::json!({ "message": reason, "code": code.as_str() }).to_string());
    let (status, challenge) = match stage(code) {
        Stage::Route => (StatusCode::NOT_FOUND, None),
        Stage::Resource => (StatusCode::BAD_REQUEST, None),
        Stage::Header => (StatusCode::BAD_REQUEST, Some(CHALLENGE_INVALID_REQUEST)),
        Stage::Token | Stage::Claims => (StatusCode::UNAUTHORIZED, Some(CHALLENGE_INVALID_TOKEN)),
        Stage::KeySource => (StatusCode::SERVICE_UNAVAILABLE, None),
        Stage::Missing => (StatusCode::UNAUTHORIZED, Some(CHALLENGE_NO_TOKEN)),
        Stage::Permission => (StatusCode::FORBIDDEN, Some(CHALLENGE_INSUFFICIENT_SCOPE)),
    };
    (status, body, challenge)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code has a status in both styles, and only 4xx/5xx ones.
    #[test]
    fn every_code_maps_to_an_error_status_with_the_code_header() {
        for code in DenyCode::ALL {
            for style in [ResponseStyle::Upstream, ResponseStyle::Strict] {
                let denial = denial(style, code, "why".to_owned(), None, None);
                assert!(denial.status.is_client_error() || denial.status.is_server_error());
                let response: Response<String> = denial.to_response();
                assert_eq!(
                    response.headers().get(CODE_HEADER).unwrap(),
                    code.as_str(),
                    "{code} in {style:?}"
                );
                if denial.status == StatusCode::UNAUTHORIZED {
                    assert!(
                        response
                            .headers()
                            .get(WWW_AUTHENTICATE)
                            .unwrap()
                            .to_str()
                            .unwrap()
                            .starts_with("Bearer"),
                        "a 401 carries a Bearer challenge ({code}, {style:?})"
                    );
                }
            }
        }
    }

    #[test]
    fn upstream_expired_tokens_are_400_invalid_claims() {
        let denial = denial(
            ResponseStyle::Upstream,
            DenyCode::TokenExpired,
            "expired".to_owned(),
            None,
            None,
        );
        assert_eq!(denial.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            denial.body,
            DenyBody::Json(r#"{"message":"JWT has invalid claims"}"#.to_owned())
        );
    }

    #[test]
    fn strict_separates_bad_tokens_from_missing_permissions() {
        let expired = denial(
            ResponseStyle::Strict,
            DenyCode::TokenExpired,
            "expired".to_owned(),
            None,
            None,
        );
        assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
        assert_eq!(expired.www_authenticate, Some(CHALLENGE_INVALID_TOKEN));
        let scope = denial(
            ResponseStyle::Strict,
            DenyCode::ScopeMissing,
            "no scope".to_owned(),
            None,
            None,
        );
        assert_eq!(scope.status, StatusCode::FORBIDDEN);
        assert_eq!(
            scope.body,
            DenyBody::Json(r#"{"code":"scope_missing","message":"no scope"}"#.to_owned())
        );
    }
}
