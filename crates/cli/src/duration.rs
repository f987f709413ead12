//! Times on the command line: `15m`, `1h30m`, `2d`, `never`, or an absolute Unix time.

/// A time argument that is neither a duration nor a Unix time.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("invalid time `{input}`: {problem}")]
#[diagnostic(
    code(tollgate::invalid_time),
    help("write a duration such as `15m`, `1h30m`, `2d`, or a Unix time such as `1900000000`")
)]
pub struct TimeError {
    /// The text as given.
    pub input: String,
    /// What is wrong.
    pub problem: &'static str,
}

/// Parses a duration made of `<number><unit>` parts (`s`, `m`, `h`, `d`, `w`) into seconds.
pub fn parse_duration(input: &str) -> Result<i64, TimeError> {
    let fail = |problem| TimeError {
        input: input.to_owned(),
        problem,
    };
    let mut total: i64 = 0;
    let mut number: Option<i64> = None;
    for ch in input.chars() {
        if let Some(digit) = ch.to_digit(10) {
            let next = number
                .unwrap_or(0)
                .checked_mul(10)
                .and_then(|n| n.checked_add(i64::from(digit)));
            number = Some(next.ok_or_else(|| fail("too large"))?);
            continue;
        }
        let unit = match ch {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(fail("unknown unit (use s, m, h, d or w)")),
        };
        let value = number
            .take()
            .ok_or_else(|| fail("a unit must follow a number"))?;
        total = value
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| fail("too large"))?;
    }
    if number.is_some() {
        return Err(fail("the last number has no unit"));
    }
    if input.is_empty() {
        return Err(fail("empty"));
    }
    Ok(total)
}

/// An absolute time: a bare number is a Unix time, anything else a duration after `now`.
pub fn parse_time(input: &str, now: i64) -> Result<i64, TimeError> {
    if !input.is_empty() && input.bytes().all(|b| b.is_ascii_digit()) {
        return input.parse::<i64>().map_err(|_| TimeError {
            input: input.to_owned(),
            problem: "too large",
        });
    }
    let seconds = parse_duration(input)?;
    now.checked_add(seconds).ok_or(TimeError {
        input: input.to_owned(),
        problem: "too large",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations() {
        assert_eq!(parse_duration("15m").unwrap(), 900);
        assert_eq!(parse_duration("1h30m").unwrap(), 5400);
        assert_eq!(parse_duration("2d").unwrap(), 172_800);
        for bad in ["", "15", "m", "1x", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bare_numbers_are_unix_times() {
        assert_eq!(parse_time("1900000000", 5).unwrap(), 1_900_000_000);
        assert_eq!(parse_time("10s", 5).unwrap(), 15);
    }
}
