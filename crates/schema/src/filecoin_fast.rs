//! The Filecoin fast path: one typed serde pass straight from the payload bytes to
//! [`FilecoinClaims`], with no `serde_json::Value` and no map allocation.
//!
//! As in [`crate::akash_fast`], it only answers "clean" (`Some(claims)`) or "not sure" (`None`)
//! and gives up at the first doubt: invalid JSON, a top level that is not an object, a repeated
//! `Allow` (or, for Forest, a repeated `exp` or `aud`), an `Allow` that is not a list of strings
//! (Forest also refuses `null`), a Forest `exp` that is not a plain integer literal in
//! `0..=i64::MAX`, a non-null Forest `aud`. Then the caller runs the `Value` walk
//! ([`crate::filecoin`]), which finds every problem and words it.
//!
//! Members the chosen behaviour does not read are skipped through the same `serde_json`
//! parser the walk uses (`deserialize_any`, so the same grammar, UTF-8 checks, number range
//! checks and recursion limit apply): whatever the walk's `from_slice::<Value>` refuses, this
//! refuses too.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::claims::FilecoinClaims;

/// Runs the fast path: `Some` only when the payload is clean under the chosen behaviour.
pub(crate) fn validate(payload: &[u8], forest: bool) -> Option<FilecoinClaims> {
    let mut de = serde_json::Deserializer::from_slice(payload);
    let claims = Top { forest }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(claims)
}

/// The error every visitor returns to give up; its text is never shown.
fn bail<T, E: de::Error>() -> Result<T, E> {
    Err(E::custom("not clean"))
}

/// Stores a member's value, giving up when the key was already seen (the walk keeps the last
/// duplicate; giving up lets it decide).
fn set_once<T, E: de::Error>(slot: &mut Option<T>, value: T) -> Result<(), E> {
    if slot.is_some() {
        return bail();
    }
    *slot = Some(value);
    Ok(())
}

/// The members a behaviour reads.
#[derive(Clone, Copy)]
enum Member {
    Allow,
    Exp,
    Aud,
    Other,
}

/// Map keys, exact after unescaping (`allow` is not `Allow`).
struct Key {
    forest: bool,
}

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Member;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Member, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for Key {
    type Value = Member;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a claim name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Member, E> {
        Ok(match v {
            "Allow" => Member::Allow,
            "exp" if self.forest => Member::Exp,
            "aud" if self.forest => Member::Aud,
            _ => Member::Other,
        })
    }
}

/// Implements `DeserializeSeed` for a visitor type by deserializing any JSON value into it.
macro_rules! seed_is_visitor {
    ($($t:ty),* $(,)?) => {$(
        impl<'de> DeserializeSeed<'de> for $t {
            type Value = <$t as Visitor<'de>>::Value;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
        }
    )*};
}

seed_is_visitor!(Top, Allow, Permission, Exp, Aud, Skip);

struct Top {
    forest: bool,
}

impl<'de> Visitor<'de> for Top {
    type Value = FilecoinClaims;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a claims object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FilecoinClaims, A::Error> {
        let forest = self.forest;
        let (mut allow, mut exp, mut aud) = (None, None, None);
        while let Some(k) = map.next_key_seed(Key { forest })? {
            match k {
                Member::Allow => set_once(&mut allow, map.next_value_seed(Allow { forest })?)?,
                Member::Exp => set_once(&mut exp, map.next_value_seed(Exp)?)?,
                Member::Aud => set_once(&mut aud, map.next_value_seed(Aud)?)?,
                Member::Other => map.next_value_seed(Skip)?,
            }
        }
        if forest {
            // Forest: `Allow` and `exp` required; a null `aud` (seen by `Aud`) is absent.
            match (allow, exp) {
                (Some(allow), Some(exp)) => Ok(FilecoinClaims {
                    allow,
                    exp: Some(exp),
                }),
                _ => bail(),
            }
        } else {
            // Lotus: a missing (or null, see `Allow`) list grants nothing; `exp` is not read.
            Ok(FilecoinClaims {
                allow: allow.unwrap_or_default(),
                exp: None,
            })
        }
    }
}

/// `Allow`: a list of strings, kept in order (duplicates and unknown strings included, as the
/// walk keeps them). `null` is an empty list for Lotus and a doubt for Forest.
struct Allow {
    forest: bool,
}

impl<'de> Visitor<'de> for Allow {
    type Value = Vec<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a permission list")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Vec<String>, E> {
        if self.forest {
            return bail();
        }
        Ok(Vec::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(4));
        while let Some(p) = seq.next_element_seed(Permission)? {
            out.push(p);
        }
        Ok(out)
    }
}

struct Permission;

impl Visitor<'_> for Permission {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a permission")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
}

/// Forest `exp`: a plain non-negative integer literal up to `i64::MAX`. Floats, negative
/// numbers, strings and `null` go to the slow path.
struct Exp;

impl Visitor<'_> for Exp {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a unix time")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        match i64::try_from(v) {
            Ok(t) => Ok(t),
            Err(_) => bail(),
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        // serde_json reports non-negative literals through `visit_u64`; `Value` would store a
        // non-negative `i64` as an unsigned number too, so mirror that.
        if v < 0 {
            return bail();
        }
        Ok(v)
    }
}

/// Forest `aud`: only `null` (read as absent) is clean.
struct Aud;

impl Visitor<'_> for Aud {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no audience")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// Any JSON value, consumed through `deserialize_any` exactly as `Value` would be (same number
/// classes and range checks, same UTF-8 checks, same recursion limit) and dropped.
struct Skip;

impl<'de> Visitor<'de> for Skip {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any json value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(SkipKey)?.is_some() {
            map.next_value_seed(Skip)?;
        }
        Ok(())
    }
}

/// A map key of a skipped object, read as `Value` reads keys (a string).
struct SkipKey;

impl<'de> DeserializeSeed<'de> for SkipKey {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(Skip)
    }
}
