//! Phase two: one logical line to a typed [`Instruction`], following BuildKit's dispatch
//! table (`newNodeFromLine` and the `parse*` functions of its `line_parsers.go`). Positions are
//! mapped from the logical line back to source ranges through [`LogicalLine`].

use crate::ast::{Args, Flag, Instruction, InstructionKind, KeyValue, ThinList, Word};
use crate::json_args::{parse_json_args, JsonArgs};
use crate::lexer::LogicalLine;
use crate::split::{
    extract_flags, parse_words, split_first_re_space, split_re_space, trim_space, Piece,
};
use crate::{SyntaxError, TextRange};

pub(crate) struct LineParser<'a> {
    pub line: &'a LogicalLine<'a>,
    pub escape: u8,
    pub errors: Vec<SyntaxError>,
}

impl LineParser<'_> {
    fn text(&self) -> &str {
        &self.line.text
    }

    /// A word whose text is `text` (one exact allocation: the word owns its text).
    fn word(&self, start: usize, end: usize, text: &str) -> Word {
        Word {
            range: self.line.range(start, end),
            text: text.into(),
        }
    }

    /// A word whose text is the logical line's `start..end`.
    fn slice_word(&self, start: usize, end: usize) -> Word {
        self.word(start, end, &self.text()[start..end])
    }

    fn error(&mut self, start: usize, end: usize, message: String) {
        let range = self.line.range(start, end);
        self.errors.push(SyntaxError { range, message });
    }

    /// `newNodeFromLine` for `text[start..end]`.
    pub fn instruction(&mut self, start: usize, end: usize) -> Instruction {
        let (ts, te) = trim_space(self.text(), start, end);
        let (cmd_end, rest) = split_first_re_space(self.text(), ts, te);
        let keyword = self.slice_word(ts, cmd_end);
        let kind = InstructionKind::from_keyword(&keyword.text);
        let (flag_pieces, args_start) = match rest {
            Some(r) => extract_flags(self.text(), r, te, self.escape),
            None => (Vec::new(), te),
        };
        let flags = flag_pieces
            .iter()
            .map(|p| self.flag(p))
            .collect::<Vec<_>>()
            .into();
        let (a, b) = trim_space(self.text(), args_start, te);
        let args_range = (a < b).then(|| self.line.range(a, b));
        let args = self.args(kind, &keyword.text, a, b);
        Instruction {
            kind,
            keyword,
            flags,
            args_range,
            args,
            heredocs: ThinList::new(),
        }
    }

    fn flag(&self, p: &Piece) -> Flag {
        let raw = &self.text()[p.start..p.end];
        let name_start = p.start + 2.min(raw.len());
        let eq = raw.find('=').map(|i| p.start + i);
        let name_end = eq.unwrap_or(p.end);
        Flag {
            range: self.line.range(p.start, p.end),
            name_range: self.line.range(name_start, name_end.max(name_start)),
            value_range: eq.map(|e| self.line.range(e + 1, p.end)),
            text: p.text(self.text()).into(),
        }
    }

    fn args(&mut self, kind: InstructionKind, keyword: &str, a: usize, b: usize) -> Args {
        use InstructionKind as K;
        match kind {
            K::Add | K::Copy | K::Volume => self.maybe_json_to_list(a, b),
            K::Arg => self.name_or_name_val(a, b),
            K::Cmd | K::Entrypoint | K::Run | K::Shell => self.maybe_json(a, b),
            K::Env | K::Label => self.name_val(a, b, keyword),
            K::Expose | K::From => self.whitespace_list(a, b),
            K::Healthcheck => self.health(a, b),
            K::Maintainer | K::Stopsignal | K::User | K::Workdir => self.string(a, b),
            K::Onbuild => {
                if a == b {
                    Args::None
                } else {
                    Args::Onbuild(Box::new(self.instruction(a, b)))
                }
            }
            K::Unknown => Args::Ignored((a < b).then(|| self.line.range(a, b))),
        }
    }

    fn string(&self, a: usize, b: usize) -> Args {
        if a == b {
            return Args::None;
        }
        Args::Text(self.slice_word(a, b))
    }

    fn whitespace_list(&self, a: usize, b: usize) -> Args {
        if a == b {
            return Args::None;
        }
        // sized by a first pass: collecting reserves room for four words, and the list lives
        // as long as the tree (a one-word `FROM` kept 128 bytes for 32)
        let mut words = Vec::with_capacity(split_re_space(self.text(), a, b).count());
        words.extend(split_re_space(self.text(), a, b).map(|(s, e)| self.slice_word(s, e)));
        Args::Words(words)
    }

    /// `parseJSON`: `Some(args)` for the exec form, `None` to fall back.
    fn json(&mut self, a: usize, b: usize) -> Option<Args> {
        match parse_json_args(&self.text()[a..b]) {
            JsonArgs::NotJson => None,
            JsonArgs::NotStringArray => {
                self.error(
                    a,
                    b,
                    "when using JSON array syntax, arrays must be comprised of strings only".into(),
                );
                Some(Args::None)
            }
            JsonArgs::Strings { open, close, items } => Some(Args::Exec {
                open: self.line.range(a + open, a + open + 1),
                close: self.line.range(a + close, a + close + 1),
                items: items
                    .into_iter()
                    .map(|s| self.word(a + s.start, a + s.end, &s.value))
                    .collect(),
            }),
        }
    }

    fn maybe_json(&mut self, a: usize, b: usize) -> Args {
        if a == b {
            return Args::None;
        }
        self.json(a, b).unwrap_or_else(|| self.string(a, b))
    }

    fn maybe_json_to_list(&mut self, a: usize, b: usize) -> Args {
        self.json(a, b)
            .unwrap_or_else(|| self.whitespace_list(a, b))
    }

    fn health(&mut self, a: usize, b: usize) -> Args {
        let bytes = self.text().as_bytes();
        let is_space = |c: u8| matches!(c, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ');
        let mut sep = a;
        while sep < b && !is_space(bytes[sep]) {
            sep += 1;
        }
        let mut next = sep;
        while next < b && is_space(bytes[next]) {
            next += 1;
        }
        if sep == a {
            return Args::None;
        }
        let kind = self.slice_word(a, sep);
        let cmd = self.maybe_json(next, b);
        Args::Healthcheck {
            kind,
            cmd: Box::new(cmd),
        }
    }

    /// `ARG a b=c`: each word is a name or `name=value`.
    fn name_or_name_val(&self, a: usize, b: usize) -> Args {
        let pairs = parse_words(self.text(), a, b, self.escape)
            .iter()
            .map(|p| self.split_pair(p))
            .collect();
        Args::Pairs {
            legacy: false,
            pairs,
        }
    }

    /// Splits a `key=value` word at its first `=` (BuildKit's `strings.SplitN(word, "=", 2)`).
    fn split_pair(&self, p: &Piece) -> KeyValue {
        let range = self.line.range(p.start, p.end);
        let text = p.text(self.text());
        match (text.split_once('='), self.text()[p.start..p.end].find('=')) {
            (Some((k, v)), Some(eq)) => {
                let eq = p.start + eq;
                KeyValue {
                    range,
                    key: self.word(p.start, eq, k),
                    eq: Some(self.line.range(eq, eq + 1)),
                    value: Some(self.word(eq + 1, p.end, v)),
                }
            }
            _ => KeyValue {
                range,
                key: self.word(p.start, p.end, text),
                eq: None,
                value: None,
            },
        }
    }

    /// `ENV`/`LABEL`: `k=v ...`, or the legacy `k v` (the whole rest is the value).
    fn name_val(&mut self, a: usize, b: usize, keyword: &str) -> Args {
        let words = parse_words(self.text(), a, b, self.escape);
        let Some(first) = words.first() else {
            return Args::None;
        };
        if !first.text(self.text()).contains('=') {
            let (key_end, value_start) = split_first_re_space(self.text(), a, b);
            let Some(vs) = value_start else {
                self.error(
                    a,
                    b,
                    format!("{} must have two arguments", keyword.to_ascii_uppercase()),
                );
                return Args::Pairs {
                    legacy: true,
                    pairs: Vec::new(),
                };
            };
            let key = self.slice_word(a, key_end);
            let value = self.slice_word(vs, b);
            let pair = KeyValue {
                range: self.line.range(a, b),
                key,
                eq: None,
                value: Some(value),
            };
            return Args::Pairs {
                legacy: true,
                pairs: vec![pair],
            };
        }
        let mut pairs = Vec::with_capacity(words.len());
        for w in &words {
            let text = w.text(self.text());
            if !text.contains('=') {
                let msg = format!(
                    "Syntax error - can't find = in {}. Must be of the form: name=value",
                    crate::go_quote(text)
                );
                self.error(w.start, w.end, msg);
                continue;
            }
            pairs.push(self.split_pair(w));
        }
        Args::Pairs {
            legacy: false,
            pairs,
        }
    }
}

/// Parses `ll` as one instruction. Used for the instruction items and for fixtures in tests.
pub(crate) fn parse_logical(ll: &LogicalLine<'_>, escape: u8) -> (Instruction, Vec<SyntaxError>) {
    let mut p = LineParser {
        line: ll,
        escape,
        errors: Vec::new(),
    };
    let inst = p.instruction(0, ll.text.len());
    (inst, p.errors)
}

/// The empty-range error helper used by callers outside this module.
pub(crate) fn error_at(range: TextRange, message: impl Into<String>) -> SyntaxError {
    SyntaxError {
        range,
        message: message.into(),
    }
}
