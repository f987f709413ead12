#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]
//! The shipped policies: clean under every lint, canonical, generated from the method tables,
//! and deciding as AKASH.md and FILECOIN.md say.

use std::path::PathBuf;
use std::process::Command;

use tollgate_policy::{
    AkashRequest, Algorithm, ClaimsRule, DenyReason, Family, Policy, Requirement, Resource,
    ResourceKind, Verdict, check, format_source,
};
use tollgate_schema::{
    Access, AkashBehaviour, AkashClaims, DeploymentPermission, FilecoinBehaviour, FilecoinClaims,
    Leases, ProviderPermission, Scope, ScopeSet,
};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load(name: &str) -> (String, String) {
    let origin = format!("policies/{name}.policy");
    (
        std::fs::read_to_string(repo().join(&origin)).unwrap(),
        origin,
    )
}

fn policy(name: &str) -> Policy {
    let (source, origin) = load(name);
    Policy::compile(&source, &origin).unwrap()
}

const SHIPPED: [&str; 4] = ["akash-provider", "akash-provider-compat", "forest", "lotus"];

#[test]
fn shipped_policies_have_no_diagnostics_and_are_canonical() {
    for name in SHIPPED {
        let (source, origin) = load(name);
        let report = check(&source, &origin);
        assert!(
            report.diagnostics.is_empty(),
            "{name}: {:?}",
            report.diagnostics
        );
        assert_eq!(
            format_source(&source, &origin).unwrap(),
            source,
            "{name} is not canonical"
        );
    }
}

