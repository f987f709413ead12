//! The Filecoin (Forest / Lotus) claims validator.

use serde_json::Value;

use crate::claims::FilecoinClaims;
use crate::error::{ClaimErrorCode as Code, ClaimErrors, SchemaSetupError};
use crate::filecoin_fast;
use crate::path::Path;
use crate::schema_map;
use crate::walk::{Sink, kind, number_text};

/// The Forest claims schema (draft-07), `specs/filecoin-jwt-schema.json`.
pub const FILECOIN_SCHEMA: &str = include_str!("../../../specs/filecoin-jwt-schema.json");

/// Which Filecoin node the validator reproduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilecoinBehaviour {
    /// Forest: `Allow` required, `exp` required non-negative integer, `aud` refused.
    Forest,
    /// Lotus: only `Allow` is read (missing or null means none); `exp` is ignored.
    Lotus,
}

/// Validates Filecoin node API token claims; built once, `Send + Sync`.
#[derive(Debug)]
pub struct FilecoinValidator {
    behaviour: FilecoinBehaviour,
    // Compiled once for Forest; consulted only when the fast path already found a problem.
    schema: Option<jsonschema::Validator>,
}

impl FilecoinValidator {
    /// Builds a validator; for [`FilecoinBehaviour::Forest`] the embedded schema is compiled here.
    pub fn new(behaviour: FilecoinBehaviour) -> Result<Self, SchemaSetupError> {
        let schema = match behaviour {
            FilecoinBehaviour::Forest => Some(schema_map::compile(
                FILECOIN_SCHEMA,
                "specs/filecoin-jwt-schema.json",
            )?),
            FilecoinBehaviour::Lotus => None,
        };
        Ok(FilecoinValidator { behaviour, schema })
    }

    /// The behaviour chosen at construction.
    pub fn behaviour(&self) -> FilecoinBehaviour {
        self.behaviour
    }

    /// Validates a decoded JWT payload. Expiry is not compared with any clock here.
    pub fn validate(&self, payload: &[u8]) -> Result<FilecoinClaims, ClaimErrors> {
        // Fast path: one typed pass that accepts only plainly clean payloads; anything else,
        // including every payload with a problem, goes through the walk, which reports it.
        if let Some(claims) = self.validate_fast_path(payload) {
            return Ok(claims);
        }
        self.validate_slow_path(payload)
    }

    /// The typed fast path alone: `Some` only for a payload it is sure is clean. Exposed for
    /// the equivalence tests; use [`validate`](Self::validate).
    #[doc(hidden)]
    pub fn validate_fast_path(&self, payload: &[u8]) -> Option<FilecoinClaims> {
        filecoin_fast::validate(payload, self.behaviour == FilecoinBehaviour::Forest)
    }

    /// The `serde_json::Value` walk alone, which reports every problem. Exposed for the
    /// equivalence tests; use [`validate`](Self::validate).
    #[doc(hidden)]
    pub fn validate_slow_path(&self, payload: &[u8]) -> Result<FilecoinClaims, ClaimErrors> {
        self.validate_value(&schema_map::parse(payload)?)
    }

    /// Like [`validate`](Self::validate), for an already parsed payload.
    pub fn validate_value(&self, value: &Value) -> Result<FilecoinClaims, ClaimErrors> {
        let forest = self.behaviour == FilecoinBehaviour::Forest;
        let mut sink = Sink::new();
        let root = Path::Root;
        let mut claims = FilecoinClaims {
            allow: Vec::new(),
            exp: None,
        };
        match value {
            Value::Object(map) => {
                claims.allow = allow(&mut sink, &root, map, forest);
                if forest {
                    claims.exp = expiry(&mut sink, &root.key("exp"), map.get("exp"));
                    match map.get("aud") {
                        None | Some(Value::Null) => {}
                        Some(_) => sink.push(
                            Code::AudiencePresent,
                            &root.key("aud"),
                            "forest refuses tokens that carry `aud`".to_owned(),
                            Some("remove `aud`: forest nodes configure no audience".to_owned()),
                        ),
                    }
                }
            }
            other => sink.push(
                Code::NotAnObject,
                &root,
                format!("claims must be a json object, found {}", kind(other)),
                None,
            ),
        }
        schema_map::finish(claims, sink.errors, self.schema.as_ref(), value)
    }

    /// Runs only the compiled Forest JSON schema; `None` for Lotus or when `payload` is not
    /// JSON. Slow path, for tests and tools.
    pub fn schema_accepts(&self, payload: &[u8]) -> Option<bool> {
        schema_map::accepts(self.schema.as_ref(), payload)
    }
}

fn allow(
    sink: &mut Sink,
    root: &Path<'_>,
    map: &serde_json::Map<String, Value>,
    forest: bool,
) -> Vec<String> {
    let path = root.key("Allow");
    let items = match map.get("Allow") {
        None if forest => {
            let help = if map.keys().any(|k| k.eq_ignore_ascii_case("allow")) {
                "claim names are case-sensitive: did you mean `Allow`?"
            } else {
                "list the permissions, e.g. `\"Allow\": [\"read\"]`"
            };
            sink.missing(&path, "Allow", help);
            return Vec::new();
        }
        // Lotus: Go leaves a missing or null slice empty; no permissions.
        None | Some(Value::Null) if !forest => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => {
            sink.wrong_type(&path, "Allow", "an array of strings", other);
            return Vec::new();
        }
        None => return Vec::new(),
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) => out.push(s.clone()),
            other => sink.wrong_type(&path.index(i), "Allow", "an array of strings", other),
        }
    }
    out
}

fn expiry(sink: &mut Sink, path: &Path<'_>, v: Option<&Value>) -> Option<i64> {
    let help =
        "forest requires `exp` (unix seconds); mint with an expiry or use the lotus behaviour";
    match v {
        None | Some(Value::Null) => {
            sink.missing(path, "exp", help);
            None
        }
        Some(num @ Value::Number(n)) => {
            match n.as_u64() {
                Some(u) => Some(i64::try_from(u).unwrap_or(i64::MAX)),
                None => {
                    sink.push(
                    Code::InvalidTime,
                    path,
                    format!("`exp` must be a non-negative integer, found `{}`", number_text(num)),
                    Some("forest reads `exp` as an unsigned integer: no sign, fraction or exponent".to_owned()),
                );
                    None
                }
            }
        }
        Some(other) => {
            sink.wrong_type(path, "exp", "a non-negative integer", other);
            None
        }
    }
}
