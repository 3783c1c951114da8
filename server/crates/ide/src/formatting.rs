//! Formatting: instruction keywords (and `AS`) in upper case, one space after the keyword, no
//! indentation before it, continuation lines indented consistently (four spaces, or the indent
//! the file already uses everywhere; deeper lines keep their extra indent), no trailing white
//! space. Here-document bodies and JSON (exec-form) arguments are never touched.
//!
//! It must never change what the Dockerfile means. BuildKit joins continuation lines keeping
//! the white space at the start of each, so re-indenting changes the logical line. That is
//! harmless only where unquoted white space merely separates words: shell-form commands (the
//! shell splits them) and word or `KEY=value` arguments (BuildKit splits them). So a
//! continuation line is re-indented only
//! - in those instructions (not `WORKDIR a \` + `b`, not legacy `ENV K v w`, not JSON),
//! - outside quotes (the join is not inside a string),
//! - when the join already separates words (the line had indentation, or the line before
//!   ended with a space), so adding white space cannot split a word,
//! - and never to zero width.
//!
//! Comment lines and empty lines inside an instruction are dropped by BuildKit, so they are
//! free to change. `tests/format_corpus.rs` checks every corpus file parses to the same
//! instructions before and after, and that formatting twice changes nothing more.

use layerwise_syntax::{Args, Instruction, InstructionKind, ItemKind, ItemRef, TextRange};

use crate::navigation::Edit;
use crate::Analysis;

pub mod meaning;

/// The indent used when the file has no consistent one of its own.
pub const DEFAULT_INDENT: &str = "    ";

/// Edits that format the whole document.
pub fn format_document(a: &Analysis) -> Vec<Edit> {
    let lines = collect(a);
    let indent = choose_indent(&lines);
    let mut out = Vec::new();
    for r in a.file.items() {
        item_edits(a, r, &lines, &indent, &mut out);
    }
    out
}

/// Edits that format the items touching `range` (with the indent the whole file would get).
pub fn format_range(a: &Analysis, range: TextRange) -> Vec<Edit> {
    let lines = collect(a);
    let indent = choose_indent(&lines);
    let mut out = Vec::new();
    for r in a.file.items() {
        let ir = r.range();
        let touches = ir.start <= range.end && range.start < ir.end.max(ir.start + 1);
        if !touches {
            continue;
        }
        item_edits(a, r, &lines, &indent, &mut out);
    }
    out
}

/// After a line break typed at `offset` (the start of the new line, or after white space the
/// editor inserted): if the line before continues an instruction, indent the new line like
/// the continuation lines around it, and drop white space after the escape character.
pub fn format_on_type(a: &Analysis, offset: u32) -> Vec<Edit> {
    let text = &a.text;
    let mut offset = (offset as usize).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    if line_start == 0
        || !text[line_start..offset]
            .chars()
            .all(|c| c == ' ' || c == '\t')
    {
        return Vec::new();
    }
    let prev_start = text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1);
    let prev = text[prev_start..line_start - 1].trim_end_matches('\r');
    let escape = a.file.escape();
    let kept = prev.trim_end_matches([' ', '\t']);
    if !kept.ends_with(escape) || kept.trim_start().starts_with('#') {
        return Vec::new();
    }
    let Some(r) = a.item_at(prev_start as u32) else {
        return Vec::new();
    };
    if r.item.kind != ItemKind::Instruction || in_heredoc(r, prev_start as u32) {
        return Vec::new();
    }
    let lines = collect(a);
    let chosen = choose_indent(&lines);
    // a continuation line before keeps its indent for the next one
    let prev_is_first = r.start as usize == prev_start;
    let indent = if prev_is_first {
        chosen
    } else {
        let ws = &prev[..prev.len() - prev.trim_start_matches([' ', '\t']).len()];
        if ws.is_empty() {
            chosen
        } else {
            ws.to_string()
        }
    };
    let mut out = Vec::new();
    let escape_end = prev_start + kept.len();
    if kept.len() < prev.len() {
        out.push(edit(escape_end, prev_start + prev.len(), ""));
    }
    let ws_end = offset
        + text[offset..]
            .bytes()
            .take_while(|b| *b == b' ' || *b == b'\t')
            .count();
    if text[line_start..ws_end] != indent {
        out.push(edit(line_start, ws_end, &indent));
    }
    out
}

