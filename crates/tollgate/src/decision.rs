//! The answer: allow, or deny with a stable code and a reason a person can act on.

use std::fmt;

use crate::DenyCode;

/// The outcome of one authorization request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The request may proceed.
    Allow {
        /// The verified issuer (`iss`) of the token, if the request carried one that names it.
        issuer: Option<String>,
        /// The token's `exp` (Unix seconds), if it has one; `None` for anonymous requests.
        expires_at: Option<i64>,
    },
    /// The request must be refused.
    Deny(Denial),
}

/// Why a request was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denial {
    /// The stable machine-readable code.
    pub code: DenyCode,
    /// One line for a person: what failed and, where it helps, what to do.
    pub reason: String,
    /// The token's issuer, when it was read before the request failed. It is verified only
    /// when [`DenyCode::issuer_is_verified`] says so; otherwise it is what the token claims.
    pub issuer: Option<String>,
}

impl Decision {
    /// True for [`Decision::Allow`].
    pub fn is_allow(&self) -> bool {
        matches!(self, Decision::Allow { .. })
    }

    /// The deny code, or `None` when allowed.
    pub fn code(&self) -> Option<DenyCode> {
        match self {
            Decision::Allow { .. } => None,
            Decision::Deny(denial) => Some(denial.code),
        }
    }

    /// The one-line reason (`allowed` for an allow).
    pub fn reason(&self) -> &str {
        match self {
            Decision::Allow { .. } => "allowed",
            Decision::Deny(denial) => &denial.reason,
        }
    }

    /// The token's issuer, if known.
    pub fn issuer(&self) -> Option<&str> {
        match self {
            Decision::Allow { issuer, .. } => issuer.as_deref(),
            Decision::Deny(denial) => denial.issuer.as_deref(),
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Allow { .. } => f.write_str("allow"),
            Decision::Deny(denial) => write!(f, "deny [{}]: {}", denial.code, denial.reason),
        }
    }
}
