//! The pest parser, driven one line at a time so that one run reports every syntax error.

use pest::Parser as _;
use pest::iterators::Pair;
use pest_derive::Parser;

use crate::ast::{Ident, PolicyAst, Statement, StatementKind};
use crate::diagnostic::{Finding, LintCode};
use crate::model::BearerPrefix;
use crate::route::{TokenError, check_method, parse_template};
use crate::span::Span;
use crate::suggest::did_you_mean;

#[derive(Parser)]
#[grammar = "grammar.pest"]
struct LineParser;

/// Every statement keyword, for "did you mean" help.
pub(crate) const KEYWORDS: &[&str] = &[
    "policy",
    "family",
    "algorithms",
    "claims",
    "leeway",
    "bearer",
    "scope",
    "scopes",
    "permission",
    "permissions",
    "set",
    "anonymous",
    "access",
    "operation",
    "alias",
    "route",
    "unrouted",
];

/// A source line: its text (no newline, no `\r`) and the byte offset where it starts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line<'s> {
    pub text: &'s str,
    pub offset: usize,
}

impl Line<'_> {
    /// The statement part and the trailing comment (from `#`), if any.
    pub(crate) fn split_comment(&self) -> (&str, Option<&str>) {
        match self.text.find('#') {
            Some(i) => (self.text.get(..i).unwrap_or(""), self.text.get(i..)),
            None => (self.text, None),
        }
    }
}

/// Splits source text into lines, keeping byte offsets.
pub(crate) fn lines(source: &str) -> impl Iterator<Item = Line<'_>> {
    let mut offset = 0;
    source.split('\n').map(move |raw| {
        let line = Line {
            text: raw.strip_suffix('\r').unwrap_or(raw),
            offset,
        };
        offset += raw.len() + 1;
        line
    })
}

/// Parses one source line into at most one statement.
pub(crate) fn parse_line(line: Line<'_>) -> Result<Option<Statement>, Finding> {
    let mut pairs = match LineParser::parse(Rule::line, line.text) {
        Ok(pairs) => pairs,
        Err(err) => return Err(syntax_finding(line, &err)),
    };
    let Some(line_pair) = pairs.next() else {
        return Ok(None);
    };
    let Some(stmt) = line_pair.into_inner().find(|p| p.as_rule() != Rule::EOI) else {
        return Ok(None);
    };
    build_statement(stmt, line.offset).map(Some)
}

/// Parses a whole file; returns the statements that parsed and a finding per bad line.
pub(crate) fn parse(source: &str) -> (PolicyAst, Vec<Finding>) {
    let mut statements = Vec::new();
    let mut findings = Vec::new();
    for line in lines(source) {
        match parse_line(line) {
            Ok(Some(stmt)) => statements.push(stmt),
            Ok(None) => {}
            Err(finding) => findings.push(finding),
        }
    }
    (PolicyAst { statements }, findings)
}

fn span_of(pair: &Pair<'_, Rule>, base: usize) -> Span {
    let s = pair.as_span();
    Span::new(base + s.start(), s.end() - s.start())
}

fn ident(pair: &Pair<'_, Rule>, base: usize) -> Ident {
    Ident::new(pair.as_str(), span_of(pair, base))
}

fn names(pair: Pair<'_, Rule>, base: usize) -> Vec<Ident> {
    pair.into_inner()
        .filter(|p| p.as_rule() == Rule::name)
        .map(|p| ident(&p, base))
        .collect()
}

