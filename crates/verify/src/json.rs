//! A validating walk over a JSON document that rejects duplicate keys at every nesting level,
//! bounds nesting depth, and captures chosen top-level string members, without building a
//! `serde_json::Value`.
//!
//! Keys of the objects currently open live on one shared stack (compared linearly); an object
//! with more than [`SMALL_OBJECT`] keys moves its keys into a `HashSet`, so a hostile payload
//! cannot make the check quadratic.

use crate::error::{ParseError, Segment};
use serde::de::{self, DeserializeSeed, Deserializer as _, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

/// Objects with more keys than this switch from a linear scan to a hash set.
const SMALL_OBJECT: usize = 16;

/// Why the walk stopped, recorded beside serde's opaque error.
enum Issue {
    NotObject,
    DuplicateKey(String),
    TooDeep,
}

struct State<'de> {
    max_depth: usize,
    keys: Vec<Cow<'de, str>>,
    issue: Option<Issue>,
}

/// What the walk saw at a captured member.
#[derive(Debug)]
pub(crate) enum Seen<'de> {
    /// A string (borrowed when it had no escapes).
    Str(Cow<'de, str>),
    /// Any other JSON value.
    Other,
}

impl<'de> State<'de> {
    fn fail<E: de::Error>(&mut self, issue: Issue) -> E {
        self.issue = Some(issue);
        E::custom("tollgate json check")
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(KeySeed)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

struct ValueSeed<'s, 'de> {
    state: &'s mut State<'de>,
    /// Nesting depth of this value if it is a container (the top-level object is 1).
    depth: usize,
    /// Keep escaped strings (allocating) because the caller captures this member.
    want_str: bool,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, 'de> {
    type Value = Seen<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, 'de> {
    type Value = Seen<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any json value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Seen::Other)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Seen::Other)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Seen::Other)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Seen::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Seen::Other)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Seen::Other)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Seen::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(if self.want_str {
            Seen::Str(Cow::Owned(v.to_owned()))
        } else {
            Seen::Other
        })
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(if self.want_str {
            Seen::Str(Cow::Owned(v))
        } else {
            Seen::Other
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if self.depth > self.state.max_depth {
            return Err(self.state.fail(Issue::TooDeep));
        }
        let depth = self.depth + 1;
        while seq
            .next_element_seed(ValueSeed {
                state: &mut *self.state,
                depth,
                want_str: false,
            })?
            .is_some()
        {}
        Ok(Seen::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        walk_object(self.state, self.depth, map, &[], &mut [])?;
        Ok(Seen::Other)
    }
}

/// Walks one object at `depth`, rejecting repeated keys; members named in `captures` are
/// stored in the matching slot of `out`.
fn walk_object<'de, A: MapAccess<'de>>(
    state: &mut State<'de>,
    depth: usize,
    mut map: A,
    captures: &[&str],
    out: &mut [Option<Seen<'de>>],
) -> Result<(), A::Error> {
    if depth > state.max_depth {
        return Err(state.fail(Issue::TooDeep));
    }
    let start = state.keys.len();
    let mut big: Option<HashSet<Cow<'de, str>>> = None;
    while let Some(key) = map.next_key_seed(KeySeed)? {
        let duplicate = match &big {
            Some(set) => set.contains(key.as_ref()),
            None => state
                .keys
                .get(start..)
                .is_some_and(|open| open.contains(&key)),
        };
        if duplicate {
            return Err(state.fail(Issue::DuplicateKey(key.into_owned())));
        }
        let slot = captures.iter().position(|c| *c == key.as_ref());
        let seen = map.next_value_seed(ValueSeed {
            state: &mut *state,
            depth: depth + 1,
            want_str: slot.is_some(),
        })?;
        if let Some(place) = slot.and_then(|i| out.get_mut(i)) {
            *place = Some(seen);
        }
        match &mut big {
            Some(set) => {
                set.insert(key);
            }
            None => {
                state.keys.push(key);
                if state.keys.len() - start > SMALL_OBJECT {
                    big = Some(state.keys.drain(start..).collect());
                }
            }
        }
    }
    state.keys.truncate(start);
    Ok(())
}

struct TopSeed<'s, 'c, 'de> {
    state: &'s mut State<'de>,
    captures: &'c [&'c str],
    out: &'c mut [Option<Seen<'de>>],
}

impl<'de> Visitor<'de> for TopSeed<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a json object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        walk_object(self.state, 1, map, self.captures, self.out)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.state.fail(Issue::NotObject))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.state.fail(Issue::NotObject))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.state.fail(Issue::NotObject))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.state.fail(Issue::NotObject))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.state.fail(Issue::NotObject))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(self.state.fail(Issue::NotObject))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self.state.fail(Issue::NotObject))
    }
}

