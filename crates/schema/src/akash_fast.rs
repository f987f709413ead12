//! The Akash fast path: one typed serde pass straight from the payload bytes to [`AkashClaims`],
//! with no `serde_json::Value` and no map allocation.
//!
//! It only ever answers "clean" (`Some(claims)`) or "not sure" (`None`). It gives up at the
//! first thing that is not plainly valid in **both** behaviours' rules: invalid JSON, an unknown
//! or repeated key, `null`, a float or a numeric string, an empty or repeated list entry, an
//! access conflict, a bad address, … Then the caller runs the `Value`-based walk
//! ([`crate::akash`]), which finds every problem and words it. So error reporting lives in one
//! place, and this module only has to be right about acceptance: whatever it accepts, the walk
//! accepts with equal claims (checked by `tests/properties.rs` and `tests/fixtures.rs`).
//!
//! The JSON grammar, string unescaping, UTF-8 checks and number classification (`u64`, `i64`,
//! `f64`) come from the same `serde_json` parser the walk uses, so both see the same values.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::address;
use crate::claims::{AkashClaims, DeploymentPermission, Leases, ProviderPermission};
use crate::fast::{self, AnyString, UnixTime, bail, seed_is_visitor, set_once};
use crate::scope::{Access, Scope, ScopeSet};

/// Runs the fast path: `Some` only when the payload is clean under the chosen behaviour.
pub(crate) fn validate(payload: &[u8], strict: bool) -> Option<AkashClaims> {
    fast::run(payload, Top { strict })
}

/// Map keys, resolved by one level's name table (exact, after unescaping).
struct Key(fn(&str) -> Option<u8>);

impl<'de> DeserializeSeed<'de> for Key {
    type Value = u8;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u8, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for Key {
    type Value = u8;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a known claim name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<u8, E> {
        match (self.0)(v) {
            Some(i) => Ok(i),
            None => bail(),
        }
    }
}

fn top_key(k: &str) -> Option<u8> {
    Some(match k {
        "iss" => 0,
        "iat" => 1,
        "nbf" => 2,
        "exp" => 3,
        "jti" => 4,
        "version" => 5,
        "leases" => 6,
        _ => return None,
    })
}

fn leases_key(k: &str) -> Option<u8> {
    Some(match k {
        "access" => 0,
        "scope" => 1,
        "permissions" => 2,
        _ => return None,
    })
}

fn permission_key(k: &str) -> Option<u8> {
    Some(match k {
        "provider" => 0,
        "access" => 1,
        "scope" => 2,
        "deployments" => 3,
        _ => return None,
    })
}

fn deployment_key(k: &str) -> Option<u8> {
    Some(match k {
        "dseq" => 0,
        "gseq" => 1,
        "oseq" => 2,
        "scope" => 3,
        "services" => 4,
        _ => return None,
    })
}

seed_is_visitor!(
    Top,
    Address,
    Version,
    Jti,
    LeasesSeed,
    AccessName,
    ScopeList,
    ScopeName,
    Permissions,
    Permission,
    Deployments,
    Deployment,
    Seq,
    Services,
);

struct Top {
    strict: bool,
}

impl<'de> Visitor<'de> for Top {
    type Value = AkashClaims;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a claims object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AkashClaims, A::Error> {
        let strict = self.strict;
        // `iat`/`nbf`/`exp`: negative literals only in compat mode (strict refuses them, Go
        // keeps them).
        let time = UnixTime { negative: !strict };
        let (mut iss, mut iat, mut nbf, mut exp, mut jti, mut version, mut leases) =
            (None, None, None, None, None, None, None);
        while let Some(k) = map.next_key_seed(Key(top_key))? {
            match k {
                0 => set_once(&mut iss, map.next_value_seed(Address { strict })?)?,
                1 => set_once(&mut iat, map.next_value_seed(time)?)?,
                2 => set_once(&mut nbf, map.next_value_seed(time)?)?,
                3 => set_once(&mut exp, map.next_value_seed(time)?)?,
                4 => set_once(&mut jti, map.next_value_seed(Jti { strict })?)?,
                5 => set_once(&mut version, map.next_value_seed(Version)?)?,
                _ => set_once(&mut leases, map.next_value_seed(LeasesSeed { strict })?)?,
            }
        }
        match (iss, iat, nbf, exp, version, leases) {
            (Some(iss), Some(iat), Some(nbf), Some(exp), Some(version), Some(leases)) => {
                Ok(AkashClaims {
                    iss,
                    iat,
                    nbf,
                    exp,
                    jti,
                    version,
                    leases,
                })
            }
            _ => bail(),
        }
    }
}

/// An `akash1…` address that passes [`address::check`] in the chosen behaviour.
struct Address {
    strict: bool,
}

impl Visitor<'_> for Address {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an address")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        match address::check(v, self.strict) {
            Ok(()) => Ok(v.to_owned()),
            Err(_) => bail(),
        }
    }
}

