//! The invariants layerwise must keep on any input, written once and used twice: by the
//! cargo-fuzz targets in `fuzz/` (which search for inputs that break them) and by
//! `tests/regressions.rs` (which replays every input the fuzzers found, from `inputs/`, in
//! the normal `cargo test`).
//!
//! Each check panics when an invariant breaks; the panic message starts with a finding id in
//! brackets (`[format-idempotent] …`). A long fuzzing run can tolerate findings already
//! reported, so it keeps searching for new ones instead of stopping at the first known one:
//! `LAYERWISE_FUZZ_TOLERATE=format-idempotent,action-adds-errors:unknown-instruction`.
//! The regression test never tolerates anything; inputs of findings not fixed yet are listed
//! in `known-failures.txt` and must keep failing with that id until someone fixes them.

pub mod meaning;

use std::sync::OnceLock;

use layerwise_ide::code_actions::{apply, code_actions, fix_all, fix_all_text, ActionKind};
use layerwise_ide::completion::{complete, NoImages};
use layerwise_ide::formatting::{self, format_document, format_on_type, format_range};
use layerwise_ide::{hover::hover, Analysis};
use layerwise_lint::{fixes::apply_fixes, Config, Level};
use layerwise_syntax::{buildkit, Dockerfile, TextRange};

/// Inputs above this many bytes are skipped: the checks look for wrong answers, not slow ones,
/// and small inputs keep a fuzzer's executions per second high.
pub const MAX_INPUT: usize = 4096;

/// Every rule enabled at its own severity, so every rule and every fix runs.
pub fn all_rules() -> Config {
    let mut config = Config::default();
    for r in layerwise_lint::rules::all() {
        config
            .rules
            .insert(r.meta().name.to_string(), Level::On(r.meta().severity));
    }
    config
}

/// The number of syntax errors of `text`.
pub fn errors(text: &str) -> usize {
    Dockerfile::parse(text).errors().len()
}

fn tolerated(id: &str) -> bool {
    static LIST: OnceLock<Vec<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        std::env::var("LAYERWISE_FUZZ_TOLERATE")
            .unwrap_or_default()
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
    .iter()
    .any(|t| t == id)
}

/// Reports a broken invariant: panics with `[id] message`, unless the id is tolerated.
fn violated(id: &str, message: impl FnOnce() -> String) {
    if !tolerated(id) {
        panic!("[{id}] {}", message());
    }
}

fn input(data: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(data).into_owned();
    (text.len() <= MAX_INPUT).then_some(text)
}

/// Parsing is lossless, every token of every item is contiguous, the items cover the file,
/// and BuildKit's views of the tree never panic.
pub fn check_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let file = Dockerfile::parse(&text);
    if file.text() != text {
        violated("parse-lossless", || format!("{text:?}"));
    }
    let mut end = 0;
    for r in file.items() {
        let mut pos = 0;
        for t in r.item.tokens() {
            if t.range.start != pos {
                violated("parse-token-gap", || format!("{text:?} at {pos}"));
            }
            pos = t.range.end;
        }
        if pos != r.item.len() {
            violated("parse-token-gap", || format!("{text:?} item end {pos}"));
        }
        end = r.range().end;
    }
    if end != file.len() {
        violated("parse-items-cover", || format!("{text:?}"));
    }
    let _ = buildkit::dump(&file);
    let _ = buildkit::records(&file);
}

/// An incremental edit gives the same tree as a full parse of the edited text. Edits are
/// clamped into the text and onto character boundaries.
pub fn check_reparse(mut text: String, edits: &[(u16, u16, String)]) {
    let mut file = Dockerfile::parse(&text);
    for (a, b, insert) in edits.iter().take(16) {
        let len = text.len();
        let mut a = (*a as usize).min(len);
        let mut b = (a + *b as usize % 8).min(len);
        while !text.is_char_boundary(a) {
            a -= 1;
        }
        while !text.is_char_boundary(b) {
            b += 1;
        }
        file.edit(TextRange::from_usize(a, b), insert);
        text.replace_range(a..b, insert);
        if file != Dockerfile::parse(&text) {
            // a byte-order mark after the start of the file is one known cause; its own id
            // lets a long run tolerate it and still find the others
            let id = if text.chars().skip(1).any(|c| c == '\u{feff}') {
                "reparse-differs-bom"
            } else {
                "reparse-differs"
            };
            violated(id, || {
                format!("{text:?} after editing {a}..{b} with {insert:?}")
            });
        }
    }
}

/// The model and every rule (all enabled) never panic, their first fixes applied together
/// add no syntax error, and hover and completion at every 7th offset never panic.
pub fn check_analyze(data: &[u8]) {
    let Some(text) = input(data) else { return };
    let mut analysis = Analysis::from_text(&text);
    analysis.config = all_rules();
    let diags = analysis.diagnostics();
    let before = analysis.file.errors().len();
    let (fixed, _) = apply_fixes(&text, diags.iter().flat_map(|d| d.fixes.first()), true);
    if errors(&fixed) > before {
        violated("analyze-fixes-add-errors", || {
            format!("{text:?}\n->\n{fixed:?}")
        });
    }
    for offset in (0..=text.len() as u32).step_by(7) {
        let _ = hover(&analysis, offset);
        let _ = complete(&analysis, offset, true, &NoImages);
    }
}

