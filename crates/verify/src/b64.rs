//! Strict base64: canonical unpadded base64url for JWS segments, plus the encoders the
//! signer and the ADR-036 sign doc need.
//!
//! Decoding accepts only the URL-safe alphabet `A-Z a-z 0-9 - _`, no `=` padding, no
//! whitespace, a length that is not `1 (mod 4)`, and zero trailing bits in the last
//! character, so every byte string has exactly one accepted encoding.

use crate::error::Base64Error;

const INVALID: u8 = 0xff;

/// Maps an ASCII byte to its 6-bit base64url value, or `INVALID`.
#[expect(
    clippy::indexing_slicing,
    reason = "const evaluation: i < 64 indexes the 64-byte alphabet, a byte indexes 256 entries"
)]
const URL_DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let alphabet = URL_ALPHABET;
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

const URL_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const STD_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The decoded length of `encoded_len` base64 characters (no padding), rounded down.
pub(crate) const fn decoded_len(encoded_len: usize) -> usize {
    encoded_len / 4 * 3 + (encoded_len % 4) * 3 / 4
}

#[inline(always)]
fn lut(byte: u8) -> u8 {
    URL_DECODE
        .get(usize::from(byte))
        .copied()
        .unwrap_or(INVALID)
}

#[cold]
fn first_invalid(quad: &[u8], offset: usize) -> Base64Error {
    quad.iter()
        .enumerate()
        .find(|(_, b)| lut(**b) == INVALID)
        .map_or(Base64Error::InvalidLength { len: offset }, |(i, b)| {
            classify(*b, offset + i)
        })
}

#[inline]
fn sextet(byte: u8, offset: usize) -> Result<u32, Base64Error> {
    let value = URL_DECODE
        .get(usize::from(byte))
        .copied()
        .unwrap_or(INVALID);
    if value == INVALID {
        return Err(classify(byte, offset));
    }
    Ok(u32::from(value))
}

#[cold]
fn classify(byte: u8, offset: usize) -> Base64Error {
    match byte {
        b'=' => Base64Error::Padding { offset },
        b'+' | b'/' => Base64Error::StandardAlphabet {
            offset,
            byte: char::from(byte),
        },
        _ => Base64Error::InvalidByte { offset, byte },
    }
}

/// Decodes `input` into `out`, which must be exactly `decoded_len(input.len())` long.
fn decode_core(input: &[u8], out: &mut [u8]) -> Result<(), Base64Error> {
    if input.len() % 4 == 1 {
        // A lone final character carries only 6 bits: never a whole byte. Report a stray `=`
        // or a bad character first, it is the likelier mistake.
        if let Some((offset, &byte)) = input
            .iter()
            .enumerate()
            .find(|(_, b)| URL_DECODE.get(usize::from(**b)).copied() == Some(INVALID))
        {
            return Err(classify(byte, offset));
        }
        return Err(Base64Error::InvalidLength { len: input.len() });
    }
    let mut src = input.chunks_exact(4);
    let mut dst = out.chunks_exact_mut(3);
    let mut offset = 0;
    for (s, d) in (&mut src).zip(&mut dst) {
        if let ([a, b, c, e], [x, y, z]) = (s, d) {
            let (va, vb, vc, ve) = (lut(*a), lut(*b), lut(*c), lut(*e));
            // One branch per quad: INVALID has the high bit set, valid sextets never do.
            if (va | vb | vc | ve) & 0x80 != 0 {
                return Err(first_invalid(s, offset));
            }
            let n = u32::from(va) << 18 | u32::from(vb) << 12 | u32::from(vc) << 6 | u32::from(ve);
            *x = (n >> 16) as u8;
            *y = (n >> 8) as u8;
            *z = n as u8;
        }
        offset += 4;
    }
    match (src.remainder(), dst.into_remainder()) {
        ([a, b], [x]) => {
            let a = sextet(*a, offset)?;
            let b = sextet(*b, offset + 1)?;
            if b & 0x0f != 0 {
                return Err(Base64Error::NonCanonical { offset: offset + 1 });
            }
            *x = (a << 2 | b >> 4) as u8;
        }
        ([a, b, c], [x, y]) => {
            let n = sextet(*a, offset)? << 18 | sextet(*b, offset + 1)? << 12;
            let c = sextet(*c, offset + 2)?;
            if c & 0x03 != 0 {
                return Err(Base64Error::NonCanonical { offset: offset + 2 });
            }
            let n = n | c << 6;
            *x = (n >> 16) as u8;
            *y = (n >> 8) as u8;
        }
        _ => {}
    }
    Ok(())
}

