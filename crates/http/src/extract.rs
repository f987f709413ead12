//! Reading the token from the `Authorization` header, as each upstream does.
//!
//! - **Akash** (`akash-network/provider` `gateway/rest/middleware.go`, AKASH.md §8.1): Go's
//!   `Header.Get` treats an empty value as absent; a present value must split
//!   (`strings.Fields`) into exactly two fields, the first `bearer` in any case.
//! - **Forest** (`src/rpc/auth_layer.rs`, FILECOIN.md §1.6): the value must be visible ASCII and
//!   start with the case-sensitive `Bearer `, stripped once; an empty value is an error. (Forest
//!   made the prefix mandatory in v0.33.8; its `jwt_handling.md` still calls it optional, which is
//!   stale.)
//! - **Lotus**: an empty value is absent; otherwise the case-sensitive `Bearer ` prefix is required.
//! - **Forest up to v0.33.7**, only when the policy says `bearer optional`: visible ASCII, then
//!   every leading `Bearer ` is stripped (`trim_start_matches`), so the prefix is optional.
//!
//! Deviation, all families: more than one `Authorization` header is refused. Go and hyper read
//! the first one; a request carrying two credentials is ambiguous, so Tollgate denies it.

use http::HeaderMap;
use http::header::AUTHORIZATION;
use tollgate::policy::{BearerPrefix, ClaimsRule, Policy};
use tollgate::schema::FilecoinBehaviour;

/// The `Authorization` header(s) of a request, as received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorizationHeader<'a> {
    /// No `Authorization` header.
    Absent,
    /// Exactly one, with its raw value bytes.
    One(&'a [u8]),
    /// More than one.
    Many,
}

impl<'a> AuthorizationHeader<'a> {
    /// Reads the `Authorization` header(s) of `headers`.
    pub fn from_headers(headers: &'a HeaderMap) -> Self {
        let mut values = headers.get_all(AUTHORIZATION).iter();
        match (values.next(), values.next()) {
            (None, _) => AuthorizationHeader::Absent,
            (Some(value), None) => AuthorizationHeader::One(value.as_bytes()),
            (Some(_), Some(_)) => AuthorizationHeader::Many,
        }
    }
}

/// Why the header was refused (for the deny reason).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HeaderProblem {
    /// Two or more `Authorization` headers.
    Repeated,
    /// Bytes that are not text of the required kind.
    NotText,
    /// Not `bearer <token>` as two fields (Akash).
    NotTwoFields,
    /// The first field is not `bearer` (Akash).
    NotBearer,
    /// No case-sensitive `Bearer ` prefix (Forest, Lotus).
    MissingBearerPrefix,
}

impl HeaderProblem {
    /// One line for the deny reason.
    pub(crate) const fn describe(self) -> &'static str {
        match self {
            HeaderProblem::Repeated => {
                "the request has more than one `Authorization` header: send exactly one"
            }
            HeaderProblem::NotText => {
                "the `Authorization` header is not valid text: send `Bearer <token>`"
            }
            HeaderProblem::NotTwoFields => {
                "the `Authorization` header must be exactly `Bearer <token>` (two fields)"
            }
            HeaderProblem::NotBearer => {
                "the `Authorization` header must start with `Bearer` (any case)"
            }
            HeaderProblem::MissingBearerPrefix => {
                "the `Authorization` header must start with `Bearer ` (case-sensitive, one space)"
            }
        }
    }
}

/// Which upstream's header rules apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HeaderRules {
    /// The Akash provider gateway.
    Akash,
    /// Forest's RPC server.
    Forest,
    /// Forest up to v0.33.7 (`bearer optional`): the prefix may be absent or repeated.
    ForestLegacy,
    /// Lotus's RPC server.
    Lotus,
}

impl HeaderRules {
    /// The rules of the policy's family.
    pub(crate) fn of(policy: &Policy) -> Self {
        match policy.claims_rule() {
            ClaimsRule::Akash(_) => HeaderRules::Akash,
            ClaimsRule::Filecoin(FilecoinBehaviour::Forest) => match policy.bearer_prefix() {
                BearerPrefix::Required => HeaderRules::Forest,
                BearerPrefix::Optional => HeaderRules::ForestLegacy,
            },
            ClaimsRule::Filecoin(FilecoinBehaviour::Lotus) => HeaderRules::Lotus,
        }
    }
}

