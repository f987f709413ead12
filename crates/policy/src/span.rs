//! Byte spans into policy source text.

/// A byte range in a policy's source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// Byte offset of the first byte.
    pub offset: usize,
    /// Length in bytes.
    pub len: usize,
}

impl Span {
    /// A span from `offset` covering `len` bytes.
    #[must_use]
    pub const fn new(offset: usize, len: usize) -> Self {
        Self { offset, len }
    }

    /// The byte just past the span.
    #[must_use]
    pub const fn end(self) -> usize {
        self.offset + self.len
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn join(self, other: Span) -> Span {
        let start = self.offset.min(other.offset);
        let end = self.end().max(other.end());
        Span::new(start, end - start)
    }

    /// The text this span covers in `source`, if it is in range and on character boundaries.
    #[must_use]
    pub fn text(self, source: &str) -> Option<&str> {
        source.get(self.offset..self.end())
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        miette::SourceSpan::new(span.offset.into(), span.len)
    }
}
