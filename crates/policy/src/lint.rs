//! `policy-check` as a library: check a policy and render the diagnostics in each output format.

use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource};
use serde_json::{Value, json};

use crate::analyze::analyze;
use crate::diagnostic::{LintCode, PolicyDiagnostic, Severity, line_col};
use crate::parser::parse;
use crate::policy::Policy;

/// The result of checking one policy source.
#[derive(Clone, Debug)]
pub struct CheckReport {
    /// Every diagnostic, sorted by position.
    pub diagnostics: Vec<PolicyDiagnostic>,
    /// The compiled policy, when there was no error.
    pub policy: Option<Policy>,
}

impl CheckReport {
    /// How many errors.
    #[must_use]
    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .count()
    }

    /// How many warnings.
    #[must_use]
    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }
}

/// Checks policy source: syntax (every bad line), then, if the syntax is clean, every semantic rule
/// and lint. `origin` names the source in diagnostics.
#[must_use]
pub fn check(source: &str, origin: &str) -> CheckReport {
    let src = Arc::new(NamedSource::new(origin, Arc::<str>::from(source)));
    let (ast, syntax) = parse(source);
    let (checked, mut findings) = if syntax.is_empty() {
        analyze(&ast, source)
    } else {
        (None, syntax)
    };
    findings.sort_by_key(|f| (f.span.offset, f.span.len, f.code));
    let diagnostics: Vec<PolicyDiagnostic> = findings
        .into_iter()
        .map(|f| PolicyDiagnostic::from_finding(f, &src))
        .collect();
    let policy = checked.map(|c| Policy::from_checked(c, diagnostics.clone()));
    CheckReport {
        diagnostics,
        policy,
    }
}

/// Parses policy source into its syntax tree, or returns the syntax errors.
///
/// # Errors
/// Every line that does not parse.
pub fn parse_source(source: &str, origin: &str) -> Result<crate::PolicyAst, crate::PolicyErrors> {
    let (ast, syntax) = parse(source);
    if syntax.is_empty() {
        return Ok(ast);
    }
    let src = Arc::new(NamedSource::new(origin, Arc::<str>::from(source)));
    let diags = syntax
        .into_iter()
        .map(|f| PolicyDiagnostic::from_finding(f, &src))
        .collect();
    Err(crate::PolicyErrors::new(diags)
        .unwrap_or_else(|| crate::PolicyErrors::internal(source, origin)))
}

/// The width human output is wrapped at.
pub const HUMAN_WIDTH: usize = 100;

/// Renders diagnostics the way miette prints them (unicode, no colour, fixed width), followed
/// by a summary line.
#[must_use]
pub fn render_human(files: &[String], diagnostics: &[PolicyDiagnostic]) -> String {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(HUMAN_WIDTH)
        .with_urls(false);
    let mut out = String::new();
    for d in diagnostics {
        if handler.render_report(&mut out, d).is_err() {
            out.push_str(d.message());
        }
        out.push('\n');
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    out.push_str(&format!(
        "{} checked: {errors} {}, {warnings} {}\n",
        plural(files.len(), "file", "files"),
        if errors == 1 { "error" } else { "errors" },
        if warnings == 1 { "warning" } else { "warnings" },
    ));
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The version of the JSON envelope.
pub const JSON_VERSION: u64 = 1;

/// Renders the versioned JSON envelope:
/// `{"version":1,"files":[...],"diagnostics":[{code,severity,message,help,file,line,column,span,snippet}]}`;
/// a diagnostic with further labelled spans (e.g. the earlier of two overlapping routes) also has
/// `"related":[{label,line,column,span,snippet}]`.
#[must_use]
pub fn render_json(files: &[String], diagnostics: &[PolicyDiagnostic]) -> Value {
    let diags: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let (line, column) = d.line_col();
            let mut value = json!({
                "code": d.code().as_str(),
                "severity": d.severity().as_str(),
                "message": d.message(),
                "help": d.help_text(),
                "file": d.origin(),
                "line": line,
                "column": column,
                "span": { "offset": d.span().offset, "length": d.span().len },
                "snippet": d.snippet(),
            });
            let related: Vec<Value> = d
                .secondary_labels()
                .iter()
                .map(|(span, label)| {
                    let (line, column) = line_col(d.source_text(), span.offset);
                    json!({
                        "label": label,
                        "line": line,
                        "column": column,
                        "span": { "offset": span.offset, "length": span.len },
                        "snippet": span.text(d.source_text()).unwrap_or(""),
                    })
                })
                .collect();
            if let (false, Some(obj)) = (related.is_empty(), value.as_object_mut()) {
                obj.insert("related".to_owned(), Value::Array(related));
            }
            value
        })
        .collect();
    json!({ "version": JSON_VERSION, "files": files, "diagnostics": diags })
}

fn rule_url(code: LintCode) -> String {
    format!(
        "https://github.com/tollgate-auth/tollgate/blob/main/specs/policy-language.md#{}",
        code.as_str().replace("::", "").replace('_', "-")
    )
}

/// Renders a SARIF 2.1.0 log with one run; the driver lists every lint code as a rule.
#[must_use]
pub fn render_sarif(diagnostics: &[PolicyDiagnostic]) -> Value {
    let rules: Vec<Value> = LintCode::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": { "text": c.summary() },
                "helpUri": rule_url(*c),
                "defaultConfiguration": { "level": c.severity().as_str() },
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let (start_line, start_column) = d.line_col();
            let (end_line, end_column) = d.end_line_col();
            let index = LintCode::ALL.iter().position(|c| *c == d.code());
            let mut text = d.message().to_owned();
            if let Some(help) = d.help_text() {
                text.push_str(": ");
                text.push_str(help);
            }
            json!({
                "ruleId": d.code().as_str(),
                "ruleIndex": index,
                "level": d.severity().as_str(),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": d.origin() },
                        "region": {
                            "startLine": start_line,
                            "startColumn": start_column,
                            "endLine": end_line,
                            "endColumn": end_column,
                        }
                    }
                }]
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "policy-check",
                    "informationUri": "https://github.com/tollgate-auth/tollgate/blob/main/specs/policy-language.md",
                    "rules": rules,
                }
            },
            "results": results,
        }]
    })
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Renders GitHub Actions workflow commands, one per diagnostic:
/// `::error file=F,line=L,col=C,endLine=L,endColumn=C,title=CODE::MESSAGE`.
#[must_use]
pub fn render_github(diagnostics: &[PolicyDiagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let (line, col) = d.line_col();
        let (end_line, end_col) = d.end_line_col();
        let mut message = d.message().to_owned();
        if let Some(help) = d.help_text() {
            message.push_str(" (help: ");
            message.push_str(help);
            message.push(')');
        }
        out.push_str(&format!(
            "::{} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}\n",
            d.severity().as_str(),
            escape_property(d.origin()),
            escape_property(d.code().as_str()),
            escape_data(&message),
        ));
    }
    out
}
