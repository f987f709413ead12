//! The compiled JSON schemas and the mapping of their errors onto claim error codes.

use jsonschema::error::ValidationErrorKind as Kind;
use serde_json::Value;

use crate::error::{ClaimError, ClaimErrorCode as Code, ClaimErrors, SchemaSetupError};
use crate::path::{push_escaped, related};

/// Compiles an embedded draft-07 schema.
pub(crate) fn compile(
    text: &str,
    name: &'static str,
) -> Result<jsonschema::Validator, SchemaSetupError> {
    let schema: Value = serde_json::from_str(text).map_err(|e| SchemaSetupError::NotJson {
        name,
        reason: e.to_string(),
    })?;
    jsonschema::draft7::new(&schema).map_err(|e| SchemaSetupError::Compile {
        name,
        reason: e.to_string(),
    })
}

/// The single error for a payload that is not JSON at all.
pub(crate) fn invalid_json(e: &serde_json::Error) -> ClaimErrors {
    ClaimErrors::new(
        ClaimError {
            code: Code::InvalidJson,
            pointer: String::new(),
            message: format!(
                "claims are not valid json: line {} column {}",
                e.line(),
                e.column()
            ),
            help: Some(e.to_string()),
        },
        Vec::new(),
    )
}

/// Parses a payload for the `Value` walk; a payload that is not JSON is the one error.
pub(crate) fn parse(payload: &[u8]) -> Result<Value, ClaimErrors> {
    serde_json::from_slice(payload).map_err(|e| invalid_json(&e))
}

/// Ends a walk over `value`: the claims when it found no problem, otherwise its errors
/// followed by those of `schema` (when the behaviour has one) that [`merge`] keeps.
pub(crate) fn finish<T>(
    claims: T,
    errors: Vec<ClaimError>,
    schema: Option<&jsonschema::Validator>,
    value: &Value,
) -> Result<T, ClaimErrors> {
    if errors.is_empty() {
        return Ok(claims);
    }
    let mut errors = errors;
    if let Some(schema) = schema {
        merge(schema, value, &mut errors);
    }
    match ClaimErrors::from_vec(errors) {
        Some(e) => Err(e),
        None => Ok(claims),
    }
}

/// Runs only a compiled schema over a payload; `None` without a schema or when `payload` is
/// not JSON.
pub(crate) fn accepts(schema: Option<&jsonschema::Validator>, payload: &[u8]) -> Option<bool> {
    let schema = schema?;
    let value: Value = serde_json::from_slice(payload).ok()?;
    Some(schema.is_valid(&value))
}

/// Appends the schema's own errors, except where the single-pass rules already reported a
/// problem at the same place, or above or below it.
pub(crate) fn merge(schema: &jsonschema::Validator, value: &Value, errors: &mut Vec<ClaimError>) {
    let from_rules = errors.len();
    for e in schema.iter_errors(value) {
        for mapped in map(&e) {
            let covered = errors
                .iter()
                .take(from_rules)
                .any(|r| related(&r.pointer, &mapped.pointer));
            let repeated = errors
                .iter()
                .any(|r| r.pointer == mapped.pointer && r.code == mapped.code);
            if !covered && !repeated {
                errors.push(mapped);
            }
        }
    }
}

fn child(parent: &str, key: &str) -> String {
    let mut p = parent.to_owned();
    p.push('/');
    push_escaped(&mut p, key);
    p
}

fn last_segment(pointer: &str) -> &str {
    pointer.rsplit('/').next().unwrap_or("")
}

fn one(code: Code, pointer: String, message: String) -> Vec<ClaimError> {
    vec![ClaimError {
        code,
        pointer,
        message,
        help: Some("reported by the claims json schema (specs/jwt-schema.json)".to_owned()),
    }]
}

fn map(e: &jsonschema::ValidationError<'_>) -> Vec<ClaimError> {
    let at = e.instance_path().as_str();
    let name = last_segment(at);
    match e.kind() {
        Kind::Required { property } => {
            let prop = property.as_str().unwrap_or("");
            if e.schema_path().as_str().contains("/dependencies/") {
                one(
                    Code::OseqWithoutGseq,
                    child(at, "oseq"),
                    "`oseq` is set without `gseq`".to_owned(),
                )
            } else {
                one(
                    Code::MissingField,
                    child(at, prop),
                    format!("missing required field `{prop}`"),
                )
            }
        }
        Kind::AdditionalProperties { unexpected } => unexpected
            .iter()
            .flat_map(|k| {
                one(
                    Code::UnknownField,
                    child(at, k),
                    format!("unknown field `{k}`"),
                )
            })
            .collect(),
        Kind::Type { .. } => one(
            Code::InvalidType,
            at.to_owned(),
            format!("`{name}` has the wrong json type"),
        ),
        Kind::Enum { .. } if at == "/version" => one(
            Code::InvalidVersion,
            at.to_owned(),
            "unsupported version".to_owned(),
        ),
        Kind::Enum { .. } => one(
            Code::UnknownScope,
            at.to_owned(),
            "unknown scope".to_owned(),
        ),
        Kind::Constant { .. } => one(
            Code::InvalidAccess,
            at.to_owned(),
            "invalid access type".to_owned(),
        ),
        Kind::Minimum { .. } if matches!(name, "dseq" | "gseq" | "oseq") => one(
            Code::InvalidSequence,
            at.to_owned(),
            format!("`{name}` is below its minimum"),
        ),
        Kind::Minimum { .. } => one(
            Code::InvalidTime,
            at.to_owned(),
            format!("`{name}` must not be negative"),
        ),
        Kind::MinItems { .. } => one(
            Code::EmptyList,
            at.to_owned(),
            format!("`{name}` must not be empty"),
        ),
        Kind::UniqueItems if name == "services" => one(
            Code::DuplicateService,
            at.to_owned(),
            "duplicate service".to_owned(),
        ),
        Kind::UniqueItems => one(
            Code::DuplicateScope,
            at.to_owned(),
            "duplicate scope".to_owned(),
        ),
        Kind::MinLength { .. } if at == "/jti" => one(
            Code::EmptyJti,
            at.to_owned(),
            "`jti` must not be empty".to_owned(),
        ),
        Kind::MinLength { .. } => one(
            Code::EmptyService,
            at.to_owned(),
            "service name must not be empty".to_owned(),
        ),
        Kind::Pattern { .. } if at == "/iss" => one(
            Code::InvalidIssuer,
            at.to_owned(),
            "issuer is not a 44-character akash address".to_owned(),
        ),
        Kind::Pattern { .. } => one(
            Code::InvalidProvider,
            at.to_owned(),
            "provider is not a 44-character akash address".to_owned(),
        ),
        _ => one(
            Code::SchemaViolation,
            at.to_owned(),
            format!(
                "value does not satisfy schema keyword `{}`",
                e.kind().keyword()
            ),
        ),
    }
}
