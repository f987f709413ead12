#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]
//! Property tests: generated valid claims pass everywhere; mutations fail with the matching code;
//! arbitrary input never panics; the single-pass validator matches the JSON schema contract.

mod common;

use std::collections::BTreeSet;

use common::Akash;
use proptest::prelude::*;
use serde_json::{Value, json};
use tollgate_schema::{
    Access, AkashClaims, ClaimErrorCode, DeploymentPermission, FilecoinBehaviour,
    FilecoinValidator, Leases, ProviderPermission, Scope, ScopeSet,
};

const POOL: [&str; 3] = [
    "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh",
    "akash1qurswpc8qurswpc8qurswpc8qurswpc87g2aem",
    // 32-byte address: valid for Go, outside the schema pattern.
    "akash1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0smz7g5x",
];

fn scope_set() -> impl Strategy<Value = ScopeSet> {
    prop::collection::vec(prop::sample::select(Scope::ALL.to_vec()), 1..5)
        .prop_map(|v| v.into_iter().collect())
}

fn deployment() -> impl Strategy<Value = DeploymentPermission> {
    (
        1..=u64::MAX,
        prop_oneof![Just(0u32), 1..=u32::MAX],
        0..=u32::MAX,
        scope_set(),
        prop::collection::btree_set("[a-z][a-z0-9-]{0,7}", 1..4),
    )
        .prop_map(|(dseq, gseq, oseq, scope, services)| DeploymentPermission {
            dseq,
            gseq,
            oseq: if gseq == 0 { 0 } else { oseq },
            scope,
            services: services.into_iter().collect(),
        })
}

fn permission(provider: &'static str) -> impl Strategy<Value = ProviderPermission> {
    prop_oneof![
        Just(ProviderPermission {
            provider: provider.to_owned(),
            access: Access::Full,
            scope: ScopeSet::EMPTY,
            deployments: Vec::new()
        }),
        scope_set().prop_map(move |scope| ProviderPermission {
            provider: provider.to_owned(),
            access: Access::Scoped,
            scope,
            deployments: Vec::new()
        }),
        prop::collection::vec(deployment(), 1..4).prop_map(move |deployments| ProviderPermission {
            provider: provider.to_owned(),
            access: Access::Granular,
            scope: ScopeSet::EMPTY,
            deployments
        }),
    ]
}

fn leases() -> impl Strategy<Value = Leases> {
    // Two distinct 20-byte providers (the 32-byte one only passes compat mode).
    let providers = prop::sample::subsequence(POOL[..2].to_vec(), 1..=2);
    prop_oneof![
        Just(Leases {
            access: Access::Full,
            scope: ScopeSet::EMPTY,
            permissions: Vec::new()
        }),
        scope_set().prop_map(|scope| Leases {
            access: Access::Scoped,
            scope,
            permissions: Vec::new()
        }),
        providers
            .prop_flat_map(|ps| ps.into_iter().map(permission).collect::<Vec<_>>())
            .prop_map(|permissions| Leases {
                access: Access::Granular,
                scope: ScopeSet::EMPTY,
                permissions
            }),
    ]
}

fn claims() -> impl Strategy<Value = AkashClaims> {
    (
        0..4_000_000_000i64,
        0..4_000_000_000i64,
        0..4_000_000_000i64,
        prop::option::of("[A-Za-z0-9]{1,16}"),
        leases(),
    )
        .prop_map(|(iat, nbf, exp, jti, leases)| AkashClaims {
            iss: POOL[0].to_owned(),
            iat,
            nbf,
            exp,
            jti,
            version: "v1".to_owned(),
            leases,
        })
}

fn scopes_json(s: ScopeSet) -> Value {
    Value::Array(s.iter().map(|s| json!(s.as_str())).collect())
}