struct Version;

impl Visitor<'_> for Version {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`v1`")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        if v == "v1" {
            Ok("v1".to_owned())
        } else {
            bail()
        }
    }
}

/// `jti`: any string in compat mode, a non-empty one in strict mode.
struct Jti {
    strict: bool,
}

impl Visitor<'_> for Jti {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a token id")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        if self.strict && v.is_empty() {
            return bail();
        }
        Ok(v.to_owned())
    }
}

struct AccessName;

impl Visitor<'_> for AccessName {
    type Value = Access;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an access level")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Access, E> {
        match Access::parse(v) {
            Some(a) => Ok(a),
            None => bail(),
        }
    }
}

/// A non-empty list of known, distinct scopes (what every rule that reads a scope list wants).
struct ScopeList;

impl<'de> Visitor<'de> for ScopeList {
    type Value = ScopeSet;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scope list")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ScopeSet, A::Error> {
        let mut set = ScopeSet::EMPTY;
        while let Some(s) = seq.next_element_seed(ScopeName)? {
            if !set.insert(s) {
                return bail();
            }
        }
        if set.is_empty() {
            return bail();
        }
        Ok(set)
    }
}

struct ScopeName;

impl Visitor<'_> for ScopeName {
    type Value = Scope;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scope")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scope, E> {
        match Scope::parse(v) {
            Some(s) => Ok(s),
            None => bail(),
        }
    }
}

/// The members an access level allows, at either level (`leases` with `permissions`, a provider
/// entry with `deployments`): only the shape the level requires. Anything extra is a conflict
/// in strict mode and a judgement call (empty lists, ignored scopes) in compat mode.
fn access_shape<T, E: de::Error>(
    access: Option<Access>,
    scope: Option<ScopeSet>,
    nested: Option<Vec<T>>,
) -> Result<(Access, ScopeSet, Vec<T>), E> {
    match (access, scope, nested) {
        (Some(access @ Access::Full), None, None) => Ok((access, ScopeSet::EMPTY, Vec::new())),
        (Some(access @ Access::Scoped), Some(scope), None) => Ok((access, scope, Vec::new())),
        (Some(access @ Access::Granular), None, Some(nested)) => {
            Ok((access, ScopeSet::EMPTY, nested))
        }
        _ => bail(),
    }
}

struct LeasesSeed {
    strict: bool,
}

impl<'de> Visitor<'de> for LeasesSeed {
    type Value = Leases;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a leases object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Leases, A::Error> {
        let strict = self.strict;
        let (mut access, mut scope, mut permissions) = (None, None, None);
        while let Some(k) = map.next_key_seed(Key(leases_key))? {
            match k {
                0 => set_once(&mut access, map.next_value_seed(AccessName)?)?,
                1 => set_once(&mut scope, map.next_value_seed(ScopeList)?)?,
                _ => set_once(
                    &mut permissions,
                    map.next_value_seed(Permissions { strict })?,
                )?,
            }
        }
        let (access, scope, permissions) = access_shape(access, scope, permissions)?;
        Ok(Leases {
            access,
            scope,
            permissions,
        })
    }
}

/// A non-empty list of provider entries with distinct providers (compared without case, as the
/// walk does).
struct Permissions {
    strict: bool,
}

impl<'de> Visitor<'de> for Permissions {
    type Value = Vec<ProviderPermission>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of provider entries")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<ProviderPermission>, A::Error> {
        let mut out: Vec<ProviderPermission> = Vec::with_capacity(seq.size_hint().unwrap_or(2));
        while let Some(p) = seq.next_element_seed(Permission {
            strict: self.strict,
        })? {
            if out
                .iter()
                .any(|o| o.provider.eq_ignore_ascii_case(&p.provider))
            {
                return bail();
            }
            out.push(p);
        }
        if out.is_empty() {
            return bail();
        }
        Ok(out)
    }
}

