//! Claim errors: one stable code, a JSON pointer, a message and an optional help line each.

use std::fmt;

/// Where the error codes are documented.
const DOCS: &str = "https://github.com/tollgate-auth/tollgate/blob/main/specs/claims-errors.md";

/// The stable code of a [`ClaimError`]; see `specs/claims-errors.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ClaimErrorCode {
    /// The payload is not JSON.
    InvalidJson,
    /// The payload is JSON but not an object.
    NotAnObject,
    /// A required claim or field is absent.
    MissingField,
    /// A key the schema does not allow (strict mode), including `aud` and `sub`.
    UnknownField,
    /// A value has the wrong JSON type.
    InvalidType,
    /// `iss` is not a valid `akash` bech32 address.
    InvalidIssuer,
    /// A `provider` is empty or not a valid `akash` bech32 address.
    InvalidProvider,
    /// A time claim is negative, fractional or out of range.
    InvalidTime,
    /// `version` is not `v1`.
    InvalidVersion,
    /// `jti` is the empty string (strict mode).
    EmptyJti,
    /// `access` is empty or not one of `full`, `scoped`, `granular`.
    InvalidAccess,
    /// A field the access level does not allow, e.g. `scope` under `full`.
    AccessConflict,
    /// A list that must not be empty is empty.
    EmptyList,
    /// A scope that is not one of the ten known scopes.
    UnknownScope,
    /// A scope listed twice in one list.
    DuplicateScope,
    /// Two permission entries for the same provider.
    DuplicateProvider,
    /// A `dseq`, `gseq` or `oseq` that is zero (`dseq`), fractional, negative or too large.
    InvalidSequence,
    /// `oseq` set without `gseq`.
    OseqWithoutGseq,
    /// An empty service name (strict mode).
    EmptyService,
    /// A service name listed twice.
    DuplicateService,
    /// A Forest token that carries `aud`.
    AudiencePresent,
    /// A violation reported by the JSON schema that no finer rule explains.
    SchemaViolation,
}

impl ClaimErrorCode {
    /// Every code, in documentation order.
    pub const ALL: [ClaimErrorCode; 22] = [
        ClaimErrorCode::InvalidJson,
        ClaimErrorCode::NotAnObject,
        ClaimErrorCode::MissingField,
        ClaimErrorCode::UnknownField,
        ClaimErrorCode::InvalidType,
        ClaimErrorCode::InvalidIssuer,
        ClaimErrorCode::InvalidProvider,
        ClaimErrorCode::InvalidTime,
        ClaimErrorCode::InvalidVersion,
        ClaimErrorCode::EmptyJti,
        ClaimErrorCode::InvalidAccess,
        ClaimErrorCode::AccessConflict,
        ClaimErrorCode::EmptyList,
        ClaimErrorCode::UnknownScope,
        ClaimErrorCode::DuplicateScope,
        ClaimErrorCode::DuplicateProvider,
        ClaimErrorCode::InvalidSequence,
        ClaimErrorCode::OseqWithoutGseq,
        ClaimErrorCode::EmptyService,
        ClaimErrorCode::DuplicateService,
        ClaimErrorCode::AudiencePresent,
        ClaimErrorCode::SchemaViolation,
    ];

    /// The namespaced code, e.g. `claims::duplicate_scope`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ClaimErrorCode::InvalidJson => "claims::invalid_json",
            ClaimErrorCode::NotAnObject => "claims::not_an_object",
            ClaimErrorCode::MissingField => "claims::missing_field",
            ClaimErrorCode::UnknownField => "claims::unknown_field",
            ClaimErrorCode::InvalidType => "claims::invalid_type",
            ClaimErrorCode::InvalidIssuer => "claims::invalid_issuer",
            ClaimErrorCode::InvalidProvider => "claims::invalid_provider",
            ClaimErrorCode::InvalidTime => "claims::invalid_time",
            ClaimErrorCode::InvalidVersion => "claims::invalid_version",
            ClaimErrorCode::EmptyJti => "claims::empty_jti",
            ClaimErrorCode::InvalidAccess => "claims::invalid_access",
            ClaimErrorCode::AccessConflict => "claims::access_conflict",
            ClaimErrorCode::EmptyList => "claims::empty_list",
            ClaimErrorCode::UnknownScope => "claims::unknown_scope",
            ClaimErrorCode::DuplicateScope => "claims::duplicate_scope",
            ClaimErrorCode::DuplicateProvider => "claims::duplicate_provider",
            ClaimErrorCode::InvalidSequence => "claims::invalid_sequence",
            ClaimErrorCode::OseqWithoutGseq => "claims::oseq_without_gseq",
            ClaimErrorCode::EmptyService => "claims::empty_service",
            ClaimErrorCode::DuplicateService => "claims::duplicate_service",
            ClaimErrorCode::AudiencePresent => "claims::audience_present",
            ClaimErrorCode::SchemaViolation => "claims::schema_violation",
        }
    }

    /// Looks a code up by its namespaced name (`claims::…`).
    pub fn from_name(name: &str) -> Option<ClaimErrorCode> {
        ClaimErrorCode::ALL.into_iter().find(|c| c.as_str() == name)
    }

    fn anchor(self) -> &'static str {
        self.as_str().trim_start_matches("claims::")
    }
}

