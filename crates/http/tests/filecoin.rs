//! Filecoin tokens over HTTP: the `Authorization` rules of Forest and Lotus (FILECOIN.md §1.6),
//! through `decide_operation` (a JSON-RPC guard maps the body's method to the operation), and
//! `decide` on a policy without routes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

mod support;

use http::StatusCode;
use support::{now, read};
use tollgate::verify::{HmacSecret, SigningKey, sign_token};
use tollgate::{Authorizer, Operation, Policy};
use tollgate_http::{AuthorizationHeader, HttpDecision, RequestFacts, decide, decide_operation};

fn secret() -> HmacSecret {
    HmacSecret::parse(&read("fixtures/keys/filecoin-secret.base64"), "secret")
        .unwrap()
        .0
}

fn authorizer(policy: &str) -> Authorizer {
    let path = format!("policies/{policy}");
    let policy = Policy::compile(&read(&path), &path).unwrap();
    Authorizer::builder(policy)
        .hmac_secret(secret())
        .build()
        .unwrap()
}

fn token(allow: &str) -> String {
    let payload = format!(r#"{{"Allow":{allow},"exp":{}}}"#, now() + 3600);
    sign_token(
        br#"{"alg":"HS256","typ":"JWT"}"#,
        payload.as_bytes(),
        SigningKey::Hs256(&secret()),
    )
    .unwrap()
}

/// The status and deny code (`None` for allow) of calling `method` with `header`.
fn call(
    authorizer: &Authorizer,
    method: &str,
    header: Option<&str>,
) -> (StatusCode, Option<String>) {
    let authorization = header.map_or(AuthorizationHeader::Absent, |h| {
        AuthorizationHeader::One(h.as_bytes())
    });
    match decide_operation(authorizer, &Operation::new(method), authorization) {
        HttpDecision::Allow(identity) => {
            assert_eq!(identity.operation, method);
            assert_eq!(identity.issuer, None, "Filecoin tokens name no issuer");
            (StatusCode::OK, None)
        }
        HttpDecision::Deny(denial) => (denial.status, Some(denial.code.as_str().to_owned())),
    }
}

#[test]
fn forest_requires_the_case_sensitive_prefix_and_reads_anonymously() {
    let forest = authorizer("forest.policy");
    let write = token(r#"["read","write"]"#);
    let allow = (StatusCode::OK, None);
    let header_invalid = (
        StatusCode::BAD_REQUEST,
        Some("authorization_header_invalid".to_owned()),
    );
    assert_eq!(
        call(&forest, "Filecoin.ChainHead", None),
        allow,
        "no header: read"
    );
    assert_eq!(
        call(&forest, "Filecoin.MpoolPush", None),
        (StatusCode::UNAUTHORIZED, Some("token_required".to_owned())),
        "the anonymous `read` grant does not reach write methods: send a token"
    );
    assert_eq!(
        call(
            &forest,
            "Filecoin.MpoolPush",
            Some(&format!("Bearer {write}"))
        ),
        allow
    );
    assert_eq!(
        call(
            &forest,
            "Filecoin.MpoolPush",
            Some(&format!("bearer {write}"))
        ),
        header_invalid
    );
    assert_eq!(
        call(&forest, "Filecoin.MpoolPush", Some(&write)),
        header_invalid
    );
    assert_eq!(
        call(&forest, "Filecoin.ChainHead", Some("")),
        header_invalid,
        "Forest: empty is an error"
    );
    assert_eq!(
        call(
            &forest,
            "Filecoin.ChainHead",
            Some(&format!("Bearer Bearer {write}"))
        ),
        (StatusCode::UNAUTHORIZED, Some("token_malformed".to_owned())),
        "the prefix is stripped once"
    );
    assert_eq!(
        call(
            &forest,
            "Filecoin.WalletSign",
            Some(&format!("Bearer {write}"))
        ),
        (StatusCode::FORBIDDEN, Some("permission_missing".to_owned()))
    );
}

#[test]
fn lotus_treats_an_empty_header_as_absent() {
    let lotus = authorizer("lotus.policy");
    let read_token = token(r#"["read"]"#);
    assert_eq!(
        call(&lotus, "Filecoin.ChainHead", Some("")),
        (StatusCode::OK, None)
    );
    assert_eq!(
        call(
            &lotus,
            "Filecoin.ChainHead",
            Some(&format!("Bearer {read_token}"))
        ),
        (StatusCode::OK, None)
    );
    assert_eq!(
        call(
            &lotus,
            "Filecoin.ChainHead",
            Some(&format!("Token {read_token}"))
        ),
        (
            StatusCode::BAD_REQUEST,
            Some("authorization_header_invalid".to_owned())
        )
    );
}

#[test]
fn a_policy_without_routes_denies_every_routed_request() {
    let forest = authorizer("forest.policy");
    assert!(!forest.policy().has_routes());
    let facts = RequestFacts {
        method: "POST",
        target: "/rpc/v1",
        authorization: AuthorizationHeader::Absent,
    };
    let HttpDecision::Deny(denial) = decide(&forest, &facts) else {
        panic!("no route, no allow");
    };
    assert_eq!(denial.code.as_str(), "route_not_found");
    assert_eq!(denial.status, StatusCode::NOT_FOUND);
}

/// `bearer optional` (Forest up to v0.33.7): the token with or without `Bearer `.
#[test]
fn a_legacy_forest_policy_accepts_the_token_without_the_prefix() {
    let source =
        read("policies/forest.policy").replace("leeway 60s\n", "leeway 60s\nbearer optional\n");
    assert!(source.contains("bearer optional"));
    let policy = Policy::compile(&source, "forest-legacy.policy").unwrap();
    let legacy = Authorizer::builder(policy)
        .hmac_secret(secret())
        .build()
        .unwrap();
    let write = token(r#"["read","write"]"#);
    for header in [
        write.clone(),
        format!("Bearer {write}"),
        format!("Bearer Bearer {write}"),
    ] {
        assert_eq!(
            call(&legacy, "Filecoin.MpoolPush", Some(&header)),
            (StatusCode::OK, None),
            "{header:.20}"
        );
    }
    assert_eq!(
        call(
            &legacy,
            "Filecoin.MpoolPush",
            Some(&format!("bearer {write}"))
        ),
        (StatusCode::UNAUTHORIZED, Some("token_malformed".to_owned())),
        "the prefix is case-sensitive"
    );
    assert_eq!(
        call(
            &authorizer("forest.policy"),
            "Filecoin.MpoolPush",
            Some(&write)
        ),
        (
            StatusCode::BAD_REQUEST,
            Some("authorization_header_invalid".to_owned())
        ),
        "the shipped policy stays strict"
    );
}
