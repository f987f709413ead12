//! The golden decision tables (`fixtures/cases/*.yaml`) through the `tollgate authorize` binary:
//! exit status and the `--format json` contract.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

#[path = "../../tollgate/tests/support/cases.rs"]
mod cases;

use std::process::Command;

#[test]
fn golden_decision_tables_hold_through_the_cli() {
    let root = cases::repo_root();
    let mut failures = Vec::new();
    let mut total = 0;
    for path in cases::case_files() {
        let file = cases::load(&path);
        for case in &file.cases {
            total += 1;
            let mut command = Command::new(env!("CARGO_BIN_EXE_tollgate"));
            command.current_dir(&root).args([
                "authorize",
                "--format",
                "json",
                "--policy",
                &file.policy,
                "--op",
                &case.op,
            ]);
            command.args(["--now", &case.now.unwrap_or(file.now).to_string()]);
            if let Some(keys) = &file.keys {
                command.args(["--keys", keys]);
            }
            if let Some(secret) = &file.secret {
                command.args(["--secret", secret]);
            }
            if let Some(provider) = case.provider.as_ref().or(file.provider.as_ref()) {
                command.args(["--provider", provider]);
            }
            if let Some(resource) = &case.resource {
                command.args(["--resource", resource]);
            }
            if let Some(owner) = &case.owner {
                command.args(["--owner", owner]);
            }
            if let Some(spec) = &case.token {
                command.args(["--token", &cases::make_token(&file, spec)]);
            }
            let output = command.output().unwrap();
            let stdout = String::from_utf8(output.stdout).unwrap();
            let expected = case.expect.deny_code();
            let Ok(json) = serde_json::from_str::<serde_json::Value>(stdout.trim()) else {
                failures.push(format!(
                    "{}: not one JSON object: {stdout:?} stderr {:?}",
                    case.name,
                    String::from_utf8_lossy(&output.stderr)
                ));
                continue;
            };
            assert!(
                stdout.starts_with(r#"{"decision":"#),
                "{}: field order: {stdout}",
                case.name
            );
            let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
            assert_eq!(
                keys,
                ["code", "decision", "issuer", "op", "reason"],
                "{}: JSON keys",
                case.name
            );
            let status = output.status.code();
            let ok = match expected {
                None => json["decision"] == "allow" && json["code"].is_null() && status == Some(0),
                Some(code) => {
                    json["decision"] == "deny" && json["code"] == code && status == Some(1)
                }
            };
            if !ok || json["op"] != case.op.as_str() {
                failures.push(format!(
                    "{}: expected {:?}, got {json} (exit {status:?})",
                    case.name,
                    expected.unwrap_or("allow")
                ));
            }
        }
    }
    cases::assert_all_passed(&failures, total);
}
