//! Golden tests: `tests/split/<case>/Dockerfile` split with the case's build context (the
//! other files in the folder) must give `expected.Dockerfile`, which must lint clean of
//! correctness and cache findings, keep every line of the input, and not be split again.
//!
//! `options` in a case folder holds `runtime=<slim|alpine|distroless|scratch>`.
//! Set `UPDATE_GOLDEN=1` to rewrite the expected files (then read every diff).
//!
//! Docker is not available where these tests run, so the outputs are not built; they were
//! reviewed by reading them as a Dockerfile expert would (see `docs/code-actions.md`).

use std::path::PathBuf;

use super::tests::{analysis_with_context, correctness_or_cache, lost_text};
use super::*;

const NOT_CONTEXT: &[&str] = &["Dockerfile", "expected.Dockerfile", "options"];

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../tests/split")
}

#[test]
fn golden_cases() {
    let dir = cases_dir();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Dockerfile").is_file())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 12,
        "expected the golden cases in {}",
        dir.display()
    );
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let input = std::fs::read_to_string(case.join("Dockerfile")).expect("read Dockerfile");
        let mut opts = SplitOptions::default();
        if let Ok(o) = std::fs::read_to_string(case.join("options")) {
            for line in o.lines() {
                if let Some(v) = line.trim().strip_prefix("runtime=") {
                    opts.runtime = Some(Runtime::parse(v).expect("runtime option"));
                }
            }
        }
        let a = analysis_with_context(&input, Some(case), NOT_CONTEXT);
        let s = match split(&a, &opts) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{name}: not applicable: {e}"));
                continue;
            }
        };
        let expected_path = case.join("expected.Dockerfile");
        if update {
            std::fs::write(&expected_path, &s.text).expect("write expected");
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if s.text != expected {
            failures.push(format!(
                "{name}: output differs from expected.Dockerfile\n--- got ---\n{}\n--- expected ---\n{expected}",
                s.text
            ));
        }
        let lost = lost_text(&a, &s.text, &s.replaced);
        if !lost.is_empty() {
            failures.push(format!("{name}: lost {lost:?}"));
        }
        let out = analysis_with_context(&s.text, Some(case), NOT_CONTEXT);
        let errors = out.file.errors();
        if !errors.is_empty() {
            failures.push(format!("{name}: syntax errors {errors:?}"));
        }
        let findings = correctness_or_cache(&out);
        if !findings.is_empty() {
            failures.push(format!("{name}: lint findings {findings:#?}"));
        }
        if let Ok(again) = split(&out, &opts) {
            failures.push(format!(
                "{name}: the output can be split again:\n{}",
                again.text
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
