#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]
//! The compiled fast path and the reference evaluator over the syntax tree agree on random
//! (policy, claims, operation, request) triples: 6,000 Akash cases + 4,000 Filecoin cases.

use proptest::prelude::*;
use tollgate_policy::{AkashRequest, Policy, Resource, parse_source, reference};
use tollgate_schema::{
    Access, AkashClaims, DeploymentPermission, FilecoinClaims, Leases, ProviderPermission, Scope,
    ScopeSet,
};

const P1: &str = "akash1provider1";
const P2: &str = "akash1provider2";
const ISS: &str = "akash1issuer";

fn scope_set() -> impl Strategy<Value = ScopeSet> {
    any::<u16>().prop_map(|bits| {
        let mut set = ScopeSet::EMPTY;
        for (i, s) in Scope::ALL.iter().enumerate() {
            if bits & (1 << i) != 0 {
                set.insert(*s);
            }
        }
        set
    })
}

fn access() -> impl Strategy<Value = Access> {
    prop_oneof![
        Just(Access::Full),
        Just(Access::Scoped),
        Just(Access::Granular)
    ]
}

fn deployment() -> impl Strategy<Value = DeploymentPermission> {
    (1u64..4, 0u32..3, 0u32..3, scope_set()).prop_map(|(dseq, gseq, oseq, scope)| {
        DeploymentPermission {
            dseq,
            gseq,
            oseq,
            scope,
            services: vec!["web".into()],
        }
    })
}

fn provider_entry() -> impl Strategy<Value = ProviderPermission> {
    (
        prop_oneof![Just(P1), Just(P2)],
        access(),
        scope_set(),
        prop::collection::vec(deployment(), 0..4),
    )
        .prop_map(
            |(provider, access, scope, deployments)| ProviderPermission {
                provider: provider.into(),
                access,
                scope,
                deployments,
            },
        )
}

fn akash_claims() -> impl Strategy<Value = AkashClaims> {
    (
        access(),
        scope_set(),
        prop::collection::vec(provider_entry(), 0..4),
    )
        .prop_map(|(access, scope, permissions)| AkashClaims {
            iss: ISS.into(),
            iat: 0,
            nbf: 0,
            exp: 1,
            jti: None,
            version: "v1".into(),
            leases: Leases {
                access,
                scope,
                permissions,
            },
        })
}

fn resource() -> impl Strategy<Value = Resource> {
    prop_oneof![
        Just(Resource::None),
        (1u64..4).prop_map(|dseq| Resource::Deployment { dseq }),
        (1u64..4, 1u32..3, 1u32..3).prop_map(|(dseq, gseq, oseq)| Resource::Lease {
            dseq,
            gseq,
            oseq
        }),
    ]
}

/// One generated operation: (resource keyword, required scope index, public).
type OpSpec = (Option<&'static str>, Option<usize>, bool);

fn op_spec() -> impl Strategy<Value = OpSpec> {
    (
        prop::option::of(prop_oneof![
            Just("provider"),
            Just("deployment"),
            Just("lease")
        ]),
        prop::option::of(0usize..10),
        prop::bool::weighted(0.15),
    )
}

/// An Akash policy source: declared scopes, unlock flags, operations.
fn akash_policy() -> impl Strategy<Value = String> {
    (
        any::<u16>(),
        any::<[bool; 4]>(),
        prop::collection::vec(op_spec(), 1..8),
        any::<bool>(),
    )
        .prop_map(|(scope_bits, unlocks, ops, with_alias)| {
            let declared: Vec<Scope> = Scope::ALL
                .iter()
                .enumerate()
                .filter(|(i, _)| scope_bits & (1 << i) != 0)
                .map(|(_, s)| *s)
                .collect();
            let mut src = String::from(
                "policy p\nfamily akash\nalgorithms ES256K\nclaims strict\nleeway 0s\n",
            );
            if !declared.is_empty() {
                let names: Vec<&str> = declared.iter().map(|s| s.as_str()).collect();
                src.push_str(&format!("scopes {}\n", names.join(" ")));
            }
            if unlocks[0] {
                src.push_str("access full unlocks every-operation\n");
            }
            if unlocks[1] {
                src.push_str("access scoped unlocks listed-scopes\n");
            }
            let mut items = Vec::new();
            if unlocks[2] {
                items.push("provider-entries");
            }
            if unlocks[3] {
                items.push("deployment-entries");
            }
            if !items.is_empty() {
                src.push_str(&format!("access granular unlocks {}\n", items.join(" ")));
            }
            for (i, (on, scope, public)) in ops.iter().enumerate() {
                let requires = scope
                    .and_then(|k| declared.get(k % declared.len().max(1)))
                    .map(|s| s.as_str());
                let mut line = format!("operation op{i}");
                if *public && requires.is_none() && on.is_none() {
                    line.push_str(" public");
                } else {
                    if let Some(r) = requires {
                        line.push_str(&format!(" requires {r}"));
                    }
                    if let Some(on) = on {
                        line.push_str(&format!(" on {on}"));
                    }
                }
                src.push_str(&line);
                src.push('\n');
            }
            if with_alias {
                src.push_str("alias alias0 = op0\n");
            }
            src
        })
}

const PERMS: [&str; 5] = ["read", "write", "sign", "admin", "Read"];

fn filecoin_policy() -> impl Strategy<Value = String> {
    (
        1u8..32,
        prop::collection::vec(
            (prop::option::of(0usize..5), prop::bool::weighted(0.15)),
            1..8,
        ),
        prop::option::of(any::<u8>()),
        any::<bool>(),
    )
        .prop_map(|(perm_bits, ops, anonymous, with_alias)| {
            let declared: Vec<&str> = PERMS
                .iter()
                .enumerate()
                .filter(|(i, _)| perm_bits & (1 << i) != 0)
                .map(|(_, p)| *p)
                .collect();
            let mut src = String::from(
                "policy f\nfamily filecoin\nalgorithms HS256\nclaims forest\nleeway 60s\n",
            );
            src.push_str(&format!("permissions {}\n", declared.join(" ")));
            if let Some(bits) = anonymous {
                let grant: Vec<&str> = declared
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| bits & (1 << i) != 0)
                    .map(|(_, p)| *p)
                    .collect();
                if !grant.is_empty() {
                    src.push_str(&format!("anonymous {}\n", grant.join(" ")));
                }
            }
            for (i, (perm, public)) in ops.iter().enumerate() {
                let requires = perm.map(|k| declared[k % declared.len()]);
                let mut line = format!("operation Filecoin.Op{i}");
                match (requires, public) {
                    (None, true) => line.push_str(" public"),
                    (Some(r), _) => line.push_str(&format!(" requires {r}")),
                    (None, false) => {}
                }
                src.push_str(&line);
                src.push('\n');
            }
            if with_alias {
                src.push_str("alias eth_op0 = Filecoin.Op0\n");
            }
            src
        })
}