struct Permission {
    strict: bool,
}

impl<'de> Visitor<'de> for Permission {
    type Value = ProviderPermission;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a provider entry")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ProviderPermission, A::Error> {
        let strict = self.strict;
        let (mut provider, mut access, mut scope, mut deployments) = (None, None, None, None);
        while let Some(k) = map.next_key_seed(Key(permission_key))? {
            match k {
                0 => set_once(&mut provider, map.next_value_seed(Address { strict })?)?,
                1 => set_once(&mut access, map.next_value_seed(AccessName)?)?,
                2 => set_once(&mut scope, map.next_value_seed(ScopeList)?)?,
                _ => set_once(
                    &mut deployments,
                    map.next_value_seed(Deployments { strict })?,
                )?,
            }
        }
        let Some(provider) = provider else {
            return bail();
        };
        let (access, scope, deployments) = access_shape(access, scope, deployments)?;
        Ok(ProviderPermission {
            provider,
            access,
            scope,
            deployments,
        })
    }
}

/// A non-empty list of deployment entries.
struct Deployments {
    strict: bool,
}

impl<'de> Visitor<'de> for Deployments {
    type Value = Vec<DeploymentPermission>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of deployment entries")
    }
    fn visit_seq<A: SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> Result<Vec<DeploymentPermission>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(1));
        while let Some(d) = seq.next_element_seed(Deployment {
            strict: self.strict,
        })? {
            out.push(d);
        }
        if out.is_empty() {
            return bail();
        }
        Ok(out)
    }
}

struct Deployment {
    strict: bool,
}

impl<'de> Visitor<'de> for Deployment {
    type Value = DeploymentPermission;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a deployment entry")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DeploymentPermission, A::Error> {
        let (mut dseq, mut gseq, mut oseq, mut scope, mut services) =
            (None, None, None, None, None);
        while let Some(k) = map.next_key_seed(Key(deployment_key))? {
            match k {
                0 => set_once(&mut dseq, map.next_value_seed(Seq { max: u64::MAX })?)?,
                1 => set_once(&mut gseq, map.next_value_seed(Seq { max: SEQ32_MAX })?)?,
                2 => set_once(&mut oseq, map.next_value_seed(Seq { max: SEQ32_MAX })?)?,
                3 => set_once(&mut scope, map.next_value_seed(ScopeList)?)?,
                _ => set_once(
                    &mut services,
                    map.next_value_seed(Services {
                        strict: self.strict,
                    })?,
                )?,
            }
        }
        let (Some(dseq), Some(scope), Some(services)) = (dseq, scope, services) else {
            return bail();
        };
        if dseq == 0 {
            return bail();
        }
        // Go: `oseq > 0 && gseq == 0` fails; the schema: `oseq` requires `gseq`. Compat mode
        // tolerates `oseq: 0` alone; the slow path decides that rare case.
        let (gseq, oseq) = match (gseq, oseq) {
            (_, Some(_)) if gseq.is_none() => return bail(),
            (Some(0), Some(o)) if o > 0 => return bail(),
            (g, o) => (g.unwrap_or(0), o.unwrap_or(0)),
        };
        let (Ok(gseq), Ok(oseq)) = (u32::try_from(gseq), u32::try_from(oseq)) else {
            return bail();
        };
        Ok(DeploymentPermission {
            dseq,
            gseq,
            oseq,
            scope,
            services,
        })
    }
}

const SEQ32_MAX: u64 = u32::MAX as u64;

/// A sequence number: a plain non-negative integer literal up to `max`.
struct Seq {
    max: u64,
}

impl Visitor<'_> for Seq {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence number")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        if v > self.max {
            return bail();
        }
        Ok(v)
    }
}

/// A non-empty list of distinct service names; strict mode also refuses empty names.
struct Services {
    strict: bool,
}

impl<'de> Visitor<'de> for Services {
    type Value = Vec<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of service names")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        let mut out: Vec<String> = Vec::with_capacity(seq.size_hint().unwrap_or(2));
        while let Some(s) = seq.next_element_seed(AnyString)? {
            if (self.strict && s.is_empty()) || out.contains(&s) {
                return bail();
            }
            out.push(s);
        }
        if out.is_empty() {
            return bail();
        }
        Ok(out)
    }
}