fn in_heredoc(r: ItemRef<'_>, offset: u32) -> bool {
    let rel = r.rel(offset);
    r.instruction().is_some_and(|i| {
        i.effective()
            .heredocs
            .iter()
            .any(|h| h.body.start <= rel && rel <= h.terminator.unwrap_or(h.body).end)
    })
}

fn edit(start: usize, end: usize, new_text: &str) -> Edit {
    Edit {
        range: TextRange::from_usize(start, end),
        new_text: new_text.to_string(),
    }
}

/// How white space at the joins of an instruction behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Shell text: the shell splits unquoted white space; its escape is `\`.
    Shell,
    /// BuildKit's word splitting, with the file's escape character.
    Words,
    /// White space is part of a value (or JSON, which stays as written): hands off.
    Verbatim,
}

fn class_of(inst: &Instruction) -> Class {
    let inst = inst.effective();
    use InstructionKind as K;
    match &inst.args {
        Args::Exec { .. } => Class::Verbatim,
        Args::Text(_) if matches!(inst.kind, K::Run | K::Cmd | K::Entrypoint) => Class::Shell,
        Args::Healthcheck { cmd, .. } => match **cmd {
            Args::Text(_) => Class::Shell,
            _ => Class::Verbatim,
        },
        Args::Words(_) | Args::None => Class::Words,
        Args::Pairs { legacy: false, .. } => Class::Words,
        _ => Class::Verbatim,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Content,
    Comment,
    Empty,
}

/// One physical line of an instruction (before any here-document body). Offsets are file
/// offsets.
#[derive(Debug, Clone)]
struct Line {
    start: usize,
    /// End of the content (before `\r\n` / `\n`).
    end: usize,
    kind: LineKind,
    /// Leading white space may be replaced.
    reindent: bool,
}

/// Per instruction item: its continuation lines and the indent they share.
struct InstLines {
    item: usize,
    lines: Vec<Line>,
    /// The shortest indent among the re-indentable content lines.
    base: Option<String>,
    class: Class,
}

fn collect(a: &Analysis) -> Vec<InstLines> {
    let mut out = Vec::new();
    for r in a.file.items() {
        if let Some(inst) = r.instruction() {
            if r.item.newlines() > 1 || (r.item.newlines() == 1 && !r.text().ends_with('\n')) {
                out.push(inst_lines(a, r, inst));
            }
        }
    }
    out
}

fn leading_ws(s: &str) -> &str {
    &s[..s.len() - s.trim_start_matches([' ', '\t']).len()]
}

fn inst_lines(a: &Analysis, r: ItemRef<'_>, inst: &Instruction) -> InstLines {
    let text = r.text();
    let part_end = inst
        .effective()
        .heredocs
        .iter()
        .map(|h| {
            h.body
                .start
                .min(h.terminator.map_or(h.body.start, |t| t.start)) as usize
        })
        .min()
        .unwrap_or(text.len())
        .min(text.len());
    let class = class_of(inst);
    let escape = a.file.escape();
    let quote_escape = if class == Class::Shell { '\\' } else { escape };
    let mut lines = Vec::new();
    let mut pos = 0;
    while pos < part_end {
        let nl = text[pos..part_end].find('\n').map_or(part_end, |i| pos + i);
        let content = text[pos..nl].trim_end_matches('\r');
        let trimmed = content.trim();
        let kind = if pos == 0 || !trimmed.is_empty() && !trimmed.starts_with('#') {
            LineKind::Content
        } else if trimmed.is_empty() {
            LineKind::Empty
        } else {
            LineKind::Comment
        };
        lines.push(Line {
            start: r.start as usize + pos,
            end: r.start as usize + pos + content.len(),
            kind,
            reindent: false,
        });
        pos = nl + 1;
    }
    // walk the joins with the quote state of the logical line
    let mut quotes = Quotes::default();
    let mut prev_body: Option<&str> = None;
    let mut base: Option<String> = None;
    for i in 0..lines.len() {
        if lines[i].kind != LineKind::Content {
            continue;
        }
        let content = &a.text[lines[i].start..lines[i].end];
        if i > 0 && class != Class::Verbatim {
            let ws = leading_ws(content);
            let joins_words = !ws.is_empty()
                || prev_body.is_some_and(|p| {
                    p.ends_with([' ', '\t'])
                        && !escaped_end(p.trim_end_matches([' ', '\t']), quote_escape)
                });
            let escaped_join = prev_body.is_some_and(|p| escaped_end(p, quote_escape));
            if joins_words && !escaped_join && !quotes.open() {
                lines[i].reindent = true;
                if base.as_ref().is_none_or(|b| ws.len() < b.len()) {
                    base = Some(ws.to_string());
                }
            }
        }
        // the part of this line BuildKit keeps: up to the escape character if it continues
        let kept = content.trim_end_matches([' ', '\t']);
        let continues = i + 1 < lines.len() && kept.ends_with(escape);
        let body = if continues {
            &kept[..kept.len() - escape.len_utf8()]
        } else {
            content
        };
        quotes.scan(body, quote_escape, class);
        prev_body = Some(body);
    }
    InstLines {
        item: r.index,
        lines,
        base,
        class,
    }
}

/// `text` ends with an escape character that is not itself escaped.
fn escaped_end(text: &str, escape: char) -> bool {
    text.chars().rev().take_while(|&c| c == escape).count() % 2 == 1
}

/// Quote state along a logical line.
#[derive(Default)]
struct Quotes {
    single: bool,
    double: bool,
    backtick: bool,
}

impl Quotes {
    fn open(&self) -> bool {
        self.single || self.double || self.backtick
    }

    fn scan(&mut self, text: &str, escape: char, class: Class) {
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if self.single {
                if c == '\'' {
                    self.single = false;
                }
                continue;
            }
            if c == escape {
                chars.next();
                continue;
            }
            match c {
                '"' => self.double = !self.double,
                '\'' if !self.double => self.single = true,
                '`' if class == Class::Shell => self.backtick = !self.backtick,
                _ => {}
            }
        }
    }
}