fn filecoin_claims() -> impl Strategy<Value = FilecoinClaims> {
    prop::collection::vec(
        prop_oneof![
            Just("read"),
            Just("write"),
            Just("sign"),
            Just("admin"),
            Just("Read"),
            Just("ADMIN"),
            Just("other")
        ],
        0..5,
    )
    .prop_map(|allow| FilecoinClaims {
        allow: allow.into_iter().map(String::from).collect(),
        exp: None,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6_000))]

    #[test]
    fn akash_fast_path_agrees_with_reference(
        source in akash_policy(),
        claims in akash_claims(),
        op_pick in any::<prop::sample::Index>(),
        provider in prop_oneof![Just(P1), Just(P2)],
        resource in resource(),
        owner in prop::option::of(prop_oneof![Just(ISS), Just("akash1other")]),
        fc in filecoin_claims(),
    ) {
        let policy = Policy::compile(&source, "gen.policy").map_err(|e| TestCaseError::fail(format!("{e}\n{source}")))?;
        let ast = parse_source(&source, "gen.policy").unwrap();
        let names: Vec<String> = policy.operations().map(|d| d.name.clone()).collect();
        let name = op_pick.get(&names);
        let id = policy.operation(name).unwrap();
        let req = AkashRequest { provider, resource, owner };
        prop_assert_eq!(policy.decide_akash(id, &claims, &req), reference::decide_akash(&ast, name, &claims, &req), "{}", source);
        prop_assert_eq!(policy.decide_anonymous(id), reference::decide_anonymous(&ast, name));
        prop_assert_eq!(policy.decide_filecoin(id, &fc), reference::decide_filecoin(&ast, name, &fc));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4_000))]

    #[test]
    fn filecoin_fast_path_agrees_with_reference(
        source in filecoin_policy(),
        claims in filecoin_claims(),
        op_pick in any::<prop::sample::Index>(),
        akash in akash_claims(),
        resource in resource(),
    ) {
        let policy = Policy::compile(&source, "gen.policy").map_err(|e| TestCaseError::fail(format!("{e}\n{source}")))?;
        let ast = parse_source(&source, "gen.policy").unwrap();
        let names: Vec<String> = policy.operations().map(|d| d.name.clone()).collect();
        let name = op_pick.get(&names);
        let id = policy.operation(name).unwrap();
        prop_assert_eq!(policy.decide_filecoin(id, &claims), reference::decide_filecoin(&ast, name, &claims), "{}", source);
        prop_assert_eq!(policy.decide_anonymous(id), reference::decide_anonymous(&ast, name));
        let req = AkashRequest { provider: P1, resource, owner: None };
        prop_assert_eq!(policy.decide_akash(id, &akash, &req), reference::decide_akash(&ast, name, &akash, &req));
    }
}
