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
///
/// For text already known to be UTF-8: a plain document (see [`scan`]) is checked in one
/// hand-written pass; anything else goes through the `serde_json` walk, which then decides and
/// words every error.
pub(crate) fn walk_str<'de>(
    json: &'de str,
    segment: Segment,
    max_depth: usize,
    captures: &[&str],
    out: &mut [Option<Seen<'de>>],
) -> Result<(), ParseError> {
    if scan(json, max_depth, captures, out) {
        return Ok(());
    }
    out.iter_mut().for_each(|slot| *slot = None);
    let de = serde_json::Deserializer::from_str(json);
    serde_walk(de, segment, max_depth, captures, out)
}

/// Like [`walk_str`], for bytes that are not (known to be) UTF-8: always the `serde_json` walk.
pub(crate) fn walk<'de>(
    json: &'de [u8],
    segment: Segment,
    max_depth: usize,
    captures: &[&str],
    out: &mut [Option<Seen<'de>>],
) -> Result<(), ParseError> {
    let de = serde_json::Deserializer::from_slice(json);
    serde_walk(de, segment, max_depth, captures, out)
}

fn serde_walk<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
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

/// Deepest nesting [`scan`] handles itself; `serde_json` gives up at 128.
const SCAN_MAX_DEPTH: usize = 64;

/// Most keys per object [`scan`] compares itself (the walk moves bigger objects to a set).
const SCAN_MAX_KEYS: usize = SMALL_OBJECT;

/// The hand-written pass for plain documents: `true` only when `json` is one object with
/// distinct keys, nesting within `max_depth`, and nothing but strings without escapes or
/// control characters, integers of at most 18 digits (no fraction, no exponent), `true`,
/// `false`, `null`, arrays and objects of at most [`SCAN_MAX_KEYS`] keys, with JSON
/// whitespace. Every such document is valid JSON that the `serde_json` walk accepts with the
/// same captures (strings without escapes are borrowed there too). On `false` nothing is
/// decided: the caller runs the walk, so errors come from one place.
fn scan<'de>(
    json: &'de str,
    max_depth: usize,
    captures: &[&str],
    out: &mut [Option<Seen<'de>>],
) -> bool {
    let mut s = Scanner {
        text: json,
        bytes: json.as_bytes(),
        pos: 0,
        max_depth: max_depth.min(SCAN_MAX_DEPTH),
    };
    s.skip_ws();
    if s.peek() != Some(b'{') || !s.object(1, captures, out) {
        return false;
    }
    s.skip_ws();
    s.pos == s.bytes.len()
}

struct Scanner<'de> {
    text: &'de str,
    bytes: &'de [u8],
    pos: usize,
    max_depth: usize,
}

