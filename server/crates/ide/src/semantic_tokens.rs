//! Semantic tokens: what each piece of a Dockerfile is, for highlighting that knows more than a
//! grammar (a `--from=` value that names a stage vs an image, a variable the builder defines,
//! a port number).
//!
//! Built from the items the parser already made (their typed instructions and token pieces),
//! never by re-parsing: one pass over the items in range, a few small vectors per item. Within
//! an item, tokens are painted in two layers: a base (strings, comments) and an overlay
//! (variables, operators, names) that cuts holes in the base, so a `$X` inside a quoted
//! value is its own token. Every token lies on one line: multi-line ones are split.

mod shell;

use layerwise_analysis::vars::{AUTOMATIC_PLATFORM_ARGS, PREDEFINED_ARGS};
use layerwise_analysis::{Base, RefTarget};
use layerwise_syntax::mount::mount_fields;
use layerwise_syntax::{
    expand, Args, Instruction, InstructionKind, ItemKind, ItemRef, TextRange, TokenKind,
};

use crate::Analysis;

/// The kinds of token. `lsp` turns them into its legend (same order as [`TokenType::ALL`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenType {
    /// Instruction keywords, `AS`, `HEALTHCHECK CMD`.
    Keyword,
    /// A flag's name (`--from`).
    Parameter,
    /// A `--mount` field name, a `LABEL` key.
    Property,
    /// `ARG`/`ENV` names and `$X` uses.
    Variable,
    String,
    /// Stage names.
    Class,
    /// Image names.
    Type,
    Comment,
    /// `=`, `&&`, `||`, `|`, `;`, `<<`.
    Operator,
    /// Ports, ids, counts.
    Number,
    /// Parser directive names.
    Macro,
    /// A port's protocol (`tcp`).
    EnumMember,
}

impl TokenType {
    pub const ALL: [TokenType; 12] = [
        Self::Keyword,
        Self::Parameter,
        Self::Property,
        Self::Variable,
        Self::String,
        Self::Class,
        Self::Type,
        Self::Comment,
        Self::Operator,
        Self::Number,
        Self::Macro,
        Self::EnumMember,
    ];
}

/// Modifier bits.
pub mod modifiers {
    /// Where a name is defined: `ARG X`, `ENV X=`, `AS name`.
    pub const DECLARATION: u32 = 1;
    /// Set by the builder: automatic platform args, proxy args.
    pub const DEFAULT_LIBRARY: u32 = 2;
    /// In the order of the bits.
    pub const ALL: [&str; 2] = ["declaration", "defaultLibrary"];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SemanticToken {
    /// Never spans a line break.
    pub range: TextRange,
    pub ty: TokenType,
    pub modifiers: u32,
}

/// Tokens of the whole file, or of the items that intersect `range`, in file order.
pub fn semantic_tokens(a: &Analysis, range: Option<TextRange>) -> Vec<SemanticToken> {
    let mut out = Vec::new();
    let (first, last) = match range {
        Some(r) => (
            a.file.item_at(r.start).map_or(0, |i| i.index),
            a.file.item_at(r.end).map_or(0, |i| i.index),
        ),
        None => (0, a.file.item_count().saturating_sub(1)),
    };
    let mut p = Painter::default();
    for index in first..=last {
        let Some(r) = a.file.item(index) else {
            break;
        };
        paint_item(a, r, &mut p);
        p.finish(a, &mut out);
    }
    if let Some(r) = range {
        out.retain(|t| t.range.end > r.start && t.range.start < r.end);
    }
    out
}

/// Items longer than this get only their keyword: editors stop highlighting such lines too,
/// and millions of tokens for one line would only slow the client down.
pub const MAX_PAINTED_ITEM: u32 = 1 << 20;

/// One item's tokens in two layers (see the module docs).
#[derive(Default)]
struct Painter {
    base: Vec<SemanticToken>,
    over: Vec<SemanticToken>,
}

impl Painter {
    fn base(&mut self, range: TextRange, ty: TokenType) {
        if !range.is_empty() {
            self.base.push(SemanticToken {
                range,
                ty,
                modifiers: 0,
            });
        }
    }

    fn over(&mut self, range: TextRange, ty: TokenType, modifiers: u32) {
        if !range.is_empty() {
            self.over.push(SemanticToken {
                range,
                ty,
                modifiers,
            });
        }
    }