/// Formatting keeps the result lossless, adds no syntax error, never changes what BuildKit
/// builds ([`meaning`]), and a second pass changes nothing. Range and on-type formatting
/// return edits inside the document.
pub fn check_format(data: &[u8]) {
    let Some(text) = input(data) else { return };
    let a = Analysis::from_text(&text);
    let out = formatting::apply(&text, &format_document(&a));
    if Dockerfile::parse(&out).text() != out {
        violated("format-lossless", || format!("{text:?}"));
    }
    if errors(&out) > a.file.errors().len() {
        violated("format-adds-errors", || format!("{text:?}\n->\n{out:?}"));
    }
    if let Some(before) = meaning::meaning(&text) {
        match meaning::meaning(&out) {
            None => violated("format-adds-errors", || format!("{text:?}\n->\n{out:?}")),
            Some(after) if after != before => {
                let at = before
                    .iter()
                    .zip(&after)
                    .position(|(x, y)| x != y)
                    .unwrap_or(before.len().min(after.len()));
                violated("format-meaning", || {
                    format!(
                        "{text:?}\n->\n{out:?}\ninstruction {at}: {:?}\n                -> {:?}",
                        before.get(at),
                        after.get(at)
                    )
                });
            }
            Some(_) => {}
        }
    }
    let again = format_document(&Analysis::from_text(&out));
    if !again.is_empty() {
        violated("format-idempotent", || {
            format!("second pass still edits {again:?}:\n{text:?}\n->\n{out:?}")
        });
    }
    let len = text.len() as u32;
    let inside =
        |e: &layerwise_ide::navigation::Edit| e.range.start <= e.range.end && e.range.end <= len;
    let mid = (data.first().copied().unwrap_or(0) as u32 * len / 255).min(len);
    if !format_range(&a, TextRange::new(mid, len))
        .iter()
        .all(inside)
    {
        violated("format-edit-outside", || {
            format!("range {mid}..{len} of {text:?}")
        });
    }
    let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i as u32 + 1));
    for offset in starts.take(64) {
        if !format_on_type(&a, offset).iter().all(inside) {
            violated("format-edit-outside", || {
                format!("on type at {offset} of {text:?}")
            });
        }
    }
}

fn analyse(text: &str) -> Analysis {
    let mut a = Analysis::from_text(text);
    a.config = all_rules();
    a
}

/// A stable name for where an action comes from: the rule for a rule's fix, else its kind
/// and the words of its title before any quoted or numeric detail.
fn source(a: &Analysis, act: &layerwise_ide::code_actions::CodeAction) -> String {
    if act.kind == ActionKind::QuickFix {
        if let Some(d) = act
            .diagnostics
            .first()
            .and_then(|&i| a.diagnostics().get(i))
        {
            return d.rule.name.to_string();
        }
    }
    let words: String = act
        .title
        .chars()
        .take_while(|c| !matches!(c, '`' | '(' | '\'' | '"' | ':') && !c.is_ascii_digit())
        .collect();
    format!("{}:{}", act.kind.as_str(), words.trim())
}

/// Every code action (every rule fix, safe or not, our rewrites, the split, "ignore" and
/// fix-all), with every rule enabled: the result is lossless and adds no syntax error, and
/// applying twice changes nothing more — fix-all converges, and our own rewrites are not
/// offered again where they were applied.
pub fn check_actions(data: &[u8]) {
    let Some(text) = input(data) else { return };
    let a = analyse(&text);
    let before = a.file.errors().len();
    let whole = TextRange::new(0, a.file.len());
    let acts = code_actions(&a, whole);
    for act in &acts {
        let out = apply(&a, &act.edits);
        if Dockerfile::parse(&out).text() != out {
            violated("action-lossless", || format!("{text:?}"));
        }
        if errors(&out) > before {
            let src = source(&a, act);
            violated(&format!("action-adds-errors:{src}"), || {
                format!("`{}`:\n{text:?}\n->\n{out:?}", act.title)
            });
        }
        let ours = act.kind == ActionKind::RefactorRewrite && !act.title.starts_with("Split");
        if ours && !act.edits.is_empty() {
            let after = analyse(&out);
            let n_before = acts.iter().filter(|x| x.title == act.title).count();
            let n_after = code_actions(&after, TextRange::new(0, after.file.len()))
                .iter()
                .filter(|x| x.title == act.title)
                .count();
            if n_after >= n_before {
                let src = source(&a, act);
                violated(&format!("action-offered-again:{src}"), || {
                    format!("`{}`:\n{text:?}\n->\n{out:?}", act.title)
                });
            }
        }
    }
    // a cursor at an input-chosen place asks for a different subset, with the same guarantees
    let at = (data.last().copied().unwrap_or(0) as u32 * a.file.len() / 255).min(a.file.len());
    for act in code_actions(&a, TextRange::new(at, at)) {
        let out = apply(&a, &act.edits);
        if errors(&out) > before {
            let src = source(&a, &act);
            violated(&format!("action-adds-errors:{src}"), || {
                format!("`{}` at {at}:\n{text:?}\n->\n{out:?}", act.title)
            });
        }
    }
    if let Some(act) = fix_all(&a) {
        let out = apply(&a, &act.edits);
        if errors(&out) > before {
            violated("fix-all-adds-errors", || format!("{text:?}\n->\n{out:?}"));
        }
        let (again, n) = fix_all_text(&analyse(&out));
        if n > 0 && again != out {
            violated("fix-all-converges", || {
                format!("{text:?}\n->\n{out:?}\n->\n{again:?}")
            });
        }
    }
}