fn build_statement(pair: Pair<'_, Rule>, base: usize) -> Result<Statement, Finding> {
    let span = span_of(&pair, base);
    let rule = pair.as_rule();
    let first_name = |pair: Pair<'_, Rule>| -> Result<Ident, Finding> {
        names(pair, base)
            .into_iter()
            .next()
            .ok_or_else(|| Finding::new(LintCode::Syntax, span, "expected a name"))
    };
    let kind = match rule {
        Rule::policy_stmt => StatementKind::Policy(first_name(pair)?),
        Rule::family_stmt => StatementKind::Family(first_name(pair)?),
        Rule::claims_stmt => StatementKind::Claims(first_name(pair)?),
        Rule::algorithms_stmt => StatementKind::Algorithms(names(pair, base)),
        Rule::scope_stmt => StatementKind::Scopes(names(pair, base)),
        Rule::permission_stmt => StatementKind::Permissions(names(pair, base)),
        Rule::anonymous_stmt => StatementKind::Anonymous(names(pair, base)),
        Rule::unrouted_stmt => StatementKind::Unrouted(names(pair, base)),
        Rule::route_stmt => build_route(pair, base, span)?,
        Rule::leeway_stmt => {
            let dur = pair
                .into_inner()
                .find(|p| p.as_rule() == Rule::duration)
                .ok_or_else(|| Finding::new(LintCode::Syntax, span, "expected a duration"))?;
            StatementKind::Leeway(parse_duration(dur.as_str(), span_of(&dur, base))?)
        }
        Rule::bearer_stmt => {
            let value = first_name(pair)?;
            build_bearer(&value)?
        }
        Rule::set_stmt => {
            let mut all = names(pair, base).into_iter();
            let name = all
                .next()
                .ok_or_else(|| Finding::new(LintCode::Syntax, span, "expected a set name"))?;
            StatementKind::Set {
                name,
                members: all.collect(),
            }
        }
        Rule::alias_stmt => {
            let mut all = names(pair, base).into_iter();
            match (all.next(), all.next()) {
                (Some(name), Some(target)) => StatementKind::Alias { name, target },
                _ => {
                    return Err(Finding::new(
                        LintCode::Syntax,
                        span,
                        "expected `alias NAME = OPERATION`",
                    ));
                }
            }
        }
        Rule::access_stmt => {
            let mut all = names(pair, base).into_iter();
            let access = all
                .next()
                .ok_or_else(|| Finding::new(LintCode::Syntax, span, "expected an access type"))?;
            StatementKind::Access {
                access,
                unlocks: all.collect(),
            }
        }
        Rule::operation_stmt => {
            let mut name = None;
            let mut requires = None;
            let mut on = None;
            let mut public = false;
            for p in pair.into_inner() {
                match p.as_rule() {
                    Rule::name => name = Some(ident(&p, base)),
                    Rule::requires_clause => requires = names(p, base).into_iter().next(),
                    Rule::on_clause => on = names(p, base).into_iter().next(),
                    Rule::public_flag => public = true,
                    _ => {}
                }
            }
            let name = name.ok_or_else(|| {
                Finding::new(LintCode::Syntax, span, "expected an operation name")
            })?;
            StatementKind::Operation {
                name,
                requires,
                on,
                public,
            }
        }
        _ => return Err(Finding::new(LintCode::Syntax, span, "unexpected statement")),
    };
    Ok(Statement { kind, span })
}

/// A `route` statement, with its method and template checked.
fn build_route(pair: Pair<'_, Rule>, base: usize, span: Span) -> Result<StatementKind, Finding> {
    let mut method = None;
    let mut template = None;
    let mut operation = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::route_method => method = Some(ident(&p, base)),
            Rule::route_template => template = Some(ident(&p, base)),
            Rule::name => operation = Some(ident(&p, base)),
            _ => {}
        }
    }
    let (Some(method), Some(template), Some(operation)) = (method, template, operation) else {
        return Err(Finding::new(
            LintCode::Syntax,
            span,
            "expected `route METHOD TEMPLATE -> OPERATION`",
        ));
    };
    let token_finding = |at: &Ident, e: TokenError| {
        Finding::new(
            LintCode::Syntax,
            Span::new(at.span.offset + e.offset, e.len),
            e.message,
        )
        .label(e.label)
        .help(e.help)
    };
    check_method(&method.text).map_err(|e| token_finding(&method, e))?;
    parse_template(&template.text).map_err(|e| token_finding(&template, e))?;
    Ok(StatementKind::Route {
        method,
        template,
        operation,
    })
}

/// A `bearer` statement: its value must be `required` or `optional`, exactly.
fn build_bearer(value: &Ident) -> Result<StatementKind, Finding> {
    let prefix = BearerPrefix::parse(&value.text).ok_or_else(|| {
        Finding::new(
            LintCode::Syntax,
            value.span,
            format!(
                "unknown bearer value `{}`: expected `required` or `optional`",
                value.text
            ),
        )
        .label("not `required` or `optional`")
        .help(
            did_you_mean(&value.text, BearerPrefix::NAMES).unwrap_or_else(|| {
                "the statement reads `bearer required|optional`: whether the `Authorization` header must start with `Bearer `".to_owned()
            }),
        )
    })?;
    Ok(StatementKind::Bearer {
        prefix,
        value: value.span,
    })
}

