//! Compiling one cleaned `.dockerignore` pattern into a matcher that answers like Docker's.
//!
//! Docker (moby/patternmatcher) first asks Go's `filepath.Match` whether the pattern is
//! well-formed, then turns it into a Go regular expression character by character, except that
//! patterns with no wildcard, a leading `**` or only a trailing `**` are matched with plain
//! string comparisons. Those shortcuts are observable (`**foo` matches `barfoo`, `a^b` matches
//! only in the shortcut forms), so we reproduce the same four kinds of matcher. Our regular
//! expressions are built for Rust's `regex` crate from a token-level reading of the pattern,
//! never by handing Docker's Go regex text to a different engine.
//!
//! One Docker quirk is reproduced on purpose: its escaping table cannot hold characters above
//! `?` (0x3F), so `|`, `{` and `}` reach the Go regex unescaped. In a wildcard pattern `|` is
//! an alternation (`a|*` matches every path) and `{2}` a repetition; a `{` that does not start
//! a repetition stays literal, as in Go. Differential tests against Docker's code check this.

use regex::{Regex, RegexBuilder};

/// How a compiled pattern matches a cleaned, `/`-separated, context-relative path.
#[derive(Debug, Clone)]
pub(crate) enum Matcher {
    /// No wildcard at all: the path must equal the pattern.
    Exact(String),
    /// Only a trailing `**` (`abc/**`, `abc**`): the path must start with what precedes it.
    Prefix(String),
    /// A leading `**` and nothing else special: the path must end with what follows it, or
    /// equal it without its leading `/` (`**/foo` matches `foo`).
    Suffix(String),
    /// Anything else: an anchored regular expression.
    Regex(Regex),
}

impl Matcher {
    pub(crate) fn matches(&self, path: &str) -> bool {
        match self {
            Matcher::Exact(text) => path == text,
            Matcher::Prefix(prefix) => path.starts_with(prefix.as_str()),
            Matcher::Suffix(suffix) => {
                path.ends_with(suffix.as_str())
                    || suffix.strip_prefix('/').is_some_and(|bare| path == bare)
            }
            Matcher::Regex(re) => re.is_match(path),
        }
    }
}

/// Why a pattern could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CompileError {
    /// Docker rejects the pattern too: the build fails with it in the file.
    Invalid(String),
    /// Docker accepts the pattern, but gives it a meaning we do not reproduce (Go regular
    /// expression escapes such as `\b`, wildcards inside `[...]`).
    Unsupported(String),
}

