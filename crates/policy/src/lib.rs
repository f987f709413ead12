//! The Tollgate policy language: parser, compiler, fast evaluator, reference evaluator, lints and
//! formatter. The language is described in `specs/policy-language.md`.
//!
//! ```
//! use tollgate_policy::{Policy, Verdict};
//! let policy = Policy::compile(
//!     "policy demo\nfamily filecoin\nalgorithms HS256\nclaims lotus\nleeway 0s\n\
//!      permission read\nanonymous read\noperation Filecoin.ChainHead requires read\n",
//!     "demo.policy",
//! ).unwrap();
//! let op = policy.operation("Filecoin.ChainHead").unwrap();
//! assert_eq!(policy.decide_anonymous(op), Verdict::Allow);
//! ```

/// The claim types this crate decides over.
mod schema {
    pub(crate) use tollgate_schema::{
        Access, AkashBehaviour, AkashClaims, FilecoinBehaviour, FilecoinClaims, Scope, ScopeSet,
    };
}

mod analyze;
mod ast;
mod diagnostic;
mod format;
pub mod lint;
mod model;
mod parser;
mod policy;
pub mod reference;
mod route;
mod route_check;
mod span;
mod suggest;

pub use analyze::MAX_SANE_LEEWAY_SECS;
pub use ast::{Ident, PolicyAst, Statement, StatementKind};
pub use diagnostic::{LintCode, PolicyDiagnostic, PolicyErrors, Severity, line_col};
pub use format::{format_source, print_statement};
pub use lint::{CheckReport, check, parse_source};
pub use model::{
    AkashRequest, Algorithm, BearerPrefix, ClaimsRule, DenyReason, Family, OpId, OperationDef,
    Requirement, Resource, ResourceKind, Verdict,
};
pub use policy::Policy;
pub use route::{MAX_ROUTE_SEGMENTS, RouteDef, RouteMatch, RouteMiss};
pub use span::Span;