    /// Resolves the layers, splits tokens at line breaks, appends to `out`, and clears.
    fn finish(&mut self, a: &Analysis, out: &mut Vec<SemanticToken>) {
        non_overlapping(&mut self.base);
        non_overlapping(&mut self.over);
        let mut merged: Vec<SemanticToken> = Vec::with_capacity(self.base.len() + self.over.len());
        let mut k = 0;
        for b in &self.base {
            while k < self.over.len() && self.over[k].range.end <= b.range.start {
                k += 1;
            }
            let mut pos = b.range.start;
            let mut i = k;
            while i < self.over.len() && self.over[i].range.start < b.range.end {
                let o = self.over[i].range;
                if o.start > pos {
                    merged.push(SemanticToken {
                        range: TextRange::new(pos, o.start),
                        ..*b
                    });
                }
                pos = pos.max(o.end);
                i += 1;
            }
            if pos < b.range.end {
                merged.push(SemanticToken {
                    range: TextRange::new(pos, b.range.end),
                    ..*b
                });
            }
        }
        merged.extend_from_slice(&self.over);
        merged.sort_by_key(|t| t.range.start);
        for t in merged {
            split_lines(a, t, out);
        }
        self.base.clear();
        self.over.clear();
    }
}

/// Sorts and drops tokens that overlap an earlier one.
fn non_overlapping(tokens: &mut Vec<SemanticToken>) {
    tokens.sort_by_key(|t| (t.range.start, std::cmp::Reverse(t.range.end)));
    let mut end = 0;
    tokens.retain(|t| {
        let keep = t.range.start >= end;
        if keep {
            end = t.range.end;
        }
        keep
    });
}

fn split_lines(a: &Analysis, t: SemanticToken, out: &mut Vec<SemanticToken>) {
    let text = a.slice(t.range);
    if !text.contains(['\n', '\r']) {
        out.push(t);
        return;
    }
    let mut start = t.range.start;
    // `\n`, `\r\n` and a lone `\r` all end a line for the client
    for piece in text.split(['\n', '\r']) {
        if !piece.is_empty() {
            out.push(SemanticToken {
                range: TextRange::new(start, start + piece.len() as u32),
                ..t
            });
        }
        start += piece.len() as u32 + 1;
    }
}

fn paint_item(a: &Analysis, r: ItemRef<'_>, p: &mut Painter) {
    match r.item.kind {
        ItemKind::Blank => {}
        ItemKind::Comment => {
            for t in r
                .item
                .tokens()
                .iter()
                .filter(|t| t.kind == TokenKind::Comment)
            {
                p.base(r.abs(t.range), TokenType::Comment);
            }
        }
        ItemKind::Directive => {
            for t in r
                .item
                .tokens()
                .iter()
                .filter(|t| t.kind == TokenKind::Directive)
            {
                p.base(r.abs(t.range), TokenType::Comment);
            }
            if let Some(d) = r.item.directive() {
                p.over(r.abs(d.name_range), TokenType::Macro, 0);
                p.over(r.abs(d.value_range), TokenType::String, 0);
            }
        }
        ItemKind::Instruction => {
            let Some(inst) = r.instruction() else { return };
            if r.item.len() > MAX_PAINTED_ITEM {
                if inst.kind != InstructionKind::Unknown {
                    p.over(r.abs(inst.keyword.range), TokenType::Keyword, 0);
                }
                return;
            }
            // comment lines inside a continued instruction
            if r.item.newlines() > 1 {
                for t in r
                    .item
                    .tokens()
                    .iter()
                    .filter(|t| t.kind == TokenKind::Comment)
                {
                    p.over(r.abs(t.range), TokenType::Comment, 0);
                }
            }
            let index = a.model.instruction_of_item(r.index);
            paint_instruction(a, r, index, inst, p);
        }
    }
}

fn paint_instruction(
    a: &Analysis,
    r: ItemRef<'_>,
    index: Option<usize>,
    inst: &Instruction,
    p: &mut Painter,
) {
    if inst.kind != InstructionKind::Unknown {
        p.over(r.abs(inst.keyword.range), TokenType::Keyword, 0);
    }
    for f in inst.flags.iter() {
        let name_end = r.abs(f.name_range).end;
        p.over(
            TextRange::new(r.abs(f.range).start, name_end),
            TokenType::Parameter,
            0,
        );
        let Some(vr) = f.value_range else { continue };
        let value = r.abs(vr);
        if value.start > name_end {
            p.over(
                TextRange::new(name_end, value.start.min(name_end + 1)),
                TokenType::Operator,
                0,
            );
        }
        let name = f.name().to_ascii_lowercase();
        match name.as_str() {
            "from" => {
                let ty = stage_or_image(a, index, value);
                p.base(value, ty);
                variables(a, r, vr, p);
            }
            "mount" => paint_mount(a, r, index, vr, p),
            _ => {
                value_token(a, value, p);
                variables(a, r, vr, p);
            }
        }
    }
    match &inst.args {
        Args::Onbuild(inner) => paint_instruction(a, r, index, inner, p),
        Args::Healthcheck { kind, cmd } => {
            p.over(r.abs(kind.range), TokenType::Keyword, 0);
            paint_args(a, r, index, inst.kind, cmd, p);
        }
        args => paint_args(a, r, index, inst.kind, args, p),
    }
    for h in inst.heredocs.iter() {
        paint_heredoc(a, r, inst.kind, h, p);
    }
}

fn paint_args(
    a: &Analysis,
    r: ItemRef<'_>,
    index: Option<usize>,
    kind: InstructionKind,
    args: &Args,
    p: &mut Painter,
) {
    use InstructionKind as K;
    match args {
        Args::None | Args::Ignored(_) | Args::Onbuild(_) | Args::Healthcheck { .. } => {}
        Args::Exec { items, .. } => {
            for w in items {
                p.base(r.abs(w.range), TokenType::String);
            }
        }
        Args::Text(w) => match kind {
            K::Run | K::Cmd | K::Entrypoint | K::Healthcheck => {
                let pieces = r
                    .item
                    .tokens()
                    .iter()
                    .filter(|t| t.kind == TokenKind::Text && w.range.contains_range(t.range))
                    .map(|t| t.range);
                shell::paint(r, pieces, p);
            }
            K::User | K::Stopsignal => {
                numbers_or_string(a, r.abs(w.range), p);
                variables(a, r, w.range, p);
            }
            _ => {
                p.base(r.abs(w.range), TokenType::String);
                variables(a, r, w.range, p);
            }
        },
        Args::Words(words) => {
            if kind == K::From {
                paint_from(a, r, index, words, p);
                return;
            }
            for w in words {
                let range = r.abs(w.range);
                if kind == K::Expose {
                    paint_port(a, range, p);
                } else if a.slice(range).starts_with(['"', '\'']) {
                    p.base(range, TokenType::String);
                }
                variables(a, r, w.range, p);
            }
        }
        Args::Pairs { pairs, .. } => {
            let key_ty = match kind {
                K::Label => TokenType::Property,
                _ => TokenType::Variable,
            };
            for kv in pairs {
                let mods = if kind == K::Label {
                    0
                } else {
                    modifiers::DECLARATION | builtin_mods(&kv.key.text)
                };
                p.over(r.abs(kv.key.range), key_ty, mods);
                if let Some(eq) = kv.eq {
                    p.over(r.abs(eq), TokenType::Operator, 0);
                }
                if let Some(v) = &kv.value {
                    p.base(r.abs(v.range), TokenType::String);
                    variables(a, r, v.range, p);
                }
            }
        }
    }
}

fn paint_from(
    a: &Analysis,
    r: ItemRef<'_>,
    index: Option<usize>,
    words: &[layerwise_syntax::Word],
    p: &mut Painter,
) {
    // the stage this FROM starts, through the instruction's stage (a search of every stage
    // for each FROM was quadratic in stages, issue #8)
    let stage = index
        .and_then(|i| a.model.instructions.get(i)?.stage)
        .and_then(|s| a.model.stages.get(s))
        .filter(|s| Some(s.from) == index);
    let mut iter = words.iter();
    if let Some(image) = iter.next() {
        let ty = match stage.map(|s| &s.base) {
            Some(Base::Stage(_)) => TokenType::Class,
            _ => TokenType::Type,
        };
        p.base(r.abs(image.range), ty);
        variables(a, r, image.range, p);
    }
    if let Some(as_kw) = iter.next() {
        if as_kw.text.eq_ignore_ascii_case("as") {
            p.over(r.abs(as_kw.range), TokenType::Keyword, 0);
            if let Some(name) = iter.next() {
                p.over(r.abs(name.range), TokenType::Class, modifiers::DECLARATION);
            }
        }
    }
}

/// `--mount=type=cache,target=/x,from=build,uid=1000`: field names, `=`, values.
fn paint_mount(a: &Analysis, r: ItemRef<'_>, index: Option<usize>, vr: TextRange, p: &mut Painter) {
    let raw = r.slice(vr);
    let value = r.abs(vr);
    if raw.contains(['\n', '\r']) {
        p.base(value, TokenType::String);
        variables(a, r, vr, p);
        return;
    }
    for field in mount_fields(raw) {
        let at = |x: usize| value.start + x as u32;
        let key = TextRange::new(at(field.key_range.start), at(field.key_range.end));
        p.over(key, TokenType::Property, 0);
        if let Some(v) = field.value_range {
            let val = TextRange::new(at(v.start), at(v.end));
            if key.end < val.start {
                p.over(TextRange::new(key.end, key.end + 1), TokenType::Operator, 0);
            }
            if field.key.eq_ignore_ascii_case("from") {
                p.base(val, stage_or_image(a, index, val));
            } else {
                value_token(a, val, p);
            }
        }
    }
    variables(a, r, vr, p);
}

fn paint_heredoc(
    a: &Analysis,
    r: ItemRef<'_>,
    kind: InstructionKind,
    h: &layerwise_syntax::Heredoc,
    p: &mut Painter,
) {
    let opener = r.abs(h.opener);
    let word = a.slice(opener);
    if let Some(at) = word.find("<<") {
        let ops = 2 + u32::from(word[at + 2..].starts_with('-'));
        let start = opener.start + at as u32;
        p.over(TextRange::new(start, start + ops), TokenType::Operator, 0);
        p.over(
            TextRange::new(start + ops, opener.end),
            TokenType::String,
            0,
        );
    }
    if let Some(t) = h.terminator {
        p.over(r.abs(t), TokenType::String, 0);
    }
    if h.body.is_empty() {
        return;
    }
    if kind == InstructionKind::Run {
        // a script: its variables and operators, like shell-form text
        shell::paint(r, std::iter::once(h.body), p);
    } else {
        p.base(r.abs(h.body), TokenType::String);
        if h.expand {
            variables(a, r, h.body, p);
        }
    }
}

/// A `--from` value or mount `from=`: a stage (class) or an image (type).
fn stage_or_image(a: &Analysis, index: Option<usize>, range: TextRange) -> TokenType {
    let Some(i) = index else {
        return TokenType::Type;
    };
    let first = a.model.refs.partition_point(|rf| rf.instruction < i);
    let hit = a.model.refs[first..]
        .iter()
        .take_while(|rf| rf.instruction == i)
        .find(|rf| rf.range.start >= range.start && rf.range.end <= range.end);
    match hit.map(|rf| &rf.target) {
        Some(RefTarget::Stage(_) | RefTarget::LaterStage(_) | RefTarget::OwnStage) => {
            TokenType::Class
        }
        Some(_) => TokenType::Type,
        None => {
            let text = a.slice(range).trim_matches('"');
            if a.model.stage_by_name(text).is_some() {
                TokenType::Class
            } else {
                TokenType::Type
            }
        }
    }
}

/// A flag or field value: a number if it is all digits, else a string.
fn value_token(a: &Analysis, range: TextRange, p: &mut Painter) {
    let text = a.slice(range);
    let ty = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        TokenType::Number
    } else {
        TokenType::String
    };
    p.base(range, ty);
}

