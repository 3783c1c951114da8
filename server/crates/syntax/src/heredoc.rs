//! Here-documents: finding `<<EOF` openers on an instruction line and the bodies that follow.
//! Mirrors BuildKit: the whole logical line is cut into shell words (quotes and escapes kept),
//! every word matching `^(\d*)<<(-?)\s*([^<]*)$` with a non-empty delimiter opens a heredoc,
//! and bodies are read in order, each up to a line equal to its delimiter (leading tabs
//! stripped for `<<-`).

use crate::lexer::phys_line;
use crate::split::is_go_space;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Opener {
    /// Byte range of the `<<EOF` word in the logical line.
    pub start: usize,
    pub end: usize,
    pub name: String,
    pub fd: u32,
    pub chomp: bool,
    pub expand: bool,
}

/// Shell words of `text` with quotes and escapes kept, as byte ranges. `None` when a quote is
/// left open (BuildKit then finds no heredocs on the line).
fn raw_words(text: &str) -> Option<Vec<(usize, usize)>> {
    let b = text.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = text[i..].chars().next()?;
        if is_go_space(c) {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        while i < b.len() {
            let c = text[i..].chars().next()?;
            if is_go_space(c) {
                break;
            }
            match c {
                '\\' => {
                    i = (i + 1 + text[i + 1..].chars().next().map_or(0, char::len_utf8))
                        .min(b.len())
                }
                '\'' => i += 1 + text[i + 1..].find('\'')? + 1,
                '"' => {
                    let mut j = i + 1;
                    loop {
                        match b.get(j)? {
                            b'\\' => j += 2,
                            b'"' => break,
                            _ => j += 1,
                        }
                    }
                    i = j + 1;
                }
                _ => i += c.len_utf8(),
            }
        }
        words.push((start, i.min(b.len())));
    }
    Some(words)
}

/// Removes shell quoting from a heredoc delimiter word (quotes dropped, escapes applied).
fn unquote(word: &str) -> String {
    let mut out = String::new();
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '\'' => out.extend(chars.by_ref().take_while(|&c| c != '\'')),
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some(n @ ('"' | '\\' | '$' | '`')) => out.push(n),
                            Some(n) => {
                                out.push('\\');
                                out.push(n);
                            }
                            None => {}
                        },
                        c => out.push(c),
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn quote_count(s: &str) -> usize {
    s.chars().filter(|&c| c == '\'' || c == '"').count()
}

/// The heredoc openers on a logical line.
pub(crate) fn openers(line: &str) -> Vec<Opener> {
    if !line.contains("<<") {
        return Vec::new();
    }
    let Some(words) = raw_words(line) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (start, end) in words {
        let word = &line[start..end];
        let digits = word.bytes().take_while(u8::is_ascii_digit).count();
        let Some(after) = word[digits..].strip_prefix("<<") else {
            continue;
        };
        let (chomp, after) = match after.strip_prefix('-') {
            Some(a) => (true, a),
            None => (false, after),
        };
        let rest = after.trim_start_matches(['\t', '\n', '\x0c', '\r', ' ']);
        if rest.is_empty() || rest.contains('<') {
            continue;
        }
        let name = unquote(rest);
        if name.is_empty() {
            continue;
        }
        let expand = quote_count(&name) == quote_count(rest);
        let fd = word[..digits].parse().unwrap_or(0);
        out.push(Opener {
            start,
            end,
            name,
            fd,
            chomp,
            expand,
        });
    }
    out
}

/// Where one heredoc's body and terminator are in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BodySpan {
    pub body: (usize, usize),
    /// The terminator line's content (without its line break).
    pub terminator: Option<(usize, usize)>,
    /// Where the next body (or the next item) starts.
    pub end: usize,
}

/// Reads a body starting at `pos`, up to the terminator line for `name`.
pub(crate) fn body(src: &str, pos: usize, name: &str, chomp: bool) -> BodySpan {
    let mut at = pos;
    while at < src.len() {
        let l = phys_line(src, at);
        let mut content = &src[l.start..l.content_end];
        if chomp {
            content = content.trim_start_matches('\t');
        }
        if content == name {
            return BodySpan {
                body: (pos, l.start),
                terminator: Some((l.start, l.content_end)),
                end: l.end,
            };
        }
        at = l.end;
    }
    BodySpan {
        body: (pos, src.len()),
        terminator: None,
        end: src.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(line: &str) -> Vec<(String, u32, bool, bool)> {
        openers(line)
            .into_iter()
            .map(|o| (o.name, o.fd, o.chomp, o.expand))
            .collect()
    }

    #[test]
    fn finds_openers_like_buildkit() {
        assert_eq!(names("RUN cat <<EOF"), [("EOF".into(), 0, false, true)]);
        assert_eq!(
            names("RUN 2<<EOF cat <<-\"X\" && a<<Y"),
            [("EOF".into(), 2, false, true), ("X".into(), 0, true, false)]
        );
        assert_eq!(names("RUN cat <<'E F'"), [("E F".into(), 0, false, false)]);
        assert_eq!(
            names("RUN cat <<E\\\"OF"),
            [("E\"OF".into(), 0, false, true)]
        );
        assert!(names("RUN cat << EOF").is_empty());
        assert!(names("RUN echo \"unterm <<EOF").is_empty());
        assert!(names("RUN cat <<<EOF").is_empty());
    }

    #[test]
    fn reads_bodies() {
        let src = "a\n\tb\n\tEOF\nrest";
        assert_eq!(
            body(src, 0, "EOF", true),
            BodySpan {
                body: (0, 5),
                terminator: Some((5, 9)),
                end: 10
            }
        );
        assert_eq!(body(src, 0, "EOF", false).terminator, None);
    }
}
