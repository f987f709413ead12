//! "Did you mean" suggestions and confusable-name skeletons.

/// Edit distance between two strings, by characters, counting a swap of two adjacent characters
/// as one edit (optimal string alignment).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    let get = |d: &[usize], i: usize, j: usize| d.get(at(i, j)).copied().unwrap_or(usize::MAX / 2);
    for i in 0..=a.len() {
        if let Some(x) = d.get_mut(at(i, 0)) {
            *x = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(x) = d.get_mut(at(0, j)) {
            *x = j;
        }
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let (ca, cb) = (a.get(i - 1), b.get(j - 1));
            let cost = usize::from(ca != cb);
            let mut v = (get(&d, i - 1, j) + 1)
                .min(get(&d, i, j - 1) + 1)
                .min(get(&d, i - 1, j - 1) + cost);
            if i > 1 && j > 1 && ca == b.get(j - 2) && a.get(i - 2) == cb {
                v = v.min(get(&d, i - 2, j - 2) + 1);
            }
            if let Some(x) = d.get_mut(at(i, j)) {
                *x = v;
            }
        }
    }
    get(&d, a.len(), b.len())
}

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let limit = word.chars().count() / 3;
    candidates
        .into_iter()
        .map(|c| (distance(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// "did you mean `x`?" for the closest candidate.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// A skeleton that maps names differing only in case or by confusable characters
/// (`0`/`O`, `1`/`l`/`I`, `rn`/`m`, `vv`/`w`, `-`/`_`) to the same string.
pub(crate) fn skeleton(name: &str) -> String {
    let lower = name.to_lowercase().replace("rn", "m").replace("vv", "w");
    lower
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | 'i' | '|' => 'l',
            '5' => 's',
            '_' => '-',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(closest("lgos", ["logs", "shell"]), Some("logs"));
        assert_eq!(closest("famly", ["family", "policy"]), Some("family"));
        assert_eq!(closest("c", ["a"]), None);
        assert_eq!(closest("xyz", ["logs", "shell"]), None);
        assert_eq!(closest("Status", ["status"]), Some("status"));
    }

    #[test]
    fn skeleton_folds_confusables() {
        assert_eq!(skeleton("l0gs"), skeleton("logs"));
        assert_eq!(skeleton("Iogs"), skeleton("logs"));
        assert_eq!(skeleton("rnanifest"), skeleton("manifest"));
        assert_ne!(skeleton("logs"), skeleton("shell"));
    }
}
