//! Items: the units the file is cut into. An item is a directive line, a comment line, a blank
//! line, or an instruction with its continuation lines and here-document bodies. Items own
//! their text and hold only relative ranges, so unchanged items survive edits untouched.
//!
//! An item lives as long as the document, and a file at the size cap has hundreds of thousands
//! of them, so its layout is chosen by bytes per item (F16 in `docs/dev/reliability.md`):
//! the `Item` itself holds only what every item has (kind, text, the token cache); what only
//! directives and instructions have is one box (`Payload`) beside it; within an instruction,
//! what most lack (errors, empty continuation lines, a logical line of several pieces) is one
//! more box, set only when needed. Short text is kept inline (`ItemText`). A 2-byte line
//! took four heap blocks (about 330 bytes with the allocator's rounding) and now takes two
//! (about 240).

use crate::ast::{Args, Heredoc, Instruction};
use crate::heredoc;
use crate::item_text::ItemText;
use crate::lexer::{self, phys_line, PhysLine, Segment, Segments};
use crate::parser::{error_at, parse_logical};
use crate::tokens::{build_tokens, Token, TokenKind};
use std::sync::OnceLock;

use crate::{SyntaxError, TextRange};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Directive,
    Comment,
    Blank,
    Instruction,
}

/// A parser directive: `# escape=\``, `# syntax=...`, `# check=...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lower-case name.
    pub name: Box<str>,
    pub name_range: TextRange,
    pub value: Box<str>,
    pub value_range: TextRange,
}

#[derive(Debug, Clone)]
pub struct Item {
    pub kind: ItemKind,
    pub(crate) escape: u8,
    /// The file ended while this item still wanted more (a continuation or an unterminated
    /// heredoc): an edit after it must re-lex it.
    pub(crate) open_end: bool,
    pub(crate) text: ItemText,
    /// Computed on first use: most consumers never need tokens, and building them at parse
    /// time cost a sixth of the parse.
    pub(crate) tokens: OnceLock<Box<[Token]>>,
    /// What only directives and instructions have, in one allocation (an item is never both),
    /// so that blank lines and comments (the most numerous items per byte) stay small.
    pub(crate) payload: Option<Box<Payload>>,
}

/// The variable part of a directive or an instruction item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Payload {
    Directive {
        directive: Directive,
        errors: Box<[SyntaxError]>,
    },
    Instruction(InstructionPart),
}

/// The instruction of an instruction item and the maps it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InstructionPart {
    pub inst: Instruction,
    /// The logical line's only segment (a one-line instruction, the common case); an empty
    /// one (`len == 0`; real segments are never empty) when there are none or several, and
    /// then the segments are in `rare`.
    pub one_segment: Segment,
    /// What most instructions lack, behind one pointer instead of three empty slices.
    pub rare: Option<Box<RarePart>>,
}

/// Errors, empty continuation lines and the segments of a logical line of several pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RarePart {
    pub errors: Box<[SyntaxError]>,
    pub empty_continuation_lines: Box<[TextRange]>,
    /// Where the pieces of BuildKit's logical line sit in the source, when there are several.
    pub segments: Box<[Segment]>,
}

impl InstructionPart {
    fn new(
        inst: Instruction,
        segments: Segments,
        errors: Vec<SyntaxError>,
        empty_continuation_lines: Box<[TextRange]>,
    ) -> Self {
        let (one_segment, many) = match segments {
            Segments::One(s) => (s, Vec::new()),
            Segments::Empty => (NO_SEGMENT, Vec::new()),
            Segments::Many(v) => (NO_SEGMENT, v),
        };
        let rare = (!errors.is_empty() || !empty_continuation_lines.is_empty() || !many.is_empty())
            .then(|| {
                Box::new(RarePart {
                    errors: errors.into_boxed_slice(),
                    empty_continuation_lines,
                    segments: many.into_boxed_slice(),
                })
            });
        Self {
            inst,
            one_segment,
            rare,
        }
    }

    fn segments(&self) -> &[Segment] {
        match &self.rare {
            Some(r) if !r.segments.is_empty() => &r.segments,
            _ if self.one_segment.len > 0 => std::slice::from_ref(&self.one_segment),
            _ => &[],
        }
    }
}

