//! Here-document delimiters: the name in the `<<EOF` opener and the terminator line that ends
//! the body. They are one symbol; "definition" jumps between them.

use layerwise_syntax::{Heredoc, ItemRef, TextRange};

use crate::Analysis;

/// One here-document's delimiter, as file ranges of the name itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Delimiter {
    pub name: String,
    /// The name inside the opener (quotes and `<<-` excluded). `None` when the opener spells the
    /// name with escapes, so the name cannot be edited in place.
    pub opener: Option<TextRange>,
    /// The whole opener word, for navigation when `opener` is `None`.
    pub opener_word: TextRange,
    /// The name on the terminator line (leading tabs of `<<-` excluded).
    pub terminator: Option<TextRange>,
    /// The body lines (to check that a new name does not end the body early).
    pub body: TextRange,
    pub chomp: bool,
}

/// The delimiter under `offset`, if any.
pub(crate) fn delimiter_at(a: &Analysis, offset: u32) -> Option<(TextRange, Delimiter)> {
    let r = a.item_at(offset)?;
    for h in heredocs(r) {
        let d = delimiter(r, h);
        if d.opener_word.touches(offset) {
            return Some((d.opener.unwrap_or(d.opener_word), d));
        }
        if let Some(t) = d.terminator.filter(|t| t.touches(offset)) {
            return Some((t, d));
        }
    }
    None
}

fn heredocs(r: ItemRef<'_>) -> &[Heredoc] {
    r.instruction()
        .map(|i| &*i.effective().heredocs)
        .unwrap_or(&[])
}

fn delimiter(r: ItemRef<'_>, h: &Heredoc) -> Delimiter {
    let word = r.slice(h.opener);
    let opener = word.find("<<").and_then(|at| {
        let mut i = at + 2;
        let rest = &word[i..];
        if rest.starts_with('-') {
            i += 1;
        }
        let rest = &word[i..];
        if rest.starts_with(['"', '\'']) {
            i += 1;
        }
        word[i..]
            .starts_with(&*h.name)
            .then(|| TextRange::from_usize(i, i + h.name.len()).shifted(h.opener.start))
    });
    let terminator = h.terminator.map(|t| {
        let line = r.slice(t);
        let lead = line.len() - line.trim_start_matches('\t').len();
        TextRange::new(t.start + lead as u32, t.end)
    });
    Delimiter {
        name: h.name.to_string(),
        opener: opener.map(|o| r.abs(o)),
        opener_word: r.abs(h.opener),
        terminator: terminator.map(|t| r.abs(t)),
        body: r.abs(h.body),
        chomp: h.chomp,
    }
}

/// Whether a body line would end the here-document if the delimiter were `name`.
pub(crate) fn body_has_line(a: &Analysis, d: &Delimiter, name: &str) -> bool {
    a.slice(d.body).lines().any(|l| {
        let l = l.strip_suffix('\r').unwrap_or(l);
        let l = if d.chomp {
            l.trim_start_matches('\t')
        } else {
            l
        };
        l == name
    })
}
