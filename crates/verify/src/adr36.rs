//! ES256KADR36: the ADR-036 amino-JSON sign doc a Keplr/Leap `signArbitrary` signs.
//!
//! ```text
//! {"account_number":"0","chain_id":"","fee":{"amount":[],"gas":"0"},"memo":"","msgs":[{"type":"sign/MsgSignData","value":{"data":"<padded standard base64 of the signing input>","signer":"<iss>"}}],"sequence":"0"}
//! ```
//!
//! Keys sorted, no whitespace. The signer is escaped as Go's `encoding/json` would (including
//! its HTML escaping of `<`, `>`, `&`), although a bech32 address never needs it. Verification
//! streams the doc straight into SHA-256 without building it.

use crate::b64::{self, Sink};
use sha2::{Digest as _, Sha256};

const PREFIX: &[u8] = br#"{"account_number":"0","chain_id":"","fee":{"amount":[],"gas":"0"},"memo":"","msgs":[{"type":"sign/MsgSignData","value":{"data":""#;
const MIDDLE: &[u8] = br#"","signer":""#;
const SUFFIX: &[u8] = br#""}}],"sequence":"0"}"#;

fn write_sign_doc<S: Sink>(signing_input: &[u8], signer: &str, out: &mut S) {
    out.put(PREFIX);
    b64::encode_std_padded(signing_input, out);
    out.put(MIDDLE);
    write_go_json_string_body(signer, out);
    out.put(SUFFIX);
}

/// Writes `s` escaped as Go's `encoding/json` does inside a string literal.
fn write_go_json_string_body<S: Sink>(s: &str, out: &mut S) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let short: Option<&[u8]> = match c {
            '"' => Some(b"\\\""),
            '\\' => Some(b"\\\\"),
            '\n' => Some(b"\\n"),
            '\r' => Some(b"\\r"),
            '\t' => Some(b"\\t"),
            _ => None,
        };
        let needs_u = matches!(
            c,
            '\u{0}'..='\u{1f}' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}'
        );
        if short.is_none() && !needs_u {
            continue;
        }
        out.put(s.as_bytes().get(start..i).unwrap_or(&[]));
        if let Some(esc) = short {
            out.put(esc);
        } else {
            let v = u32::from(c);
            let hex = |shift: u32| {
                HEX.get(((v >> shift) & 0xf) as usize)
                    .copied()
                    .unwrap_or(b'0')
            };
            out.put(&[b'\\', b'u', hex(12), hex(8), hex(4), hex(0)]);
        }
        start = i + c.len_utf8();
    }
    out.put(s.as_bytes().get(start..).unwrap_or(&[]));
}

/// The ADR-036 sign doc for `signing_input` signed by `signer`, as bytes.
pub fn adr36_sign_doc(signing_input: &[u8], signer: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(PREFIX.len() + signing_input.len() * 4 / 3 + 96);
    write_sign_doc(signing_input, signer, &mut out);
    out
}

/// Buffers sink output so SHA-256 sees few, large updates.
struct HashSink {
    hasher: Sha256,
    buf: [u8; 256],
    len: usize,
}

impl Sink for HashSink {
    fn put(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > self.buf.len() {
            self.hasher.update(self.buf.get(..self.len).unwrap_or(&[]));
            self.len = 0;
        }
        match self.buf.get_mut(self.len..self.len + bytes.len()) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                self.len += bytes.len();
            }
            None => self.hasher.update(bytes),
        }
    }
}

/// SHA-256 of the ADR-036 sign doc, computed without materialising the doc.
pub fn adr36_prehash(signing_input: &[u8], signer: &str) -> [u8; 32] {
    let mut sink = HashSink {
        hasher: Sha256::new(),
        buf: [0; 256],
        len: 0,
    };
    write_sign_doc(signing_input, signer, &mut sink);
    sink.hasher.update(sink.buf.get(..sink.len).unwrap_or(&[]));
    sink.hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_the_same_bytes_it_builds() {
        for n in [0usize, 1, 2, 3, 47, 48, 49, 200, 1000] {
            let input: Vec<u8> = (0..n).map(|i| (i * 7) as u8).collect();
            let doc = adr36_sign_doc(&input, "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh");
            let expected: [u8; 32] = Sha256::digest(&doc).into();
            assert_eq!(
                adr36_prehash(&input, "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh"),
                expected
            );
        }
    }

    #[test]
    fn builds_the_documented_doc() {
        let doc = adr36_sign_doc(b"ab", "akash1x");
        assert_eq!(
            String::from_utf8(doc).unwrap(),
            r#"{"account_number":"0","chain_id":"","fee":{"amount":[],"gas":"0"},"memo":"","msgs":[{"type":"sign/MsgSignData","value":{"data":"YWI=","signer":"akash1x"}}],"sequence":"0"}"#
        );
    }

    #[test]
    fn escapes_signer_like_go() {
        let mut out = Vec::new();
        write_go_json_string_body("a\"b\\c\n<&>\u{1}\u{2028}é", &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"a\"b\\c\n\u003c\u0026\u003e\u0001\u2028é"#
        );
    }
}
