//! Helpers shared by the integration tests (included with `mod common;`).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers; each test binary uses a subset"
)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::Deserialize;
use tollgate_schema::{
    AkashBehaviour, AkashValidator, ClaimErrors, FilecoinBehaviour, FilecoinValidator,
};

pub(crate) fn fixture(rel: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[derive(Debug, Deserialize)]
pub(crate) struct Outcome {
    pub(crate) outcome: String,
    #[serde(default)]
    pub(crate) codes: Vec<String>,
    #[serde(default)]
    pub(crate) allow: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) exp: Option<i64>,
}

impl Outcome {
    pub(crate) fn passes(&self) -> bool {
        match self.outcome.as_str() {
            "pass" => true,
            "fail" => false,
            other => panic!("unknown outcome `{other}`"),
        }
    }
}

pub(crate) fn codes(e: &ClaimErrors) -> BTreeSet<String> {
    e.iter().map(|e| e.code.as_str().to_owned()).collect()
}

/// Checks a result against an expected outcome; returns a description of any mismatch.
pub(crate) fn check<T>(got: &Result<T, ClaimErrors>, want: &Outcome) -> Option<String> {
    match (got, want.passes()) {
        (Ok(_), true) => None,
        (Ok(_), false) => Some(format!("passed, expected {:?}", want.codes)),
        (Err(e), true) => Some(format!("failed, expected pass: {:?}", render_plain(e))),
        (Err(e), false) => {
            let want_codes: BTreeSet<String> = want.codes.iter().cloned().collect();
            let got_codes = codes(e);
            (got_codes != want_codes).then(|| {
                format!(
                    "codes {got_codes:?}, expected {want_codes:?}: {:?}",
                    render_plain(e)
                )
            })
        }
    }
}

pub(crate) fn render_plain(e: &ClaimErrors) -> Vec<String> {
    e.iter()
        .map(|e| format!("{} {} {}", e.code.as_str(), e.pointer, e.message))
        .collect()
}

pub(crate) fn compile(text: &str) -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(text).unwrap();
    jsonschema::draft7::new(&schema).unwrap()
}

pub(crate) struct Akash {
    pub(crate) strict: AkashValidator,
    pub(crate) compat: AkashValidator,
    pub(crate) ours: jsonschema::Validator,
    pub(crate) upstream: jsonschema::Validator,
}

impl Akash {
    pub(crate) fn load() -> Self {
        Akash {
            strict: AkashValidator::new(AkashBehaviour::Strict).unwrap(),
            compat: AkashValidator::new(AkashBehaviour::UpstreamCompatible).unwrap(),
            ours: compile(tollgate_schema::AKASH_SCHEMA),
            upstream: compile(&fixture("akash/upstream-jwt-schema.json")),
        }
    }

    /// The contract between the single-pass validator and the JSON schemas, for one payload:
    /// our schema accepts exactly what the upstream schema accepts, and strict mode rejects
    /// exactly the union of what the schema rejects and what the Go rules (compat) reject.
    pub(crate) fn check_contract(&self, payload: &[u8]) -> Result<(), String> {
        let strict_ok = self.strict.validate(payload).is_ok();
        let compat_ok = self.compat.validate(payload).is_ok();
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(payload) else {
            return if strict_ok || compat_ok {
                Err("non-json payload accepted".to_owned())
            } else {
                Ok(())
            };
        };
        let ours = self.ours.is_valid(&value);
        let upstream = self.upstream.is_valid(&value);
        if ours != upstream {
            return Err(format!(
                "our schema says {ours}, upstream schema says {upstream}"
            ));
        }
        if self.strict.schema_accepts(payload) != Some(ours) {
            return Err("schema_accepts disagrees with the compiled schema".to_owned());
        }
        if strict_ok != (ours && compat_ok) {
            return Err(format!(
                "strict {strict_ok}, but schema {ours} and go rules (compat) {compat_ok}"
            ));
        }
        Ok(())
    }

    /// The fast path against the `Value` walk, in both behaviours: whatever the fast path
    /// accepts, the walk accepts with equal claims, and `validate` returns exactly what the walk
    /// returns. Returns how many behaviours took the fast path.
    pub(crate) fn check_fast_path(&self, payload: &[u8]) -> Result<usize, String> {
        let mut fast_taken = 0;
        for (mode, validator) in [("strict", &self.strict), ("compat", &self.compat)] {
            let slow = validator.validate_slow_path(payload);
            let fast = validator.validate_fast_path(payload);
            fast_taken += usize::from(compare_paths(
                mode,
                fast,
                &slow,
                &validator.validate(payload),
            )?);
        }
        Ok(fast_taken)
    }
}

pub(crate) struct Filecoin {
    pub(crate) forest: FilecoinValidator,
    pub(crate) lotus: FilecoinValidator,
}

impl Filecoin {
    pub(crate) fn load() -> Self {
        Filecoin {
            forest: FilecoinValidator::new(FilecoinBehaviour::Forest).unwrap(),
            lotus: FilecoinValidator::new(FilecoinBehaviour::Lotus).unwrap(),
        }
    }

    /// The fast path against the `Value` walk, in both behaviours: whatever the fast path
    /// accepts, the walk accepts with equal claims, and `validate` returns exactly what the walk
    /// returns (errors included). Returns how many behaviours took the fast path.
    pub(crate) fn check_fast_path(&self, payload: &[u8]) -> Result<usize, String> {
        let mut fast_taken = 0;
        for (mode, validator) in [("forest", &self.forest), ("lotus", &self.lotus)] {
            let slow = validator.validate_slow_path(payload);
            let fast = validator.validate_fast_path(payload);
            fast_taken += usize::from(compare_paths(
                mode,
                fast,
                &slow,
                &validator.validate(payload),
            )?);
        }
        Ok(fast_taken)
    }
}

/// One behaviour's fast path against its slow path: whatever the fast path accepts, the slow
/// path accepts with equal claims, and `validate` returns exactly what the slow path returns
/// (errors included). Returns whether the fast path was taken.
fn compare_paths<C: PartialEq + std::fmt::Debug>(
    mode: &str,
    fast: Option<C>,
    slow: &Result<C, ClaimErrors>,
    validated: &Result<C, ClaimErrors>,
) -> Result<bool, String> {
    if validated != slow {
        return Err(format!("[{mode}] validate differs from the slow path"));
    }
    let Some(fast) = fast else {
        return Ok(false);
    };
    match slow {
        Ok(c) if *c == fast => Ok(true),
        Ok(c) => Err(format!("[{mode}] fast claims {fast:?}, slow claims {c:?}")),
        Err(e) => Err(format!(
            "[{mode}] fast path accepts, slow path rejects: {:?}",
            render_plain(e)
        )),
    }
}
