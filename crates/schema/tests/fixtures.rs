#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]
//! Walks every YAML fixture in `fixtures/claims/` and checks each expected outcome.

mod common;

use common::{Akash, Filecoin, Outcome, check, compile, fixture};
use serde::Deserialize;
use tollgate_schema::{
    ClaimErrorCode, ClaimErrors, FILECOIN_SCHEMA, FilecoinBehaviour, FilecoinValidator,
};

#[derive(Debug, Deserialize)]
struct UpstreamFile {
    now: i64,
    issuer: String,
    cases: Vec<UpstreamCase>,
}

#[derive(Debug, Deserialize)]
struct Upstream {
    verify_fail: bool,
    bypass_schema: bool,
}

#[derive(Debug, Deserialize)]
struct UpstreamCase {
    index: usize,
    description: String,
    upstream: Upstream,
    claims: String,
    payload: String,
    strict: Outcome,
    compat: Outcome,
    #[serde(default)]
    time_check: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DivergenceFile {
    cases: Vec<DivergenceCase>,
}

#[derive(Debug, Deserialize)]
struct DivergenceCase {
    id: String,
    #[serde(default)]
    table_row: Option<u32>,
    description: String,
    payload: String,
    strict: Outcome,
    compat: Outcome,
    #[serde(default)]
    time_check: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
struct FilecoinFile {
    cases: Vec<FilecoinCase>,
}

#[derive(Debug, Deserialize)]
struct FilecoinCase {
    name: String,
    #[serde(default)]
    vector: bool,
    payload: String,
    forest: Outcome,
    lotus: Outcome,
    #[serde(default)]
    note: Option<String>,
}

/// Every error must carry a well-formed pointer into the payload, and a message in house style.
fn check_error_shape(payload: &str, errors: &ClaimErrors) -> Option<String> {
    let value: Option<serde_json::Value> = serde_json::from_str(payload).ok();
    for e in errors.iter() {
        if !(e.pointer.is_empty() || e.pointer.starts_with('/')) {
            return Some(format!("bad pointer `{}`", e.pointer));
        }
        if let Some(v) = &value {
            let target = if e.code == ClaimErrorCode::MissingField {
                e.pointer.rsplit_once('/').map_or("", |(parent, _)| parent)
            } else {
                e.pointer.as_str()
            };
            if v.pointer(target).is_none() {
                return Some(format!("pointer `{}` does not resolve", e.pointer));
            }
        }
        let first = e.message.chars().next().unwrap();
        if first.is_uppercase() || e.message.ends_with('.') || e.message.contains('\n') {
            return Some(format!("message not in house style: {:?}", e.message));
        }
    }
    None
}

#[test]
fn akash_upstream_cases() {
    let file: UpstreamFile =
        serde_saphyr::from_str(&fixture("claims/akash-upstream-cases.yaml")).unwrap();
    assert_eq!(file.cases.len(), 31);
    assert_eq!(file.issuer, "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh");
    let template: Vec<serde_json::Value> =
        serde_json::from_str(&fixture("akash/cases_jwt.json.tmpl")).unwrap();
    let v = Akash::load();
    let mut failures = Vec::new();
    let mut fast_taken = 0;
    for (i, case) in file.cases.iter().enumerate() {
        assert_eq!(case.index, i);
        assert_eq!(
            template[i]["description"].as_str(),
            Some(case.description.as_str())
        );
        let payload = case.payload.as_bytes();
        let strict = v.strict.validate(payload);
        let compat = v.compat.validate(payload);
        for (mode, got, want) in [
            ("strict", &strict, &case.strict),
            ("compat", &compat, &case.compat),
        ] {
            if let Some(m) = check(got, want) {
                failures.push(format!("#{i} {} [{mode}]: {m}", case.description));
            }
            if let Err(e) = got
                && let Some(m) = check_error_shape(&case.payload, e)
            {
                failures.push(format!("#{i} [{mode}]: {m}"));
            }
        }
        // Upstream's own verdicts: pass cases pass, fail cases fail (the clock aside).
        if !case.upstream.verify_fail && (strict.is_err() || compat.is_err()) {
            failures.push(format!("#{i}: upstream pass case fails claims validation"));
        }
        if case.upstream.verify_fail
            && case.time_check.is_none()
            && (strict.is_ok() || compat.is_ok())
        {
            failures.push(format!(
                "#{i}: upstream fail case passes without a clock reason"
            ));
        }
        // Upstream's schema check: a failing case without bypass must fail the schema.
        let value: serde_json::Value = serde_json::from_str(&case.payload).unwrap();
        let schema_ok = v.upstream.is_valid(&value);
        if case.upstream.verify_fail && !case.upstream.bypass_schema && schema_ok {
            failures.push(format!(
                "#{i}: upstream schema accepts a case it must reject"
            ));
        }
        if !case.upstream.verify_fail && !schema_ok {
            failures.push(format!("#{i}: upstream schema rejects a pass case"));
        }
        if let Err(m) = v.check_contract(payload) {
            failures.push(format!("#{i}: contract: {m}"));
        }
        match v.check_fast_path(payload) {
            Ok(n) => fast_taken += n,
            Err(m) => failures.push(format!("#{i}: fast path: {m}")),
        }
        if let Err(m) = v.check_fast_path(case.claims.as_bytes()) {
            failures.push(format!("#{i}: fast path (template claims): {m}"));
        }
        // The template form (numeric strings for times) decodes the same way in Go.
        let from_template = v.compat.validate(case.claims.as_bytes());
        if from_template.is_ok() != compat.is_ok() {
            failures.push(format!(
                "#{i}: template claims verdict differs in compat mode"
            ));
        }
        if let (Ok(c), Some(kind)) = (&strict, &case.time_check) {
            let clock_rejects = match kind.as_str() {
                "expired" => file.now >= c.exp,
                "not_yet_valid" => file.now < c.nbf,
                other => panic!("unknown time_check `{other}`"),
            };
            assert!(
                clock_rejects,
                "#{i}: time_check `{kind}` does not hold at now"
            );
        }
    }
    // Every passing upstream case is a plain, clean token: the fast path must take it.
    let passing: usize = file
        .cases
        .iter()
        .map(|c| usize::from(c.strict.passes()) + usize::from(c.compat.passes()))
        .sum();
    assert_eq!(
        fast_taken, passing,
        "fast path skipped a clean upstream case"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn akash_divergence_table() {
    let file: DivergenceFile =
        serde_saphyr::from_str(&fixture("claims/akash-divergences.yaml")).unwrap();
    let v = Akash::load();
    let mut rows: Vec<u32> = file.cases.iter().filter_map(|c| c.table_row).collect();
    rows.sort_unstable();
    rows.dedup();
    assert_eq!(
        rows,
        (1..=14).collect::<Vec<_>>(),
        "every row of AKASH.md §4.4 is covered"
    );
    let mut failures = Vec::new();
    let mut fast_taken = 0;
    for case in &file.cases {
        let payload = case.payload.as_bytes();
        for (mode, validator, want) in [
            ("strict", &v.strict, &case.strict),
            ("compat", &v.compat, &case.compat),
        ] {
            let got = validator.validate(payload);
            if let Some(m) = check(&got, want) {
                failures.push(format!("{} ({}) [{mode}]: {m}", case.id, case.description));
            }
            if let Err(e) = &got
                && let Some(m) = check_error_shape(&case.payload, e)
            {
                failures.push(format!("{} [{mode}]: {m}", case.id));
            }
        }
        if let Err(m) = v.check_contract(payload) {
            failures.push(format!("{}: contract: {m}", case.id));
        }
        match v.check_fast_path(payload) {
            Ok(n) => fast_taken += n,
            Err(m) => failures.push(format!("{}: fast path: {m}", case.id)),
        }
        if let Some(kind) = &case.time_check {
            assert!(matches!(kind.as_str(), "expired" | "not_yet_valid"));
        }
        if let Some(note) = &case.note {
            assert!(!note.is_empty());
        }
    }
    // Most accepted divergences are go leniencies (null, numeric strings, `aud`, …) that the
    // fast path leaves to the walk; the plain ones take it.
    assert!(
        fast_taken > 0,
        "fast path never taken on the divergence table"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn filecoin_cases() {
    let file: FilecoinFile = serde_saphyr::from_str(&fixture("claims/filecoin.yaml")).unwrap();
    let vectors: serde_json::Value =
        serde_json::from_str(&fixture("filecoin/forest-lotus-derived-vectors.json")).unwrap();
    let vectors = vectors["vectors"].as_array().unwrap();
    // Every derived vector's payload appears, by name and byte for byte.
    for vec in vectors {
        let name = vec["name"].as_str().unwrap();
        let case = file
            .cases
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        assert!(case.vector);
        assert_eq!(case.payload, vec["payload_json"].as_str().unwrap());
    }
    assert_eq!(
        file.cases.iter().filter(|c| c.vector).count(),
        vectors.len()
    );
    let forest = FilecoinValidator::new(FilecoinBehaviour::Forest).unwrap();
    let lotus = FilecoinValidator::new(FilecoinBehaviour::Lotus).unwrap();
    let schema = compile(FILECOIN_SCHEMA);
    let both = Filecoin::load();
    let mut failures = Vec::new();
    let (mut passing, mut fast_taken) = (0, 0);
    for case in &file.cases {
        let payload = case.payload.as_bytes();
        // The fast path agrees with the walk, and takes every passing case (all are plain).
        match both.check_fast_path(payload) {
            Ok(n) => fast_taken += n,
            Err(m) => failures.push(format!("{}: fast path: {m}", case.name)),
        }
        passing += usize::from(case.forest.passes()) + usize::from(case.lotus.passes());
        for (mode, validator, want) in [
            ("forest", &forest, &case.forest),
            ("lotus", &lotus, &case.lotus),
        ] {
            let got = validator.validate(payload);
            if let Some(m) = check(&got, want) {
                failures.push(format!("{} [{mode}]: {m}", case.name));
            }
            match &got {
                Ok(claims) => {
                    if want.allow.as_ref() != Some(&claims.allow) || want.exp != claims.exp {
                        failures.push(format!("{} [{mode}]: claims {claims:?}", case.name));
                    }
                }
                Err(e) => {
                    if let Some(m) = check_error_shape(&case.payload, e) {
                        failures.push(format!("{} [{mode}]: {m}", case.name));
                    }
                }
            }
        }
        // The Forest schema agrees with the Forest validator, except for integer-valued floats
        // (`4877839597.0`), which draft-07 calls integers and Forest's `usize` refuses.
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&case.payload) {
            let float_exp = value.get("exp").is_some_and(|e| e.is_f64());
            let forest_ok = forest.validate(payload).is_ok();
            if !float_exp && schema.is_valid(&value) != forest_ok {
                failures.push(format!("{}: forest schema disagrees", case.name));
            }
            if let Some(note) = &case.note {
                assert!(!note.is_empty());
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        fast_taken, passing,
        "fast path skipped a clean filecoin case"
    );
}

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/claims-errors.md"),
    )
    .unwrap();
    for code in ClaimErrorCode::ALL {
        assert!(
            doc.contains(&format!("## `{}`", code.as_str())),
            "{code} undocumented"
        );
        assert_eq!(ClaimErrorCode::from_name(code.as_str()), Some(code));
    }
}

/// Members the Filecoin fast path does not read are still parsed as the walk's `Value` parses
/// them: a value `serde_json` refuses there (too deep, out-of-range number, lone surrogate,
/// invalid UTF-8) is not waved through.
#[test]
fn filecoin_fast_path_refuses_what_value_refuses() {
    let both = Filecoin::load();
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(200), "}".repeat(200));
    let ignored = [
        deep.as_str(),
        deep_object.as_str(),
        "1e400",
        "-1e400",
        r#""\ud800""#,
        r#"{"k":"\udc00x"}"#,
        "\"\u{7f}\"",
        "[1,]",
        "01",
    ];
    for member in ["x", "exp", "aud"] {
        for bad in ignored {
            let payload = if member == "exp" {
                format!(r#"{{"Allow":["read"],"exp":{bad}}}"#)
            } else {
                format!(r#"{{"Allow":["read"],"exp":1,"{member}":{bad}}}"#)
            };
            let taken = both.check_fast_path(payload.as_bytes());
            let value_ok = serde_json::from_str::<serde_json::Value>(&payload).is_ok();
            assert!(taken.is_ok(), "{payload}: {taken:?}");
            if !value_ok {
                assert_eq!(taken, Ok(0), "{payload}");
            }
        }
    }
    let mut invalid_utf8 = br#"{"Allow":["read"],"exp":1,"x":"a"#.to_vec();
    invalid_utf8.extend_from_slice(b"\xff\"}");
    assert_eq!(both.check_fast_path(&invalid_utf8), Ok(0));
}