fn to_json(c: &AkashClaims) -> Value {
    let mut leases = json!({"access": c.leases.access.as_str()});
    match c.leases.access {
        Access::Full => {}
        Access::Scoped => leases["scope"] = scopes_json(c.leases.scope),
        Access::Granular => {
            let perms: Vec<Value> = c
                .leases
                .permissions
                .iter()
                .map(|p| {
                    let mut o = json!({"provider": p.provider, "access": p.access.as_str()});
                    match p.access {
                        Access::Full => {}
                        Access::Scoped => o["scope"] = scopes_json(p.scope),
                        Access::Granular => {
                            o["deployments"] = p
                                .deployments
                                .iter()
                                .map(|d| {
                                    let mut o = json!({"dseq": d.dseq, "scope": scopes_json(d.scope), "services": d.services});
                                    if d.gseq > 0 {
                                        o["gseq"] = json!(d.gseq);
                                        o["oseq"] = json!(d.oseq);
                                    }
                                    o
                                })
                                .collect();
                        }
                    }
                    o
                })
                .collect();
            leases["permissions"] = Value::Array(perms);
        }
    }
    let mut top = json!({"iss": c.iss, "iat": c.iat, "nbf": c.nbf, "exp": c.exp, "version": c.version, "leases": leases});
    if let Some(j) = &c.jti {
        top["jti"] = json!(j);
    }
    top
}

