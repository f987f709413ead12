//! Diagnostics: stable lint codes, severities, and the miette reports built from them.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::span::Span;

/// How serious a diagnostic is. Errors stop [`crate::Policy::compile`]; warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The policy cannot be compiled.
    Error,
    /// The policy compiles, but something in it is probably a mistake.
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! lint_codes {
    ($( $(#[$doc:meta])* $variant:ident => $code:literal, $severity:ident, $summary:literal; )*) => {
        /// Every diagnostic `policy-check` can report. The codes are stable.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum LintCode {
            $( $(#[$doc])* $variant, )*
        }

        impl LintCode {
            /// Every code, in documentation order.
            pub const ALL: &'static [LintCode] = &[ $( LintCode::$variant, )* ];

            /// The stable code, e.g. `policy::duplicate_scope`.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $( LintCode::$variant => $code, )* }
            }

            /// The severity this code always has.
            #[must_use]
            pub const fn severity(self) -> Severity {
                match self { $( LintCode::$variant => Severity::$severity, )* }
            }

            /// A one-line summary of what the lint finds.
            #[must_use]
            pub const fn summary(self) -> &'static str {
                match self { $( LintCode::$variant => $summary, )* }
            }
        }
    };
}

lint_codes! {
    /// A line that does not parse.
    Syntax => "policy::syntax", Error, "a line does not parse";
    /// A line that starts with an unknown keyword.
    UnknownStatement => "policy::unknown_statement", Error, "a line starts with an unknown keyword";
    /// A leeway with a bad unit or too large a value.
    InvalidLeeway => "policy::invalid_leeway", Error, "a leeway has an unknown unit or overflows";
    /// A required statement (`policy`, `family`, `algorithms`, `claims`, `leeway`) is missing.
    MissingStatement => "policy::missing_statement", Error, "a required statement is missing";
    /// A statement that may appear once appears again.
    DuplicateStatement => "policy::duplicate_statement", Error, "a statement that may appear once appears again";
    /// `family` names neither `akash` nor `filecoin`.
    UnknownFamily => "policy::unknown_family", Error, "the family is neither `akash` nor `filecoin`";
    /// An algorithm name Tollgate does not know.
    UnknownAlgorithm => "policy::unknown_algorithm", Error, "an algorithm name is not known";
    /// The algorithm list names `none`.
    AlgorithmNone => "policy::algorithm_none", Error, "the algorithm list names `none`";
    /// The algorithm list mixes HMAC and EC algorithms.
    MixedAlgorithmFamilies => "policy::mixed_algorithm_families", Error, "the algorithm list mixes HMAC and EC algorithms";
    /// An algorithm that the policy's token family never uses.
    AlgorithmFamilyMismatch => "policy::algorithm_family_mismatch", Error, "an algorithm does not fit the token family";
    /// A `claims` behaviour that does not exist for the family.
    UnknownClaims => "policy::unknown_claims", Error, "the claims behaviour does not exist for the family";
    /// A statement or clause that the policy's family does not use.
    WrongFamily => "policy::wrong_family", Error, "a statement or clause does not apply to the family";
    /// `bearer optional` in a policy whose claims are not `forest`.
    BearerNotApplicable => "policy::bearer_not_applicable", Error, "`bearer optional` in a policy that does not use `claims forest`";
    /// A scope name that is not one of the ten Akash scopes.
    UnknownScope => "policy::unknown_scope", Error, "a scope is not one of the ten Akash scopes";
    /// A scope declared twice.
    DuplicateScope => "policy::duplicate_scope", Error, "a scope is declared twice";
    /// A permission declared twice.
    DuplicatePermission => "policy::duplicate_permission", Error, "a permission is declared twice";
    /// A permission set defined twice.
    DuplicateSet => "policy::duplicate_set", Error, "a permission set is defined twice";
    /// An operation or alias name declared twice.
    DuplicateOperation => "policy::duplicate_operation", Error, "an operation or alias name is declared twice";
    /// An access type configured twice.
    DuplicateAccess => "policy::duplicate_access", Error, "an access type is configured twice";
    /// A reference to a scope no `scope` statement declares.
    UndeclaredScope => "policy::undeclared_scope", Error, "a scope is used but not declared";
    /// A reference to a permission no `permission` statement declares.
    UndeclaredPermission => "policy::undeclared_permission", Error, "a permission is used but not declared";
    /// An alias whose target is not a declared operation.
    UndeclaredOperation => "policy::undeclared_operation", Error, "an alias names an operation that is not declared";
    /// An access type other than `full`, `scoped`, `granular`.
    UnknownAccess => "policy::unknown_access", Error, "an access type is not `full`, `scoped` or `granular`";
    /// An `unlocks` item that does not belong to the access type.
    InvalidUnlock => "policy::invalid_unlock", Error, "an `unlocks` item does not belong to the access type";
    /// A resource other than `provider`, `deployment`, `lease`.
    UnknownResource => "policy::unknown_resource", Error, "a resource is not `provider`, `deployment` or `lease`";
    /// A public operation that also requires something or acts on a resource.
    PublicWithRequirement => "policy::public_with_requirement", Error, "a public operation also requires a grant or a resource";
    /// A route or `unrouted` line names an operation that is not declared.
    RouteUnknownOperation => "policy::route_unknown_operation", Error, "a route names an operation that is not declared";
    /// Two routes can match the same request.
    RouteOverlap => "policy::route_overlap", Error, "two routes can match the same request";
    /// A route's `{dseq}`/`{gseq}`/`{oseq}` variables do not fill its operation's resource exactly.
    RouteResourceMismatch => "policy::route_resource_mismatch", Error, "a route's resource variables do not fit its operation's resource";
    /// An operation marked `unrouted` also has a route.
    UnroutedHasRoute => "policy::unrouted_has_route", Error, "an operation marked `unrouted` has a route";
    /// A list that names the same item twice.
    DuplicateItem => "policy::duplicate_item", Warning, "a list names the same item twice";
    /// A declared scope that no operation requires.
    UnusedScope => "policy::unused_scope", Warning, "a declared scope is required by no operation";
    /// A declared permission that no operation requires.
    UnusedPermission => "policy::unused_permission", Warning, "a declared permission is required by no operation";
    /// An operation no token could ever be allowed to perform.
    UnreachableOperation => "policy::unreachable_operation", Warning, "no token could ever be allowed to perform an operation";
    /// Anonymous requests are granted more than `read`.
    AnonymousAboveRead => "policy::anonymous_above_read", Warning, "anonymous requests are granted more than `read`";
    /// A clock leeway above 300 seconds.
    LargeLeeway => "policy::large_leeway", Warning, "the clock leeway is above 300 seconds";
    /// Two names that differ only in case or by a confusable character.
    ConfusableName => "policy::confusable_name", Warning, "two names differ only in case or by confusable characters";
    /// In a policy with routes, an operation with neither a route nor an `unrouted` line.
    OperationWithoutRoute => "policy::operation_without_route", Warning, "an operation has neither a route nor an `unrouted` line";
}

impl fmt::Display for LintCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A finding before it is attached to its source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Finding {
    pub code: LintCode,
    pub message: String,
    pub label: String,
    pub span: Span,
    pub help: Option<String>,
    pub secondary: Vec<(Span, String)>,
}

impl Finding {
    pub(crate) fn new(code: LintCode, span: Span, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            label: String::new(),
            span,
            help: None,
            secondary: Vec::new(),
        }
    }

    /// A second labelled span, e.g. the earlier of two conflicting lines.
    pub(crate) fn secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }

    pub(crate) fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// The shared, named source of one policy file.
