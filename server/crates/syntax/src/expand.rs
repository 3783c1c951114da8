//! Variable references and BuildKit's word expansion (`shell.Lex.ProcessWord`): what the
//! builder does to `FROM`, `COPY`, `ENV`, `ARG`, `WORKDIR`, flags... before the shell ever runs.
//! Quotes are removed, the escape character escapes, and `$X`, `${X}`, `${X:-w}`, `${X-w}`,
//! `${X:+w}`, `${X+w}`, `${X:?w}`, `${X?w}`, `${X#p}`, `${X##p}`, `${X%p}`, `${X%%p}`,
//! `${X/p/r}`, `${X//p/r}` are expanded. Nothing here runs a shell.

use std::ops::Range;

/// An operator inside `${...}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `:-` (`colon` = true) or `-`: default when unset (or empty).
    Default { colon: bool },
    /// `:+` or `+`: alternative when set (and non-empty).
    Alternative { colon: bool },
    /// `:?` or `?`: error when unset (or empty).
    Required { colon: bool },
    /// `#` / `##`: remove the shortest / longest matching prefix.
    TrimPrefix { longest: bool },
    /// `%` / `%%`: remove the shortest / longest matching suffix.
    TrimSuffix { longest: bool },
    /// `/p/r` / `//p/r`: replace the first / every match.
    Replace { all: bool },
}

/// One `$NAME` / `${NAME...}` found in a text. Ranges are byte ranges in that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRef {
    /// The whole reference, `$` to `}`.
    pub range: Range<usize>,
    pub name: String,
    pub name_range: Range<usize>,
    pub op: Option<Op>,
    /// The operator's word (default value, pattern...), raw.
    pub word: Option<Range<usize>>,
    /// Nesting depth (0 for top-level references).
    pub depth: usize,
}

/// The result of expanding a word.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expanded {
    pub value: String,
    /// Names that were referenced but had no value.
    pub unset: Vec<String>,
    /// `${X:?message}` failures.
    pub errors: Vec<String>,
}

/// Bound on nesting and on work, so hostile input cannot blow the stack or the clock.
const MAX_DEPTH: usize = 64;

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every variable reference in `text` (nested ones too), in order of their `$`.
pub fn references(text: &str, escape: char) -> Vec<VarRef> {
    let mut out = Vec::new();
    let mut lx = Lexer {
        s: text,
        pos: 0,
        escape,
        lookup: &|_| None,
        refs: Some(&mut out),
        result: Expanded::default(),
        depth: 0,
    };
    let _ = lx.word(&[]);
    out.sort_by_key(|r| r.range.start);
    out
}

/// Expands `text` as BuildKit's builder does for a non-`RUN` instruction.
pub fn expand(text: &str, escape: char, lookup: &dyn Fn(&str) -> Option<String>) -> Expanded {
    if !text.contains(['$', '\'', '"', escape]) {
        // nothing to expand or unquote (most words): the text is its own value
        return Expanded {
            value: text.to_string(),
            ..Expanded::default()
        };
    }
    let mut lx = Lexer {
        s: text,
        pos: 0,
        escape,
        lookup,
        refs: None,
        result: Expanded::default(),
        depth: 0,
    };
    let value = lx.word(&[]);
    Expanded { value, ..lx.result }
}

struct Lexer<'a, 'r> {
    s: &'a str,
    pos: usize,
    escape: char,
    lookup: &'a dyn Fn(&str) -> Option<String>,
    refs: Option<&'r mut Vec<VarRef>>,
    result: Expanded,
    depth: usize,
}