/// The token the header carries: `Ok(None)` for an anonymous request.
pub(crate) fn bearer_token<'a>(
    header: AuthorizationHeader<'a>,
    rules: HeaderRules,
) -> Result<Option<&'a str>, HeaderProblem> {
    let raw = match header {
        AuthorizationHeader::Absent => return Ok(None),
        AuthorizationHeader::Many => return Err(HeaderProblem::Repeated),
        AuthorizationHeader::One(raw) => raw,
    };
    match rules {
        HeaderRules::Akash => {
            let value = std::str::from_utf8(raw).map_err(|_| HeaderProblem::NotText)?;
            if value.is_empty() {
                return Ok(None);
            }
            let fields = if value.is_ascii() {
                ascii_two_fields(value)
            } else {
                unicode_two_fields(value)
            };
            match fields {
                Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Ok(Some(token)),
                Some(_) => Err(HeaderProblem::NotBearer),
                None => Err(HeaderProblem::NotTwoFields),
            }
        }
        HeaderRules::Forest => {
            // `HeaderValue::to_str`: visible ASCII and tab only.
            if !raw
                .iter()
                .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
            {
                return Err(HeaderProblem::NotText);
            }
            let value = std::str::from_utf8(raw).map_err(|_| HeaderProblem::NotText)?;
            value
                .strip_prefix("Bearer ")
                .map(Some)
                .ok_or(HeaderProblem::MissingBearerPrefix)
        }
        HeaderRules::ForestLegacy => {
            if !raw
                .iter()
                .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
            {
                return Err(HeaderProblem::NotText);
            }
            let value = std::str::from_utf8(raw).map_err(|_| HeaderProblem::NotText)?;
            Ok(Some(value.trim_start_matches("Bearer ")))
        }
        HeaderRules::Lotus => {
            let value = std::str::from_utf8(raw).map_err(|_| HeaderProblem::NotText)?;
            if value.is_empty() {
                return Ok(None);
            }
            value
                .strip_prefix("Bearer ")
                .map(Some)
                .ok_or(HeaderProblem::MissingBearerPrefix)
        }
    }
}

