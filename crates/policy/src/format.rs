//! The canonical formatter behind `tollgate fmt`.

use std::sync::Arc;

use miette::NamedSource;

use crate::ast::{Ident, StatementKind};
use crate::diagnostic::{PolicyDiagnostic, PolicyErrors};
use crate::parser::{lines, parse_line};

fn join(idents: &[Ident], sep: &str) -> String {
    idents
        .iter()
        .map(|i| i.text.as_str())
        .collect::<Vec<_>>()
        .join(sep)
}

/// One statement in canonical form: keywords and names separated by single spaces.
#[must_use]
pub fn print_statement(kind: &StatementKind) -> String {
    match kind {
        StatementKind::Policy(i) => format!("policy {}", i.text),
        StatementKind::Family(i) => format!("family {}", i.text),
        StatementKind::Algorithms(v) => format!("algorithms {}", join(v, " ")),
        StatementKind::Claims(i) => format!("claims {}", i.text),
        StatementKind::Leeway(secs) => format!("leeway {secs}s"),
        StatementKind::Bearer { prefix, .. } => format!("bearer {}", prefix.as_str()),
        StatementKind::Scopes(v) if v.len() == 1 => format!("scope {}", join(v, " ")),
        StatementKind::Scopes(v) => format!("scopes {}", join(v, " ")),
        StatementKind::Permissions(v) if v.len() == 1 => format!("permission {}", join(v, " ")),
        StatementKind::Permissions(v) => format!("permissions {}", join(v, " ")),
        StatementKind::Set { name, members } => {
            format!("set {} = {}", name.text, join(members, " + "))
        }
        StatementKind::Anonymous(v) => format!("anonymous {}", join(v, " ")),
        StatementKind::Access { access, unlocks } => {
            format!("access {} unlocks {}", access.text, join(unlocks, " "))
        }
        StatementKind::Operation {
            name,
            requires,
            on,
            public,
        } => {
            let mut s = format!("operation {}", name.text);
            if let Some(r) = requires {
                s.push_str(" requires ");
                s.push_str(&r.text);
            }
            if let Some(o) = on {
                s.push_str(" on ");
                s.push_str(&o.text);
            }
            if *public {
                s.push_str(" public");
            }
            s
        }
        StatementKind::Alias { name, target } => format!("alias {} = {}", name.text, target.text),
        StatementKind::Route {
            method,
            template,
            operation,
        } => format!(
            "route {} {} -> {}",
            method.text, template.text, operation.text
        ),
        StatementKind::Unrouted(v) => format!("unrouted {}", join(v, " ")),
    }
}

/// Formats policy source in canonical form.
///
/// Each statement is rewritten with single spaces and the canonical keyword (`scope` for one
/// name, `scopes` for several; leeway in seconds); comments are kept (a trailing comment follows
/// its statement after two spaces); indentation and trailing spaces are removed; runs of blank
/// lines become one; the file ends with one newline. Only syntax is checked: a file with
/// semantic errors still formats.
///
/// # Errors
/// The syntax errors, when a line does not parse.
pub fn format_source(source: &str, origin: &str) -> Result<String, PolicyErrors> {
    let mut out: Vec<String> = Vec::new();
    let mut findings = Vec::new();
    for line in lines(source) {
        let (stmt_text, comment) = line.split_comment();
        let comment = comment.map(str::trim_end);
        if stmt_text.trim().is_empty() {
            match comment {
                Some(c) => out.push(c.to_owned()),
                None => {
                    if out.last().is_some_and(|l| !l.is_empty()) {
                        out.push(String::new());
                    }
                }
            }
            continue;
        }
        match parse_line(line) {
            Ok(Some(stmt)) => {
                let mut text = print_statement(&stmt.kind);
                if let Some(c) = comment {
                    text.push_str("  ");
                    text.push_str(c);
                }
                out.push(text);
            }
            Ok(None) => {}
            Err(finding) => findings.push(finding),
        }
    }
    if !findings.is_empty() {
        let src = Arc::new(NamedSource::new(origin, Arc::<str>::from(source)));
        let diags = findings
            .into_iter()
            .map(|f| PolicyDiagnostic::from_finding(f, &src))
            .collect();
        return Err(
            PolicyErrors::new(diags).unwrap_or_else(|| PolicyErrors::internal(source, origin))
        );
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    let mut text = out.join("\n");
    text.push('\n');
    Ok(text)
}