pub type PolicySource = Arc<NamedSource<Arc<str>>>;

/// One diagnostic about a policy file: code, severity, message, help and the underlined span.
#[derive(Clone, Debug)]
pub struct PolicyDiagnostic {
    code: LintCode,
    message: String,
    label: String,
    span: Span,
    help: Option<String>,
    secondary: Vec<(Span, String)>,
    source: PolicySource,
}

impl PolicyDiagnostic {
    pub(crate) fn from_finding(finding: Finding, source: &PolicySource) -> Self {
        Self {
            code: finding.code,
            message: finding.message,
            label: finding.label,
            span: finding.span,
            help: finding.help,
            secondary: finding.secondary,
            source: Arc::clone(source),
        }
    }

    /// The lint code.
    #[must_use]
    pub fn code(&self) -> LintCode {
        self.code
    }

    /// Error or warning.
    #[must_use]
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// The one-line message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The help line, if any.
    #[must_use]
    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// The label printed under the span.
    #[must_use]
    pub fn label_text(&self) -> &str {
        &self.label
    }

    /// The underlined span.
    #[must_use]
    pub fn span(&self) -> Span {
        self.span
    }

    /// Further labelled spans (e.g. the earlier of two overlapping routes), in order.
    #[must_use]
    pub fn secondary_labels(&self) -> &[(Span, String)] {
        &self.secondary
    }

