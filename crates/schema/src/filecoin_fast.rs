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
use crate::fast::{self, AnyString, UnixTime, bail, seed_is_visitor, set_once};

/// Runs the fast path: `Some` only when the payload is clean under the chosen behaviour.
pub(crate) fn validate(payload: &[u8], forest: bool) -> Option<FilecoinClaims> {
    fast::run(payload, Top { forest })
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

seed_is_visitor!(Top, Allow, Aud, Skip);

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
        // Forest `exp`: a plain non-negative integer literal up to `i64::MAX`.
        let exp_seed = UnixTime { negative: false };
        let (mut allow, mut exp, mut aud) = (None, None, None);
        while let Some(k) = map.next_key_seed(Key { forest })? {
            match k {
                Member::Allow => set_once(&mut allow, map.next_value_seed(Allow { forest })?)?,
                Member::Exp => set_once(&mut exp, map.next_value_seed(exp_seed)?)?,
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
        while let Some(p) = seq.next_element_seed(AnyString)? {
            out.push(p);
        }
        Ok(out)
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
