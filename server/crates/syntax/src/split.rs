//! BuildKit's ways of cutting a logical line into pieces, with byte offsets into that line.
//! Each function mirrors one function of BuildKit's parser (`splitCommand`,
//! `extractBuilderFlags`, `parseWords`, the `[\t\v\f\r ]+` regular expression) including its
//! quirks, because `docker build` is what decides what a Dockerfile means.

/// A piece of the logical line: `start..end`, and BuildKit's text for it when that is not
/// simply `line[start..end]` (quotes removed, escapes applied, a trailing escape dropped).
/// Most pieces are plain slices, so they cost no allocation until a [`crate::Word`] is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Piece {
    pub start: usize,
    pub end: usize,
    pub owned: Option<String>,
}

impl Piece {
    fn slice(start: usize, end: usize) -> Self {
        Self {
            start,
            end,
            owned: None,
        }
    }

    /// BuildKit's text for the piece; `line` is the text the offsets index.
    pub fn text<'a>(&'a self, line: &'a str) -> &'a str {
        match &self.owned {
            Some(t) => t,
            None => line.get(self.start..self.end).unwrap_or(""),
        }
    }
}

/// Go's `unicode.IsSpace` (the same set as Rust's `char::is_whitespace`).
pub(crate) fn is_go_space(c: char) -> bool {
    c.is_whitespace()
}

/// The characters of BuildKit's `reWhitespace` = `[\t\v\f\r ]+`.
pub(crate) fn is_re_space(b: u8) -> bool {
    matches!(b, b'\t' | 0x0b | 0x0c | b'\r' | b' ')
}

/// `strings.TrimSpace` as offsets: the trimmed slice is `text[start..end]`.
pub(crate) fn trim_space(text: &str, start: usize, end: usize) -> (usize, usize) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start_matches(is_go_space).len();
    let trail = s.len() - s.trim_end_matches(is_go_space).len();
    if lead == s.len() {
        return (end, end);
    }
    (start + lead, end - trail)
}

/// `reWhitespace.Split(text[start..end], -1)` for text that has no leading/trailing regex
/// space (BuildKit trims first), as `start..end` offsets of each piece (an iterator, so the
/// caller builds its words without an intermediate list).
pub(crate) fn split_re_space(
    text: &str,
    start: usize,
    end: usize,
) -> impl Iterator<Item = (usize, usize)> + '_ {
    let b = text.as_bytes();
    let mut i = start;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let word_start = i;
        while i < end && !is_re_space(b[i]) {
            i += 1;
        }
        let word_end = i;
        if i == end {
            done = true;
        }
        while i < end && is_re_space(b[i]) {
            i += 1;
        }
        Some((word_start, word_end))
    })
}

/// The first regex-space run in `text[start..end]`: splits `cmd rest` the way
/// `reWhitespace.Split(s, 2)` does. Returns `(cmd_end, rest_start)`.
pub(crate) fn split_first_re_space(text: &str, start: usize, end: usize) -> (usize, Option<usize>) {
    let b = text.as_bytes();
    let mut i = start;
    while i < end && !is_re_space(b[i]) {
        i += 1;
    }
    if i == end {
        return (end, None);
    }
    let cmd_end = i;
    while i < end && is_re_space(b[i]) {
        i += 1;
    }
    (cmd_end, Some(i))
}

