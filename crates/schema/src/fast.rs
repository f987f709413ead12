//! Pieces shared by the typed fast paths ([`crate::akash_fast`], [`crate::filecoin_fast`]): the
//! driver, the give-up error, once-only member slots and the visitors both families use.
//!
//! A fast path only ever answers "clean" (`Some`) or "not sure" (`None`); every visitor gives up
//! through [`bail`], whose error text is never shown.

use std::fmt;

use serde::de::{self, DeserializeSeed, Visitor};

/// Runs a fast path's top-level seed over the payload: `Some` only when the seed accepts the
/// whole payload (nothing but white space after the value).
///
/// Inlined into each fast path's `validate` so the top-level visitor is compiled in one piece
/// with it (out of line, the shared driver measured ~5% slower on the Forest bench).
#[inline(always)]
pub(crate) fn run<'de, S: DeserializeSeed<'de>>(payload: &'de [u8], top: S) -> Option<S::Value> {
    let mut de = serde_json::Deserializer::from_slice(payload);
    let value = top.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(value)
}

/// The error every visitor returns to give up; its text is never shown.
pub(crate) fn bail<T, E: de::Error>() -> Result<T, E> {
    Err(E::custom("not clean"))
}

/// Stores a member's value, giving up when the key was already seen (the walk keeps the last
/// duplicate; giving up lets it decide).
pub(crate) fn set_once<T, E: de::Error>(slot: &mut Option<T>, value: T) -> Result<(), E> {
    if slot.is_some() {
        return bail();
    }
    *slot = Some(value);
    Ok(())
}

/// Implements `DeserializeSeed` for a visitor type by deserializing any JSON value into it.
macro_rules! seed_is_visitor {
    ($($t:ty),* $(,)?) => {$(
        impl<'de> ::serde::de::DeserializeSeed<'de> for $t {
            type Value = <$t as ::serde::de::Visitor<'de>>::Value;
            fn deserialize<D: ::serde::de::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
        }
    )*};
}
pub(crate) use seed_is_visitor;

seed_is_visitor!(AnyString, UnixTime);

/// Any string, kept as written (a service name, a Filecoin permission).
pub(crate) struct AnyString;

impl Visitor<'_> for AnyString {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
}

/// A unix time: a plain integer literal that fits `i64`, non-negative unless `negative` allows
/// it. Floats, numeric strings and `null` go to the slow path.
#[derive(Clone, Copy)]
pub(crate) struct UnixTime {
    /// Whether a negative literal is clean.
    pub(crate) negative: bool,
}

impl Visitor<'_> for UnixTime {
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
        // serde_json reports non-negative literals through `visit_u64` (and `Value` would store
        // a non-negative `i64` as an unsigned number too), so this sees negative ones.
        if v < 0 && !self.negative {
            return bail();
        }
        Ok(v)
    }
}
