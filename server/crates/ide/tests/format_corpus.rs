//! Formatting never changes what a Dockerfile means: every file of `../shared/corpus/` is
//! formatted, and BuildKit's view of it (`buildkit::records`, as the Python binding of
//! BuildKit's parser reports it) must be the same before and after. Formatting twice must
//! change nothing more. Skips when the corpus is absent (see `support`).
//!
//! The differences allowed, because they are not meaning (line numbers, the case of `AS`, the
//! width of unquoted blanks in shell-form commands), are defined once in
//! `layerwise_ide::formatting::meaning`, which the fuzz targets use too.

#[path = "../../syntax/tests/support/mod.rs"]
mod support;

use layerwise_ide::formatting::meaning::normal;
use layerwise_ide::formatting::{apply, format_document};
use layerwise_ide::Analysis;
use layerwise_syntax::buildkit::records;
use layerwise_syntax::Dockerfile;

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