/// `N`, `Ns`, `Nm` or `Nh` to seconds.
fn parse_duration(text: &str, span: Span) -> Result<u64, Finding> {
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(digits_end);
    let multiplier: u64 = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        other => {
            return Err(Finding::new(
                LintCode::InvalidLeeway,
                span,
                format!("unknown duration unit `{other}`"),
            )
            .label("this duration")
            .help("write the leeway in seconds, e.g. `leeway 60s`; units are `s`, `m` and `h`"));
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
        .ok_or_else(|| {
            Finding::new(
                LintCode::InvalidLeeway,
                span,
                format!("leeway `{text}` is too large"),
            )
            .label("this duration")
            .help("a leeway is a few seconds, e.g. `leeway 60s`")
        })
}

fn rule_name(rule: &Rule) -> String {
    let s = match rule {
        Rule::name => "a name",
        Rule::duration => "a duration such as `60s`",
        Rule::EOI => "end of line",
        Rule::kw_policy => "`policy`",
        Rule::kw_family => "`family`",
        Rule::kw_algorithms => "`algorithms`",
        Rule::kw_claims => "`claims`",
        Rule::kw_leeway => "`leeway`",
        Rule::kw_bearer => "`bearer`",
        Rule::kw_scopes => "`scopes`",
        Rule::kw_scope => "`scope`",
        Rule::kw_permissions => "`permissions`",
        Rule::kw_permission => "`permission`",
        Rule::kw_set => "`set`",
        Rule::kw_anonymous => "`anonymous`",
        Rule::kw_access => "`access`",
        Rule::kw_unlocks => "`unlocks`",
        Rule::kw_operation => "`operation`",
        Rule::kw_alias => "`alias`",
        Rule::kw_requires => "`requires`",
        Rule::kw_on => "`on`",
        Rule::kw_public => "`public`",
        Rule::kw_route => "`route`",
        Rule::kw_unrouted => "`unrouted`",
        Rule::route_method => "a method such as `GET` or `*`",
        Rule::route_template => "a path template such as `/lease/{dseq}/{gseq}/{oseq}/status`",
        Rule::arrow => "`->`",
        _ => "a statement",
    };
    s.to_owned()
}

fn syntax_finding(line: Line<'_>, err: &pest::error::Error<Rule>) -> Finding {
    let (stmt, _) = line.split_comment();
    let first_word = stmt.split_whitespace().next().unwrap_or("");
    let word_offset = stmt.find(first_word).unwrap_or(0);
    if !first_word.is_empty() && !KEYWORDS.contains(&first_word) {
        let span = Span::new(line.offset + word_offset, first_word.len());
        return Finding::new(
            LintCode::UnknownStatement,
            span,
            format!("unknown statement `{first_word}`"),
        )
        .label("not a statement keyword")
        .help(did_you_mean(first_word, KEYWORDS.iter().copied()).unwrap_or_else(|| {
            "a statement starts with one of: policy, family, algorithms, claims, leeway, bearer, scope, permission, set, anonymous, access, operation, alias, route, unrouted".to_owned()
        }));
    }
    let pos = match err.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    // Underline the word at the error position (or the last character when at end of line).
    let rest = line.text.get(pos..).unwrap_or("");
    let word_len = rest
        .find(|c: char| c.is_whitespace() || c == '#')
        .unwrap_or(rest.len());
    let (start, len) = if word_len == 0 {
        let trimmed = stmt.trim_end();
        let last = trimmed.chars().last().map_or(0, char::len_utf8);
        (trimmed.len().saturating_sub(last), last)
    } else {
        (pos, word_len)
    };
    let found = line.text.get(start..start + len).unwrap_or("");
    let expected = match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<String> = positives.iter().map(rule_name).collect();
            names.dedup();
            names
        }
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let expected_text = match expected.as_slice() {
        [] => "a statement".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    let message = if word_len == 0 {
        format!("unexpected end of line: expected {expected_text}")
    } else {
        format!("unexpected `{found}`: expected {expected_text}")
    };
    Finding::new(
        LintCode::Syntax,
        Span::new(line.offset + start, len),
        message,
    )
    .label(if word_len == 0 {
        "statement ends here"
    } else {
        "unexpected"
    })
    .help(statement_help(first_word))
}

fn statement_help(keyword: &str) -> String {
    let form = match keyword {
        "policy" => "policy NAME",
        "family" => "family akash|filecoin",
        "algorithms" => "algorithms ALG [ALG...]",
        "claims" => "claims strict|upstream-compatible|forest|lotus",
        "leeway" => "leeway 60s",
        "bearer" => "bearer required|optional",
        "scope" | "scopes" => "scopes NAME [NAME...]",
        "permission" | "permissions" => "permissions NAME [NAME...]",
        "set" => "set NAME = PERMISSION + PERMISSION...",
        "anonymous" => "anonymous PERMISSION [PERMISSION...]",
        "access" => "access full|scoped|granular unlocks ITEM [ITEM...]",
        "operation" => {
            "operation NAME [requires SCOPE|PERMISSION] [on provider|deployment|lease] [public]"
        }
        "alias" => "alias NAME = OPERATION",
        "route" => "route METHOD|* /PATH/{VARIABLE} -> OPERATION",
        "unrouted" => "unrouted OPERATION [OPERATION...]",
        _ => "KEYWORD ARGUMENTS  # one statement per line",
    };
    format!("the statement reads `{form}`")
}