/// BuildKit's `extractBuilderFlags`: leading `--flag` words, quote and escape aware, working on
/// bytes like the Go code does. Returns the flags and where the remaining arguments start.
pub(crate) fn extract_flags(
    text: &str,
    start: usize,
    end: usize,
    escape: u8,
) -> (Vec<Piece>, usize) {
    // Go tests unicode.IsSpace(rune(byte)), which also takes the bytes 0x85 and 0xA0 inside
    // UTF-8 characters for spaces; we keep characters whole (see docs/dev/conformance.md).
    let is_space = |c: u8| matches!(c, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ');
    let b = text.as_bytes();
    let mut flags = Vec::new();
    let mut pos = start;
    loop {
        while pos < end && is_space(b[pos]) {
            pos += 1;
        }
        if pos == end {
            return (flags, end);
        }
        if !(b[pos] == b'-' && pos + 1 < end && b[pos + 1] == b'-') {
            return (flags, pos);
        }
        let word_start = pos;
        // Fast path: a flag without quotes or escapes is its own text.
        let mut plain_end = pos;
        while plain_end < end
            && !is_space(b[plain_end])
            && !matches!(b[plain_end], b'\'' | b'"')
            && b[plain_end] != escape
        {
            plain_end += 1;
        }
        if plain_end == end || is_space(b[plain_end]) {
            pos = plain_end;
            if &b[word_start..pos] == b"--" {
                return (flags, pos);
            }
            flags.push(Piece::slice(word_start, pos));
            continue;
        }
        let mut word: Vec<u8> = Vec::new();
        let mut quote: Option<u8> = None;
        let mut blank_ok = false;
        while pos < end {
            let c = b[pos];
            match quote {
                None => {
                    if is_space(c) {
                        break;
                    }
                    if c == b'\'' || c == b'"' {
                        quote = Some(c);
                        blank_ok = true;
                        pos += 1;
                        continue;
                    }
                    if c == escape {
                        if pos + 1 == end {
                            pos += 1;
                            continue;
                        }
                        pos += 1;
                    }
                    word.push(b[pos]);
                    pos += 1;
                }
                Some(q) => {
                    if c == q {
                        quote = None;
                        pos += 1;
                        continue;
                    }
                    if c == escape {
                        if pos + 1 == end {
                            quote = None;
                            pos += 1;
                            continue;
                        }
                        pos += 1;
                    }
                    word.push(b[pos]);
                    pos += 1;
                }
            }
        }
        if word == b"--" {
            // `--` ends the flags; what follows (from the space) is the argument text
            return (flags, pos);
        }
        if blank_ok || !word.is_empty() {
            flags.push(Piece {
                start: word_start,
                end: pos,
                owned: Some(String::from_utf8_lossy(&word).into_owned()),
            });
        }
    }
}

/// BuildKit's `parseWords`: space-delimited words that keep their quotes and escapes (used by
/// `ARG`, `ENV`, `LABEL`). Because quotes and escapes are kept, a word's text is its source
/// slice, except that an escape character ending the whole text is dropped.
pub(crate) fn parse_words(text: &str, start: usize, end: usize, escape: u8) -> Vec<Piece> {
    let b = text.as_bytes();
    // The length of the character at `at` and whether it is Go white space. Quotes and the
    // escape character are ASCII, so only other characters need decoding.
    let char_at = |at: usize| -> (usize, bool) {
        let c = b[at];
        if c < 0x80 {
            return (1, matches!(c, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' '));
        }
        text.get(at..end)
            .and_then(|s| s.chars().next())
            .map_or((1, false), |ch| (ch.len_utf8(), is_go_space(ch)))
    };
    // after the escape at `at` (whose next character is kept with it)
    let after_escaped = |at: usize| {
        let next = at + 1;
        next + char_at(next).0
    };
    let mut words = Vec::new();
    let mut word_start: Option<usize> = None;
    let mut quote: Option<u8> = None;
    // BuildKit's word is the source slice minus a dropped final escape: `text_end` is where
    // the kept text ends.
    let mut text_end = start;
    let mut pos = start;
    while pos < end {
        let c = b[pos];
        let (len, space) = char_at(pos);
        let next_pos = pos + len;
        match (word_start, quote) {
            (None, _) | (Some(_), None) => {
                if space {
                    if let Some(ws) = word_start.take() {
                        if text_end > ws {
                            words.push(word_piece(text, ws, pos, text_end));
                        }
                    }
                    pos = next_pos;
                    continue;
                }
                if word_start.is_none() {
                    word_start = Some(pos);
                    text_end = pos;
                }
                if c == escape && next_pos == end {
                    pos = next_pos; // a trailing escape is dropped
                    continue;
                }
                if c == b'\'' || c == b'"' {
                    quote = Some(c);
                }
                text_end = if c == escape {
                    after_escaped(pos)
                } else {
                    next_pos
                };
                pos = text_end;
            }
            (Some(_), Some(q)) => {
                if c == q {
                    quote = None;
                }
                if c == escape && q != b'\'' {
                    if next_pos == end {
                        quote = None;
                        pos = next_pos;
                        continue;
                    }
                    text_end = after_escaped(pos);
                    pos = text_end;
                    continue;
                }
                text_end = next_pos;
                pos = next_pos;
            }
        }
    }
    if let Some(ws) = word_start {
        if text_end > ws {
            words.push(word_piece(text, ws, end, text_end));
        }
    }
    words
}

/// A `parseWords` word spanning `start..end` whose kept text ends at `text_end`.
fn word_piece(text: &str, start: usize, end: usize, text_end: usize) -> Piece {
    Piece {
        start,
        end,
        owned: (text_end != end).then(|| text.get(start..text_end).unwrap_or("").to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str, p: Vec<Piece>) -> Vec<String> {
        p.iter().map(|p| p.text(line).to_string()).collect()
    }

    #[test]
    fn flags_stop_at_first_non_flag() {
        let t = "--from=a --chown='u g' src dst";
        let (flags, rest) = extract_flags(t, 0, t.len(), b'\\');
        assert_eq!(texts(t, flags), ["--from=a", "--chown=u g"]);
        assert_eq!(&t[rest..], "src dst");
        let t = "--doit=true -- [ \"a\" ]";
        let (flags, rest) = extract_flags(t, 0, t.len(), b'\\');
        assert_eq!(texts(t, flags), ["--doit=true"]);
        assert_eq!(t[rest..].trim(), "[ \"a\" ]");
    }

    #[test]
    fn words_keep_quotes() {
        let t = r#"a="b c" d\ e 'f\'"#;
        assert_eq!(
            texts(t, parse_words(t, 0, t.len(), b'\\')),
            [r#"a="b c""#, r"d\ e", r"'f\'"]
        );
        let t = "a\\";
        assert_eq!(texts(t, parse_words(t, 0, t.len(), b'\\')), ["a"]);
    }

    #[test]
    fn regex_split() {
        let t = "a  b\tc";
        let words: Vec<_> = split_re_space(t, 0, t.len())
            .map(|(a, b)| &t[a..b])
            .collect();
        assert_eq!(words, ["a", "b", "c"]);
        let t = "a ";
        let words: Vec<_> = split_re_space(t, 0, t.len())
            .map(|(a, b)| &t[a..b])
            .collect();
        assert_eq!(words, ["a", ""]);
    }
}
