//! Akash bech32 addresses, checked as Cosmos SDK `AccAddressFromBech32` does.

use bech32::Bech32;
use bech32::primitives::decode::CheckedHrpstring;

/// Why an address was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AddressProblem {
    /// The empty string.
    Empty,
    /// Not bech32 (bad characters, mixed case, bad checksum, too long, bad padding).
    NotBech32,
    /// Valid bech32 with a human-readable part other than `akash`.
    WrongPrefix,
    /// Decodes to zero or more than 255 bytes.
    BadLength,
    /// Valid for the Go provider but not `^akash1[a-z0-9]{38}$` (strict mode only).
    NotCanonical,
}

impl AddressProblem {
    /// The reason in words, for messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            AddressProblem::Empty => "it is empty",
            AddressProblem::NotBech32 => "it is not valid bech32 (bad character, case or checksum)",
            AddressProblem::WrongPrefix => "its prefix is not `akash`",
            AddressProblem::BadLength => "it must decode to 1 to 255 bytes",
            AddressProblem::NotCanonical => {
                "the schema only allows 20-byte lowercase addresses (44 characters)"
            }
        }
    }
}

/// Checks `s` as the Go provider does; `strict` adds the schema's 44-character pattern.
pub(crate) fn check(s: &str, strict: bool) -> Result<(), AddressProblem> {
    if is_canonical(s) {
        return Ok(());
    }
    check_full(s, strict)
}

/// [`check`] without the shortcut, through the `bech32` crate.
fn check_full(s: &str, strict: bool) -> Result<(), AddressProblem> {
    if s.trim().is_empty() {
        return Err(AddressProblem::Empty);
    }
    let parsed = CheckedHrpstring::new::<Bech32>(s).map_err(|_| AddressProblem::NotBech32)?;
    if !parsed.hrp().as_str().eq_ignore_ascii_case("akash") {
        return Err(AddressProblem::WrongPrefix);
    }
    // Go's ConvertBits(…, 5, 8, false) refuses more than 4 padding bits or non-zero padding.
    parsed
        .validate_segwit_padding()
        .map_err(|_| AddressProblem::NotBech32)?;
    let bytes = parsed.data_part_ascii_no_checksum().len() * 5 / 8;
    if bytes == 0 || bytes > 255 {
        return Err(AddressProblem::BadLength);
    }
    if strict && !matches_schema_pattern(s) {
        return Err(AddressProblem::NotCanonical);
    }
    Ok(())
}

/// The common case of [`check`], quickly: a lowercase 44-character `akash1…` address (20 bytes)
/// with a valid bech32 checksum. `true` implies `check(s, strict) == Ok(())` in both
/// behaviours; `false` only means "ask [`check`]".
pub(crate) fn is_canonical(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(prefix), Some(data)) = (b.get(..6), b.get(6..)) else {
        return false;
    };
    if prefix != b"akash1" || data.len() != 38 {
        return false;
    }
    // 32 data characters = 160 bits = 20 bytes exactly: no padding bits to check.
    let mut chk = AKASH_HRP_STATE;
    for pair in data.chunks_exact(2) {
        let (Some(v1), Some(v2)) = (value(pair.first()), value(pair.get(1))) else {
            return false;
        };
        chk = polymod_pair(chk, (u32::from(v1) << 5) | u32::from(v2));
    }
    chk == BECH32_CONST
}

/// The 5-bit value of a lowercase bech32 character.
#[inline]
fn value(c: Option<&u8>) -> Option<u8> {
    let v = *CHARSET_REV.get(usize::from(*c?))?;
    (v != INVALID).then_some(v)
}

const INVALID: u8 = 0xff;
const BECH32_CONST: u32 = 1;
const GEN: [u32; 5] = [
    0x3b6a_57b2,
    0x2650_8e6d,
    0x1ea1_19fa,
    0x3d42_33dd,
    0x2a14_62b3,
];