const NO_SEGMENT: Segment = Segment {
    logical: 0,
    source: 0,
    len: 0,
};

impl PartialEq for Item {
    /// Items are equal when they parse the same text the same way (tokens follow from that).
    fn eq(&self, o: &Self) -> bool {
        self.kind == o.kind
            && self.text == o.text
            && self.escape == o.escape
            && self.payload == o.payload
            && self.open_end == o.open_end
    }
}

impl Eq for Item {}

impl Item {
    pub fn text(&self) -> &str {
        self.text.as_str()
    }
    pub fn len(&self) -> u32 {
        self.text.len() as u32
    }
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
    /// Every byte of the item in exactly one token, in order.
    pub fn tokens(&self) -> &[Token] {
        self.tokens
            .get_or_init(|| self.build_tokens().into_boxed_slice())
    }

    fn build_tokens(&self) -> Vec<Token> {
        let mut sig = Vec::new();
        let text = self.text();
        let content_token = |kind| {
            let start = text.len()
                - text
                    .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
                    .len();
            let end = text.trim_end_matches(['\n', '\r']).len().max(start);
            Token {
                kind,
                range: TextRange::from_usize(start, end),
            }
        };
        match self.kind {
            ItemKind::Directive => sig.push(content_token(TokenKind::Directive)),
            ItemKind::Comment => sig.push(content_token(TokenKind::Comment)),
            ItemKind::Blank => {}
            ItemKind::Instruction => {
                if let Some(inst) = self.instruction() {
                    significant_tokens(inst, self.segments(), &mut sig);
                    for h in &inst.effective().heredocs {
                        if !h.body.is_empty() {
                            sig.push(Token {
                                kind: TokenKind::HeredocBody,
                                range: h.body,
                            });
                        }
                        if let Some(t) = h.terminator {
                            sig.push(Token {
                                kind: TokenKind::HeredocTerminator,
                                range: t,
                            });
                        }
                    }
                }
            }
        }
        build_tokens(text, sig, self.escape)
    }
    fn instruction_part(&self) -> Option<&InstructionPart> {
        match self.payload.as_deref() {
            Some(Payload::Instruction(p)) => Some(p),
            _ => None,
        }
    }
    pub fn instruction(&self) -> Option<&Instruction> {
        self.instruction_part().map(|p| &p.inst)
    }
    fn segments(&self) -> &[Segment] {
        self.instruction_part()
            .map_or(&[], InstructionPart::segments)
    }
    pub fn directive(&self) -> Option<&Directive> {
        match self.payload.as_deref() {
            Some(Payload::Directive { directive, .. }) => Some(directive),
            _ => None,
        }
    }
    pub fn errors(&self) -> &[SyntaxError] {
        match self.payload.as_deref() {
            Some(Payload::Directive { errors, .. }) => errors,
            Some(Payload::Instruction(p)) => p.rare.as_ref().map_or(&[], |r| &r.errors),
            None => &[],
        }
    }
    pub fn empty_continuation_lines(&self) -> &[TextRange] {
        self.instruction_part()
            .and_then(|p| p.rare.as_ref())
            .map_or(&[], |r| &r.empty_continuation_lines)
    }
    /// Number of line breaks in the item, counted when asked: lexing must not pay for it on
    /// every re-lexed item (an edit inside an unterminated here-document re-lexes the rest
    /// of the file, and in a debug build counting was most of an edit's cost).
    pub fn newlines(&self) -> u32 {
        count_newlines(self.text())
    }

    /// The source offset (relative to the item) of byte `offset` of `word.text`, for words whose
    /// text is a slice of the logical line (shell text, plain string arguments, words). This
    /// is how a position inside a command that spans continuation lines finds its way back
    /// into the file.
    pub fn source_offset(&self, word: &crate::Word, offset: usize) -> u32 {
        let segments = self.segments();
        let Some(start) = segments
            .iter()
            .find(|s| s.source <= word.range.start && word.range.start < s.source + s.len.max(1))
        else {
            return word.range.start + offset as u32;
        };
        let logical = start.logical + (word.range.start - start.source) + offset as u32;
        let i = segments.partition_point(|s| s.logical + s.len <= logical);
        match segments.get(i) {
            Some(s) => s.source + logical.saturating_sub(s.logical),
            None => segments.last().map_or(word.range.end, |s| s.source + s.len),
        }
    }
}

