//! The account query's answer, as a cosmos-sdk node's REST gateway writes it.
//!
//! `GET /cosmos/auth/v1beta1/accounts/{address}` returns `{"account": Any}` where `Any` is the
//! account's JSON with an `@type` member. The gateway marshals with the proto field names
//! (`pub_key`, `account_number`), emits default values (`"pub_key": null`, `"sequence": "0"`),
//! writes 64-bit integers as strings and embedded messages as nested objects
//! (`base_vesting_account.base_account`). See `fixtures/README.md` for the sources.
//!
//! Parsing is strict: every modelled object rejects unknown members, and an account type this
//! module does not know is an error, never a guess.

use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value;

/// `@type` of the plain account.
pub(crate) const BASE_ACCOUNT: &str = "/cosmos.auth.v1beta1.BaseAccount";
/// `@type` of a module account.
pub(crate) const MODULE_ACCOUNT: &str = "/cosmos.auth.v1beta1.ModuleAccount";
/// `@type`s of the vesting accounts, which hold the key under `base_vesting_account.base_account`.
pub(crate) const CONTINUOUS_VESTING: &str = "/cosmos.vesting.v1beta1.ContinuousVestingAccount";
/// See [`CONTINUOUS_VESTING`].
pub(crate) const DELAYED_VESTING: &str = "/cosmos.vesting.v1beta1.DelayedVestingAccount";
/// See [`CONTINUOUS_VESTING`].
pub(crate) const PERIODIC_VESTING: &str = "/cosmos.vesting.v1beta1.PeriodicVestingAccount";
/// See [`CONTINUOUS_VESTING`].
pub(crate) const PERMANENT_LOCKED: &str = "/cosmos.vesting.v1beta1.PermanentLockedAccount";
/// `@type` of the only key type tokens can be signed with.
pub(crate) const SECP256K1_PUBKEY: &str = "/cosmos.crypto.secp256k1.PubKey";

/// At most `max` characters of `text` (from a node), with `…` when cut: node-supplied strings
/// enter deny reasons and logs, and an answer may be 64 KiB.
pub(crate) fn clip(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let mut clipped: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        clipped.push('…');
    }
    clipped
}

/// Most characters kept of a name a node supplies (key type, module name, account address).
pub(crate) const NAME_CHARS: usize = 80;

/// What an account query told us about an address's key, before the key is checked against
/// the address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AccountAnswer {
    /// A secp256k1 key, 33 bytes compressed (not yet parsed as a point).
    Key([u8; 33]),
    /// The account has no key: it never signed a transaction. `account_type` is the short type
    /// name, e.g. `BaseAccount`.
    NoPublicKey {
        /// Short account type name.
        account_type: String,
    },
    /// A module account.
    Module {
        /// The module's name.
        module: String,
    },
    /// A key of another type; `key_type` is its `@type`.
    UnsupportedKey {
        /// The key's `@type`.
        key_type: String,
    },
}

/// The fields of an account that matter here, whatever its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AccountFacts {
    /// The account's own `address`.
    pub address: String,
    /// The short type name, e.g. `ContinuousVestingAccount`.
    pub account_type: String,
    /// The module name, for module accounts.
    pub module: Option<String>,
    /// `(key @type, key bytes)` when the account has a key.
    pub key: Option<(String, Vec<u8>)>,
}

impl AccountFacts {
    /// Checks the account is the one asked for and classifies its key. Names from the node
    /// are clipped to [`NAME_CHARS`].
    pub(crate) fn answer(self, address: &str) -> Result<AccountAnswer, String> {
        if self.address != address {
            return Err(format!(
                "the node answered with account `{}` for `{address}`",
                clip(&self.address, NAME_CHARS)
            ));
        }
        if let Some(module) = self.module {
            return Ok(AccountAnswer::Module {
                module: clip(&module, NAME_CHARS),
            });
        }
        match self.key {
            None => Ok(AccountAnswer::NoPublicKey {
                account_type: clip(&self.account_type, NAME_CHARS),
            }),
            Some((key_type, bytes)) if key_type == SECP256K1_PUBKEY => {
                let key: [u8; 33] = bytes.as_slice().try_into().map_err(|_| {
                    format!(
                        "the node returned a {}-byte secp256k1 key, not 33 bytes",
                        bytes.len()
                    )
                })?;
                Ok(AccountAnswer::Key(key))
            }
            Some((key_type, _)) => Ok(AccountAnswer::UnsupportedKey {
                key_type: clip(&key_type, NAME_CHARS),
            }),
        }
    }
}

/// `{"account": {...}}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QueryAccountResponse {
    account: Value,
}

/// A 64-bit integer as the gateway writes it: a decimal string.
#[derive(Deserialize)]
#[serde(transparent)]
struct Int64String(String);

