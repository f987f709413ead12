//! The typed syntax tree of a policy, with spans.

use crate::model::BearerPrefix;
use crate::span::Span;

/// A name as written in the source (operation, scope, permission, keyword argument...).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    /// The text.
    pub text: String,
    /// Where it is.
    pub span: Span,
}

impl Ident {
    /// A name with a span.
    #[must_use]
    pub fn new(text: impl Into<String>, span: Span) -> Self {
        Self {
            text: text.into(),
            span,
        }
    }

    fn without_span(&self) -> Ident {
        Ident::new(self.text.clone(), Span::default())
    }
}

/// A parsed policy file: its statements in source order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyAst {
    /// Statements in source order (blank lines and comments are not statements).
    pub statements: Vec<Statement>,
}

/// One statement (one line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// What the statement says.
    pub kind: StatementKind,
    /// The statement's text, without its trailing comment.
    pub span: Span,
}

/// The statements of the language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatementKind {
    /// `policy NAME`
    Policy(Ident),
    /// `family akash|filecoin`
    Family(Ident),
    /// `algorithms ALG...`
    Algorithms(Vec<Ident>),
    /// `claims strict|upstream-compatible|forest|lotus`
    Claims(Ident),
    /// `leeway 60s`: seconds (units `s`, `m`, `h` are normalised to seconds).
    Leeway(u64),
    /// `bearer required|optional`: whether the `Authorization` header needs its `Bearer ` prefix.
    Bearer {
        /// The value.
        prefix: BearerPrefix,
        /// Where the value (`required` or `optional`) is written.
        value: Span,
    },
    /// `scope NAME` / `scopes NAME...`
    Scopes(Vec<Ident>),
    /// `permission NAME` / `permissions NAME...`
    Permissions(Vec<Ident>),
    /// `set NAME = PERM + PERM...`
    Set {
        /// The set's name.
        name: Ident,
        /// Its permissions.
        members: Vec<Ident>,
    },
    /// `anonymous PERM...`
    Anonymous(Vec<Ident>),
    /// `access full|scoped|granular unlocks ITEM...`
    Access {
        /// The access type.
        access: Ident,
        /// What it unlocks.
        unlocks: Vec<Ident>,
    },
    /// `operation NAME [requires X] [on RESOURCE] [public]`
    Operation {
        /// The operation's name.
        name: Ident,
        /// The scope or permission it requires.
        requires: Option<Ident>,
        /// The resource it acts on.
        on: Option<Ident>,
        /// Reachable with no token.
        public: bool,
    },
    /// `alias NAME = OPERATION`: another name for an operation, with its requirement.
    Alias {
        /// The new name.
        name: Ident,
        /// The operation it stands for.
        target: Ident,
    },
    /// `route METHOD TEMPLATE -> OPERATION`: an HTTP route to an operation.
    Route {
        /// The method: an uppercase token, or `*` for any method.
        method: Ident,
        /// The path template, e.g. `/lease/{dseq}/{gseq}/{oseq}/status`.
        template: Ident,
        /// The operation the route leads to.
        operation: Ident,
    },
    /// `unrouted OPERATION...`: operations that intentionally have no HTTP route.
    Unrouted(Vec<Ident>),
}

impl PolicyAst {
    /// The same tree with every span set to the default, for comparisons that ignore positions.
    #[must_use]
    pub fn without_spans(&self) -> PolicyAst {
        let strip = |v: &[Ident]| v.iter().map(Ident::without_span).collect::<Vec<_>>();
        let statements = self
            .statements
            .iter()
            .map(|s| {
                let kind = match &s.kind {
                    StatementKind::Policy(i) => StatementKind::Policy(i.without_span()),
                    StatementKind::Family(i) => StatementKind::Family(i.without_span()),
                    StatementKind::Algorithms(v) => StatementKind::Algorithms(strip(v)),
                    StatementKind::Claims(i) => StatementKind::Claims(i.without_span()),
                    StatementKind::Leeway(n) => StatementKind::Leeway(*n),
                    StatementKind::Bearer { prefix, .. } => StatementKind::Bearer {
                        prefix: *prefix,
                        value: Span::default(),
                    },
                    StatementKind::Scopes(v) => StatementKind::Scopes(strip(v)),
                    StatementKind::Permissions(v) => StatementKind::Permissions(strip(v)),
                    StatementKind::Set { name, members } => StatementKind::Set {
                        name: name.without_span(),
                        members: strip(members),
                    },
                    StatementKind::Anonymous(v) => StatementKind::Anonymous(strip(v)),
                    StatementKind::Access { access, unlocks } => StatementKind::Access {
                        access: access.without_span(),
                        unlocks: strip(unlocks),
                    },
                    StatementKind::Operation {
                        name,
                        requires,
                        on,
                        public,
                    } => StatementKind::Operation {
                        name: name.without_span(),
                        requires: requires.as_ref().map(Ident::without_span),
                        on: on.as_ref().map(Ident::without_span),
                        public: *public,
                    },
                    StatementKind::Alias { name, target } => StatementKind::Alias {
                        name: name.without_span(),
                        target: target.without_span(),
                    },
                    StatementKind::Route {
                        method,
                        template,
                        operation,
                    } => StatementKind::Route {
                        method: method.without_span(),
                        template: template.without_span(),
                        operation: operation.without_span(),
                    },
                    StatementKind::Unrouted(v) => StatementKind::Unrouted(strip(v)),
                };
                Statement {
                    kind,
                    span: Span::default(),
                }
            })
            .collect();
        PolicyAst { statements }
    }
}
