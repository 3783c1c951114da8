//! What it means for two Dockerfiles to mean the same thing, for formatting.
//!
//! Follows the definition of `server/crates/ide/tests/format_corpus.rs` (a test file, so it
//! cannot be linked): BuildKit's records of each instruction, ignoring line numbers, the case
//! of `AS` in `FROM`, and the width of unquoted blanks in shell-form commands (the shell reads
//! any run of them as one separator). Keep the two in step.

use layerwise_syntax::buildkit::{records, NodeRecord};
use layerwise_syntax::Dockerfile;

/// What BuildKit would build from `text`, in a form where formatting-only differences vanish;
/// `None` when the file has a syntax error (BuildKit would refuse it).
pub fn meaning(text: &str) -> Option<Vec<NodeRecord>> {
    let recs = records(&Dockerfile::parse(text)).ok()?;
    Some(recs.into_iter().map(normal).collect())
}

fn normal(mut r: NodeRecord) -> NodeRecord {
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
