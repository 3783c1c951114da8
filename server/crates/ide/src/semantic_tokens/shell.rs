//! Tokens of shell text (`RUN`, shell-form `CMD`/`ENTRYPOINT`/`HEALTHCHECK`, `RUN` here-document
//! scripts): quoted strings, `$X` / `${X}` uses, the operators `&&` `||` `|` `;`, and `#`
//! comments. A small scanner, not a shell: it only has to agree with a shell on quotes.
//!
//! The text comes as pieces (the parser's `Text` token pieces, which leave out line
//! continuations and comment lines); quote and comment state carry from one piece to the next,
//! because BuildKit joins them into one line before the shell sees it.

use layerwise_syntax::{ItemRef, TextRange};

use super::{builtin_mods, Painter, TokenType};

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Plain,
    Single,
    Double,
    Comment,
}

/// Paints `pieces` (ranges relative to the item, in order).
pub(super) fn paint(r: ItemRef<'_>, pieces: impl Iterator<Item = TextRange>, p: &mut Painter) {
    let mut state = State::Plain;
    for piece in pieces {
        let text = r.slice(piece);
        let base = r.abs(piece).start;
        let at = |i: usize| base + i as u32;
        let b = text.as_bytes();
        // where the open string or comment of this piece started
        let mut open = 0usize;
        let mut i = 0usize;
        let mut word_start = true;
        while i < b.len() {
            let c = b[i];
            match state {
                State::Comment => {
                    if c == b'\n' {
                        p.over(
                            TextRange::new(at(open), at(trim_cr(b, open, i))),
                            TokenType::Comment,
                            0,
                        );
                        state = State::Plain;
                        word_start = true;
                    }
                    i += 1;
                }
                State::Single => {
                    if c == b'\'' {
                        p.base(TextRange::new(at(open), at(i + 1)), TokenType::String);
                        state = State::Plain;
                    }
                    i += 1;
                }
                State::Double => match c {
                    b'\\' => i += 2,
                    b'"' => {
                        p.base(TextRange::new(at(open), at(i + 1)), TokenType::String);
                        state = State::Plain;
                        i += 1;
                    }
                    b'$' => i = variable(b, i, base, p),
                    _ => i += 1,
                },
                State::Plain => {
                    let starts_word = word_start;
                    word_start = c.is_ascii_whitespace();
                    match c {
                        b'\\' => i += 2,
                        b'\'' => {
                            open = i;
                            state = State::Single;
                            i += 1;
                        }
                        b'"' => {
                            open = i;
                            state = State::Double;
                            i += 1;
                        }
                        b'#' if starts_word => {
                            open = i;
                            state = State::Comment;
                            i += 1;
                        }
                        b'$' => i = variable(b, i, base, p),
                        b'&' | b'|' if b.get(i + 1) == Some(&c) => {
                            p.over(TextRange::new(at(i), at(i + 2)), TokenType::Operator, 0);
                            word_start = true;
                            i += 2;
                        }
                        b'|' | b';' => {
                            p.over(TextRange::new(at(i), at(i + 1)), TokenType::Operator, 0);
                            word_start = true;
                            i += 1;
                        }
                        _ => i += 1,
                    }
                }
            }
        }
        // a string or comment still open at the end of the piece continues in the next one
        let end = at(b.len().min(text.len()));
        match state {
            State::Single | State::Double => {
                p.base(TextRange::new(at(open), end), TokenType::String)
            }
            State::Comment => p.over(TextRange::new(at(open), end), TokenType::Comment, 0),
            State::Plain => {}
        }
    }
}

fn trim_cr(b: &[u8], open: usize, nl: usize) -> usize {
    if nl > open && b[nl - 1] == b'\r' {
        nl - 1
    } else {
        nl
    }
}

/// A `$NAME` or `${NAME...}` at `i`: paints it and returns where scanning goes on.
fn variable(b: &[u8], i: usize, base: u32, p: &mut Painter) -> usize {
    let name_at = |j: usize| {
        let mut k = j;
        if k < b.len() && (b[k].is_ascii_alphabetic() || b[k] == b'_') {
            while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'_') {
                k += 1;
            }
        }
        k
    };
    let (name_start, braced) = if b.get(i + 1) == Some(&b'{') {
        (i + 2, true)
    } else {
        (i + 1, false)
    };
    let name_end = name_at(name_start);
    if name_end == name_start {
        return i + 1;
    }
    let end = if braced && b.get(name_end) == Some(&b'}') {
        name_end + 1
    } else {
        name_end
    };
    let name = std::str::from_utf8(&b[name_start..name_end]).unwrap_or("");
    p.over(
        TextRange::from_usize(i, end).shifted(base),
        TokenType::Variable,
        builtin_mods(name),
    );
    end
}
