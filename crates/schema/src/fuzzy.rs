//! "Did you mean" suggestions by small edit distance.

/// Levenshtein distance over chars, with an early cap to keep the cost bounded.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(!ca.eq_ignore_ascii_case(cb));
            let del = prev
                .get(j + 1)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            let ins = cur.get(j).copied().unwrap_or(usize::MAX).saturating_add(1);
            let sub = prev
                .get(j)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(cost);
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = del.min(ins).min(sub);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(usize::MAX)
}

/// The closest candidate within a small edit distance, if any.
///
/// Case differences are free, so `Logs` suggests `logs`; otherwise at most 2 edits, and fewer
/// than half the candidate's length, so `unknown` suggests nothing.
pub(crate) fn suggest<'c>(
    input: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    if input.len() > 64 {
        return None;
    }
    let mut best: Option<(usize, &'c str)> = None;
    for c in candidates {
        let d = distance(input, c);
        let limit = 2.min(c.len().saturating_sub(1) / 2);
        let close = d <= limit || (d == 0 && input != c);
        if close && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCOPES: [&str; 4] = ["logs", "shell", "send-manifest", "status"];

    #[test]
    fn suggests_close_names() {
        assert_eq!(suggest("log", SCOPES), Some("logs"));
        assert_eq!(suggest("Logs", SCOPES), Some("logs"));
        assert_eq!(suggest("send_manifest", SCOPES), Some("send-manifest"));
        assert_eq!(suggest("shel", SCOPES), Some("shell"));
    }

    #[test]
    fn refuses_distant_names() {
        assert_eq!(suggest("unknown", SCOPES), None);
        assert_eq!(suggest("", SCOPES), None);
        assert_eq!(suggest("x", SCOPES), None);
    }
}
