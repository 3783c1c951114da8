//! The lossless layer: every byte of an item belongs to exactly one token (invariant 1).
//! Significant tokens come from the parse; everything between them is classified as trivia.

use crate::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// The UTF-8 byte-order mark at the very start of the file.
    Bom,
    Whitespace,
    /// `\n`, `\r\n` (any `\r` run before the `\n` belongs to it).
    Newline,
    Comment,
    /// A parser directive line's text (`# escape=\``).
    Directive,
    /// A line continuation: the escape character and the spaces after it.
    Continuation,
    /// The instruction word.
    Keyword,
    /// `--name=value`.
    Flag,
    /// A whitespace-delimited argument, a key or a value.
    Word,
    /// Shell-form command text or a plain string argument.
    Text,
    /// A JSON string literal of the exec form.
    JsonString,
    /// Anything else between significant tokens: `[`, `]`, `,`, `=`.
    Punct,
    HeredocBody,
    HeredocTerminator,
}

impl TokenKind {
    pub fn is_trivia(self) -> bool {
        matches!(
            self,
            Self::Bom | Self::Whitespace | Self::Newline | Self::Comment | Self::Continuation
        )
    }
}

/// A token; `range` is relative to the start of its item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub range: TextRange,
}

/// Fills `[0, text.len())` with tokens: the sorted, non-overlapping `significant` ones and
/// trivia in the gaps.
pub(crate) fn build_tokens(text: &str, mut significant: Vec<Token>, escape: u8) -> Vec<Token> {
    significant.sort_by_key(|t| t.range.start);
    let mut out = Vec::with_capacity(significant.len() * 2 + 2);
    let mut pos = 0u32;
    for t in significant {
        if t.range.start < pos || t.range.is_empty() {
            continue; // overlapping or empty: the earlier token already owns these bytes
        }
        fill_gap(text, pos, t.range.start, escape, &mut out);
        out.push(t);
        pos = t.range.end;
    }
    fill_gap(text, pos, text.len() as u32, escape, &mut out);
    out
}

fn fill_gap(text: &str, start: u32, end: u32, escape: u8, out: &mut Vec<Token>) {
    let b = text.as_bytes();
    let (start, end) = (start as usize, end as usize);
    let mut i = start;
    let push = |out: &mut Vec<Token>, kind, a: usize, z: usize| {
        out.push(Token {
            kind,
            range: TextRange::from_usize(a, z),
        })
    };
    while i < end {
        let c = b[i];
        let j;
        let kind;
        if i == 0 && b[i..].starts_with(b"\xEF\xBB\xBF") && end >= 3 {
            j = 3;
            kind = TokenKind::Bom;
        } else if c == b'\n' || (c == b'\r' && newline_run(b, i, end).is_some()) {
            j = newline_run(b, i, end).unwrap_or(i + 1);
            kind = TokenKind::Newline;
        } else if c == b' ' || c == b'\t' || c == 0x0b || c == 0x0c || c == b'\r' {
            j = scan(b, i, end, |c| matches!(c, b' ' | b'\t' | 0x0b | 0x0c)).max(i + 1);
            kind = TokenKind::Whitespace;
        } else if c == escape && is_continuation(b, i, end) {
            j = scan(b, i + 1, end, |c| c == b' ' || c == b'\t');
            kind = TokenKind::Continuation;
        } else if c == b'#' && line_is_blank_before(b, i) {
            j = scan(b, i, end, |c| c != b'\n' && c != b'\r');
            kind = TokenKind::Comment;
        } else {
            // non-ASCII white space is also white space; other characters are punctuation
            let ch = text[i..].chars().next().unwrap_or(' ');
            if ch.is_whitespace() {
                j = i + ch.len_utf8();
                kind = TokenKind::Whitespace;
            } else {
                j = scan_punct(text, i, end, escape);
                kind = TokenKind::Punct;
            }
        }
        let j = j.min(end).max(i + 1);
        // never split a UTF-8 character
        let j = (j..=end).find(|&k| text.is_char_boundary(k)).unwrap_or(end);
        match out.last_mut() {
            Some(last)
                if last.kind == kind
                    && kind != TokenKind::Newline
                    && last.range.end as usize == i =>
            {
                last.range.end = j as u32;
            }
            _ => push(out, kind, i, j),
        }
        i = j;
    }
}

fn scan(b: &[u8], mut i: usize, end: usize, keep: impl Fn(u8) -> bool) -> usize {
    while i < end && keep(b[i]) {
        i += 1;
    }
    i
}

fn scan_punct(text: &str, i: usize, end: usize, escape: u8) -> usize {
    let mut j = i;
    for (k, ch) in text[i..end].char_indices() {
        let at = i + k;
        if at > i && (ch.is_whitespace() || ch == '#' || ch as u32 == escape as u32) {
            break;
        }
        j = at + ch.len_utf8();
    }
    j
}

/// `\r*\n` starting at `i`: returns the end.
fn newline_run(b: &[u8], i: usize, end: usize) -> Option<usize> {
    let j = scan(b, i, end, |c| c == b'\r');
    (j < end && b[j] == b'\n')
        .then_some(j + 1)
        .or((j == end && j > i && end == b.len()).then_some(j))
}

/// The escape at `i` is followed only by spaces/tabs up to the end of the line.
fn is_continuation(b: &[u8], i: usize, end: usize) -> bool {
    let j = scan(b, i + 1, end, |c| c == b' ' || c == b'\t');
    j == end || b[j] == b'\n' || b[j] == b'\r'
}

fn line_is_blank_before(b: &[u8], i: usize) -> bool {
    b[..i]
        .iter()
        .rev()
        .take_while(|&&c| c != b'\n')
        .all(|&c| c == b' ' || c == b'\t' || c == b'\r')
}
