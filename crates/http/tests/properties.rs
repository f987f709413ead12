//! Deny by default over HTTP: arbitrary methods, paths and `Authorization` headers never panic,
//! every deny carries a code and an error status, and nothing is allowed that the policy does
//! not grant (only public routes without a token, and valid tokens on routed paths).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

mod support;

use std::sync::LazyLock;

use proptest::prelude::*;
use support::*;
use tollgate::Authorizer;
use tollgate_http::{AuthorizationHeader, HttpDecision, RequestFacts, decide};

static STRICT: LazyLock<Authorizer> = LazyLock::new(|| authorizer("akash-provider.policy"));
static COMPAT: LazyLock<Authorizer> = LazyLock::new(|| authorizer("akash-provider-compat.policy"));
static FULL: LazyLock<String> = LazyLock::new(|| token(r#"{"access":"full"}"#));

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("GET".to_owned()),
        Just("PUT".to_owned()),
        Just("POST".to_owned()),
        Just("get".to_owned()),
        "[A-Z]{1,7}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        Just("lease".to_owned()),
        Just("deployment".to_owned()),
        Just("manifest".to_owned()),
        Just("status".to_owned()),
        Just("version".to_owned()),
        Just("shell".to_owned()),
        Just("service".to_owned()),
        Just("42".to_owned()),
        Just("0".to_owned()),
        Just("..".to_owned()),
        Just(String::new()),
        "[0-9]{1,21}",
        "[a-z%.]{1,6}",
    ];
    (
        proptest::collection::vec(segment, 0..8),
        prop_oneof![Just(String::new()), "\\?[a-z=&]{0,10}", "#x"],
    )
        .prop_map(|(segments, tail)| format!("/{}{tail}", segments.join("/")))
}

fn header() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop_oneof![
        Just(None),
        Just(Some(format!("Bearer {}", *FULL).into_bytes())),
        Just(Some(format!("bearer {}x", *FULL).into_bytes())),
        any::<Vec<u8>>().prop_map(Some),
        "(Bearer|bearer|Basic)? ?[A-Za-z0-9._-]{0,40}".prop_map(|s| Some(s.into_bytes())),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_requests_are_denied_unless_granted(
        method in method(),
        path in path(),
        header in header(),
    ) {
        let authorization = match &header {
            None => AuthorizationHeader::Absent,
            Some(bytes) => AuthorizationHeader::One(bytes),
        };
        let facts = RequestFacts { method: &method, target: &path, authorization };
        for authorizer in [&*STRICT, &*COMPAT] {
            match decide(authorizer, &facts) {
                HttpDecision::Allow(identity) => {
                    let routed = authorizer.policy().match_route(&method, &path).unwrap();
                    let def = authorizer.policy().operation_def(routed.op);
                    prop_assert_eq!(&identity.operation, &def.name);
                    if identity.issuer.is_none() {
                        prop_assert!(def.public, "an anonymous allow is for a public route only");
                    } else {
                        prop_assert_eq!(identity.issuer.as_deref(), Some(ISSUER));
                        let valid = format!("Bearer {}", *FULL);
                        prop_assert_eq!(header.as_deref(), Some(valid.as_bytes()),
                            "only the valid token is allowed");
                    }
                }
                HttpDecision::Deny(denial) => {
                    prop_assert!(denial.status.is_client_error() || denial.status.is_server_error());
                    let response: http::Response<String> = denial.to_response();
                    prop_assert_eq!(
                        response.headers()["x-tollgate-code"].to_str().unwrap(),
                        denial.code.as_str()
                    );
                    prop_assert!(!denial.reason.contains(FULL.as_str()), "the token never leaks");
                }
            }
        }
    }
}
