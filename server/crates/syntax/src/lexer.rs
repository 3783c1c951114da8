//! Phase one: cutting the source into items (directive, comment, blank line, instruction) and,
//! for an instruction, joining its continuation lines into BuildKit's logical line while
//! remembering where every piece came from. Item boundaries depend only on the escape
//! character and on whether we are still in the directive header (invariant 3).

use std::borrow::Cow;

use crate::split::is_go_space;

/// Where a run of logical-line bytes came from in the item's source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Segment {
    pub logical: u32,
    pub source: u32,
    pub len: u32,
}

/// The segments of a logical line. Most instructions are one line, one segment: that one is
/// kept inline, so neither parsing nor the stored item allocates for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Segments {
    #[default]
    Empty,
    One(Segment),
    Many(Vec<Segment>),
}

impl Segments {
    fn push(&mut self, s: Segment) {
        match self {
            Self::Empty => *self = Self::One(s),
            Self::One(first) => *self = Self::Many(vec![*first, s]),
            Self::Many(v) => v.push(s),
        }
    }

    pub fn as_slice(&self) -> &[Segment] {
        match self {
            Self::Empty => &[],
            Self::One(s) => std::slice::from_ref(s),
            Self::Many(v) => v,
        }
    }
}

/// BuildKit's logical line (continuations removed, comment and empty lines inside dropped)
/// with a map back to the source. A one-line instruction borrows its text from the source.
#[derive(Debug, Clone, Default)]
pub(crate) struct LogicalLine<'a> {
    pub text: Cow<'a, str>,
    pub segments: Segments,
}

impl<'a> LogicalLine<'a> {
    fn push(&mut self, source: usize, piece: &'a str) {
        if piece.is_empty() {
            return;
        }
        self.segments.push(Segment {
            logical: self.text.len() as u32,
            source: source as u32,
            len: piece.len() as u32,
        });
        match &mut self.text {
            Cow::Borrowed("") => self.text = Cow::Borrowed(piece),
            Cow::Borrowed(first) => {
                // the line is transient: room for a few more continuation lines at once
                let mut text = String::with_capacity(2 * (first.len() + piece.len()) + 64);
                text.push_str(first);
                text.push_str(piece);
                self.text = Cow::Owned(text);
            }
            Cow::Owned(text) => text.push_str(piece),
        }
    }

    fn segments(&self) -> &[Segment] {
        self.segments.as_slice()
    }

    /// Source offset of a logical offset. An offset at a segment boundary maps to the start
    /// of the following segment; `end` offsets should use [`Self::source_end`].
    pub fn source_start(&self, logical: usize) -> u32 {
        let logical = logical as u32;
        let segments = self.segments();
        let i = segments.partition_point(|s| s.logical + s.len <= logical);
        match segments.get(i) {
            Some(s) => s.source + (logical.saturating_sub(s.logical)),
            None => segments.last().map_or(0, |s| s.source + s.len),
        }
    }

    /// Source offset just after logical byte `logical - 1`.
    pub fn source_end(&self, logical: usize) -> u32 {
        if logical == 0 {
            return self.source_start(0);
        }
        self.source_start(logical - 1) + 1
    }

    pub fn range(&self, start: usize, end: usize) -> crate::TextRange {
        if let Segments::One(s) = self.segments {
            // one segment: logical and source offsets differ by a constant (the common case)
            // (the same arithmetic as `source_start`/`source_end` below, without the search)
            let at = |logical: usize| s.source + (logical as u32).min(s.len);
            if start >= end {
                return crate::TextRange::empty(at(start));
            }
            return crate::TextRange::new(at(start), at(end - 1) + 1);
        }
        if start >= end {
            let at = self.source_start(start);
            return crate::TextRange::new(at, at);
        }
        crate::TextRange::new(self.source_start(start), self.source_end(end))
    }
}

/// The source ranges a logical range covers, one per segment (so none spans a line break).
pub(crate) fn pieces(
    segments: &[Segment],
    start: usize,
    end: usize,
) -> impl Iterator<Item = crate::TextRange> + '_ {
    let (start, end) = (start as u32, end as u32);
    segments.iter().filter_map(move |s| {
        let a = start.max(s.logical);
        let b = end.min(s.logical + s.len);
        (a < b).then(|| crate::TextRange::new(s.source + a - s.logical, s.source + b - s.logical))
    })
}

/// One physical line: `content` excludes the line terminator, `end` includes it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PhysLine {
    pub start: usize,
    pub content_end: usize,
    pub end: usize,
}

/// The next physical line starting at `pos` (BuildKit splits on `\n` only and trims any
/// trailing `\r`/`\n` from the content).
pub(crate) fn phys_line(src: &str, pos: usize) -> PhysLine {
    let b = src.as_bytes();
    // `str::find` with a char searches with memchr, word at a time (long heredoc lines)
    let end = src
        .get(pos..)
        .and_then(|rest| rest.find('\n'))
        .or_else(|| b.get(pos..)?.iter().position(|&c| c == b'\n'))
        .map_or(b.len(), |i| pos + i + 1);
    let mut content_end = end;
    while content_end > pos && matches!(b[content_end - 1], b'\n' | b'\r') {
        content_end -= 1;
    }
    PhysLine {
        start: pos,
        content_end,
        end,
    }
}

/// Length of leading Go white space in `s`.
pub(crate) fn leading_space(s: &str) -> usize {
    s.len() - s.trim_start_matches(is_go_space).len()
}

/// A comment line: first non-space character is `#`.
pub(crate) fn is_comment(s: &str) -> bool {
    s.trim_start_matches(is_go_space).starts_with('#')
}