impl Lexer<'_, '_> {
    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Reads until one of `stops` (unquoted, at this level) or the end.
    fn word(&mut self, stops: &[char]) -> String {
        // the outermost word is about as long as what is left (nested ones are short)
        let room = if self.depth == 0 {
            self.s.len() - self.pos
        } else {
            0
        };
        let mut out = String::with_capacity(room);
        while let Some(c) = self.peek() {
            if stops.contains(&c) {
                break;
            }
            match c {
                '\'' => {
                    self.bump();
                    while let Some(c) = self.bump() {
                        if c == '\'' {
                            break;
                        }
                        out.push(c);
                    }
                }
                '"' => {
                    self.bump();
                    self.double_quoted(&mut out);
                }
                '$' => out.push_str(&self.dollar()),
                c if c == self.escape => {
                    self.bump();
                    match self.bump() {
                        Some(n) => out.push(n),
                        None => out.push(c),
                    }
                }
                _ => {
                    // a run of ordinary characters at once
                    let escape = self.escape;
                    let rest = &self.s[self.pos..];
                    let n = rest
                        .char_indices()
                        .skip(1)
                        .find(|&(_, c)| {
                            matches!(c, '\'' | '"' | '$') || c == escape || stops.contains(&c)
                        })
                        .map_or(rest.len(), |(i, _)| i);
                    out.push_str(&rest[..n]);
                    self.pos += n;
                }
            }
        }
        out
    }

    fn double_quoted(&mut self, out: &mut String) {
        while let Some(c) = self.peek() {
            match c {
                '"' => {
                    self.bump();
                    return;
                }
                '$' => out.push_str(&self.dollar()),
                c if c == self.escape => {
                    self.bump();
                    match self.bump() {
                        Some(n @ '"') | Some(n @ '$') => out.push(n),
                        Some(n) if n == self.escape => out.push(n),
                        Some(n) => {
                            out.push(c);
                            out.push(n);
                        }
                        None => out.push(c),
                    }
                }
                c => {
                    self.bump();
                    out.push(c);
                }
            }
        }
    }

    fn value_of(&mut self, name: &str) -> Option<String> {
        (self.lookup)(name)
    }

    fn record(&mut self, r: VarRef) {
        if let Some(refs) = self.refs.as_deref_mut() {
            refs.push(r);
        }
    }

    /// At `$`: a reference, or a literal `$`.
    fn dollar(&mut self) -> String {
        let start = self.pos;
        self.bump();
        match self.peek() {
            Some('{') => {
                self.bump();
                self.braced(start)
            }
            Some(c) if is_name_start(c) => {
                let name_start = self.pos;
                while self.peek().is_some_and(is_name_char) {
                    self.bump();
                }
                let name = self.s[name_start..self.pos].to_string();
                self.record(VarRef {
                    range: start..self.pos,
                    name: name.clone(),
                    name_range: name_start..self.pos,
                    op: None,
                    word: None,
                    depth: self.depth,
                });
                self.resolve(&name)
            }
            _ => "$".to_string(),
        }
    }

    fn resolve(&mut self, name: &str) -> String {
        match self.value_of(name) {
            Some(v) => v,
            None => {
                if !self.result.unset.iter().any(|u| u == name) {
                    self.result.unset.push(name.to_string());
                }
                String::new()
            }
        }
    }