impl Int64String {
    fn check(&self, field: &str) -> Result<(), String> {
        let digits = self.0.strip_prefix('-').unwrap_or(&self.0);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{field}` is not a decimal integer string"));
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BaseAccount {
    address: String,
    pub_key: Option<Value>,
    account_number: Int64String,
    sequence: Int64String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code, reason = "parsed to check the shape, not used")]
struct Coin {
    denom: String,
    amount: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code, reason = "parsed to check the shape, not used")]
struct BaseVestingAccount {
    base_account: BaseAccount,
    original_vesting: Vec<Coin>,
    delegated_free: Vec<Coin>,
    delegated_vesting: Vec<Coin>,
    end_time: Int64String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModuleAccount {
    #[serde(rename = "@type")]
    _type: String,
    base_account: BaseAccount,
    name: String,
    #[expect(dead_code, reason = "parsed to check the shape, not used")]
    permissions: Vec<String>,
}

/// `BaseAccount`'s members inlined in the `Any`, next to its `@type`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlainAccount {
    #[serde(rename = "@type")]
    _type: String,
    address: String,
    pub_key: Option<Value>,
    account_number: Int64String,
    sequence: Int64String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContinuousOrPeriodic {
    #[serde(rename = "@type")]
    _type: String,
    base_vesting_account: BaseVestingAccount,
    start_time: Int64String,
    #[serde(default)]
    vesting_periods: Option<Vec<Period>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code, reason = "parsed to check the shape, not used")]
struct Period {
    length: Int64String,
    amount: Vec<Coin>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DelayedOrLocked {
    #[serde(rename = "@type")]
    _type: String,
    base_vesting_account: BaseVestingAccount,
}

/// `{"@type": "...", "key": "<base64>"}` for the single-key types.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SingleKey {
    #[serde(rename = "@type")]
    _type: String,
    key: String,
}

fn json<T: for<'de> Deserialize<'de>>(value: Value, what: &str) -> Result<T, String> {
    serde_json::from_value(value).map_err(|error| format!("malformed {what}: {error}"))
}

fn type_of(value: &Value) -> Option<&str> {
    value.get("@type").and_then(Value::as_str)
}

fn short_name(type_url: &str) -> String {
    type_url.rsplit('.').next().unwrap_or(type_url).to_owned()
}

/// Reads a `pub_key` `Any`: `None` for `null`; a secp256k1 key's bytes; or any other type's
/// `@type` with no bytes.
fn key_of(pub_key: Option<Value>) -> Result<Option<(String, Vec<u8>)>, String> {
    let Some(value) = pub_key else {
        return Ok(None);
    };
    let Some(key_type) = type_of(&value).map(str::to_owned) else {
        return Err("`pub_key` has no `@type`".to_owned());
    };
    if key_type != SECP256K1_PUBKEY {
        return Ok(Some((key_type, Vec::new())));
    }
    let key: SingleKey = json(value, "`pub_key`")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(key.key.as_bytes())
        .map_err(|error| format!("`pub_key.key` is not base64: {error}"))?;
    Ok(Some((key_type, bytes)))
}

fn base_facts(base: BaseAccount, account_type: String) -> Result<AccountFacts, String> {
    base.account_number.check("account_number")?;
    base.sequence.check("sequence")?;
    Ok(AccountFacts {
        address: base.address,
        account_type,
        module: None,
        key: key_of(base.pub_key)?,
    })
}

fn vesting_facts(
    vesting: BaseVestingAccount,
    account_type: String,
) -> Result<AccountFacts, String> {
    vesting.end_time.check("end_time")?;
    base_facts(vesting.base_account, account_type)
}

/// Parses the body of a `200 OK` account query.
pub(crate) fn parse_account_json(body: &[u8]) -> Result<AccountFacts, String> {
    let response: QueryAccountResponse = serde_json::from_slice(body)
        .map_err(|error| format!("malformed account response: {error}"))?;
    let account = response.account;
    let Some(type_url) = type_of(&account).map(str::to_owned) else {
        return Err("the account has no `@type`".to_owned());
    };
    let name = short_name(&type_url);
    match type_url.as_str() {
        BASE_ACCOUNT => {
            let plain: PlainAccount = json(account, "BaseAccount")?;
            let base = BaseAccount {
                address: plain.address,
                pub_key: plain.pub_key,
                account_number: plain.account_number,
                sequence: plain.sequence,
            };
            base_facts(base, name)
        }
        MODULE_ACCOUNT => {
            let module: ModuleAccount = json(account, "ModuleAccount")?;
            let mut facts = base_facts(module.base_account, name)?;
            facts.module = Some(module.name);
            Ok(facts)
        }
        CONTINUOUS_VESTING | PERIODIC_VESTING => {
            let vesting: ContinuousOrPeriodic = json(account, &name)?;
            vesting.start_time.check("start_time")?;
            let periodic = type_url == PERIODIC_VESTING;
            if periodic != vesting.vesting_periods.is_some() {
                return Err(format!(
                    "malformed {name}: `vesting_periods` is {}",
                    if periodic { "missing" } else { "unexpected" }
                ));
            }
            vesting_facts(vesting.base_vesting_account, name)
        }
        DELAYED_VESTING | PERMANENT_LOCKED => {
            let vesting: DelayedOrLocked = json(account, &name)?;
            vesting_facts(vesting.base_vesting_account, name)
        }
        other => Err(format!(
            "the node returned an account of type `{}`, which tollgate does not read",
            clip(other, NAME_CHARS)
        )),
    }
}

/// The gRPC status a REST gateway writes for a failed query: `{"code":5,"message":…,"details":[]}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GatewayStatus {
    code: i32,
    message: String,
    /// Absent in grpc-gateway's fallback body `{"code": 13, "message": …}`.
    #[serde(default)]
    #[expect(dead_code, reason = "parsed to check the shape, not used")]
    details: Vec<Value>,
}

/// The gRPC code `NotFound`.
pub(crate) const GRPC_NOT_FOUND: i32 = 5;

/// Parses a gateway error body into `(gRPC code, message)`.
pub(crate) fn parse_status_json(body: &[u8]) -> Option<(i32, String)> {
    serde_json::from_slice::<GatewayStatus>(body)
        .ok()
        .map(|status| (status.code, status.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDR: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";

    fn base(pub_key: &str) -> String {
        format!(
            r#"{{"account":{{"@type":"/cosmos.auth.v1beta1.BaseAccount","address":"{ADDR}","pub_key":{pub_key},"account_number":"42","sequence":"7"}}}}"#
        )
    }

    #[test]
    fn reads_a_base_account_key() {
        let body = base(
            r#"{"@type":"/cosmos.crypto.secp256k1.PubKey","key":"A+H95cwX9WUB7VPYdxjfdsE1uaZAHc61PRmBEaHq+F92"}"#,
        );
        let answer = parse_account_json(body.as_bytes())
            .unwrap()
            .answer(ADDR)
            .unwrap();
        let AccountAnswer::Key(key) = answer else {
            panic!("{answer:?}")
        };
        assert_eq!(
            hex::encode(key),
            "03e1fde5cc17f56501ed53d87718df76c135b9a6401dceb53d198111a1eaf85f76"
        );
    }

    #[test]
    fn null_key_means_never_signed() {
        let answer = parse_account_json(base("null").as_bytes())
            .unwrap()
            .answer(ADDR)
            .unwrap();
        assert_eq!(
            answer,
            AccountAnswer::NoPublicKey {
                account_type: "BaseAccount".into()
            }
        );
    }

    #[test]
    fn rejects_unknown_members_and_bad_numbers() {
        let extra = base("null").replace(r#""sequence":"7""#, r#""sequence":"7","x":1"#);
        assert!(parse_account_json(extra.as_bytes()).is_err());
        let number = base("null").replace(r#""sequence":"7""#, r#""sequence":7"#);
        assert!(parse_account_json(number.as_bytes()).is_err());
        let text = base("null").replace(r#""sequence":"7""#, r#""sequence":"seven""#);
        assert!(parse_account_json(text.as_bytes()).is_err());
    }

    #[test]
    fn a_short_secp256k1_key_is_an_error() {
        let body = base(r#"{"@type":"/cosmos.crypto.secp256k1.PubKey","key":"AAAA"}"#);
        let facts = parse_account_json(body.as_bytes()).unwrap();
        assert!(facts.answer(ADDR).unwrap_err().contains("3-byte"));
    }

    #[test]
    fn another_address_is_an_error() {
        let facts = parse_account_json(base("null").as_bytes()).unwrap();
        assert!(facts.answer("akash1other").is_err());
    }

    #[test]
    fn clips_node_supplied_names() {
        assert_eq!(clip("short", 80), "short");
        assert_eq!(clip(&"é".repeat(80), 80), "é".repeat(80));
        assert_eq!(clip(&"é".repeat(81), 80), format!("{}…", "é".repeat(80)));
        let long_type = format!("/evil.{}", "x".repeat(60_000));
        let body = base(&format!(r#"{{"@type":"{long_type}","key":"AAAA"}}"#));
        let answer = parse_account_json(body.as_bytes())
            .unwrap()
            .answer(ADDR)
            .unwrap();
        let AccountAnswer::UnsupportedKey { key_type } = answer else {
            panic!("{answer:?}")
        };
        assert_eq!(key_type.chars().count(), NAME_CHARS + 1);
        assert!(key_type.starts_with("/evil.xxx") && key_type.ends_with('…'));
        let unknown = format!(
            r#"{{"account":{{"@type":"/evil.{}","address":"{ADDR}"}}}}"#,
            "y".repeat(60_000)
        );
        let reason = parse_account_json(unknown.as_bytes()).unwrap_err();
        assert!(reason.len() < 300, "{} bytes", reason.len());
    }

    #[test]
    fn status_bodies() {
        assert_eq!(
            parse_status_json(br#"{"code":5,"message":"not found","details":[]}"#),
            Some((5, "not found".to_owned()))
        );
        assert_eq!(parse_status_json(b"<html>404</html>"), None);
    }
}