/// BuildKit's line-continuation test: the escape character is the last character but for
/// spaces and tabs, and is not itself escaped (or stands alone on the line). Returns the
/// length to keep.
pub(crate) fn continuation(content: &str, escape: u8) -> Option<usize> {
    let b = content.as_bytes();
    let mut i = b.len();
    while i > 0 && matches!(b[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    if i == 0 || b[i - 1] != escape {
        return None;
    }
    let esc_at = i - 1;
    if esc_at == 0 || b[esc_at - 1] != escape {
        Some(esc_at)
    } else {
        None
    }
}

/// A parser directive (`# syntax=`, `# escape=`, `# check=`) found on a header line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DirectiveMatch {
    pub name: String,
    /// Byte ranges within the line content.
    pub name_range: (usize, usize),
    pub value_range: (usize, usize),
}

/// BuildKit's directive regex `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` after `#` and spaces,
/// restricted to the directive names it knows.
pub(crate) fn match_directive(line: &str) -> Option<DirectiveMatch> {
    let rest = line.strip_prefix('#')?;
    let base = 1 + leading_space(rest);
    let s = &line[base..];
    let b = s.as_bytes();
    if !b.first()?.is_ascii_alphabetic() {
        return None;
    }
    let name_len = b.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    let mut i = name_len;
    // Go's regexp \s is ASCII: [\t\n\f\r ]
    let re_s = |c: u8| matches!(c, b'\t' | b'\n' | 0x0c | b'\r' | b' ');
    while i < b.len() && re_s(b[i]) {
        i += 1;
    }
    if b.get(i) != Some(&b'=') {
        return None;
    }
    i += 1;
    while i < b.len() && re_s(b[i]) {
        i += 1;
    }
    let mut end = b.len();
    while end > i && re_s(b[end - 1]) {
        end -= 1;
    }
    if end <= i {
        return None;
    }
    let name = s[..name_len].to_ascii_lowercase();
    if !matches!(name.as_str(), "syntax" | "escape" | "check") {
        return None;
    }
    Some(DirectiveMatch {
        name,
        name_range: (base, base + name_len),
        value_range: (base + i, base + end),
    })
}

/// The shape of an instruction's lines before heredocs: the logical line, where the
/// instruction's lines end, and which lines were empty continuation lines.
#[derive(Debug, Clone)]
pub(crate) struct InstructionLines<'a> {
    pub logical: LogicalLine<'a>,
    pub end: usize,
    /// Whole lines (relative to the source) that were empty inside the continuation.
    pub empty_lines: Vec<(usize, usize)>,
    /// The last line asked for a continuation but the file ended.
    pub continues_at_eof: bool,
}

/// Gathers an instruction starting at `first` (whose leading white space starts the item at
/// `item_start`): the first line and its continuation lines.
pub(crate) fn instruction_lines(
    src: &str,
    first: PhysLine,
    item_start: usize,
    escape: u8,
) -> InstructionLines<'_> {
    let mut logical = LogicalLine::default();
    let line = &src[first.start..first.content_end];
    let lead = leading_space(line);
    let content_start = first.start + lead;
    let content = &src[content_start..first.content_end];
    let mut cont = continuation(content, escape);
    logical.push(
        content_start - item_start,
        &content[..cont.unwrap_or(content.len())],
    );
    let mut end = first.end;
    let mut empty_lines = Vec::new();
    while cont.is_some() && end < src.len() {
        let l = phys_line(src, end);
        end = l.end;
        let raw = &src[l.start..l.end];
        if is_comment(raw) {
            continue;
        }
        let content = &src[l.start..l.content_end];
        if content.trim_start_matches(is_go_space).is_empty() {
            empty_lines.push((l.start - item_start, l.end - item_start));
            continue;
        }
        cont = continuation(content, escape);
        logical.push(
            l.start - item_start,
            &content[..cont.unwrap_or(content.len())],
        );
    }
    InstructionLines {
        logical,
        end,
        empty_lines,
        continues_at_eof: cont.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_rules() {
        assert_eq!(continuation("RUN a \\", b'\\'), Some(6));
        assert_eq!(continuation("RUN a \\  \t", b'\\'), Some(6));
        assert_eq!(continuation("\\", b'\\'), Some(0));
        assert_eq!(continuation("a\\\\", b'\\'), None);
        assert_eq!(continuation("a `", b'`'), Some(2));
        assert_eq!(continuation("a \\", b'`'), None);
    }

    #[test]
    fn directives() {
        let d = match_directive("# escape=`").unwrap();
        assert_eq!(d.name, "escape");
        assert_eq!(&"# escape=`"[d.value_range.0..d.value_range.1], "`");
        assert!(match_directive("# Syntax = docker/dockerfile:1 ").is_some());
        assert!(match_directive("# foo=bar").is_none());
        assert!(match_directive("#escape=").is_none());
        assert!(match_directive("# hello").is_none());
    }

    #[test]
    fn logical_map() {
        let src = "RUN a \\\n  # c\n\n  b\n";
        let first = phys_line(src, 0);
        let lines = instruction_lines(src, first, 0, b'\\');
        assert_eq!(lines.logical.text, "RUN a   b");
        assert_eq!(lines.end, src.len());
        assert_eq!(lines.empty_lines, vec![(14, 15)]);
        let r = lines.logical.range(8, 9);
        assert_eq!(&src[r.as_usize()], "b");
        let pieces: Vec<_> = pieces(lines.logical.segments.as_slice(), 4, 9)
            .map(|r| &src[r.as_usize()])
            .collect();
        assert_eq!(pieces, ["a ", "  b"]);
    }
}
