//! The golden decision tables (`fixtures/cases/*.yaml`) through the library, with the
//! verified-claims cache on and off.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

#[path = "support/cases.rs"]
mod cases;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use tollgate::verify::{HmacSecret, StaticKeys};
use tollgate::{Authorizer, DenyCode, Operation, Policy, parse_resource};

fn authorizer(file: &cases::CaseFile, provider: Option<&str>, cache: bool) -> Authorizer {
    let root = cases::repo_root();
    let source = std::fs::read_to_string(root.join(&file.policy)).unwrap();
    let policy = Policy::compile(&source, &file.policy).unwrap();
    let mut builder = Authorizer::builder(policy);
    if let Some(keys) = &file.keys {
        let text = std::fs::read_to_string(root.join(keys)).unwrap();
        builder = builder.key_resolver(Arc::new(StaticKeys::from_keys_file(&text, keys).unwrap()));
    }
    if let Some(secret) = &file.secret {
        let text = std::fs::read_to_string(root.join(secret)).unwrap();
        builder = builder.hmac_secret(HmacSecret::parse(&text, secret).unwrap().0);
    }
    if let Some(provider) = provider {
        builder = builder.provider(provider);
    }
    if !cache {
        builder = builder.without_cache();
    }
    builder.build().unwrap()
}

#[test]
fn golden_decision_tables_hold_through_the_library() {
    let mut failures = Vec::new();
    let mut total = 0;
    let mut codes = BTreeSet::new();
    for path in cases::case_files() {
        let file = cases::load(&path);
        let mut authorizers: BTreeMap<(Option<String>, bool), Authorizer> = BTreeMap::new();
        for case in &file.cases {
            total += 1;
            let provider = case.provider.clone().or_else(|| file.provider.clone());
            let token = case
                .token
                .as_ref()
                .map(|spec| cases::make_token(&file, spec));
            let mut op = Operation::new(&case.op);
            if let Some(resource) = &case.resource {
                op = op.with_resource(parse_resource(resource).unwrap());
            }
            if let Some(owner) = &case.owner {
                op = op.with_owner(owner);
            }
            let now = case.now.unwrap_or(file.now);
            let expected = case.expect.deny_code();
            for cache in [false, true] {
                let authorizer = authorizers
                    .entry((provider.clone(), cache))
                    .or_insert_with(|| authorizer(&file, provider.as_deref(), cache));
                // Twice with the cache on: the second call is a cache hit for verified tokens.
                for _ in 0..if cache { 2 } else { 1 } {
                    let decision = authorizer.authorize_at(token.as_deref(), &op, now);
                    let got = decision.code().map(DenyCode::as_str);
                    if got != expected {
                        failures.push(format!(
                            "{}: {} (cache {cache}): expected {:?}, got {:?} ({})",
                            path.file_name().unwrap().to_string_lossy(),
                            case.name,
                            expected.unwrap_or("allow"),
                            got.unwrap_or("allow"),
                            decision.reason()
                        ));
                    }
                }
            }
            if let Some(code) = expected {
                codes.insert(code.to_owned());
            }
        }
    }
    cases::assert_all_passed(&failures, total);
    // Not reachable with shipped policies and static keys; `tests/deny_paths.rs` reaches them.
    // The HTTP codes are reached by `crates/http`'s tests, the chain-account codes by
    // `crates/chain`'s tests against a node serving real account shapes.
    let unreachable = [
        DenyCode::KeyUnavailable,
        DenyCode::AccessNotUnlocked,
        DenyCode::RouteNotFound,
        DenyCode::ResourceInvalid,
        DenyCode::AuthorizationHeaderInvalid,
        DenyCode::IssuerNoPublicKey,
        DenyCode::IssuerModuleAccount,
        DenyCode::IssuerKeyUnsupported,
        DenyCode::IssuerKeyMismatch,
    ];
    for code in DenyCode::ALL {
        if !unreachable.contains(&code) {
            assert!(
                codes.contains(code.as_str()),
                "no golden case reaches `{code}`"
            );
        }
    }
}