/// `1000:1000` → numbers; `app` → string.
fn numbers_or_string(a: &Analysis, range: TextRange, p: &mut Painter) {
    let text = a.slice(range);
    if text.bytes().any(|b| b.is_ascii_digit())
        && text.bytes().all(|b| b.is_ascii_digit() || b == b':')
    {
        digit_runs(text, range.start, p);
    } else {
        p.base(range, TokenType::String);
    }
}

/// `8080`, `8000-8010/udp`: numbers, `/`, the protocol.
fn paint_port(a: &Analysis, range: TextRange, p: &mut Painter) {
    let text = a.slice(range);
    if text.contains('$') {
        return;
    }
    digit_runs(text, range.start, p);
    if let Some(slash) = text.find('/') {
        let at = range.start + slash as u32;
        p.base(TextRange::new(at, at + 1), TokenType::Operator);
        p.base(TextRange::new(at + 1, range.end), TokenType::EnumMember);
    }
}

fn digit_runs(text: &str, base: u32, p: &mut Painter) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            p.base(
                TextRange::from_usize(start, i).shifted(base),
                TokenType::Number,
            );
        } else {
            i += 1;
        }
    }
}

/// `$X` / `${X...}` uses in a builder-expanded range (relative to the item).
fn variables(a: &Analysis, r: ItemRef<'_>, rel: TextRange, p: &mut Painter) {
    let text = r.slice(rel);
    if !text.contains('$') {
        return;
    }
    for v in expand::references(text, a.file.escape()) {
        if v.depth > 0 || v.name.is_empty() {
            continue;
        }
        let end = if v.op.is_none() {
            v.range.end
        } else {
            v.name_range.end
        };
        let range = TextRange::from_usize(v.range.start, end).shifted(r.abs(rel).start);
        p.over(range, TokenType::Variable, builtin_mods(&v.name));
    }
}

fn builtin_mods(name: &str) -> u32 {
    if AUTOMATIC_PLATFORM_ARGS.iter().any(|(n, _)| *n == name) || PREDEFINED_ARGS.contains(&name) {
        modifiers::DEFAULT_LIBRARY
    } else {
        0
    }
}

#[cfg(test)]
mod tests;