/// Checks that `json` is one JSON object with no repeated key at any level and nesting at
/// most `max_depth`, filling `out[i]` with the top-level member named `captures[i]`.
pub(crate) fn walk<'de>(
    json: &'de [u8],
    segment: Segment,
    max_depth: usize,
    captures: &[&str],
    out: &mut [Option<Seen<'de>>],
) -> Result<(), ParseError> {
    let mut state = State {
        max_depth,
        keys: Vec::new(),
        issue: None,
    };
    let mut de = serde_json::Deserializer::from_slice(json);
    let result = de
        .deserialize_any(TopSeed {
            state: &mut state,
            captures,
            out,
        })
        .and_then(|()| de.end());
    match (result, state.issue) {
        (Ok(()), _) => Ok(()),
        (Err(_), Some(Issue::NotObject)) => Err(match segment {
            Segment::Payload => ParseError::PayloadNotObject,
            _ => ParseError::HeaderNotObject,
        }),
        (Err(_), Some(Issue::DuplicateKey(key))) => Err(ParseError::DuplicateKey { segment, key }),
        (Err(_), Some(Issue::TooDeep)) => Err(ParseError::TooDeep {
            segment,
            max: max_depth,
        }),
        (Err(e), None) => {
            let (line, column) = (e.line(), e.column());
            Err(match segment {
                Segment::Payload => ParseError::PayloadNotJson { line, column },
                _ => ParseError::HeaderNotJson { line, column },
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Result<(), ParseError> {
        walk(json.as_bytes(), Segment::Payload, 8, &[], &mut [])
    }

    #[test]
    fn accepts_distinct_keys_at_every_level() {
        check(r#"{"a":1,"b":{"a":1,"b":[{"a":1},{"a":2}]},"c":"x"}"#).unwrap();
    }

    #[test]
    fn rejects_duplicate_top_level_key() {
        assert_eq!(
            check(r#"{"a":1,"a":2}"#),
            Err(ParseError::DuplicateKey {
                segment: Segment::Payload,
                key: "a".into()
            })
        );
    }

    #[test]
    fn rejects_duplicate_nested_key() {
        assert_eq!(
            check(r#"{"l":{"p":[{"d":1,"x":2,"d":3}]}}"#),
            Err(ParseError::DuplicateKey {
                segment: Segment::Payload,
                key: "d".into()
            })
        );
    }

    #[test]
    fn rejects_duplicate_key_written_with_escapes() {
        assert_eq!(
            check(r#"{"iss":1,"\u0069ss":2}"#),
            Err(ParseError::DuplicateKey {
                segment: Segment::Payload,
                key: "iss".into()
            })
        );
    }

    #[test]
    fn rejects_duplicate_key_in_large_object() {
        let mut json = String::from("{");
        for i in 0..100 {
            json.push_str(&format!("\"k{i}\":{i},"));
        }
        json.push_str("\"k57\":0}");
        assert_eq!(
            check(&json),
            Err(ParseError::DuplicateKey {
                segment: Segment::Payload,
                key: "k57".into()
            })
        );
        let ok = json.replace("\"k57\":0}", "\"k100\":0}");
        check(&ok).unwrap();
    }

    #[test]
    fn same_key_in_sibling_objects_is_fine() {
        check(r#"{"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}]}"#).unwrap();
    }

    #[test]
    fn rejects_too_deep() {
        assert_eq!(
            check(r#"{"a":[[[[[[[[1]]]]]]]]}"#),
            Err(ParseError::TooDeep {
                segment: Segment::Payload,
                max: 8
            })
        );
        check(r#"{"a":[[[[[[1]]]]]]}"#).unwrap();
    }

    #[test]
    fn rejects_non_object() {
        for bad in ["[]", "1", "\"s\"", "null", "true"] {
            assert_eq!(check(bad), Err(ParseError::PayloadNotObject), "{bad}");
        }
    }

    #[test]
    fn rejects_trailing_data() {
        assert!(matches!(
            check("{} {}"),
            Err(ParseError::PayloadNotJson { .. })
        ));
        assert!(matches!(
            check("{}x"),
            Err(ParseError::PayloadNotJson { .. })
        ));
    }

    #[test]
    fn captures_top_level_strings_only() {
        let json = br#"{"x":{"iss":"inner"},"iss":"outer","n":5}"#;
        let mut out = [None, None, None];
        walk(json, Segment::Payload, 8, &["iss", "n", "zz"], &mut out).unwrap();
        assert!(matches!(&out[0], Some(Seen::Str(Cow::Borrowed("outer")))));
        assert!(matches!(&out[1], Some(Seen::Other)));
        assert!(out[2].is_none());
    }

    #[test]
    fn captures_escaped_string_owned() {
        let json = br#"{"iss":"a\"b"}"#;
        let mut out = [None];
        walk(json, Segment::Payload, 8, &["iss"], &mut out).unwrap();
        assert!(matches!(&out[0], Some(Seen::Str(Cow::Owned(s))) if s == "a\"b"));
    }
}