/// Regexes are small (one per line of a `.dockerignore`); this only stops pathological input.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Compiles a cleaned pattern (without its leading `!`).
pub(crate) fn compile(pattern: &str) -> Result<Matcher, CompileError> {
    check_filepath_match_syntax(pattern)?;
    let chars: Vec<char> = pattern.chars().collect();
    let mut kind = Kind::Exact;
    let mut re = String::from("^");
    let mut i = 0;
    let mut first_token = true;
    // What the regex built so far ends with: the leading `^` counts as an operand.
    let mut last = Last::Operand;
    // Go only sees the regex when the pattern ends up in regex form, so a bad repetition in a
    // plain pattern (`a{2}{2}`) is no error.
    let mut regex_error: Option<CompileError> = None;
    while i < chars.len() {
        let at_start = first_token;
        first_token = false;
        let c = chars[i];
        let mut now = Last::Operand;
        match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                // `**/` behaves as `**`.
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i == chars.len() {
                    if kind == Kind::Exact {
                        kind = Kind::Prefix;
                    } else {
                        re.push_str(".*");
                        kind = Kind::Regex;
                    }
                } else {
                    // Any number of whole directories, including none.
                    re.push_str("(?:.*/)?");
                    kind = Kind::Regex;
                }
                now = Last::Repeated;
                if at_start {
                    kind = Kind::Suffix;
                }
            }
            '*' => {
                re.push_str("[^/]*");
                kind = Kind::Regex;
                now = Last::Repeated;
                i += 1;
            }
            '?' => {
                re.push_str("[^/]");
                kind = Kind::Regex;
                i += 1;
            }
            '\\' => {
                let (escape, end) = parse_escape(&chars, i + 1)?;
                re.push_str(&match escape {
                    Escape::Literal(c) => regex::escape(c.encode_utf8(&mut [0; 4])),
                    Escape::Perl(set, negated) => {
                        format!("[{}{set}]", if negated { "^" } else { "" })
                    }
                    Escape::Assertion(text) => text.to_owned(),
                });
                kind = Kind::Regex;
                i = end;
            }
            '[' => {
                let (fragment, end) = translate_class(&chars, i)?;
                re.push_str(&fragment);
                kind = Kind::Regex;
                i = end;
            }
            ']' => {
                re.push_str(r"\]");
                kind = Kind::Regex;
                i += 1;
            }
            // Docker does not escape `^` when building its regex, so in a regex-form pattern it
            // is an anchor (and usually makes the pattern match nothing). In the string forms it
            // is an ordinary character. Reproduced on purpose.
            '^' => {
                re.push('^');
                i += 1;
            }
            '|' => {
                re.push('|');
                now = Last::Alternation;
                i += 1;
            }
            '{' => match repetition(&chars[i..]) {
                Some((text, len, counts_ok)) => {
                    let problem = match last {
                        _ if !counts_ok => {
                            Some("repetition count out of range (Go allows 0 to 1000)")
                        }
                        Last::Alternation => Some("`{n}` repeats nothing after `|`"),
                        Last::Repeated => {
                            Some("`{n}` after a wildcard or repetition repeats a repetition")
                        }
                        Last::Operand => None,
                    };
                    if let Some(problem) = problem {
                        regex_error.get_or_insert(CompileError::Invalid(format!(
                            "{problem} (Docker's matcher rejects it)"
                        )));
                    }
                    re.push_str(&text);
                    now = Last::Repeated;
                    i += len;
                }
                None => {
                    re.push_str(r"\{");
                    i += 1;
                }
            },
            other => {
                re.push_str(&regex::escape(other.encode_utf8(&mut [0; 4])));
                i += 1;
            }
        }
        last = now;
    }
    match kind {
        Kind::Exact => Ok(Matcher::Exact(pattern.to_owned())),
        Kind::Prefix => Ok(Matcher::Prefix(strip_suffix_chars(pattern, 2))),
        Kind::Suffix => Ok(Matcher::Suffix(pattern.chars().skip(2).collect())),
        Kind::Regex => {
            if let Some(error) = regex_error {
                return Err(error);
            }
            re.push('$');
            RegexBuilder::new(&re)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map(Matcher::Regex)
                .map_err(|err| CompileError::Unsupported(format!("pattern too complex ({err})")))
        }
    }
}

/// The end of the regex built so far, for Go's rules on where `{n}` may stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    Operand,
    /// A wildcard or repetition (Go rejects a repetition of a repetition).
    Repeated,
    /// A `|` (Go rejects a repetition with nothing to repeat).
    Alternation,
}

/// Go's counted repetition at the start of `chars` (`{n}`, `{n,}`, `{n,m}`): its regex text,
/// length and whether the counts are in Go's range; `None` when the text is not one (then `{`
/// is literal).
fn repetition(chars: &[char]) -> Option<(String, usize, bool)> {
    let close = chars.iter().position(|&c| c == '}')?;
    let body: String = chars[1..close].iter().collect();
    let (min, max) = match body.split_once(',') {
        None => (body.as_str(), Some(body.as_str())),
        Some((min, "")) => (min, None),
        Some((min, max)) => (min, Some(max)),
    };
    let count = |text: &str| -> Option<u64> {
        if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        Some(text.parse::<u64>().unwrap_or(u64::MAX))
    };
    let min = count(min)?;
    let max = match max {
        Some(text) => Some(count(text)?),
        None => None,
    };
    let in_range = min <= 1000 && !max.is_some_and(|max| max > 1000 || max < min);
    Some((format!("{{{body}}}"), close + 1, in_range))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Exact,
    Prefix,
    Suffix,
    Regex,
}