/// Four spaces, unless every instruction's continuation lines already share one indent.
fn choose_indent(all: &[InstLines]) -> String {
    let mut bases = all.iter().filter_map(|l| l.base.as_deref());
    match bases.next() {
        Some(first) if !first.is_empty() && bases.all(|b| b == first) => first.to_string(),
        _ => DEFAULT_INDENT.to_string(),
    }
}

fn item_edits(a: &Analysis, r: ItemRef<'_>, all: &[InstLines], indent: &str, out: &mut Vec<Edit>) {
    match r.item.kind {
        ItemKind::Blank | ItemKind::Comment | ItemKind::Directive => {
            trailing_ws(a, r.start as usize, r.range().end as usize, out);
        }
        ItemKind::Instruction => {
            let Some(inst) = r.instruction() else { return };
            let first_end = r.start as usize + r.text().find('\n').map_or(r.text().len(), |i| i);
            first_line(a, r, inst, first_end, out);
            let Some(il) = all.iter().find(|l| l.item == r.index) else {
                trailing_ws(a, r.start as usize, first_end, out);
                return;
            };
            for (i, line) in il.lines.iter().enumerate() {
                if i > 0 {
                    continuation_line(a, il, line, indent, out);
                }
                if line.kind != LineKind::Empty {
                    trailing_ws(a, line.start, line.end, out);
                }
            }
        }
    }
}

