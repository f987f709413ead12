//! JSON pointers built lazily on the stack: nothing is allocated unless an error is reported.

use std::fmt::Write as _;

/// A location in the payload, as a chain of parent links.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Path<'a> {
    /// The whole payload.
    Root,
    /// A member of an object.
    Key(&'a Path<'a>, &'a str),
    /// An element of an array.
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    /// The child at object key `k`.
    pub(crate) fn key(&'a self, k: &'a str) -> Path<'a> {
        Path::Key(self, k)
    }

    /// The child at array index `i`.
    pub(crate) fn index(&'a self, i: usize) -> Path<'a> {
        Path::Index(self, i)
    }

    /// The RFC 6901 pointer text, e.g. `/leases/permissions/1/provider`.
    pub(crate) fn pointer(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Key(parent, k) => {
                parent.write(out);
                out.push('/');
                push_escaped(out, k);
            }
            Path::Index(parent, i) => {
                parent.write(out);
                // Writing to a String cannot fail.
                let _ = write!(out, "/{i}");
            }
        }
    }
}

/// Appends `segment` with `~` and `/` escaped per RFC 6901.
pub(crate) fn push_escaped(out: &mut String, segment: &str) {
    for c in segment.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// Whether two pointers name the same value or one contains the other.
pub(crate) fn related(a: &str, b: &str) -> bool {
    fn under(child: &str, parent: &str) -> bool {
        child
            .strip_prefix(parent)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
    under(a, b) || under(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_escaped_pointers() {
        let root = Path::Root;
        let leases = root.key("leases");
        let perms = leases.key("permissions");
        let one = perms.index(1);
        let odd = one.key("a/b~c");
        assert_eq!(root.pointer(), "");
        assert_eq!(odd.pointer(), "/leases/permissions/1/a~1b~0c");
    }

    #[test]
    fn relates_ancestors_and_descendants_only() {
        assert!(related("/leases", "/leases/scope/1"));
        assert!(related("/leases/scope/1", "/leases"));
        assert!(related("", "/iss"));
        assert!(related("/iss", "/iss"));
        assert!(!related("/leases/scope", "/leases/scopes"));
        assert!(!related("/iat", "/iss"));
    }
}
