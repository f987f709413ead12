//! Shared helpers for the single-pass validators: error collection and value descriptions.

use serde_json::Value;

use crate::error::{ClaimError, ClaimErrorCode};
use crate::fuzzy;
use crate::path::Path;

/// Collects errors during one validation pass.
pub(crate) struct Sink {
    pub(crate) errors: Vec<ClaimError>,
}

impl Sink {
    pub(crate) fn new() -> Self {
        Sink { errors: Vec::new() }
    }

    pub(crate) fn push(
        &mut self,
        code: ClaimErrorCode,
        path: &Path<'_>,
        message: String,
        help: Option<String>,
    ) {
        self.errors.push(ClaimError {
            code,
            pointer: path.pointer(),
            message,
            help,
        });
    }

    /// `name` is required and absent.
    pub(crate) fn missing(&mut self, path: &Path<'_>, name: &str, help: &str) {
        self.push(
            ClaimErrorCode::MissingField,
            path,
            format!("missing required field `{name}`"),
            Some(help.to_owned()),
        );
    }

    /// `name` has the wrong JSON type.
    pub(crate) fn wrong_type(
        &mut self,
        path: &Path<'_>,
        name: &str,
        expected: &str,
        found: &Value,
    ) {
        self.push(
            ClaimErrorCode::InvalidType,
            path,
            format!("`{name}` must be {expected}, found {}", kind(found)),
            None,
        );
    }

    /// Reports every key of `map` not in `known` as unknown (strict mode).
    pub(crate) fn unknown_keys(
        &mut self,
        path: &Path<'_>,
        map: &serde_json::Map<String, Value>,
        known: &[&'static str],
        count: usize,
    ) {
        if count == 0 {
            return;
        }
        for key in map.keys() {
            if known.contains(&key.as_str()) {
                continue;
            }
            let help = match (fuzzy::suggest(key, known.iter().copied()), key.as_str()) {
                (Some(s), _) => format!("did you mean `{s}`? field names are case-sensitive"),
                (None, "aud" | "sub") => format!(
                    "the upstream schema forbids `{key}`; the go provider ignores it, so only the \
                     upstream-compatible behaviour accepts it"
                ),
                (None, _) => format!("allowed fields here: {}", list(known)),
            };
            self.push(
                ClaimErrorCode::UnknownField,
                &path.key(key),
                format!("unknown field `{}`", quote(key)),
                Some(help),
            );
        }
    }
}

/// The JSON type of `v` in words.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// User input shortened to at most 64 characters for messages.
pub(crate) fn quote(s: &str) -> String {
    if s.chars().count() <= 64 {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(61).collect();
        out.push('…');
        out
    }
}

/// `` `a`, `b`, `c` ``.
pub(crate) fn list(items: &[&str]) -> String {
    let mut out = String::new();
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('`');
        out.push_str(s);
        out.push('`');
    }
    out
}

/// The number as written (serde_json's shortest round-trip form).
pub(crate) fn number_text(v: &Value) -> String {
    quote(&v.to_string())
}
