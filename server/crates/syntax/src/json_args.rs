//! The exec ("JSON") form of `RUN`, `CMD`, `ENTRYPOINT`, `SHELL`, `COPY`, `ADD`, `VOLUME`.
//!
//! BuildKit decides the form with Go's `encoding/json`: the argument text (leading white space
//! trimmed) must start with `[` and be one valid JSON document. A valid array of strings is the
//! exec form; a valid document with anything but strings in the array is a hard error; anything
//! else (single quotes, a missing bracket, trailing text) silently falls back to the shell form.

/// One decoded JSON string with the byte range of its literal (quotes included) in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonString<'a> {
    pub start: usize,
    pub end: usize,
    /// Borrowed from the input when the literal has no escapes (the usual case).
    pub value: Cow<'a, str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonArgs<'a> {
    /// Not JSON (or not an array): the instruction uses the shell form.
    NotJson,
    /// Valid JSON, but the array holds something other than strings: BuildKit rejects the file.
    NotStringArray,
    /// The exec form. `open`/`close` are the bracket offsets.
    Strings {
        open: usize,
        close: usize,
        items: Vec<JsonString<'a>>,
    },
}

use std::borrow::Cow;

/// Go's JSON decoder refuses documents nested deeper than this.
const MAX_DEPTH: usize = 10_000;