impl<'de> Scanner<'de> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Consumes `b` (after whitespace) if it is next.
    #[inline]
    fn eat(&mut self, b: u8) -> bool {
        self.skip_ws();
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// A string at `pos` (its opening quote): the text between the quotes, if it has no
    /// escape and no control character.
    fn string(&mut self) -> Option<&'de str> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.pos + 1;
        let rest = self.bytes.get(start..)?;
        let len = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        // Both ends sit on ASCII bytes of valid UTF-8, so this is a char boundary.
        let text = self.text.get(start..start + len)?;
        self.pos = start + len + 1;
        Some(text)
    }

    /// An integer literal at `pos`: `-?(0|[1-9][0-9]*)`, at most 18 digits, not followed by a
    /// fraction or an exponent (those, and longer numbers, are left to `serde_json`).
    fn integer(&mut self) -> bool {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        let digits = self.pos - start;
        let leading_zero = self.bytes.get(start) == Some(&b'0') && digits > 1;
        (1..=18).contains(&digits)
            && !leading_zero
            && !matches!(self.peek(), Some(b'.' | b'e' | b'E'))
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        match self.bytes.get(self.pos..self.pos + word.len()) {
            Some(w) if w == word => {
                self.pos += word.len();
                true
            }
            _ => false,
        }
    }

    /// Any value at `pos` (after whitespace), a container being at `depth`.
    fn value(&mut self, depth: usize) -> Option<Seen<'de>> {
        self.skip_ws();
        let ok = match self.peek()? {
            b'"' => return self.string().map(|s| Seen::Str(Cow::Borrowed(s))),
            b'{' => self.object(depth, &[], &mut []),
            b'[' => self.array(depth),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.integer(),
            _ => false,
        };
        ok.then_some(Seen::Other)
    }

    fn array(&mut self, depth: usize) -> bool {
        if depth > self.max_depth {
            return false;
        }
        self.pos += 1;
        if self.eat(b']') {
            return true;
        }
        loop {
            if self.value(depth + 1).is_none() {
                return false;
            }
            if self.eat(b']') {
                return true;
            }
            if !self.eat(b',') {
                return false;
            }
        }
    }

    fn object(&mut self, depth: usize, captures: &[&str], out: &mut [Option<Seen<'de>>]) -> bool {
        if depth > self.max_depth {
            return false;
        }
        self.pos += 1;
        if self.eat(b'}') {
            return true;
        }
        let mut keys: [&str; SCAN_MAX_KEYS] = [""; SCAN_MAX_KEYS];
        let mut count = 0;
        loop {
            self.skip_ws();
            let Some(key) = self.string() else {
                return false;
            };
            let seen = keys.get(..count).unwrap_or(&[]);
            if seen.contains(&key) {
                return false;
            }
            let Some(slot) = keys.get_mut(count) else {
                return false;
            };
            *slot = key;
            count += 1;
            if !self.eat(b':') {
                return false;
            }
            let Some(value) = self.value(depth + 1) else {
                return false;
            };
            if let Some(i) = captures.iter().position(|c| *c == key)
                && let Some(place) = out.get_mut(i)
            {
                *place = Some(value);
            }
            if self.eat(b'}') {
                return true;
            }
            if !self.eat(b',') {
                return false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    /// `walk_str` (plain-document scan first) against the `serde_json` walk alone.
    fn both(json: &str, max_depth: usize) -> (Result<(), ParseError>, Vec<Option<Option<String>>>) {
        let captures = ["alg", "iss", "n"];
        let flat = |out: &[Option<Seen<'_>>]| -> Vec<Option<Option<String>>> {
            out.iter()
                .map(|s| {
                    s.as_ref().map(|s| match s {
                        Seen::Str(c) => Some(c.to_string()),
                        Seen::Other => None,
                    })
                })
                .collect()
        };
        let mut fast = [None, None, None];
        let got = walk_str(json, Segment::Payload, max_depth, &captures, &mut fast);
        let mut slow = [None, None, None];
        let want = serde_walk(
            serde_json::Deserializer::from_str(json),
            Segment::Payload,
            max_depth,
            &captures,
            &mut slow,
        );
        assert_eq!(got, want, "{json:?}");
        let (fast, slow) = (flat(&fast), flat(&slow));
        if want.is_ok() {
            assert_eq!(fast, slow, "{json:?}");
        }
        (got, fast)
    }

    #[test]
    fn scan_takes_plain_documents() {
        let plain = [
            r#"{"typ":"JWT","alg":"HS256"}"#,
            r#"{"Allow":["read","write","sign"],"exp":4877839597}"#,
            "{ \"iss\" : \"akash1\u{e9}\" ,\n\"a\":[true,false,null,-0,{}],\"n\":{\"alg\":1}}\r\n",
            r#"{"l":{"p":[{"d":1,"x":2}],"q":[[[]]]}}"#,
        ];
        for json in plain {
            let mut out = [None, None, None];
            assert!(scan(json, 16, &["alg", "iss", "n"], &mut out), "{json}");
            assert!(both(json, 16).0.is_ok());
        }
        let mut out = [None];
        assert!(scan(
            r#"{"iss":"a","x":{"iss":"b"}}"#,
            16,
            &["iss"],
            &mut out
        ));
        assert!(matches!(&out[0], Some(Seen::Str(Cow::Borrowed("a")))));
        // Left to the walk: escapes, fractions, exponents, long numbers, big objects, depth.
        let unsure = [
            r#"{"a":"\u0062"}"#,
            r#"{"a":1.5}"#,
            r#"{"a":1e5}"#,
            r#"{"a":1234567890123456789}"#,
            r#"{"a":{"b":1}}"#,
        ];
        for json in unsure {
            let mut out = [None];
            assert!(
                !scan(json, 2, &[], &mut out) || json.contains("{\"b\""),
                "{json}"
            );
        }
        assert!(!scan(r#"{"a":{"b":1}}"#, 1, &[], &mut []));
        let big: String = format!(
            "{{{}}}",
            (0..17)
                .map(|i| format!("\"k{i}\":{i}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert!(!scan(&big, 16, &[], &mut []));
        assert!(both(&big, 16).0.is_ok());
    }

    fn json_text() -> impl Strategy<Value = String> {
        let ws = prop_oneof![
            40 => prop::sample::select(vec!["", "", " ", "\n", "\t", "\r\n"]),
            1 => prop::sample::select(vec!["\u{a0}", "\u{feff}", "\u{0b}"]),
        ];
        let plain_leaf = prop::sample::select(vec![
            "0",
            "-0",
            "-1",
            "42",
            "123456789012345678",
            "-123456789012345678",
            "true",
            "false",
            "null",
            "\"\"",
            "\"HS256\"",
            "\"\u{e9}t\u{e9}\"",
            "\"\u{7f}\"",
            "\"a b\"",
            "[]",
            "{}",
        ]);
        let odd_leaf = prop::sample::select(vec![
            "01",
            "-",
            "1.5",
            "1e5",
            "1E+2",
            "2.",
            "1234567890123456789",
            "1e400",
            "tru",
            "nul",
            "\"a\\\"b\"",
            "\"\\u0041\"",
            "\"tab\there\"",
            "\"\\ud800\"",
            "\"x",
            "x",
            "[",
            "{",
        ]);
        let leaf = prop_oneof![30 => plain_leaf, 1 => odd_leaf].prop_map(str::to_owned);
        let plain_key = prop::sample::select(vec![
            "\"alg\"",
            "\"iss\"",
            "\"n\"",
            "\"a\"",
            "\"b\"",
            "\"typ\"",
            "\"kid\"",
            "\"\"",
            "\"\u{e9}\"",
            "\"alg \"",
        ]);
        let odd_key = prop::sample::select(vec!["\"\\u0069ss\"", "alg", "1", "\"a\\nb\""]);
        let key = prop_oneof![40 => plain_key, 1 => odd_key];
        let object = |members: Vec<(&str, &str, String)>, end: &str| {
            let members: Vec<String> = members
                .into_iter()
                .map(|(k, w, v)| format!("{w}{k}{w}:{w}{v}"))
                .collect();
            format!("{{{}{end}}}", members.join(","))
        };
        let value = leaf.prop_recursive(4, 32, 5, {
            let (ws, key) = (ws.clone(), key.clone());
            move |inner| {
                prop_oneof![
                    (
                        prop::collection::vec((ws.clone(), inner.clone()), 0..5),
                        ws.clone()
                    )
                        .prop_map(|(items, end)| {
                            let items: Vec<String> =
                                items.into_iter().map(|(w, v)| format!("{w}{v}")).collect();
                            format!("[{}{end}]", items.join(","))
                        }),
                    (
                        prop::collection::vec((key.clone(), ws.clone(), inner), 0..5),
                        ws.clone()
                    )
                        .prop_map(move |(m, end)| object(m, end)),
                ]
            }
        });
        // The top level is an object (a member list) most of the time.
        prop_oneof![
            1 => value.clone(),
            6 => (prop::collection::vec((key, ws.clone(), value), 0..6), ws.clone(), ws)
                .prop_map(move |(m, before, after)| format!("{before}{}{after}", object(m, ""))),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2048, .. Default::default() })]

        /// The scan never changes an answer: same result (error included) and same captures as
        /// the `serde_json` walk alone, on generated documents with up to two ASCII edits.
        #[test]
        fn scan_agrees_with_the_serde_walk(
            json in json_text(),
            edits in prop_oneof![2 => Just(Vec::new()), 1 => prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(b"{}[]\",:0-. x\\".to_vec()), any::<bool>()), 1..3)],
            max_depth in 0usize..6,
        ) {
            let mut bytes = json.into_bytes();
            for (at, b, insert) in edits {
                let i = at.index(bytes.len() + 1);
                if insert || i == bytes.len() {
                    bytes.insert(i, b);
                } else {
                    bytes[i] = b;
                }
            }
            if let Ok(text) = std::str::from_utf8(&bytes) {
                let _ = both(text, max_depth);
                let _ = both(text, 16);
            }
        }
    }
}