    fn braced(&mut self, start: usize) -> String {
        let name_start = self.pos;
        while self.peek().is_some_and(is_name_char) {
            self.bump();
        }
        let name = self.s[name_start..self.pos].to_string();
        let name_range = name_start..self.pos;
        let rest = &self.s[self.pos..];
        let (op, op_len) = if rest.starts_with(":-") {
            (Some(Op::Default { colon: true }), 2)
        } else if rest.starts_with(":+") {
            (Some(Op::Alternative { colon: true }), 2)
        } else if rest.starts_with(":?") {
            (Some(Op::Required { colon: true }), 2)
        } else if rest.starts_with("##") {
            (Some(Op::TrimPrefix { longest: true }), 2)
        } else if rest.starts_with("%%") {
            (Some(Op::TrimSuffix { longest: true }), 2)
        } else if rest.starts_with("//") {
            (Some(Op::Replace { all: true }), 2)
        } else {
            match rest.chars().next() {
                Some('-') => (Some(Op::Default { colon: false }), 1),
                Some('+') => (Some(Op::Alternative { colon: false }), 1),
                Some('?') => (Some(Op::Required { colon: false }), 1),
                Some('#') => (Some(Op::TrimPrefix { longest: false }), 1),
                Some('%') => (Some(Op::TrimSuffix { longest: false }), 1),
                Some('/') => (Some(Op::Replace { all: false }), 1),
                _ => (None, 0),
            }
        };
        self.pos += op_len;
        if self.depth >= MAX_DEPTH {
            // Too deep: treat the rest as literal text and stop nesting.
            let end = self.s[self.pos..]
                .find('}')
                .map_or(self.s.len(), |i| self.pos + i + 1);
            self.pos = end;
            return String::new();
        }
        self.depth += 1;
        let word_start = self.pos;
        let (word, replacement) = match op {
            Some(Op::Replace { .. }) => {
                let pat = self.word(&['/', '}']);
                let rep = if self.peek() == Some('/') {
                    self.bump();
                    self.word(&['}'])
                } else {
                    String::new()
                };
                (Some(pat), Some(rep))
            }
            Some(_) => (Some(self.word(&['}'])), None),
            None => (None, None),
        };
        let word_range = op.map(|_| word_start..self.pos);
        self.depth -= 1;
        if self.peek() == Some('}') {
            self.bump();
        }
        self.record(VarRef {
            range: start..self.pos,
            name: name.clone(),
            name_range,
            op,
            word: word_range,
            depth: self.depth,
        });
        let value = self.value_of(&name);
        match op {
            None => self.resolve(&name),
            Some(Op::Default { colon }) => match value {
                Some(v) if !(colon && v.is_empty()) => v,
                _ => word.unwrap_or_default(),
            },
            Some(Op::Alternative { colon }) => match value {
                Some(v) if !(colon && v.is_empty()) => word.unwrap_or_default(),
                _ => String::new(),
            },
            Some(Op::Required { colon }) => match value {
                Some(v) if !(colon && v.is_empty()) => v,
                _ => {
                    let w = word.unwrap_or_default();
                    self.result.errors.push(if w.is_empty() {
                        format!("{name}: is not allowed to be unset")
                    } else {
                        format!("{name}: {w}")
                    });
                    String::new()
                }
            },
            Some(Op::TrimPrefix { longest }) => {
                let v = self.resolve(&name);
                trim_prefix(&v, &word.unwrap_or_default(), longest)
            }
            Some(Op::TrimSuffix { longest }) => {
                let v = self.resolve(&name);
                trim_suffix(&v, &word.unwrap_or_default(), longest)
            }
            Some(Op::Replace { all }) => {
                let v = self.resolve(&name);
                replace(
                    &v,
                    &word.unwrap_or_default(),
                    &replacement.unwrap_or_default(),
                    all,
                )
            }
        }
    }
}

