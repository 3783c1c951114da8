//! What it means for formatting to keep a Dockerfile's meaning: BuildKit's records of each
//! instruction must be the same before and after, except for differences BuildKit or the shell
//! do not see:
//! - line numbers;
//! - the case of `AS` in `FROM` (BuildKit reads it without case);
//! - in shell-form commands, the width of unquoted white space, which the shell reads as one
//!   separator. White space inside quotes is compared exactly.
//!
//! Public so that every check of the formatter (the corpus test, the fuzz targets and their
//! regression inputs) uses this one definition.

use layerwise_syntax::buildkit::{records, NodeRecord};
use layerwise_syntax::Dockerfile;

/// What BuildKit would build from `text`, in a form where formatting-only differences vanish;
/// `None` when the file has a syntax error (BuildKit would refuse it).
pub fn meaning(text: &str) -> Option<Vec<NodeRecord>> {
    let recs = records(&Dockerfile::parse(text)).ok()?;
    Some(recs.into_iter().map(normal).collect())
}

/// One of BuildKit's records with the formatting-only differences taken out.
pub fn normal(mut r: NodeRecord) -> NodeRecord {
    r.start_line = 0;
    r.end_line = 0;
    let cmd = r.sub_cmd.clone().unwrap_or_else(|| r.cmd.clone());
    if cmd == "from" && r.value.get(1).is_some_and(|v| v.eq_ignore_ascii_case("as")) {
        r.value[1] = "AS".into();
    }
    let shell = !r.json
        && match cmd.as_str() {
            "run" | "cmd" | "entrypoint" => true,
            "healthcheck" => r
                .value
                .first()
                .is_some_and(|k| k.eq_ignore_ascii_case("cmd")),
            _ => false,
        };
    if shell {
        let skip = usize::from(cmd == "healthcheck");
        for v in r.value.iter_mut().skip(skip) {
            *v = shell_normal(v);
        }
    }
    r
}

/// Collapses runs of unquoted blanks to one space, following the shell's quoting (`'…'`,
/// `"…"` with backslash escapes, `` `…` ``, and backslash outside quotes).
pub fn shell_normal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    let mut quote: Option<char> = None;
    let mut blank = false;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == '\\' && q != '\'' {
                    out.extend(chars.next());
                } else if c == q {
                    quote = None;
                }
            }
            None if c == ' ' || c == '\t' => {
                if !blank {
                    out.push(' ');
                }
                blank = true;
                continue;
            }
            None => {
                out.push(c);
                match c {
                    '\\' => out.extend(chars.next()),
                    '\'' | '"' | '`' => quote = Some(c),
                    _ => {}
                }
            }
        }
        blank = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_normal_keeps_quoted_white_space() {
        assert_eq!(shell_normal("a   &&  b"), "a && b");
        assert_eq!(
            shell_normal("echo 'a   b'   \"c  \\\" d\""),
            "echo 'a   b' \"c  \\\" d\""
        );
        assert_eq!(shell_normal("a\\  b"), "a\\  b");
        assert_eq!(shell_normal("a\t \tb `x   y`"), "a b `x   y`");
    }

    #[test]
    fn meaning_ignores_as_case_and_blank_width_but_not_words() {
        let base = meaning("FROM a AS b\nRUN echo  x\n");
        assert!(base.is_some());
        assert_eq!(base, meaning("FROM a as b\nRUN   echo x\n"));
        assert_ne!(base, meaning("FROM a AS b\nRUN echo 'x '\n"));
        assert_ne!(
            meaning("FROM a\nWORKDIR /a  b\n"),
            meaning("FROM a\nWORKDIR /a b\n")
        );
        assert_eq!(meaning("FROM a\nRUN \"unterminated\nCOPY <<E x\n"), None);
    }
}