/// Leading white space, keyword casing, one space after the keyword(s), `AS`.
fn first_line(
    a: &Analysis,
    r: ItemRef<'_>,
    inst: &Instruction,
    first_end: usize,
    out: &mut Vec<Edit>,
) {
    let start = r.start as usize;
    let bom = if start == 0 && a.text.starts_with('\u{feff}') {
        3
    } else {
        0
    };
    let line = &a.text[start + bom..first_end];
    let lead = leading_ws(line).len();
    // a U+FEFF after the indent of the file's first line is text, not a byte-order mark;
    // removing the indent would move it to the start, where it becomes one
    let would_make_a_bom = start + bom == 0 && line[lead..].starts_with('\u{feff}');
    if lead > 0 && !would_make_a_bom {
        out.push(edit(start + bom, start + bom + lead, ""));
    }
    let mut keywords = vec![inst];
    if let Args::Onbuild(inner) = &inst.args {
        keywords.push(inner);
        if let Args::Onbuild(inner2) = &inner.args {
            keywords.push(inner2);
        }
    }
    for k in keywords {
        let kr = r.abs(k.keyword.range);
        if kr.end as usize > first_end || k.kind == InstructionKind::Unknown {
            continue;
        }
        let written = a.slice(kr);
        let canonical = k.kind.keyword();
        if written != canonical && written.eq_ignore_ascii_case(canonical) {
            out.push(edit(kr.start as usize, kr.end as usize, canonical));
        }
        let after = &a.text[kr.end as usize..first_end];
        let ws = leading_ws(after);
        let rest = after[ws.len()..].trim_end_matches('\r');
        if !ws.is_empty() && ws != " " && !rest.is_empty() {
            out.push(edit(kr.end as usize, kr.end as usize + ws.len(), " "));
        }
    }
    if let Some(parts) = inst.effective().from_parts() {
        if let Some(as_kw) = parts.as_keyword {
            let ar = r.abs(as_kw.range);
            if (ar.end as usize) <= first_end && a.slice(ar) == &*as_kw.text && &*as_kw.text != "AS"
            {
                out.push(edit(ar.start as usize, ar.end as usize, "AS"));
            }
        }
    }
}

fn continuation_line(a: &Analysis, il: &InstLines, line: &Line, indent: &str, out: &mut Vec<Edit>) {
    let content = &a.text[line.start..line.end];
    let ws = leading_ws(content);
    let wanted = match line.kind {
        LineKind::Empty => String::new(),
        LineKind::Comment if il.class != Class::Verbatim => {
            relative(indent, il.base.as_deref(), ws)
        }
        LineKind::Content if line.reindent => relative(indent, il.base.as_deref(), ws),
        _ => return,
    };
    if line.kind == LineKind::Empty {
        if !content.is_empty() {
            out.push(edit(line.start, line.end, ""));
        }
        return;
    }
    if ws != wanted {
        out.push(edit(line.start, line.start + ws.len(), &wanted));
    }
}

/// The new indent of a line: the chosen indent plus whatever the line had beyond the
/// instruction's base indent.
fn relative(indent: &str, base: Option<&str>, ws: &str) -> String {
    let extra = base.and_then(|b| ws.strip_prefix(b)).unwrap_or("");
    format!("{indent}{extra}")
}

/// Removes spaces and tabs at the end of each line of `start..end`.
///
/// Only the `\r` of a CRLF ends a line here. Lone `\r`s are text: blanks before them are not
/// trailing, and blanks after them are left too, because removing those would leave the
/// `\r`s at the end of the line, where BuildKit trims them (a change of meaning, and a
/// second pass would then find the blanks before them: not idempotent).
fn trailing_ws(a: &Analysis, start: usize, end: usize, out: &mut Vec<Edit>) {
    let mut pos = start;
    while pos < end {
        let nl = a.text[pos..end].find('\n').map_or(end, |i| pos + i);
        let line = &a.text[pos..nl];
        let content = line.strip_suffix('\r').unwrap_or(line);
        let kept = content.trim_end_matches([' ', '\t']);
        if kept.len() < content.len() && !kept.ends_with('\r') {
            out.push(edit(pos + kept.len(), pos + content.len(), ""));
        }
        pos = nl + 1;
    }
}

/// Applies non-overlapping edits to `text` (tests, and callers that want the new text).
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0usize;
    for e in sorted {
        let (s, t) = (e.range.start as usize, e.range.end as usize);
        if s < pos || t > text.len() {
            continue;
        }
        out.push_str(&text[pos..s]);
        out.push_str(&e.new_text);
        pos = t;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests;