/// Decodes canonical unpadded base64url `input`, appending to `out`.
pub(crate) fn decode_url_into(input: &[u8], out: &mut Vec<u8>) -> Result<(), Base64Error> {
    let start = out.len();
    out.resize(start + decoded_len(input.len()), 0);
    let result = match out.get_mut(start..) {
        Some(dst) => decode_core(input, dst),
        None => Ok(()),
    };
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// Decodes canonical unpadded base64url `input` into the front of `out`, returning the number
/// of bytes written, or `None` if `out` is too small (checked before decoding).
pub(crate) fn decode_url_to_slice(
    input: &[u8],
    out: &mut [u8],
) -> Result<Option<usize>, Base64Error> {
    let len = decoded_len(input.len());
    match out.get_mut(..len) {
        Some(dst) => decode_core(input, dst).map(|()| Some(len)),
        None => Ok(None),
    }
}

/// Receives encoder output: a `Vec`, or a hasher in the ADR-036 path.
pub(crate) trait Sink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

fn encode_with<S: Sink>(alphabet: &[u8; 64], input: &[u8], pad: bool, out: &mut S) {
    let sym = |v: u32| alphabet.get((v & 0x3f) as usize).copied().unwrap_or(b'A');
    // Encode 48 input bytes (64 output characters) per `put`, to keep sinks cheap.
    let mut buf = [0u8; 64];
    for block in input.chunks(48) {
        let mut used = 0;
        let mut chunks = block.chunks_exact(3);
        for (c, o) in (&mut chunks).zip(buf.chunks_exact_mut(4)) {
            if let ([a, b, d], [w, x, y, z]) = (c, o) {
                let n = u32::from(*a) << 16 | u32::from(*b) << 8 | u32::from(*d);
                *w = sym(n >> 18);
                *x = sym(n >> 12);
                *y = sym(n >> 6);
                *z = sym(n);
            }
            used += 4;
        }
        out.put(buf.get(..used).unwrap_or(&[]));
        match *chunks.remainder() {
            [a] => {
                let n = u32::from(a) << 16;
                out.put(&[sym(n >> 18), sym(n >> 12)]);
                if pad {
                    out.put(b"==");
                }
            }
            [a, b] => {
                let n = u32::from(a) << 16 | u32::from(b) << 8;
                out.put(&[sym(n >> 18), sym(n >> 12), sym(n >> 6)]);
                if pad {
                    out.put(b"=");
                }
            }
            _ => {}
        }
    }
}

/// Appends the unpadded base64url encoding of `input` to `out`.
pub(crate) fn encode_url_into(input: &[u8], out: &mut Vec<u8>) {
    out.reserve(input.len().div_ceil(3) * 4);
    encode_with(URL_ALPHABET, input, false, out);
}

/// Writes the padded standard-alphabet base64 encoding of `input` to `out`.
pub(crate) fn encode_std_padded<S: Sink>(input: &[u8], out: &mut S) {
    encode_with(STD_ALPHABET, input, true, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

    fn decode(s: &str) -> Result<Vec<u8>, Base64Error> {
        let mut out = Vec::new();
        decode_url_into(s.as_bytes(), &mut out).map(|()| out)
    }

    #[test]
    fn round_trips_every_length() {
        let data: Vec<u8> = (0..=255u8).collect();
        for n in 0..data.len() {
            let slice = &data[..n];
            let mut enc = Vec::new();
            encode_url_into(slice, &mut enc);
            assert_eq!(enc, URL_SAFE_NO_PAD.encode(slice).into_bytes());
            assert_eq!(decode(std::str::from_utf8(&enc).unwrap()).unwrap(), slice);
            let mut std = Vec::new();
            encode_std_padded(slice, &mut std);
            assert_eq!(std, STANDARD.encode(slice).into_bytes());
        }
    }

    #[test]
    fn rejects_padding() {
        assert_eq!(decode("QQ=="), Err(Base64Error::Padding { offset: 2 }));
        assert_eq!(decode("QUI="), Err(Base64Error::Padding { offset: 3 }));
        assert_eq!(decode("QQ="), Err(Base64Error::Padding { offset: 2 }));
    }

    #[test]
    fn rejects_standard_alphabet() {
        assert_eq!(
            decode("ab+d"),
            Err(Base64Error::StandardAlphabet {
                offset: 2,
                byte: '+'
            })
        );
        assert_eq!(
            decode("ab/d"),
            Err(Base64Error::StandardAlphabet {
                offset: 2,
                byte: '/'
            })
        );
    }

    #[test]
    fn rejects_whitespace() {
        assert_eq!(
            decode("ab d"),
            Err(Base64Error::InvalidByte {
                offset: 2,
                byte: b' '
            })
        );
        assert_eq!(
            decode("abcd\n"),
            Err(Base64Error::InvalidByte {
                offset: 4,
                byte: b'\n'
            })
        );
    }

    #[test]
    fn rejects_non_zero_trailing_bits() {
        assert_eq!(decode("QR"), Err(Base64Error::NonCanonical { offset: 1 }));
        assert_eq!(decode("QUJ"), Err(Base64Error::NonCanonical { offset: 2 }));
        assert_eq!(decode("QQ"), Ok(b"A".to_vec()));
        assert_eq!(decode("QUI"), Ok(b"AB".to_vec()));
    }

    #[test]
    fn rejects_impossible_length() {
        assert_eq!(decode("abcde"), Err(Base64Error::InvalidLength { len: 5 }));
    }

    #[test]
    fn decodes_to_slice_with_capacity_check() {
        let mut buf = [0u8; 2];
        assert_eq!(decode_url_to_slice(b"QUI", &mut buf), Ok(Some(2)));
        assert_eq!(&buf, b"AB");
        assert_eq!(decode_url_to_slice(b"QUJD", &mut buf), Ok(None));
    }
}