pub fn parse_json_args(text: &str) -> JsonArgs<'_> {
    let lead = text.len() - text.trim_start().len();
    let b = text.as_bytes();
    if b.get(lead) != Some(&b'[') {
        return JsonArgs::NotJson;
    }
    let mut p = Parser {
        s: text,
        b,
        pos: lead,
    };
    match p.top_array() {
        Some(result) => {
            p.skip_ws();
            if p.pos != b.len() {
                return JsonArgs::NotJson;
            }
            result
        }
        None => JsonArgs::NotJson,
    }
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn skip_ws(&mut self) {
        while matches!(self.b.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// Parses the top-level array. `None` means invalid JSON.
    fn top_array(&mut self) -> Option<JsonArgs<'a>> {
        let open = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        let mut all_strings = true;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Some(JsonArgs::Strings {
                open,
                close: self.pos - 1,
                items,
            });
        }
        loop {
            self.skip_ws();
            if self.peek() == Some(b'"') {
                let start = self.pos;
                let value = self.string()?;
                items.push(JsonString {
                    start,
                    end: self.pos,
                    value,
                });
            } else {
                self.value()?;
                all_strings = false;
            }
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    break;
                }
                _ => return None,
            }
        }
        Some(if all_strings {
            JsonArgs::Strings {
                open,
                close: self.pos - 1,
                items,
            }
        } else {
            JsonArgs::NotStringArray
        })
    }

    /// Validates any JSON value without recursion (a stack of open containers).
    fn value(&mut self) -> Option<()> {
        // true = inside an object (expecting key), false = inside an array
        let mut stack: Vec<bool> = Vec::new();
        loop {
            self.skip_ws();
            // one scalar or container opener
            match self.peek()? {
                b'[' => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                    } else {
                        stack.push(false);
                        if stack.len() > MAX_DEPTH {
                            return None;
                        }
                        continue;
                    }
                }
                b'{' => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                    } else {
                        stack.push(true);
                        if stack.len() > MAX_DEPTH {
                            return None;
                        }
                        self.key()?;
                        continue;
                    }
                }
                b'"' => {
                    self.string()?;
                }
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return None,
            }
            // after a complete value: close containers or move to the next element
            loop {
                let Some(&in_object) = stack.last() else {
                    return Some(());
                };
                self.skip_ws();
                match (self.peek()?, in_object) {
                    (b',', false) => {
                        self.pos += 1;
                        break;
                    }
                    (b',', true) => {
                        self.pos += 1;
                        self.skip_ws();
                        self.key()?;
                        break;
                    }
                    (b']', false) | (b'}', true) => {
                        self.pos += 1;
                        stack.pop();
                    }
                    _ => return None,
                }
            }
        }
    }

    fn key(&mut self) -> Option<()> {
        if self.peek()? != b'"' {
            return None;
        }
        self.string()?;
        self.skip_ws();
        if self.peek()? != b':' {
            return None;
        }
        self.pos += 1;
        Some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.b.get(self.pos..self.pos + word.len())? == word {
            self.pos += word.len();
            Some(())
        } else {
            None
        }
    }

    fn number(&mut self) -> Option<()> {
        let digits = |p: &mut Self| {
            let s = p.pos;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.pos += 1;
            }
            p.pos > s
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        if self.peek() == Some(b'0') {
            self.pos += 1;
        } else if !digits(self) {
            return None;
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !digits(self) {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !digits(self) {
                return None;
            }
        }
        Some(())
    }

    /// Decodes a string literal starting at the opening quote, as Go does (lone surrogates
    /// become U+FFFD).
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.pos += 1;
        let first = self.pos;
        while let Some(c) = self.peek() {
            if c == b'"' || c == b'\\' || c < 0x20 {
                break;
            }
            self.pos += 1;
        }
        if self.peek() == Some(b'"') {
            // no escapes: the value is the literal's inside, as it stands
            // we stopped on ASCII bytes of a &str, so both ends are char boundaries
            let value = self.s.get(first..self.pos)?;
            self.pos += 1;
            return Some(Cow::Borrowed(value));
        }
        self.pos = first;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The input is a &str and we only stop on ASCII bytes, so this is a char boundary.
            out.push_str(std::str::from_utf8(&self.b[start..self.pos]).ok()?);
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(Cow::Owned(out));
                }
                b'\\' => {
                    self.pos += 1;
                    let e = self.peek()?;
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            if (0xD800..0xDC00).contains(&hi) {
                                // a high surrogate must be followed by an escaped low one
                                let save = self.pos;
                                if self.b.get(self.pos..self.pos + 2) == Some(b"\\u") {
                                    self.pos += 2;
                                    if let Some(lo) =
                                        self.hex4().filter(|lo| (0xDC00..0xE000).contains(lo))
                                    {
                                        let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                        out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                                        continue;
                                    }
                                }
                                self.pos = save;
                                out.push('\u{FFFD}');
                            } else {
                                out.push(char::from_u32(hi).unwrap_or('\u{FFFD}'));
                            }
                        }
                        _ => return None,
                    }
                }
                _ => return None, // control character inside a string
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let s = std::str::from_utf8(self.b.get(self.pos..self.pos + 4)?).ok()?;
        let v = u32::from_str_radix(s, 16).ok()?;
        if !s.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(t: &str) -> Vec<String> {
        match parse_json_args(t) {
            JsonArgs::Strings { items, .. } => {
                items.into_iter().map(|s| s.value.into_owned()).collect()
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn exec_form() {
        assert_eq!(strings(r#"["a", "b c"]"#), ["a", "b c"]);
        assert_eq!(
            strings(r#"  [ "\/usr\\\"/bin/znc", "-f" ] "#),
            ["/usr\\\"/bin/znc", "-f"]
        );
        assert_eq!(strings("[]"), Vec::<String>::new());
        assert_eq!(strings(r#"["\ud83d\ude00\u00e9"]"#), ["😀é"]);
    }

    #[test]
    fn shell_fallbacks() {
        for t in [
            "['a']",
            "[\"a\"",
            "[\"a\",]",
            "[\"a\"] x",
            "echo [1]",
            "",
            "[\"a\nb\"]",
        ] {
            assert_eq!(parse_json_args(t), JsonArgs::NotJson, "{t:?}");
        }
    }

    #[test]
    fn non_string_arrays_are_errors() {
        for t in [
            "[1]",
            r#"["a", ["b"]]"#,
            r#"["a", {"k": [1, null]}]"#,
            "[true]",
        ] {
            assert_eq!(parse_json_args(t), JsonArgs::NotStringArray, "{t:?}");
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let t = format!("[{}{}]", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(parse_json_args(&t), JsonArgs::NotJson);
    }
}