impl fmt::Display for ClaimErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem in a claims payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimError {
    /// Stable code.
    pub code: ClaimErrorCode,
    /// RFC 6901 JSON pointer to the offending value (`""` is the whole payload).
    pub pointer: String,
    /// The rule in words: lowercase, no trailing period, user input in backticks.
    pub message: String,
    /// What to do about it, where that helps.
    pub help: Option<String>,
}

impl fmt::Display for ClaimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{} at `{}`", self.message, self.pointer)
        }
    }
}

impl std::error::Error for ClaimError {}

impl miette::Diagnostic for ClaimError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code.as_str()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_deref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!("{DOCS}#{}", self.code.anchor())))
    }
}

/// Every problem found in one payload; never empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimErrors {
    // INVARIANT: `first` is the first error; `rest` holds the others in report order.
    first: ClaimError,
    rest: Vec<ClaimError>,
}

impl ClaimErrors {
    /// Builds the list from a first error and any further ones.
    pub fn new(first: ClaimError, rest: Vec<ClaimError>) -> Self {
        ClaimErrors { first, rest }
    }

    /// Builds the list from a vector, or returns `None` when it is empty.
    pub fn from_vec(mut errors: Vec<ClaimError>) -> Option<Self> {
        if errors.is_empty() {
            return None;
        }
        let first = errors.remove(0);
        Some(ClaimErrors::new(first, errors))
    }

    /// All errors, in report order.
    pub fn iter(&self) -> impl Iterator<Item = &ClaimError> {
        std::iter::once(&self.first).chain(self.rest.iter())
    }

    /// The first error.
    pub fn first(&self) -> &ClaimError {
        &self.first
    }

    /// Number of errors (at least 1).
    pub fn len(&self) -> usize {
        1 + self.rest.len()
    }

    /// Always `false`; present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Whether any error carries `code`.
    pub fn contains(&self, code: ClaimErrorCode) -> bool {
        self.iter().any(|e| e.code == code)
    }
}

impl fmt::Display for ClaimErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid claims: {}", self.first)?;
        if !self.rest.is_empty() {
            write!(f, " (and {} more)", self.rest.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for ClaimErrors {}

impl miette::Diagnostic for ClaimErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("claims::invalid"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let n = self.len();
        let noun = if n == 1 { "problem" } else { "problems" };
        Some(Box::new(format!(
            "{n} {noun} found in the claims; each is listed below"
        )))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        Some(Box::new(
            self.iter().map(|e| e as &'a dyn miette::Diagnostic),
        ))
    }
}

/// The embedded JSON schema failed to compile (a build defect, never caused by input).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum SchemaSetupError {
    /// The embedded schema text is not JSON.
    #[error("embedded claims schema `{name}` is not json: {reason}")]
    #[diagnostic(code(claims::schema_setup))]
    NotJson {
        /// Which schema.
        name: &'static str,
        /// Parser message.
        reason: String,
    },
    /// The JSON schema compiler refused the schema.
    #[error("embedded claims schema `{name}` does not compile: {reason}")]
    #[diagnostic(code(claims::schema_setup))]
    Compile {
        /// Which schema.
        name: &'static str,
        /// Compiler message.
        reason: String,
    },
}