#[test]
fn generated_filecoin_policies_match_the_generator() {
    let out = Command::new("python3")
        .arg(repo().join("scripts/gen-filecoin-policies.py"))
        .arg("--check")
        .output()
        .expect("python3 is needed to check the generated policies");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn method_table(file: &str, prefix: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(repo().join("fixtures/filecoin").join(file)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["permissions"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (format!("{prefix}{k}"), v.as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn filecoin_policies_cover_every_method_and_alias_with_its_permission() {
    let forest = policy("forest");
    let table = method_table("forest-rpc-method-permissions.json", "");
    for (method, perm) in &table {
        let def = forest.operation_def(forest.operation(method).unwrap());
        assert_eq!(
            def.requires,
            Requirement::Permission(perm.clone()),
            "{method}"
        );
    }
    let text = std::fs::read_to_string(
        repo().join("fixtures/filecoin/forest-rpc-method-permissions.json"),
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let aliases = json["aliases"].as_object().unwrap();
    for (alias, target) in aliases {
        let def = forest.operation_def(forest.operation(alias).unwrap());
        assert_eq!(def.alias_of.as_deref(), target.as_str());
        let target_perm = &table
            .iter()
            .find(|(m, _)| m == target.as_str().unwrap())
            .unwrap()
            .1;
        assert_eq!(
            def.requires,
            Requirement::Permission(target_perm.clone()),
            "{alias}"
        );
    }
    assert_eq!(forest.operations().count(), table.len() + aliases.len());

    let lotus = policy("lotus");
    let table = method_table("lotus-fullnode-method-permissions.json", "Filecoin.");
    for (method, perm) in &table {
        let def = lotus.operation_def(lotus.operation(method).unwrap());
        assert_eq!(
            def.requires,
            Requirement::Permission(perm.clone()),
            "{method}"
        );
    }
    assert_eq!(lotus.operations().count(), 280);
}

#[test]
fn filecoin_headers_and_sets() {
    let forest = policy("forest");
    assert_eq!(forest.family(), Family::Filecoin);
    assert_eq!(forest.algorithms(), &[Algorithm::Hs256]);
    assert_eq!(
        forest.claims_rule(),
        ClaimsRule::Filecoin(FilecoinBehaviour::Forest)
    );
    assert_eq!(forest.leeway_secs(), 60);
    assert_eq!(
        forest.permission_set("sign").unwrap(),
        ["read", "write", "sign"]
    );
    assert_eq!(
        forest.permission_set("admin").unwrap(),
        ["read", "write", "sign", "admin"]
    );
    assert!(forest.permission_set("root").is_none());
    let lotus = policy("lotus");
    assert_eq!(
        lotus.claims_rule(),
        ClaimsRule::Filecoin(FilecoinBehaviour::Lotus)
    );
    assert_eq!(lotus.leeway_secs(), 0);
}

fn fc(allow: &[&str]) -> FilecoinClaims {
    FilecoinClaims {
        allow: allow.iter().map(|s| (*s).to_owned()).collect(),
        exp: None,
    }
}

#[test]
fn filecoin_decisions_are_flat_exact_membership() {
    let forest = policy("forest");
    let lotus = policy("lotus");
    let head = forest.operation("Filecoin.ChainHead").unwrap();
    let new = forest.operation("Filecoin.WalletNew").unwrap();
    assert_eq!(forest.decide_filecoin(head, &fc(&["read"])), Verdict::Allow);
    assert_eq!(
        forest.decide_filecoin(head, &fc(&["admin"])),
        Verdict::Deny(DenyReason::PermissionMissing {
            permission: "read".into()
        })
    );
    assert_eq!(
        forest.decide_filecoin(new, &fc(&["Write", "read"])),
        Verdict::Deny(DenyReason::PermissionMissing {
            permission: "write".into()
        })
    );
    assert_eq!(
        forest.decide_filecoin(new, &fc(&["read", "write"])),
        Verdict::Allow
    );
    assert_eq!(forest.decide_anonymous(head), Verdict::Allow);
    assert_eq!(
        forest.decide_anonymous(new),
        Verdict::Deny(DenyReason::TokenRequired)
    );
    let eth = forest.operation("eth_chainId").unwrap();
    assert_eq!(forest.decide_anonymous(eth), Verdict::Allow);
    // The four methods whose permission differs between Forest and Lotus.
    let delete = |p: &Policy| {
        p.operation_def(p.operation("Filecoin.WalletDelete").unwrap())
            .requires
            .clone()
    };
    assert_eq!(delete(&forest), Requirement::Permission("write".into()));
    assert_eq!(delete(&lotus), Requirement::Permission("admin".into()));
    assert!(lotus.operation("ChainHead").is_none());
}

const PROVIDER: &str = "akash1qgpqyqszqgpqyqszqgpqyqszqgpqyqszwv2uls";
const OTHER: &str = "akash1qvpsxqcrqvpsxqcrqvpsxqcrqvpsxqcr6yyl3m";
const ISS: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";

fn scopes(list: &[Scope]) -> ScopeSet {
    let mut s = ScopeSet::EMPTY;
    for x in list {
        s.insert(*x);
    }
    s
}

fn claims(leases: Leases) -> AkashClaims {
    AkashClaims {
        iss: ISS.into(),
        iat: 0,
        nbf: 0,
        exp: 1,
        jti: None,
        version: "v1".into(),
        leases,
    }
}

fn granular(
    entry_access: Access,
    scope: &[Scope],
    deployments: Vec<DeploymentPermission>,
) -> AkashClaims {
    claims(Leases {
        access: Access::Granular,
        scope: ScopeSet::EMPTY,
        permissions: vec![ProviderPermission {
            provider: PROVIDER.into(),
            access: entry_access,
            scope: scopes(scope),
            deployments,
        }],
    })
}

fn dep(dseq: u64, gseq: u32, oseq: u32, scope: &[Scope]) -> DeploymentPermission {
    DeploymentPermission {
        dseq,
        gseq,
        oseq,
        scope: scopes(scope),
        services: vec!["web".into()],
    }
}

fn lease(dseq: u64, gseq: u32, oseq: u32) -> Resource {
    Resource::Lease { dseq, gseq, oseq }
}

fn req(resource: Resource) -> AkashRequest<'static> {
    AkashRequest {
        provider: PROVIDER,
        resource,
        owner: None,
    }
}

#[test]
fn akash_policy_headers_and_operations() {
    let p = policy("akash-provider");
    assert_eq!(p.name(), "akash-provider");
    assert_eq!(p.algorithms(), &[Algorithm::Es256k, Algorithm::Es256kAdr36]);
    assert_eq!(p.claims_rule(), ClaimsRule::Akash(AkashBehaviour::Strict));
    assert_eq!(p.leeway_secs(), 0);
    assert_eq!(p.operations().count(), 14);
    let send = p.operation_def(p.operation("manifest.send").unwrap());
    assert_eq!(send.resource, ResourceKind::Deployment);
    assert_eq!(send.requires, Requirement::Scope(Scope::SendManifest));
    let migrate = p.operation_def(p.operation("hostname.migrate").unwrap());
    assert_eq!(migrate.requires, Requirement::Scope(Scope::HostnameMigrate));
    let compat = policy("akash-provider-compat");
    assert_eq!(
        compat.claims_rule(),
        ClaimsRule::Akash(AkashBehaviour::UpstreamCompatible)
    );
    let migrate = compat.operation_def(compat.operation("endpoint.migrate").unwrap());
    assert_eq!(migrate.requires, Requirement::None);
    assert!(p.operation("Lease.Logs").is_none());
}

#[test]
fn akash_decisions_follow_the_provider_walk() {
    let p = policy("akash-provider");
    let op = |n: &str| p.operation(n).unwrap();
    let full = claims(Leases {
        access: Access::Full,
        scope: ScopeSet::EMPTY,
        permissions: vec![],
    });
    let scoped = claims(Leases {
        access: Access::Scoped,
        scope: scopes(&[Scope::Logs]),
        permissions: vec![],
    });

    assert_eq!(
        p.decide_akash(op("lease.logs"), &full, &req(lease(1, 1, 1))),
        Verdict::Allow
    );
    assert_eq!(
        p.decide_akash(op("lease.logs"), &scoped, &req(lease(1, 1, 1))),
        Verdict::Allow
    );
    assert_eq!(
        p.decide_akash(op("lease.shell"), &scoped, &req(lease(1, 1, 1))),
        Verdict::Deny(DenyReason::ScopeMissing {
            scope: Scope::Shell
        })
    );
    assert_eq!(
        p.decide_akash(
            op("lease.logs"),
            &full,
            &req(Resource::Deployment { dseq: 1 })
        ),
        Verdict::Deny(DenyReason::ResourceRequired {
            expected: ResourceKind::Lease
        })
    );
    let mut owned = req(lease(1, 1, 1));
    owned.owner = Some(OTHER);
    assert!(matches!(
        p.decide_akash(op("lease.logs"), &full, &owned),
        Verdict::Deny(DenyReason::OwnerMismatch { .. })
    ));
    // Granular: wildcards, dseq-only deployment ops, provider binding.
    let g = granular(
        Access::Granular,
        &[],
        vec![dep(7, 0, 2, &[Scope::Logs, Scope::SendManifest])],
    );
    assert_eq!(
        p.decide_akash(op("lease.logs"), &g, &req(lease(7, 9, 2))),
        Verdict::Allow
    );
    assert_eq!(
        p.decide_akash(op("lease.logs"), &g, &req(lease(7, 9, 3))),
        Verdict::Deny(DenyReason::DeploymentNotGranted)
    );
    assert_eq!(
        p.decide_akash(op("lease.shell"), &g, &req(lease(7, 1, 2))),
        Verdict::Deny(DenyReason::ScopeMissing {
            scope: Scope::Shell
        })
    );
    assert_eq!(
        p.decide_akash(
            op("manifest.send"),
            &g,
            &req(Resource::Deployment { dseq: 7 })
        ),
        Verdict::Allow
    );
    assert_eq!(
        p.decide_akash(op("lease.service-status"), &g, &req(lease(7, 4, 2))),
        Verdict::Allow
    );
    let elsewhere = AkashRequest {
        provider: OTHER,
        resource: lease(7, 1, 2),
        owner: None,
    };
    assert_eq!(
        p.decide_akash(op("lease.logs"), &g, &elsewhere),
        Verdict::Deny(DenyReason::ProviderNotGranted)
    );
    // Provider-level operations under per-deployment entries: some entry must list the scope.
    assert_eq!(
        p.decide_akash(op("hostname.migrate"), &g, &req(Resource::None)),
        Verdict::Deny(DenyReason::ScopeMissing {
            scope: Scope::HostnameMigrate
        })
    );
    let gm = granular(
        Access::Granular,
        &[],
        vec![dep(3, 0, 0, &[Scope::HostnameMigrate])],
    );
    assert_eq!(
        p.decide_akash(op("hostname.migrate"), &gm, &req(Resource::None)),
        Verdict::Allow
    );
    // Provider entry scoped.
    let ps = granular(Access::Scoped, &[Scope::Status], vec![]);
    assert_eq!(
        p.decide_akash(op("lease.status"), &ps, &req(lease(1, 1, 1))),
        Verdict::Allow
    );
    // Public operations.
    assert_eq!(p.decide_anonymous(op("provider.version")), Verdict::Allow);
    assert_eq!(
        p.decide_anonymous(op("lease.logs")),
        Verdict::Deny(DenyReason::TokenRequired)
    );
    assert_eq!(
        p.decide_akash(op("provider.status"), &g, &elsewhere),
        Verdict::Allow
    );
}

#[test]
fn access_types_the_policy_does_not_unlock_are_refused() {
    let source = "policy p\nfamily akash\nalgorithms ES256K\nclaims strict\nleeway 0s\nscope logs\n\
                  access scoped unlocks listed-scopes\naccess granular unlocks provider-entries\n\
                  operation lease.logs requires logs on lease\n";
    let p = Policy::compile(source, "p.policy").unwrap();
    let op = p.operation("lease.logs").unwrap();
    let full = claims(Leases {
        access: Access::Full,
        scope: ScopeSet::EMPTY,
        permissions: vec![],
    });
    assert_eq!(
        p.decide_akash(op, &full, &req(lease(1, 1, 1))),
        Verdict::Deny(DenyReason::AccessNotUnlocked {
            access: Access::Full
        })
    );
    let g = granular(Access::Granular, &[], vec![dep(1, 0, 0, &[Scope::Logs])]);
    assert_eq!(
        p.decide_akash(op, &g, &req(lease(1, 1, 1))),
        Verdict::Deny(DenyReason::AccessNotUnlocked {
            access: Access::Granular
        })
    );
    let gf = granular(Access::Full, &[], vec![]);
    assert_eq!(
        p.decide_akash(op, &gf, &req(lease(1, 1, 1))),
        Verdict::Allow
    );
}
