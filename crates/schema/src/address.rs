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