/// Lowercase bech32 characters to their 5-bit values (uppercase is left to [`check`]).
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an index out of range fails the build"
)]
const CHARSET_REV: [u8; 128] = {
    let charset = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    let mut t = [INVALID; 128];
    let mut i = 0;
    while i < 32 {
        t[charset[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// The generators selected by the five bits of `top`, xored into `chk`.
const fn slow_step(mut chk: u32, top: u32) -> u32 {
    if top & 1 != 0 {
        chk ^= GEN[0];
    }
    if top & 2 != 0 {
        chk ^= GEN[1];
    }
    if top & 4 != 0 {
        chk ^= GEN[2];
    }
    if top & 8 != 0 {
        chk ^= GEN[3];
    }
    if top & 16 != 0 {
        chk ^= GEN[4];
    }
    chk
}

/// One bech32 polymod step, at compile time.
const fn const_step(chk: u32, v: u8) -> u32 {
    slow_step(((chk & 0x01ff_ffff) << 5) ^ (v as u32), chk >> 25)
}

/// Two bech32 polymod steps at once (the polymod is linear over GF(2)): `vv` holds both 5-bit
/// values, first one high.
#[inline]
fn polymod_pair(chk: u32, vv: u32) -> u32 {
    let gen_xor = GEN_XOR2
        .get(((chk >> 20) & 0x3ff) as usize)
        .copied()
        .unwrap_or(0);
    ((chk & 0x000f_ffff) << 10) ^ vv ^ gen_xor
}

/// `GEN_XOR2[t]`: what two steps add for the top ten bits `t` of the state.
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an index out of range fails the build"
)]
const GEN_XOR2: [u32; 1024] = {
    let mut t = [0u32; 1024];
    let mut top = 0u32;
    while top < 1024 {
        // Two steps from the state `top << 20` with zero data, minus the plain shift.
        t[top as usize] = const_step(const_step(top << 20, 0), 0);
        top += 1;
    }
    t
};

/// The checksum state after the expanded human-readable part `akash`.
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an index out of range fails the build"
)]
const AKASH_HRP_STATE: u32 = {
    let hrp = b"akash";
    let mut chk = 1;
    let mut i = 0;
    while i < hrp.len() {
        chk = const_step(chk, hrp[i] >> 5);
        i += 1;
    }
    chk = const_step(chk, 0);
    let mut i = 0;
    while i < hrp.len() {
        chk = const_step(chk, hrp[i] & 31);
        i += 1;
    }
    chk
};

/// `^akash1[a-z0-9]{38}$`.
pub(crate) fn matches_schema_pattern(s: &str) -> bool {
    s.len() == 44
        && s.starts_with("akash1")
        && s.bytes()
            .skip(6)
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST_ADDR: &str = "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";

    #[test]
    fn accepts_the_test_address() {
        assert_eq!(check(TEST_ADDR, true), Ok(()));
        assert_eq!(check(TEST_ADDR, false), Ok(()));
        assert_eq!(check(&TEST_ADDR.to_uppercase(), false), Ok(()));
        assert_eq!(
            check(&TEST_ADDR.to_uppercase(), true),
            Err(AddressProblem::NotCanonical)
        );
    }

    #[test]
    fn canonical_shortcut_agrees_with_the_full_check() {
        let pool = [
            TEST_ADDR,
            "akash1qurswpc8qurswpc8qurswpc8qurswpc87g2aem",
            "akash1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0smz7g5x",
        ];
        assert!(is_canonical(pool[0]));
        assert!(is_canonical(pool[1]));
        let charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7lbio1AQ-";
        for addr in pool {
            // Every one-character substitution, deletion and the uppercase form.
            let mut variants = vec![addr.to_owned(), addr.to_uppercase()];
            for i in 0..addr.len() {
                let (head, tail) = addr.split_at(i);
                let rest: String = tail.chars().skip(1).collect();
                variants.push(format!("{head}{rest}"));
                for c in charset.chars() {
                    variants.push(format!("{head}{c}{rest}"));
                }
            }
            for v in variants {
                if is_canonical(&v) {
                    assert_eq!(check_full(&v, true), Ok(()), "{v}");
                    assert_eq!(check_full(&v, false), Ok(()), "{v}");
                } else if check_full(&v, true).is_ok() {
                    panic!("{v}: canonical per check, refused by the shortcut");
                }
            }
        }
        assert!(!is_canonical(""));
        assert!(!is_canonical("akash1"));
        assert!(!is_canonical(
            "akash1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmé"
        ));
    }

    #[test]
    fn refuses_bad_checksum_prefix_and_empty() {
        let bad = format!("akash1{}", "b".repeat(38));
        assert!(matches_schema_pattern(&bad));
        assert_eq!(check(&bad, true), Err(AddressProblem::NotBech32));
        assert_eq!(check("", false), Err(AddressProblem::Empty));
        assert_eq!(
            check("cosmos1qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh", false),
            Err(AddressProblem::NotBech32)
        );
        let mixed = "akash1Qufa3xzrf34qvwyejkhvnc4psf49fftaw0asmh";
        assert_eq!(check(mixed, false), Err(AddressProblem::NotBech32));
    }
}