/// What the lexer carries from one item to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LexState {
    pub escape: u8,
    pub in_header: bool,
    pub seen_directives: Vec<Box<str>>,
    /// Offset 0 of the text being lexed is the start of the file, so a U+FEFF there is the
    /// byte-order mark. Re-lexing a region after an edit mostly starts mid-file: there a
    /// U+FEFF is an ordinary character (BuildKit drops the mark from the first line only).
    pub at_file_start: bool,
}

impl Default for LexState {
    fn default() -> Self {
        Self {
            escape: b'\\',
            in_header: true,
            seen_directives: Vec::new(),
            at_file_start: true,
        }
    }
}

const BOM: &str = "\u{feff}";

/// Lexes and parses the item starting at `pos`; returns it and its end offset.
pub(crate) fn lex_item(src: &str, pos: usize, st: &mut LexState) -> (Item, usize) {
    let mut line = phys_line(src, pos);
    let bom = pos == 0 && st.at_file_start && src.starts_with(BOM);
    if bom {
        line = PhysLine {
            start: BOM.len(),
            ..line
        };
        if line.content_end < line.start {
            line.content_end = line.start;
        }
    }
    let content = &src[line.start..line.content_end];
    let lead = lexer::leading_space(content);
    let trimmed = &content[lead..];
    let rel = |a: usize, b: usize| TextRange::from_usize(a - pos, b - pos);

    if st.in_header {
        if let Some(d) = lexer::match_directive(trimmed) {
            let base = line.start + lead;
            let mut errors = Vec::new();
            let value = trimmed[d.value_range.0..d.value_range.1].to_string();
            let name_range = rel(base + d.name_range.0, base + d.name_range.1);
            let value_range = rel(base + d.value_range.0, base + d.value_range.1);
            if st.seen_directives.iter().any(|s| **s == *d.name) {
                errors.push(error_at(
                    name_range,
                    format!("only one {} parser directive can be used", d.name),
                ));
            } else {
                st.seen_directives.push(d.name.clone().into_boxed_str());
                if d.name == "escape" {
                    match value.as_str() {
                        "`" => st.escape = b'`',
                        "\\" => st.escape = b'\\',
                        _ => errors.push(error_at(
                            value_range,
                            format!("invalid escape token '{value}' does not match ` or \\"),
                        )),
                    }
                }
            }
            let directive = Directive {
                name: d.name.into_boxed_str(),
                name_range,
                value: value.into_boxed_str(),
                value_range,
            };
            let mut item = finish(src, pos, line.end, ItemKind::Directive, st.escape);
            item.payload = Some(Box::new(Payload::Directive {
                directive,
                errors: errors.into_boxed_slice(),
            }));
            return (item, line.end);
        }
        st.in_header = false;
        // only the header reads them; an empty list keeps the state cheap to copy (an edit
        // keeps the state before each item it lexes)
        st.seen_directives = Vec::new();
    }

    if trimmed.is_empty() {
        return (
            finish(src, pos, line.end, ItemKind::Blank, st.escape),
            line.end,
        );
    }
    if trimmed.starts_with('#') {
        return (
            finish(src, pos, line.end, ItemKind::Comment, st.escape),
            line.end,
        );
    }
    instruction_item(src, pos, line, st.escape)
}

