//! BuildKit's ways of cutting a logical line into pieces, with byte offsets into that line.
//! Each function mirrors one function of BuildKit's parser (`splitCommand`,
//! `extractBuilderFlags`, `parseWords`, the `[\t\v\f\r ]+` regular expression) including its
//! quirks, because `docker build` is what decides what a Dockerfile means.

/// A piece of the logical line: `start..end` and BuildKit's text for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Piece {
    pub start: usize,
    pub end: usize,
    pub text: String,
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
/// space (BuildKit trims first).
pub(crate) fn split_re_space(text: &str, start: usize, end: usize) -> Vec<Piece> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = start;
    let mut word_start = start;
    while i < end {
        if is_re_space(b[i]) {
            out.push(Piece {
                start: word_start,
                end: i,
                text: text[word_start..i].to_string(),
            });
            while i < end && is_re_space(b[i]) {
                i += 1;
            }
            word_start = i;
        } else {
            i += 1;
        }
    }
    out.push(Piece {
        start: word_start,
        end,
        text: text[word_start..end].to_string(),
    });
    out
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
                text: String::from_utf8_lossy(&word).into_owned(),
            });
        }
    }
}

/// BuildKit's `parseWords`: space-delimited words that keep their quotes and escapes (used by
/// `ARG`, `ENV`, `LABEL`).
pub(crate) fn parse_words(text: &str, start: usize, end: usize, escape: u8) -> Vec<Piece> {
    let esc = escape as char;
    let mut words = Vec::new();
    let mut chars = text[start..end]
        .char_indices()
        .map(|(i, c)| (i + start, c))
        .peekable();
    let mut cur = String::new();
    let mut word_start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut blank_ok = false;
    while let Some((pos, c)) = chars.next() {
        let next_pos = pos + c.len_utf8();
        match (word_start, quote) {
            (None, _) => {
                if is_go_space(c) {
                    continue;
                }
                word_start = Some(pos);
                if !in_word(
                    c,
                    next_pos,
                    end,
                    esc,
                    &mut cur,
                    &mut quote,
                    &mut blank_ok,
                    &mut chars,
                ) {
                    continue;
                }
            }
            (Some(ws), None) => {
                if is_go_space(c) {
                    if blank_ok || !cur.is_empty() {
                        words.push(Piece {
                            start: ws,
                            end: pos,
                            text: std::mem::take(&mut cur),
                        });
                    }
                    cur.clear();
                    blank_ok = false;
                    word_start = None;
                    continue;
                }
                in_word(
                    c,
                    next_pos,
                    end,
                    esc,
                    &mut cur,
                    &mut quote,
                    &mut blank_ok,
                    &mut chars,
                );
            }
            (Some(_), Some(q)) => {
                if c == q {
                    quote = None;
                }
                if c == esc && q != '\'' {
                    if next_pos == end {
                        quote = None;
                        continue;
                    }
                    cur.push(c);
                    if let Some((_, n)) = chars.next() {
                        cur.push(n);
                    }
                    continue;
                }
                cur.push(c);
            }
        }
    }
    if let Some(ws) = word_start {
        if blank_ok || !cur.is_empty() {
            words.push(Piece {
                start: ws,
                end,
                text: cur,
            });
        }
    }
    words
}

/// One character of `parseWords`' in-word state. Returns false when the escape at the very end
/// was skipped.
#[allow(clippy::too_many_arguments)]
fn in_word(
    c: char,
    next_pos: usize,
    end: usize,
    esc: char,
    cur: &mut String,
    quote: &mut Option<char>,
    blank_ok: &mut bool,
    chars: &mut std::iter::Peekable<impl Iterator<Item = (usize, char)>>,
) -> bool {
    if c == '\'' || c == '"' {
        *quote = Some(c);
        *blank_ok = true;
    }
    if c == esc {
        if next_pos == end {
            return false;
        }
        cur.push(c);
        if let Some((_, n)) = chars.next() {
            cur.push(n);
        }
        return true;
    }
    cur.push(c);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(p: Vec<Piece>) -> Vec<String> {
        p.into_iter().map(|p| p.text).collect()
    }

    #[test]
    fn flags_stop_at_first_non_flag() {
        let t = "--from=a --chown='u g' src dst";
        let (flags, rest) = extract_flags(t, 0, t.len(), b'\\');
        assert_eq!(texts(flags), ["--from=a", "--chown=u g"]);
        assert_eq!(&t[rest..], "src dst");
        let t = "--doit=true -- [ \"a\" ]";
        let (flags, rest) = extract_flags(t, 0, t.len(), b'\\');
        assert_eq!(texts(flags), ["--doit=true"]);
        assert_eq!(t[rest..].trim(), "[ \"a\" ]");
    }

    #[test]
    fn words_keep_quotes() {
        let t = r#"a="b c" d\ e 'f\'"#;
        assert_eq!(
            texts(parse_words(t, 0, t.len(), b'\\')),
            [r#"a="b c""#, r"d\ e", r"'f\'"]
        );
        let t = "a\\";
        assert_eq!(texts(parse_words(t, 0, t.len(), b'\\')), ["a"]);
    }

    #[test]
    fn regex_split() {
        let t = "a  b\tc";
        assert_eq!(texts(split_re_space(t, 0, t.len())), ["a", "b", "c"]);
    }
}