/// Pointers of every required member present in `v` (a document built by `to_json`).
fn required_members(v: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = ["iss", "iat", "nbf", "exp", "version", "leases"]
        .iter()
        .map(|k| (String::new(), (*k).to_owned()))
        .collect();
    let leases = &v["leases"];
    out.push(("/leases".to_owned(), "access".to_owned()));
    match leases["access"].as_str().unwrap() {
        "scoped" => out.push(("/leases".to_owned(), "scope".to_owned())),
        "granular" => {
            out.push(("/leases".to_owned(), "permissions".to_owned()));
            for (i, p) in leases["permissions"].as_array().unwrap().iter().enumerate() {
                let at = format!("/leases/permissions/{i}");
                out.push((at.clone(), "provider".to_owned()));
                out.push((at.clone(), "access".to_owned()));
                match p["access"].as_str().unwrap() {
                    "scoped" => out.push((at.clone(), "scope".to_owned())),
                    "granular" => {
                        out.push((at.clone(), "deployments".to_owned()));
                        for j in 0..p["deployments"].as_array().unwrap().len() {
                            let d = format!("{at}/deployments/{j}");
                            for k in ["dseq", "scope", "services"] {
                                out.push((d.clone(), k.to_owned()));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    out
}

/// Pointers of every scope list in `v`.
fn scope_lists(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(v, String::new(), &mut |p, node| {
        if p.ends_with("/scope") && node.is_array() {
            out.push(p.to_owned());
        }
    });
    out
}

fn walk(v: &Value, at: String, f: &mut dyn FnMut(&str, &Value)) {
    f(&at, v);
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                walk(c, format!("{at}/{k}"), f);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                walk(c, format!("{at}/{i}"), f);
            }
        }
        _ => {}
    }
}

fn all_pointers(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(v, String::new(), &mut |p, _| out.push(p.to_owned()));
    out
}

fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        prop::sample::select(vec![-1i64, 0, 1, 2, 42, 4_294_967_296]).prop_map(Value::from),
        prop::sample::select(vec![1.5f64, 42.0, -0.5, 1e3]).prop_map(Value::from),
        prop::sample::select(vec![
            "",
            "v1",
            "v2",
            "full",
            "scoped",
            "granular",
            "logs",
            "log",
            "attestation",
            "1",
            "web",
            POOL[0],
            POOL[1],
            POOL[2],
            "akash1bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        ])
        .prop_map(Value::from),
        Just(json!([])),
        Just(json!({})),
        Just(json!(["logs", "logs"])),
        Just(json!([""])),
    ]
}

fn set_pointer(v: &mut Value, ptr: &str, new: Value) {
    if let Some(slot) = v.pointer_mut(ptr) {
        *slot = new;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn generated_claims_pass_schema_and_both_behaviours(c in claims()) {
        let akash = Akash::load();
        let v = to_json(&c);
        let bytes = serde_json::to_vec(&v).unwrap();
        prop_assert!(akash.ours.is_valid(&v));
        prop_assert!(akash.upstream.is_valid(&v));
        prop_assert_eq!(akash.strict.validate(&bytes), Ok(c.clone()));
        prop_assert_eq!(akash.compat.validate(&bytes), Ok(c));
    }

    #[test]
    fn removing_a_required_field_fails_with_missing_field(c in claims(), pick in any::<prop::sample::Index>()) {
        let akash = Akash::load();
        let mut v = to_json(&c);
        let members = required_members(&v);
        let (parent, key) = pick.get(&members).clone();
        v.pointer_mut(&parent).unwrap().as_object_mut().unwrap().remove(&key).unwrap();
        let bytes = serde_json::to_vec(&v).unwrap();
        let want = format!("{parent}/{key}");
        for validator in [&akash.strict, &akash.compat] {
            let errors = validator.validate(&bytes).unwrap_err();
            prop_assert!(
                errors.iter().any(|e| e.code == ClaimErrorCode::MissingField && e.pointer == want),
                "{} not reported: {}", want, errors
            );
        }
        prop_assert!(akash.check_contract(&bytes).is_ok());
    }

    #[test]
    fn duplicating_a_scope_fails_with_duplicate_scope(c in claims(), pick in any::<prop::sample::Index>()) {
        let akash = Akash::load();
        let mut v = to_json(&c);
        let lists = scope_lists(&v);
        prop_assume!(!lists.is_empty());
        let at = pick.get(&lists).clone();
        let list = v.pointer_mut(&at).unwrap().as_array_mut().unwrap();
        let first = list[0].clone();
        list.push(first);
        let want = format!("{at}/{}", list.len() - 1);
        let bytes = serde_json::to_vec(&v).unwrap();
        for validator in [&akash.strict, &akash.compat] {
            let errors = validator.validate(&bytes).unwrap_err();
            prop_assert!(errors.iter().any(|e| e.code == ClaimErrorCode::DuplicateScope && e.pointer == want));
            prop_assert_eq!(errors.len(), 1);
        }
        prop_assert!(akash.check_contract(&bytes).is_ok());
    }

    #[test]
    fn duplicating_a_provider_fails_with_duplicate_provider(c in claims(), pick in any::<prop::sample::Index>()) {
        let akash = Akash::load();
        let mut v = to_json(&c);
        prop_assume!(c.leases.access == Access::Granular);
        let perms = v["leases"]["permissions"].as_array_mut().unwrap();
        let copy = pick.get(perms).clone();
        perms.push(copy);
        let want = format!("/leases/permissions/{}/provider", perms.len() - 1);
        let bytes = serde_json::to_vec(&v).unwrap();
        for validator in [&akash.strict, &akash.compat] {
            let errors = validator.validate(&bytes).unwrap_err();
            prop_assert!(errors.iter().any(|e| e.code == ClaimErrorCode::DuplicateProvider && e.pointer == want));
            prop_assert_eq!(errors.len(), 1);
        }
        // The schema cannot see duplicate providers: strict rejects through the go rule.
        prop_assert!(akash.ours.is_valid(&v));
        prop_assert!(akash.check_contract(&bytes).is_ok());
    }

    /// Fast path versus schema: replace any node with an awkward value; strict must reject
    /// exactly when the schema or the go rules do, and our schema must match upstream's.
    #[test]
    fn mutated_claims_keep_the_schema_contract(
        c in claims(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), replacement()), 1..3),
    ) {
        let akash = Akash::load();
        let mut v = to_json(&c);
        for (pick, new) in picks {
            let ptrs = all_pointers(&v);
            let at = pick.get(&ptrs).clone();
            if at.is_empty() {
                continue;
            }
            set_pointer(&mut v, &at, new);
        }
        let bytes = serde_json::to_vec(&v).unwrap();
        prop_assert_eq!(akash.check_contract(&bytes), Ok(()), "{}", String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let akash = Akash::load();
        let _ = akash.strict.validate(&bytes);
        let _ = akash.compat.validate(&bytes);
        let _ = FilecoinValidator::new(FilecoinBehaviour::Forest).unwrap().validate(&bytes);
        let _ = FilecoinValidator::new(FilecoinBehaviour::Lotus).unwrap().validate(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics_and_errors_are_well_formed(s in r#"[\[\]{}",:a-z0-9 .\-]{0,200}"#) {
        let akash = Akash::load();
        for r in [akash.strict.validate(s.as_bytes()), akash.compat.validate(s.as_bytes())] {
            if let Err(e) = r {
                let codes: BTreeSet<_> = e.iter().map(|e| e.code).collect();
                prop_assert!(!codes.is_empty());
                prop_assert!(e.iter().all(|e| e.pointer.is_empty() || e.pointer.starts_with('/')));
            }
        }
    }
}
