//! Formatting never changes what a Dockerfile means: every file of `../shared/corpus/` is
//! formatted, and BuildKit's view of it (`buildkit::records`, as the Python binding of
//! BuildKit's parser reports it) must be the same before and after. Formatting twice must
//! change nothing more. Skips when the corpus is absent (see `support`).
//!
//! Two differences are allowed, because they are not meaning:
//! - line numbers (re-indenting never adds lines, but comments moving would shift nothing
//!   either way; they are simply not compared);
//! - in shell-form commands, the width of unquoted white space, which the shell reads as one
//!   separator. White space inside quotes is compared exactly. And `AS` in `FROM` is compared
//!   without case, as BuildKit reads it.

#[path = "../../syntax/tests/support/mod.rs"]
mod support;

use layerwise_ide::formatting::{apply, format_document};
use layerwise_ide::Analysis;
use layerwise_syntax::buildkit::{records, NodeRecord};
use layerwise_syntax::Dockerfile;

/// Collapses runs of unquoted blanks, following the shell's quoting (`'…'`, `"…"` with
/// backslash escapes, `` `…` ``, and backslash outside quotes).
fn shell_normal(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
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

#[test]
fn formatting_the_corpus_keeps_every_instruction_and_is_idempotent() {
    let files = support::corpus_files();
    let mut changed = 0usize;
    let mut failures = Vec::new();
    for path in &files {
        let text = support::read_lossy(path);
        let a = Analysis::from_text(&text);
        let edits = format_document(&a);
        if edits.is_empty() {
            continue;
        }
        changed += 1;
        let out = apply(&text, &edits);
        let before = records(&Dockerfile::parse(&text));
        let after = records(&Dockerfile::parse(&out));
        match (before, after) {
            (Ok(b), Ok(f)) => {
                let b: Vec<_> = b.into_iter().map(normal).collect();
                let f: Vec<_> = f.into_iter().map(normal).collect();
                if b != f {
                    let at = b
                        .iter()
                        .zip(&f)
                        .position(|(x, y)| x != y)
                        .unwrap_or(b.len().min(f.len()));
                    failures.push(format!(
                        "{}: instruction {at} differs:\n  before {:?}\n  after  {:?}",
                        path.display(),
                        b.get(at),
                        f.get(at)
                    ));
                }
            }
            (Ok(_), Err(e)) => failures.push(format!(
                "{}: no longer parses: {}",
                path.display(),
                e.message
            )),
            (Err(_), _) => {}
        }
        let again = format_document(&Analysis::from_text(&out));
        if !again.is_empty() {
            failures.push(format!(
                "{}: a second pass still edits {:?}",
                path.display(),
                again
                    .iter()
                    .take(3)
                    .map(|e| (e.range, &e.new_text))
                    .collect::<Vec<_>>()
            ));
        }
    }
    eprintln!("formatted {} files, {changed} changed", files.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn shell_normal_keeps_quoted_white_space() {
    assert_eq!(shell_normal("a   &&  b"), "a && b");
    assert_eq!(
        shell_normal("echo 'a   b'   \"c  \\\" d\""),
        "echo 'a   b' \"c  \\\" d\""
    );
    assert_eq!(shell_normal("a\\  b"), "a\\  b");
}