/// Go's `unicode.IsSpace` restricted to ASCII: `\t \n \v \f \r` and space.
const fn is_ascii_space(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// `strings.Fields(value)` when it has exactly two fields, for an ASCII value, without the
/// per-character decoding of the general case (a token is ~600 bytes on every request).
fn ascii_two_fields(value: &str) -> Option<(&str, &str)> {
    let bytes = value.as_bytes();
    let start = bytes.iter().position(|&b| !is_ascii_space(b))?;
    let end = bytes
        .iter()
        .rposition(|&b| !is_ascii_space(b))?
        .checked_add(1)?;
    let trimmed = value.get(start..end)?;
    let gap = trimmed.bytes().position(is_ascii_space)?;
    let (scheme, rest) = trimmed.split_at_checked(gap)?;
    let token_start = rest.bytes().position(|b| !is_ascii_space(b))?;
    let token = rest.get(token_start..)?;
    // No early exit: the fold vectorizes, and a valid token has no space to find early.
    let inner_space = token
        .bytes()
        .fold(false, |found, b| found | is_ascii_space(b));
    (!inner_space).then_some((scheme, token))
}

/// `strings.Fields(value)` when it has exactly two fields, for any value.
fn unicode_two_fields(value: &str) -> Option<(&str, &str)> {
    let mut fields = value.split_whitespace();
    match (fields.next(), fields.next(), fields.next()) {
        (Some(scheme), Some(token), None) => Some((scheme, token)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The reference model: the upstream rules written the obvious way, allocating freely (Go's
    /// `strings.ToLower` is Unicode lowercasing).
    fn model(raw: &[u8], rules: HeaderRules) -> Result<Option<String>, ()> {
        match rules {
            HeaderRules::Akash => {
                let text = String::from_utf8(raw.to_vec()).map_err(|_| ())?;
                if text.is_empty() {
                    return Ok(None);
                }
                let fields: Vec<&str> = text.split_whitespace().collect();
                if fields.len() == 2 && fields[0].to_lowercase() == "bearer" {
                    Ok(Some(fields[1].to_owned()))
                } else {
                    Err(())
                }
            }
            HeaderRules::ForestLegacy => {
                if raw.iter().any(|&b| b != b'\t' && !(32..127).contains(&b)) {
                    return Err(());
                }
                let mut text = String::from_utf8(raw.to_vec()).map_err(|_| ())?;
                while let Some(rest) = text.strip_prefix("Bearer ") {
                    text = rest.to_owned();
                }
                Ok(Some(text))
            }
            HeaderRules::Forest | HeaderRules::Lotus => {
                if rules == HeaderRules::Forest
                    && raw.iter().any(|&b| b != b'\t' && !(32..127).contains(&b))
                {
                    return Err(());
                }
                let text = String::from_utf8(raw.to_vec()).map_err(|_| ())?;
                if rules == HeaderRules::Lotus && text.is_empty() {
                    return Ok(None);
                }
                match text.get(..7) {
                    Some("Bearer ") => Ok(text.get(7..).map(str::to_owned)),
                    _ => Err(()),
                }
            }
        }
    }

    fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            any::<Vec<u8>>(),
            "(Bearer|bearer|BEARER|Basic|Bearer )?[ \t]{0,3}[A-Za-z0-9._ -]{0,12}[ \t]{0,2}"
                .prop_map(String::into_bytes),
            "[ \t\n\r\x0b\x0c]{0,2}(Bearer|bearer)[ \t\n\r\x0b\x0c]{1,3}[A-Za-z0-9._\x0b\x0c-]{0,12}[ \t\x0b\x0c]{0,2}"
                .prop_map(String::into_bytes),
            "[ \t\u{a0}\u{2003}]{0,2}bEaReR[ \t\u{85}\u{3000}]{1,3}[a-z.]{1,8}[ \u{2028}]{0,2}"
                .prop_map(String::into_bytes),
        ]
    }

    proptest! {
        #[test]
        fn extraction_matches_the_reference_model(raw in header_bytes()) {
            for rules in [
                HeaderRules::Akash,
                HeaderRules::Forest,
                HeaderRules::ForestLegacy,
                HeaderRules::Lotus,
            ] {
                let fast = bearer_token(AuthorizationHeader::One(&raw), rules)
                    .map(|token| token.map(str::to_owned))
                    .map_err(|_| ());
                prop_assert_eq!(fast, model(&raw, rules), "{:?} {:?}", rules, raw);
            }
        }
    }

    fn one(value: &str) -> AuthorizationHeader<'_> {
        AuthorizationHeader::One(value.as_bytes())
    }

    #[test]
    fn akash_follows_the_provider_gateway() {
        let rules = HeaderRules::Akash;
        assert_eq!(bearer_token(AuthorizationHeader::Absent, rules), Ok(None));
        assert_eq!(bearer_token(one(""), rules), Ok(None));
        assert_eq!(bearer_token(one("Bearer abc"), rules), Ok(Some("abc")));
        assert_eq!(bearer_token(one("bEaReR abc"), rules), Ok(Some("abc")));
        assert_eq!(
            bearer_token(one("  bearer\t abc  "), rules),
            Ok(Some("abc"))
        );
        assert_eq!(
            bearer_token(one("Bearer"), rules),
            Err(HeaderProblem::NotTwoFields)
        );
        assert_eq!(
            bearer_token(one("Bearer a b"), rules),
            Err(HeaderProblem::NotTwoFields)
        );
        assert_eq!(
            bearer_token(one("Basic abc"), rules),
            Err(HeaderProblem::NotBearer)
        );
        assert_eq!(
            bearer_token(one("abc"), rules),
            Err(HeaderProblem::NotTwoFields)
        );
        assert_eq!(
            bearer_token(AuthorizationHeader::Many, rules),
            Err(HeaderProblem::Repeated)
        );
        assert_eq!(
            bearer_token(AuthorizationHeader::One(&[0xff, 0xfe]), rules),
            Err(HeaderProblem::NotText)
        );
    }

    #[test]
    fn forest_requires_the_exact_prefix_and_visible_ascii() {
        let rules = HeaderRules::Forest;
        assert_eq!(bearer_token(AuthorizationHeader::Absent, rules), Ok(None));
        assert_eq!(
            bearer_token(one(""), rules),
            Err(HeaderProblem::MissingBearerPrefix)
        );
        assert_eq!(bearer_token(one("Bearer abc"), rules), Ok(Some("abc")));
        assert_eq!(
            bearer_token(one("Bearer Bearer abc"), rules),
            Ok(Some("Bearer abc")),
            "stripped once: the remainder fails verification"
        );
        assert_eq!(
            bearer_token(one("bearer abc"), rules),
            Err(HeaderProblem::MissingBearerPrefix)
        );
        assert_eq!(
            bearer_token(one("Cthulhu"), rules),
            Err(HeaderProblem::MissingBearerPrefix)
        );
        assert_eq!(
            bearer_token(AuthorizationHeader::One(&[0xff, 0xfe]), rules),
            Err(HeaderProblem::NotText)
        );
    }

    #[test]
    fn legacy_forest_strips_any_number_of_prefixes() {
        let rules = HeaderRules::ForestLegacy;
        assert_eq!(bearer_token(AuthorizationHeader::Absent, rules), Ok(None));
        assert_eq!(bearer_token(one("abc"), rules), Ok(Some("abc")));
        assert_eq!(bearer_token(one("Bearer abc"), rules), Ok(Some("abc")));
        assert_eq!(
            bearer_token(one("Bearer Bearer abc"), rules),
            Ok(Some("abc"))
        );
        assert_eq!(bearer_token(one(""), rules), Ok(Some("")));
        assert_eq!(
            bearer_token(one("bearer abc"), rules),
            Ok(Some("bearer abc")),
            "case-sensitive: the remainder fails verification"
        );
    }

    #[test]
    fn lotus_treats_an_empty_header_as_absent() {
        let rules = HeaderRules::Lotus;
        assert_eq!(bearer_token(one(""), rules), Ok(None));
        assert_eq!(bearer_token(one("Bearer abc"), rules), Ok(Some("abc")));
        assert_eq!(
            bearer_token(one("abc"), rules),
            Err(HeaderProblem::MissingBearerPrefix)
        );
    }
}