/// Shell glob match of a whole string: `*`, `?`, `[...]`, `\x`.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // iterative matcher with backtracking on the last `*`: linear in practice
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                '[' => {
                    if let Some((matched, next)) = class(&p, pi, t[ti]) {
                        if matched {
                            pi = next;
                            ti += 1;
                            continue;
                        }
                    } else if t[ti] == '[' {
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                }
                '\\' if pi + 1 < p.len() => {
                    if p[pi + 1] == t[ti] {
                        pi += 2;
                        ti += 1;
                        continue;
                    }
                }
                c => {
                    if c == t[ti] {
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A `[...]` class at `p[i]`: whether `c` matches, and the index after `]`.
fn class(p: &[char], i: usize, c: char) -> Option<(bool, usize)> {
    let mut j = i + 1;
    let negate = matches!(p.get(j), Some('!') | Some('^'));
    if negate {
        j += 1;
    }
    let mut matched = false;
    let mut first = true;
    while j < p.len() && (p[j] != ']' || first) {
        first = false;
        if j + 2 < p.len() && p[j + 1] == '-' && p[j + 2] != ']' {
            if p[j] <= c && c <= p[j + 2] {
                matched = true;
            }
            j += 3;
        } else {
            if p[j] == c {
                matched = true;
            }
            j += 1;
        }
    }
    (j < p.len()).then_some((matched != negate, j + 1))
}

fn char_boundaries(s: &str) -> Vec<usize> {
    s.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .collect()
}

fn trim_prefix(v: &str, pat: &str, longest: bool) -> String {
    let mut b = char_boundaries(v);
    if longest {
        b.reverse();
    }
    for i in b {
        if glob_match(pat, &v[..i]) {
            return v[i..].to_string();
        }
    }
    v.to_string()
}

fn trim_suffix(v: &str, pat: &str, longest: bool) -> String {
    let mut b = char_boundaries(v);
    if !longest {
        b.reverse();
    }
    for i in b {
        if glob_match(pat, &v[i..]) {
            return v[..i].to_string();
        }
    }
    v.to_string()
}

fn replace(v: &str, pat: &str, rep: &str, all: bool) -> String {
    if pat.is_empty() {
        return v.to_string();
    }
    let b = char_boundaries(v);
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let start = b[i];
        // longest match starting here
        let found = b[i + 1..]
            .iter()
            .rev()
            .find(|&&end| glob_match(pat, &v[start..end]));
        match found {
            Some(&end) => {
                out.push_str(rep);
                if !all {
                    out.push_str(&v[end..]);
                    return out;
                }
                i = b.iter().position(|&x| x == end).unwrap_or(b.len());
            }
            None => {
                if i + 1 < b.len() {
                    out.push_str(&v[start..b[i + 1]]);
                }
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "V" => Some("1.2.3".into()),
            "EMPTY" => Some(String::new()),
            "P" => Some("/usr/local/bin/tool".into()),
            _ => None,
        }
    }

    fn x(s: &str) -> String {
        expand(s, '\\', &env).value
    }

    #[test]
    fn expansions() {
        assert_eq!(x("node:${V}-alpine"), "node:1.2.3-alpine");
        assert_eq!(x("$V/$NOPE/x"), "1.2.3//x");
        assert_eq!(x("${NOPE:-d} ${EMPTY:-e} ${EMPTY-f}"), "d e ");
        assert_eq!(x("${V:+set} ${NOPE:+set}"), "set ");
        assert_eq!(
            x("${P#*/} ${P##*/} ${P%/*} ${P%%/*}"),
            "usr/local/bin/tool tool /usr/local/bin "
        );
        assert_eq!(x("${V/./-} ${V//./-}"), "1-2.3 1-2-3");
        assert_eq!(x("'$V' \"$V\" \\$V"), "$V 1.2.3 $V");
        assert_eq!(x("${NOPE:-${V}}"), "1.2.3");
        let e = expand("${NOPE:?missing}", '\\', &env);
        assert_eq!(e.errors, ["NOPE: missing"]);
        assert_eq!(expand("$A ${B}", '\\', &env).unset, ["A", "B"]);
    }

    #[test]
    fn finds_references_with_ranges() {
        let t = "a ${X:-$Y} $Z";
        let r = references(t, '\\');
        let names: Vec<_> = r
            .iter()
            .map(|r| (r.name.as_str(), &t[r.name_range.clone()], r.depth))
            .collect();
        assert_eq!(names, [("X", "X", 0), ("Y", "Y", 1), ("Z", "Z", 0)]);
        assert_eq!(&t[r[0].range.clone()], "${X:-$Y}");
        assert!(references("'$X' \\$Y", '\\').is_empty());
    }

    #[test]
    fn hostile_input_is_bounded() {
        let deep = "${A:-".repeat(10_000) + &"}".repeat(10_000);
        let _ = expand(&deep, '\\', &env);
        let _ = references(&deep, '\\');
        assert!(glob_match("*a*b*c", "xxaxxbxxc"));
        assert!(!glob_match("[!a]", "a"));
    }
}