fn instruction_item(src: &str, pos: usize, first: PhysLine, escape: u8) -> (Item, usize) {
    let lines = lexer::instruction_lines(src, first, pos, escape);
    let ll = &lines.logical;
    let (mut inst, mut errors) = parse_logical(ll, escape);
    let mut end = lines.end;
    let mut open_end = lines.continues_at_eof;

    let effective_takes_heredocs = {
        let e = inst.effective();
        e.kind.allows_heredocs() && !e.is_exec_form()
    };
    if effective_takes_heredocs && ll.text.contains("<<") {
        let mut docs = Vec::new();
        for o in heredoc::openers(&ll.text) {
            let span = heredoc::body(src, end, &o.name, o.chomp);
            let rel = |a: usize, b: usize| TextRange::from_usize(a - pos, b - pos);
            let opener = ll.range(o.start, o.end);
            if span.terminator.is_none() {
                errors.push(error_at(opener, "unterminated heredoc"));
                open_end = true;
            }
            docs.push(Heredoc {
                opener,
                name: o.name.into_boxed_str(),
                file_descriptor: o.fd,
                chomp: o.chomp,
                expand: o.expand,
                body: rel(span.body.0, span.body.1),
                terminator: span.terminator.map(|(a, b)| rel(a, b)),
            });
            end = span.end;
        }
        effective_mut(&mut inst).heredocs = docs.into();
    }

    let empty = lines
        .empty_lines
        .iter()
        .map(|&(a, b)| TextRange::from_usize(a, b))
        .collect();
    let mut item = finish(src, pos, end, ItemKind::Instruction, escape);
    item.payload = Some(Box::new(Payload::Instruction(InstructionPart::new(
        inst,
        lines.logical.segments,
        errors,
        empty,
    ))));
    item.open_end |= open_end;
    (item, end)
}

fn effective_mut(inst: &mut Instruction) -> &mut Instruction {
    match inst.args {
        Args::Onbuild(ref mut inner) => effective_mut(inner),
        _ => inst,
    }
}

fn significant_tokens(inst: &Instruction, segments: &[Segment], sig: &mut Vec<Token>) {
    let mut push = |kind: TokenKind, r: TextRange| {
        // split at continuation gaps so no significant token spans a line break
        let (a, b) = (logical_of(segments, r.start), logical_of(segments, r.end));
        match (a, b) {
            (Some(a), Some(b)) if a < b => {
                for piece in lexer::pieces(segments, a, b) {
                    sig.push(Token { kind, range: piece });
                }
            }
            _ => sig.push(Token { kind, range: r }),
        }
    };
    push(TokenKind::Keyword, inst.keyword.range);
    for f in &inst.flags {
        push(TokenKind::Flag, f.range);
    }
    args_tokens(&inst.args, &mut push);
}

fn args_tokens(args: &Args, push: &mut impl FnMut(TokenKind, TextRange)) {
    match args {
        Args::None | Args::Ignored(None) => {}
        Args::Ignored(Some(r)) => push(TokenKind::Text, *r),
        Args::Exec { items, .. } => items
            .iter()
            .for_each(|w| push(TokenKind::JsonString, w.range)),
        Args::Text(w) => push(TokenKind::Text, w.range),
        Args::Words(ws) => ws.iter().for_each(|w| push(TokenKind::Word, w.range)),
        Args::Pairs { pairs, .. } => {
            for p in pairs {
                push(TokenKind::Word, p.key.range);
                if let Some(v) = &p.value {
                    push(TokenKind::Word, v.range);
                }
            }
        }
        Args::Healthcheck { kind, cmd } => {
            push(TokenKind::Word, kind.range);
            args_tokens(cmd, push);
        }
        Args::Onbuild(inner) => {
            push(TokenKind::Keyword, inner.keyword.range);
            inner
                .flags
                .iter()
                .for_each(|f| push(TokenKind::Flag, f.range));
            args_tokens(&inner.args, push);
        }
    }
}

/// The logical offset of a source offset, if it falls inside (or at the end of) a segment.
fn logical_of(segments: &[Segment], source: u32) -> Option<usize> {
    segments
        .iter()
        .find(|s| s.source <= source && source <= s.source + s.len)
        .map(|s| (s.logical + (source - s.source)) as usize)
}

fn finish(src: &str, pos: usize, end: usize, kind: ItemKind, escape: u8) -> Item {
    let text = &src[pos..end];
    Item {
        kind,
        text: ItemText::new(text),
        tokens: OnceLock::new(),
        escape,
        payload: None,
        // ends at the end of the input without a line break: more text would extend it
        open_end: end == src.len() && !text.ends_with('\n'),
    }
}

/// Number of `\n` bytes, summed branch-free so the compiler can vectorise it (counting with
/// `filter` was a twentieth of the parse).
fn count_newlines(text: &str) -> u32 {
    let mut n = 0u32;
    for chunk in text.as_bytes().chunks(64) {
        // at most 64 per chunk, so a byte-wide sum cannot overflow
        n += u32::from(chunk.iter().map(|&b| u8::from(b == b'\n')).sum::<u8>());
    }
    n
}