    /// The file name the source was read from.
    #[must_use]
    pub fn origin(&self) -> &str {
        self.source.name()
    }

    /// The whole source text of the file.
    #[must_use]
    pub fn source_text(&self) -> &str {
        self.source.inner()
    }

    /// The underlined text itself.
    #[must_use]
    pub fn snippet(&self) -> &str {
        self.span.text(self.source.inner()).unwrap_or("")
    }

    /// 1-based line and column (in characters) of the span's start.
    #[must_use]
    pub fn line_col(&self) -> (usize, usize) {
        line_col(self.source.inner(), self.span.offset)
    }

    /// 1-based line and column just past the span's end.
    #[must_use]
    pub fn end_line_col(&self) -> (usize, usize) {
        line_col(self.source.inner(), self.span.end())
    }
}

/// 1-based (line, column) of a byte offset, counting columns in characters.
#[must_use]
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

impl fmt::Display for PolicyDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyDiagnostic {}

impl Diagnostic for PolicyDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.code.severity() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "https://github.com/tollgate-auth/tollgate/blob/main/specs/policy-language.md#{}",
            self.code.as_str().replace("::", "").replace('_', "-")
        )))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&*self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = if self.label.is_empty() {
            None
        } else {
            Some(self.label.clone())
        };
        let primary = LabeledSpan::new_primary_with_span(label, self.span);
        let secondary = self
            .secondary
            .iter()
            .map(|(span, label)| LabeledSpan::new_with_span(Some(label.clone()), *span));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// Every diagnostic of a policy that failed to compile: at least one error, and any warnings,
/// sorted by position.
#[derive(Clone, Debug)]
pub struct PolicyErrors {
    // INVARIANT: non-empty, and holds at least one `Severity::Error`.
    diagnostics: Vec<PolicyDiagnostic>,
}

impl PolicyErrors {
    pub(crate) fn new(diagnostics: Vec<PolicyDiagnostic>) -> Option<Self> {
        diagnostics
            .iter()
            .any(|d| d.severity() == Severity::Error)
            .then_some(Self { diagnostics })
    }

    /// A single error for a policy that failed without a more specific diagnostic.
    pub(crate) fn internal(source: &str, origin: &str) -> Self {
        let src = Arc::new(NamedSource::new(origin, Arc::<str>::from(source)));
        let finding = Finding::new(
            LintCode::MissingStatement,
            Span::new(0, 0),
            "the policy could not be compiled",
        )
        .help("run `policy-check` on the file");
        Self {
            diagnostics: vec![PolicyDiagnostic::from_finding(finding, &src)],
        }
    }

    /// Every diagnostic, sorted by position.
    pub fn iter(&self) -> impl Iterator<Item = &PolicyDiagnostic> {
        self.diagnostics.iter()
    }

    /// Only the errors.
    pub fn errors(&self) -> impl Iterator<Item = &PolicyDiagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
    }

    /// The first error.
    #[must_use]
    pub fn first(&self) -> Option<&PolicyDiagnostic> {
        self.errors().next()
    }

    /// How many diagnostics there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.diagnostics.len()
    }

    /// Always false: there is at least one error.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.diagnostics.is_empty()
    }

    /// The diagnostics, by value.
    #[must_use]
    pub fn into_vec(self) -> Vec<PolicyDiagnostic> {
        self.diagnostics
    }
}

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.errors().count();
        match self.first() {
            Some(first) => {
                let (line, col) = first.line_col();
                write!(f, "{}:{line}:{col}: {}", first.origin(), first.message())?;
                if errors > 1 {
                    write!(f, " (and {} more)", errors - 1)?;
                }
                Ok(())
            }
            None => f.write_str("policy has errors"),
        }
    }
}

impl std::error::Error for PolicyErrors {}

impl Diagnostic for PolicyErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("policy::invalid"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(
            "run `policy-check` on the file to see every problem",
        ))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(
            self.diagnostics.iter().map(|d| d as &dyn Diagnostic),
        ))
    }
}
