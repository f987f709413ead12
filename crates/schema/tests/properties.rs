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

use common::{Akash, Filecoin};
use proptest::prelude::*;
use serde_json::{Value, json};
use tollgate_schema::{
    Access, AkashClaims, ClaimErrorCode, DeploymentPermission, FilecoinBehaviour, FilecoinClaims,
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

/// How to print a document: member order, whitespace, one escaped string, one repeated member.
#[derive(Clone, Debug)]
struct TextStyle {
    salt: u64,
    space: &'static str,
    escape: Option<usize>,
    dup: Option<usize>,
}

fn text_style() -> impl Strategy<Value = TextStyle> {
    (
        any::<u64>(),
        prop::sample::select(vec!["", " ", "\n  ", "\t", "\r\n"]),
        prop::option::weighted(0.3, 0..40usize),
        prop::option::weighted(0.2, 0..20usize),
    )
        .prop_map(|(salt, space, escape, dup)| TextStyle {
            salt,
            space,
            escape,
            dup,
        })
}

#[derive(Clone, Debug)]
enum Edit {
    Insert(u8),
    Replace(u8),
    Delete,
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte =
        prop::sample::select(b"\"\\,:{}[]0123456789-+.eEu \t\x00\x1faz\xc3\xa9\xff".to_vec());
    prop_oneof![
        byte.clone().prop_map(Edit::Insert),
        byte.prop_map(Edit::Replace),
        Just(Edit::Delete),
    ]
}

fn order_key(salt: u64, k: &str) -> u64 {
    k.bytes().fold(salt, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Serializes `v` in `style`; `n` counts strings and members so one of each can be picked.
/// `v` written in `style`, then the byte `edits` applied (indices wrap to the text's length).
fn styled_with_edits(
    v: &Value,
    style: &TextStyle,
    edits: Vec<(prop::sample::Index, Edit)>,
) -> Vec<u8> {
    let mut out = String::new();
    let mut n = 0;
    write_styled(v, style, &mut n, &mut out);
    let mut bytes = out.into_bytes();
    for (at, e) in edits {
        let i = at.index(bytes.len() + 1);
        match e {
            Edit::Insert(b) => bytes.insert(i, b),
            Edit::Replace(b) if i < bytes.len() => bytes[i] = b,
            Edit::Delete if i < bytes.len() => {
                bytes.remove(i);
            }
            _ => {}
        }
    }
    bytes
}

fn write_styled(v: &Value, style: &TextStyle, n: &mut usize, out: &mut String) {
    let sp = style.space;
    match v {
        Value::Object(m) => {
            let mut members: Vec<_> = m.iter().collect();
            members.sort_by_key(|(k, _)| order_key(style.salt, k));
            out.push('{');
            let mut first = true;
            for (k, c) in members {
                *n += 1;
                let times = if style.dup == Some(*n) { 2 } else { 1 };
                for _ in 0..times {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    out.push_str(sp);
                    write_styled(&Value::String(k.clone()), style, n, out);
                    out.push_str(sp);
                    out.push(':');
                    out.push_str(sp);
                    write_styled(c, style, n, out);
                }
            }
            out.push_str(sp);
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, c) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(sp);
                write_styled(c, style, n, out);
            }
            out.push_str(sp);
            out.push(']');
        }
        Value::String(s) => {
            *n += 1;
            if style.escape == Some(*n) {
                out.push('"');
                for ch in s.chars() {
                    out.push_str(&format!("\\u{:04x}", u32::from(ch)));
                }
                out.push('"');
            } else {
                out.push_str(&serde_json::to_string(s).unwrap());
            }
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Filecoin claims that Forest accepts (so Lotus too), as the JSON document and the claims
/// Forest returns. Unknown members (some nested, one a lowercase `allow`) and a null `aud` are
/// mixed in: both behaviours ignore them.
fn filecoin_claims() -> impl Strategy<Value = (Value, FilecoinClaims)> {
    let permission = prop_oneof![
        prop::sample::select(vec!["read", "write", "sign", "admin", "fly", "", "Read"])
            .prop_map(str::to_owned),
        "[a-z\u{e9}\\\\\"]{0,6}",
    ];
    let extra = prop::sample::select(vec![
        ("iat", json!(1)),
        ("sub", json!("x")),
        ("nbf", json!("whenever")),
        ("allow", json!(["admin"])),
        ("aud", Value::Null),
        ("x", json!({"a": [1, 2.5, null, {"b": true}]})),
        ("n", json!(-7)),
    ]);
    (
        prop::collection::vec(permission, 0..6),
        prop_oneof![0..=4_000_000_000u64, 0..=i64::MAX as u64],
        prop::collection::vec(extra, 0..4),
    )
        .prop_map(|(allow, exp, extras)| {
            let mut v = json!({"Allow": allow, "exp": exp});
            for (k, x) in extras {
                v[k] = x;
            }
            let claims = FilecoinClaims {
                allow,
                exp: Some(i64::try_from(exp).unwrap()),
            };
            (v, claims)
        })
}

/// Awkward values for Filecoin members, beside the Akash ones.
fn filecoin_replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        replacement(),
        prop::sample::select(vec![
            json!(u64::MAX),
            json!(i64::MAX as u64 + 1),
            json!(i64::MAX),
            json!(i64::MIN),
            json!(4_877_839_597.0f64),
            json!("4877839597"),
            json!(["read", 1]),
            json!([["read"]]),
            json!({"Allow": ["read"]}),
        ]),
    ]
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
        prop_assert_eq!(akash.compat.validate(&bytes), Ok(c.clone()));
        // Plain valid claims take the fast path in both behaviours, with the same claims.
        prop_assert_eq!(akash.strict.validate_fast_path(&bytes), Some(c.clone()));
        prop_assert_eq!(akash.compat.validate_fast_path(&bytes), Some(c));
        prop_assert_eq!(akash.check_fast_path(&bytes), Ok(2));
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
        prop_assert_eq!(akash.check_fast_path(&bytes), Ok(0));
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
        prop_assert_eq!(akash.check_fast_path(&bytes), Ok(0));
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
        prop_assert_eq!(akash.check_fast_path(&bytes), Ok(0));
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
        prop_assert!(akash.check_fast_path(&bytes).is_ok(), "{:?}: {}", akash.check_fast_path(&bytes), String::from_utf8_lossy(&bytes));
    }

    /// Fast path versus slow path on the json text itself: member order, whitespace, escaped
    /// strings, repeated members, and single-character edits of valid payloads.
    #[test]
    fn fast_path_agrees_with_the_walk_on_text_variants(
        c in claims(),
        style in text_style(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), edit()), 0..3),
    ) {
        let akash = Akash::load();
        let clean = edits.is_empty() && style.dup.is_none();
        let bytes = styled_with_edits(&to_json(&c), &style, edits);
        let taken = akash.check_fast_path(&bytes);
        prop_assert!(taken.is_ok(), "{:?}: {}", taken, String::from_utf8_lossy(&bytes));
        if clean && style.escape.is_none() {
            prop_assert_eq!(taken, Ok(2), "{}", String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn generated_filecoin_claims_take_the_fast_path((v, c) in filecoin_claims()) {
        let fc = Filecoin::load();
        let bytes = serde_json::to_vec(&v).unwrap();
        prop_assert_eq!(fc.forest.validate(&bytes), Ok(c.clone()));
        prop_assert_eq!(fc.forest.validate_fast_path(&bytes), Some(c.clone()));
        let lotus = FilecoinClaims { allow: c.allow, exp: None };
        prop_assert_eq!(fc.lotus.validate_fast_path(&bytes), Some(lotus));
        prop_assert_eq!(fc.check_fast_path(&bytes), Ok(2));
    }

    /// Replace one or two nodes, set or drop a member of valid claims: the fast path still never
    /// accepts what the walk rejects, and `validate` answers exactly what the walk answers.
    #[test]
    fn mutated_filecoin_claims_keep_fast_equal_to_slow(
        (v, _) in filecoin_claims(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), filecoin_replacement()), 1..3),
        set in prop::option::of((prop::sample::select(vec!["Allow", "exp", "aud"]), filecoin_replacement())),
        drop in prop::option::of(prop::sample::select(vec!["Allow", "exp", "aud"])),
    ) {
        let fc = Filecoin::load();
        let mut v = v;
        for (pick, new) in picks {
            let ptrs = all_pointers(&v);
            let at = pick.get(&ptrs).clone();
            if at.is_empty() {
                continue;
            }
            set_pointer(&mut v, &at, new);
        }
        if let Some((k, new)) = set {
            v[k] = new;
        }
        if let Some(k) = drop {
            v.as_object_mut().unwrap().remove(k);
        }
        let bytes = serde_json::to_vec(&v).unwrap();
        let taken = fc.check_fast_path(&bytes);
        prop_assert!(taken.is_ok(), "{:?}: {}", taken, String::from_utf8_lossy(&bytes));
    }

    /// The same on the json text: member order, whitespace, escaped strings, a repeated member,
    /// and up to two single-byte edits (invalid UTF-8 and JSON-significant bytes included).
    #[test]
    fn filecoin_fast_path_agrees_with_the_walk_on_text_variants(
        (v, _) in filecoin_claims(),
        style in text_style(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), edit()), 0..3),
    ) {
        let fc = Filecoin::load();
        let clean = edits.is_empty() && style.dup.is_none();
        let bytes = styled_with_edits(&v, &style, edits);
        let taken = fc.check_fast_path(&bytes);
        prop_assert!(taken.is_ok(), "{:?}: {}", taken, String::from_utf8_lossy(&bytes));
        if clean {
            prop_assert_eq!(taken, Ok(2), "{}", String::from_utf8_lossy(&bytes));
        }
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
