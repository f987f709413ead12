#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]
//! Pins the rendered miette output of representative claim errors.

use miette::{GraphicalReportHandler, GraphicalTheme};
use tollgate_schema::{
    AkashBehaviour, AkashValidator, ClaimErrors, FilecoinBehaviour, FilecoinValidator,
};

const A: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";

fn render(e: &ClaimErrors) -> String {
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false)
        .render_report(&mut out, e)
        .unwrap();
    out
}

fn akash(b: AkashBehaviour, payload: &str) -> String {
    let e = AkashValidator::new(b)
        .unwrap()
        .validate(payload.as_bytes())
        .unwrap_err();
    format!("{e}\n\n{}", render(&e))
}

fn wrap(leases: &str) -> String {
    format!(
        r#"{{"iss":"{A}","iat":1760000000,"nbf":1760000000,"exp":1760000900,"version":"v1","leases":{leases}}}"#
    )
}

#[test]
fn misspelt_scope_suggests_the_name() {
    insta::assert_snapshot!(akash(
        AkashBehaviour::Strict,
        &wrap(r#"{"access":"scoped","scope":["log","shell"]}"#)
    ));
}

#[test]
fn duplicate_scope_and_provider_are_both_reported() {
    let p = wrap(&format!(
        r#"{{"access":"granular","permissions":[{{"provider":"{A}","access":"scoped","scope":["logs","logs"]}},{{"provider":"{A}","access":"full"}}]}}"#
    ));
    insta::assert_snapshot!(akash(AkashBehaviour::UpstreamCompatible, &p));
}

#[test]
fn missing_claims_are_all_listed() {
    insta::assert_snapshot!(akash(
        AkashBehaviour::Strict,
        r#"{"version":"","leases":{"access":""}}"#
    ));
}

#[test]
fn invalid_issuer_checksum() {
    let p = wrap(r#"{"access":"full"}"#).replace(A, "akash1bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    insta::assert_snapshot!(akash(AkashBehaviour::Strict, &p));
}

#[test]
fn strict_refuses_what_go_tolerates() {
    let p = format!(
        r#"{{"iss":"{A}","iat":"1760000000","nbf":1.5,"exp":1760000900,"version":"v1","aud":"x","jti":"","leases":{{"access":"full","scope":[]}}}}"#
    );
    insta::assert_snapshot!(akash(AkashBehaviour::Strict, &p));
}

#[test]
fn deployment_rules() {
    let p = wrap(&format!(
        r#"{{"access":"granular","permissions":[{{"provider":"{A}","access":"granular","deployments":[{{"dseq":0,"gseq":0,"oseq":1,"scope":[],"services":["web","web",""]}}]}}]}}"#
    ));
    insta::assert_snapshot!(akash(AkashBehaviour::Strict, &p));
}

#[test]
fn invalid_access_suggests_the_name() {
    insta::assert_snapshot!(akash(
        AkashBehaviour::UpstreamCompatible,
        &wrap(r#"{"access":"granualr"}"#)
    ));
}

#[test]
fn forest_reports_every_problem() {
    let e = FilecoinValidator::new(FilecoinBehaviour::Forest)
        .unwrap()
        .validate(br#"{"allow":["read"],"exp":4877839597.0,"aud":"x"}"#)
        .unwrap_err();
    insta::assert_snapshot!(format!("{e}\n\n{}", render(&e)));
}

#[test]
fn not_json() {
    insta::assert_snapshot!(akash(AkashBehaviour::Strict, r#"{"iss":"#));
}
