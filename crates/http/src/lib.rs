//! Tollgate over HTTP: the request → decision mapping and a tower middleware.
//!
//! An HTTP request becomes an authorization question in three steps, each owned by data:
//!
//! 1. **Route**: the policy's `route` table maps the method and path to an operation and its
//!    resource (`PUT /deployment/{dseq}/manifest` → `manifest.send` on deployment `dseq`). A
//!    request no route matches is denied (`route_not_found`).
//! 2. **Token**: the `Authorization` header is read exactly as the policy's family does upstream
//!    (Akash: two whitespace-separated fields, `bearer` in any case; Forest and Lotus: the
//!    case-sensitive prefix `Bearer `).
//! 3. **Decision**: [`tollgate::Authorizer::authorize`], then the deny is mapped to the response
//!    the policy's style prescribes (`specs/http-responses.md`): the Go provider's statuses and
//!    `{"message": …}` bodies under an upstream-compatible policy, 401/403 under a strict one.
//!
//! [`decide`] does all three for any HTTP stack (`tollgate serve` uses it for forward-auth);
//! [`AuthLayer`] wraps a tower service (axum, hyper) and puts the verified [`Identity`] into the
//! request extensions. The authorizer sits behind a [`SharedAuthorizer`], an atomic swap, so a
//! reload never exposes a half-loaded policy.
#![deny(missing_docs)]

mod decide;
mod extract;
mod layer;
mod response;
mod shared;

pub use decide::{HttpDecision, Identity, RequestFacts, decide, decide_operation};
pub use extract::AuthorizationHeader;
pub use layer::{AuthLayer, Authorize, ResponseFuture};
pub use response::{DenyBody, HttpDenial, ResponseStyle};
pub use shared::SharedAuthorizer;

/// The response header carrying the stable deny code on every deny.
pub const CODE_HEADER: &str = "x-tollgate-code";
/// The header forward-auth answers carry the verified issuer in.
pub const ISSUER_HEADER: &str = "x-tollgate-issuer";
/// The header forward-auth answers carry the operation name in.
pub const OPERATION_HEADER: &str = "x-tollgate-operation";