fn invalid(message: &str) -> CompileError {
    CompileError::Invalid(message.to_owned())
}

fn strip_suffix_chars(text: &str, count: usize) -> String {
    let keep = text.chars().count().saturating_sub(count);
    text.chars().take(keep).collect()
}

/// Rejects what Go's `filepath.Match` rejects (Docker checks every pattern with it first):
/// a trailing `\`, an unclosed `[`, an empty class, and a class item that is a bare `-` or `]`.
fn check_filepath_match_syntax(pattern: &str) -> Result<(), CompileError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                if i + 1 >= chars.len() {
                    return Err(invalid("a trailing `\\` escapes nothing"));
                }
                i += 2;
            }
            '[' => {
                i += 1;
                if chars.get(i) == Some(&'^') {
                    i += 1;
                }
                let mut ranges = 0;
                loop {
                    match chars.get(i) {
                        None => return Err(invalid("unclosed character class `[`")),
                        Some(']') if ranges > 0 => {
                            i += 1;
                            break;
                        }
                        Some(_) => {}
                    }
                    i = class_item_end(&chars, i)?;
                    if chars.get(i) == Some(&'-') {
                        i = class_item_end(&chars, i + 1)?;
                    }
                    ranges += 1;
                }
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// One character of a `filepath.Match` class (possibly `\`-escaped); returns the index after it.
fn class_item_end(chars: &[char], i: usize) -> Result<usize, CompileError> {
    match chars.get(i) {
        None => Err(invalid("unclosed character class `[`")),
        Some('-') | Some(']') => Err(invalid(
            "a character class item cannot be a bare `-` or `]` (escape it with `\\`)",
        )),
        Some('\\') => match chars.get(i + 1) {
            None => Err(invalid("unclosed character class `[`")),
            Some(_) if i + 2 >= chars.len() => Err(invalid("unclosed character class `[`")),
            Some(_) => Ok(i + 2),
        },
        Some(_) if i + 1 >= chars.len() => Err(invalid("unclosed character class `[`")),
        Some(_) => Ok(i + 1),
    }
}

/// What a `\` escape means once Docker has pasted it into a Go regex.
enum Escape {
    Literal(char),
    /// One of Go's ASCII Perl classes: the set body and whether it is negated.
    Perl(&'static str, bool),
    /// A zero-width assertion (only valid outside classes), as Rust regex text.
    Assertion(&'static str),
}

/// Parses a Go regex escape whose letter is at `chars[i]` (just after the `\`), following
/// Go's `regexp/syntax` rules; returns it and the index after it.
fn parse_escape(chars: &[char], i: usize) -> Result<(Escape, usize), CompileError> {
    let Some(&c) = chars.get(i) else {
        return Err(invalid("a trailing `\\` escapes nothing"));
    };
    let literal = |ch: char, end: usize| Ok((Escape::Literal(ch), end));
    if c.is_ascii_punctuation() || c == ' ' {
        return literal(c, i + 1);
    }
    if let Some((set, negated)) = perl_class(c) {
        return Ok((Escape::Perl(set, negated), i + 1));
    }
    match c {
        'a' => literal('\u{7}', i + 1),
        'f' => literal('\u{c}', i + 1),
        't' => literal('\t', i + 1),
        'n' => literal('\n', i + 1),
        'r' => literal('\r', i + 1),
        'v' => literal('\u{b}', i + 1),
        // Go's `\b` and `\B` are ASCII word boundaries.
        'b' => Ok((Escape::Assertion(r"(?-u:\b)"), i + 1)),
        'B' => Ok((Escape::Assertion(r"(?-u:\B)"), i + 1)),
        'A' => Ok((Escape::Assertion(r"\A"), i + 1)),
        'z' => Ok((Escape::Assertion(r"\z"), i + 1)),
        '0'..='7' => {
            // Octal: `\0` plus up to two digits, or a non-zero digit followed by at least one
            // (a lone `\1`..`\7` would be a back-reference, which Go rejects).
            let digits: String =
                chars[i..].iter().take(3).take_while(|d| ('0'..='7').contains(*d)).collect();
            if c != '0' && digits.len() < 2 {
                return Err(invalid_escape(c));
            }
            let value = u32::from_str_radix(&digits, 8).unwrap_or(0);
            literal(char::from_u32(value).unwrap_or('\0'), i + digits.len())
        }
        'x' => {
            if chars.get(i + 1) == Some(&'{') {
                let close = chars[i + 2..].iter().position(|&d| d == '}');
                let hex: String = close.map_or(String::new(), |n| chars[i + 2..i + 2 + n].iter().collect());
                let value = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                match (close, value) {
                    (Some(n), Some(ch)) if !hex.is_empty() => literal(ch, i + 2 + n + 1),
                    _ => Err(invalid_escape(c)),
                }
            } else {
                let hex: String = chars[i + 1..].iter().take(2).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == 2 && hex.chars().all(|d| d.is_ascii_hexdigit()) => {
                        literal(ch, i + 3)
                    }
                    _ => Err(invalid_escape(c)),
                }
            }
        }
        'p' | 'P' | 'Q' => Err(CompileError::Unsupported(format!(
            "`\\{c}` starts a regular-expression construct in Docker's matcher; layerwise does not reproduce it"
        ))),
        _ => Err(invalid_escape(c)),
    }
}

fn invalid_escape(c: char) -> CompileError {
    CompileError::Invalid(format!(
        "`\\{c}` is an invalid escape: Docker's matcher rejects it (escape only punctuation)"
    ))
}

fn literal_in_class(c: char, in_class: bool) -> String {
    if in_class {
        if c.is_ascii_alphanumeric() {
            c.to_string()
        } else {
            format!("\\x{{{:X}}}", u32::from(c))
        }
    } else {
        regex::escape(c.encode_utf8(&mut [0; 4]))
    }
}

/// Go's Perl classes are ASCII-only; returns the set body and whether it is negated.
fn perl_class(c: char) -> Option<(&'static str, bool)> {
    match c {
        'd' => Some(("0-9", false)),
        'D' => Some(("0-9", true)),
        's' => Some((r"\t\n\x0C\r\x20", false)),
        'S' => Some((r"\t\n\x0C\r\x20", true)),
        'w' => Some(("0-9A-Za-z_", false)),
        'W' => Some(("0-9A-Za-z_", true)),
        _ => None,
    }
}

/// The POSIX class names Go's regexp accepts inside `[...]`; Rust's regex has the same set with
/// the same ASCII meaning.
const POSIX_CLASSES: [&str; 14] = [
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// Translates a bracket expression starting at `chars[start] == '['`, read as Go's regexp reads
/// it (Docker passes brackets through): optional leading `^` negation (there is no `!`
/// negation), ranges, `\`-escapes and `[:name:]`. Returns the Rust fragment and the index after
/// the closing `]`.
fn translate_class(chars: &[char], start: usize) -> Result<(String, usize), CompileError> {
    let mut i = start + 1;
    let mut out = String::from("[");
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let mut items = 0;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(invalid("unclosed character class `[`"));
        };
        if c == ']' && items > 0 {
            out.push(']');
            return Ok((out, i + 1));
        }
        if c == '*' || c == '?' {
            return Err(CompileError::Unsupported(format!(
                "`{c}` inside `[...]`: Docker expands it even there, which turns the class into something else; escape it as `\\{c}`"
            )));
        }
        if c == '[' && chars.get(i + 1) == Some(&':') {
            if let Some((fragment, end)) = named_class(chars, i)? {
                out.push_str(&fragment);
                i = end;
                items += 1;
                continue;
            }
        }
        let (lo, after_lo) = class_char(chars, i)?;
        match lo {
            ClassChar::Set(fragment) => {
                out.push_str(&fragment);
                i = after_lo;
            }
            ClassChar::Char(lo) => {
                let is_range = chars.get(after_lo) == Some(&'-')
                    && chars.get(after_lo + 1).is_some_and(|&next| next != ']');
                if is_range {
                    let (hi, after_hi) = class_char(chars, after_lo + 1)?;
                    let ClassChar::Char(hi) = hi else {
                        return Err(invalid("a class range cannot end in a character class"));
                    };
                    if hi < lo {
                        return Err(CompileError::Invalid(format!(
                            "character range `{lo}-{hi}` is out of order"
                        )));
                    }
                    out.push_str(&literal_in_class(lo, true));
                    out.push('-');
                    out.push_str(&literal_in_class(hi, true));
                    i = after_hi;
                } else {
                    out.push_str(&literal_in_class(lo, true));
                    i = after_lo;
                }
            }
        }
        items += 1;
    }
}

enum ClassChar {
    Char(char),
    /// A nested set such as `\d` (Rust unions nested classes).
    Set(String),
}

fn class_char(chars: &[char], i: usize) -> Result<(ClassChar, usize), CompileError> {
    match chars.get(i) {
        None => Err(invalid("unclosed character class `[`")),
        Some('\\') => match parse_escape(chars, i + 1)? {
            (Escape::Literal(c), end) => Ok((ClassChar::Char(c), end)),
            (Escape::Perl(set, negated), end) => {
                let neg = if negated { "^" } else { "" };
                Ok((ClassChar::Set(format!("[{neg}{set}]")), end))
            }
            (Escape::Assertion(_), _) => Err(invalid_escape(chars[i + 1])),
        },
        Some(&c) => Ok((ClassChar::Char(c), i + 1)),
    }
}

/// `[:name:]` or `[:^name:]` at `chars[i]`; `None` when there is no closing `:]` (then the `[`
/// is an ordinary character, as in Go).
fn named_class(chars: &[char], i: usize) -> Result<Option<(String, usize)>, CompileError> {
    let rest = &chars[i + 2..];
    let Some(close) = rest.windows(2).position(|w| w == [':', ']']) else {
        return Ok(None);
    };
    let name: String = rest[..close].iter().collect();
    let bare = name.strip_prefix('^').unwrap_or(&name);
    if !POSIX_CLASSES.contains(&bare) {
        return Err(CompileError::Invalid(format!(
            "unknown character class `[:{name}:]`"
        )));
    }
    Ok(Some((format!("[:{name}:]"), i + 2 + close + 2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(pattern: &str) -> &'static str {
        match compile(pattern) {
            Ok(Matcher::Exact(_)) => "exact",
            Ok(Matcher::Prefix(_)) => "prefix",
            Ok(Matcher::Suffix(_)) => "suffix",
            Ok(Matcher::Regex(_)) => "regex",
            Err(CompileError::Invalid(_)) => "invalid",
            Err(CompileError::Unsupported(_)) => "unsupported",
        }
    }

    #[test]
    fn matcher_kinds_follow_dockers_shortcuts() {
        let cases = [
            ("foo", "exact"),
            ("foo.bar+baz(1)", "exact"),
            ("abc/**", "prefix"),
            ("abc**", "prefix"),
            ("**", "suffix"),
            ("**/foo", "suffix"),
            ("**foo", "suffix"),
            ("**/foo/**", "regex"),
            ("**/*.go", "regex"),
            ("a/**/b", "regex"),
            ("*.go", "regex"),
            ("a?c", "regex"),
            ("[ab]", "regex"),
            ("a]b", "regex"),
            (r"a\*b", "regex"),
            ("a^b", "exact"),
            ("[", "invalid"),
            ("[]", "invalid"),
            ("[^]", "invalid"),
            ("[a-]", "invalid"),
            ("[-a]", "invalid"),
            ("[a", "invalid"),
            ("[a\\", "invalid"),
            ("a\\", "invalid"),
            ("[z-a]", "invalid"),
            ("[[:nope:]]", "invalid"),
            ("[[:alpha:]", "invalid"),
            (r"\y", "invalid"),
            (r"\b", "regex"),
            (r"\x41", "regex"),
            (r"\x4", "invalid"),
            (r"\x{263a}", "regex"),
            (r"\x{}", "invalid"),
            (r"\1", "invalid"),
            (r"\12", "regex"),
            (r"\8", "invalid"),
            (r"[\b]", "invalid"),
            (r"\pL", "unsupported"),
            ("[*]", "unsupported"),
            ("a|b", "exact"),
            ("a|*", "regex"),
            ("a{2}*", "regex"),
            ("*{2}", "invalid"),
            ("a|{2}*", "invalid"),
            ("a{2}{3}*", "invalid"),
            ("a{1001}*", "invalid"),
            ("a{2,1}*", "invalid"),
            ("a{2}{2}", "exact"),
            ("a{1001}", "exact"),
            ("a{2}{2}**", "prefix"),
            ("**a{2}{2}", "suffix"),
            ("a{,2}*", "regex"),
            ("{{cookiecutter.name}}/*", "regex"),
        ];
        for (pattern, want) in cases {
            assert_eq!(kind(pattern), want, "pattern {pattern:?}");
        }
    }

    #[test]
    fn classes_are_read_as_go_reads_them() {
        let cases = [
            ("[[:alpha:]]", "x", true),
            ("[[:alpha:]]", "1", false),
            ("[[:^digit:]]x", "ax", true),
            ("[[:^digit:]]x", "1x", false),
            ("[!a]", "!", true),
            ("[!a]", "b", false),
            ("a[^b]c", "a/c", true),
            (r"[\]]", "]", true),
            (r"[\-]", "-", true),
            ("[a-c-]x", "-x", false),
            (r"[\d]", "7", true),
            (r"[\d]", "x", false),
            (r"\d\d", "42", true),
            (r"\w", "_", true),
            (r"\W", "_", false),
            ("[&&b]", "&", true),
            ("[a~~b]", "~", true),
            ("[[a]", "[", true),
            ("[é-ë]", "ê", true),
            // `|`, `{` and `}` reach Docker's regex unescaped.
            ("a|*", "anything", true),
            ("|[^a]$", "x/y", true),
            ("a{2}*", "aab", true),
            ("a{2}*", "ab", false),
            ("a{2,}*", "aaa", true),
            ("a{,2}*", "a{,2}x", true),
            ("{2}a*", "a", true),
            ("{x}*", "{x}y", true),
            ("{{cookiecutter.name}}/*", "{{cookiecutter.name}}/a", true),
            ("a}*", "a}b", true),
            (r"\x41*", "AB", true),
            (r"\x{263a}", "\u{263a}", true),
            (r"\101", "A", true),
            (r"a\tb", "a\tb", true),
            (r"[\x41-\x43]", "B", true),
            (r"x\b*", "x", true),
            (r"x\by*", "xy", false),
            (r"\Ax*", "xy", true),
        ];
        for (pattern, path, want) in cases {
            match compile(pattern) {
                Ok(m) => assert_eq!(m.matches(path), want, "{pattern:?} vs {path:?}"),
                Err(err) => {
                    assert!(!want, "{pattern:?} failed to compile: {err:?}");
                }
            }
        }
    }
}
