//! Property test over every Dockerfile in `../shared/corpus/` (skipped when absent, required
//! with `LAYERWISE_REQUIRE_CORPUS=1`): the split and every action, applied one by one, keep
//! the file parsing with no new syntax errors; the split keeps every instruction, comment
//! and heredoc (moved, not dropped) except those it rewrites on purpose; and applying twice
//! changes nothing more (the split is not offered on its own output, fix-all converges, and
//! our rewrites are not offered again where they were applied).

use layerwise_syntax::{Dockerfile, TextRange};
use layerwise_test_support::{corpus_dir, dockerfiles_under};

use super::*;
use crate::split::tests::lost_text;
use crate::split::{split, SplitOptions};
use crate::Analysis;

fn errors(text: &str) -> usize {
    Dockerfile::parse(text).errors().len()
}

/// Checks one file; returns the problems found.
fn check_file(name: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let a = Analysis::from_text(text);
    let before = a.file.errors().len();
    let whole = TextRange::new(0, a.file.len());

    // the split
    if let Ok(s) = split(&a, &SplitOptions::default()) {
        if errors(&s.text) > before {
            problems.push(format!(
                "{name}: split adds syntax errors: {:?}",
                Dockerfile::parse(&s.text).errors()
            ));
        }
        let lost = lost_text(&a, &s.text, &s.replaced);
        if !lost.is_empty() {
            problems.push(format!("{name}: split loses {lost:?}"));
        }
        let again = Analysis::from_text(&s.text);
        if let Ok(s2) = split(&again, &SplitOptions::default()) {
            problems.push(format!(
                "{name}: split offered again on its output:\n{}",
                s2.text
            ));
        }
    }

    // every action, one by one
    let acts = code_actions(&a, whole);
    for act in &acts {
        if act.edits.is_empty() {
            continue;
        }
        let out = apply(&a, &act.edits);
        // the quick fixes' syntax check edits the tree instead of parsing `out` (F16)
        let edited = with_edits(&a, &act.edits);
        if edited != Dockerfile::parse(&out) || syntax_errors(&edited) != errors(&out) {
            problems.push(format!(
                "{name}: `{}`: the edited tree is not the parse of the edited text",
                act.title
            ));
        }
        if errors(&out) > before {
            problems.push(format!(
                "{name}: `{}` adds syntax errors: {:?}",
                act.title,
                Dockerfile::parse(&out).errors()
            ));
        }
        // our own rewrites: not offered again where they were applied
        let ours =
            matches!(act.kind, ActionKind::RefactorRewrite) && !act.title.starts_with("Split");
        if ours {
            let after = Analysis::from_text(&out);
            let n_before = acts.iter().filter(|x| x.title == act.title).count();
            let n_after = code_actions(&after, TextRange::new(0, after.file.len()))
                .iter()
                .filter(|x| x.title == act.title)
                .count();
            if n_after >= n_before {
                problems.push(format!(
                    "{name}: `{}` is still offered after applying it",
                    act.title
                ));
            }
        }
    }

    // ignoring works: the first diagnostic of each rule, silenced for its instruction
    let mut done: Vec<&str> = Vec::new();
    for act in acts
        .iter()
        .filter(|x| x.title.ends_with("for this instruction"))
    {
        let Some(&i) = act.diagnostics.first() else {
            continue;
        };
        let d = &a.diagnostics()[i];
        if done.contains(&d.rule.name) || done.len() >= 4 {
            continue;
        }
        done.push(d.rule.name);
        let out = apply(&a, &act.edits);
        let after = Analysis::from_text(&out);
        let shift: i64 = act
            .edits
            .iter()
            .filter(|e| e.range.end <= d.range.start)
            .map(|e| e.text.len() as i64 - e.range.len() as i64)
            .sum();
        let moved = (d.range.start as i64 + shift) as u32;
        let still = after
            .diagnostics()
            .iter()
            .any(|x| x.rule.name == d.rule.name && x.range.start == moved);
        if still {
            problems.push(format!("{name}: `{}` does not silence it", act.title));
        }
    }

    // fix-all converges
    if let Some(act) = fix_all(&a) {
        let out = apply(&a, &act.edits);
        // the quick fixes' syntax check edits the tree instead of parsing `out` (F16)
        let edited = with_edits(&a, &act.edits);
        if edited != Dockerfile::parse(&out) || syntax_errors(&edited) != errors(&out) {
            problems.push(format!(
                "{name}: `{}`: the edited tree is not the parse of the edited text",
                act.title
            ));
        }
        if errors(&out) > before {
            problems.push(format!("{name}: fix-all adds syntax errors"));
        }
        let (again, n) = fix_all_text(&Analysis::from_text(&out));
        if n > 0 && again != out {
            let rules: Vec<&str> = Analysis::from_text(&out)
                .diagnostics()
                .iter()
                .filter(|d| {
                    d.fixes
                        .first()
                        .is_some_and(|f| f.applicability == layerwise_lint::Applicability::Safe)
                })
                .map(|d| d.rule.name)
                .collect();
            problems.push(format!(
                "{name}: fix-all does not converge (still fixing {rules:?})"
            ));
        }
    }
    problems
}

#[test]
fn every_corpus_file_survives_every_action() {
    let Some(dir) = corpus_dir() else { return };
    let files = dockerfiles_under(&dir);
    let mut problems = Vec::new();
    let mut split_count = 0;
    for f in &files {
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap_or_default()).into_owned();
        if text.len() > 1 << 20 {
            continue;
        }
        let name = f.strip_prefix(&dir).unwrap_or(f).display().to_string();
        if split(&Analysis::from_text(&text), &SplitOptions::default()).is_ok() {
            split_count += 1;
        }
        problems.extend(check_file(&name, &text));
    }
    eprintln!("{} corpus files, {split_count} split", files.len());
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn generated_files_survive_every_action() {
    // a few shapes the corpus may not have
    for text in [
        "FROM node:20\nRUN npm install\r\nCMD npm start",
        "# syntax=docker/dockerfile:1\nFROM python:3.12\nRUN <<EOF\npip install flask\nEOF\nCMD python -m flask run\n",
        "FROM golang:1.22 AS build\nRUN go build -o /x .\nFROM golang:1.22\nCOPY --from=build /x /x\nRUN apt-get update\nRUN apt-get install -y gcc\nCMD /x\n",
        "ARG BASE=rust:1.80\nFROM ${BASE}\nCOPY . .\nRUN cargo build --release\nENTRYPOINT [\"./target/release/x\"]\n",
        "FROM maven:3.9-eclipse-temurin-17\n  WORKDIR /w\n  COPY . .\n  RUN mvn package\n",
        "FROM node:20\n\\\n",
        "FROM\n",
    ] {
        let problems = check_file("generated", text);
        assert!(problems.is_empty(), "{text}\n{}", problems.join("\n"));
    }
}

/// Prints the split of `LAYERWISE_SPLIT_FILE` (a debugging aid: `cargo test -p
/// layerwise-ide show_split -- --ignored --nocapture`).
#[test]
#[ignore]
fn show_split() {
    let Some(path) = std::env::var_os("LAYERWISE_SPLIT_FILE") else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let a = Analysis::from_text(&text);
    match split(&a, &SplitOptions::default()) {
        Ok(s) => {
            println!("{}\n---- notes: {:?}", s.text, s.notes);
            let again = Analysis::from_text(&s.text);
            println!("---- again: {:?}", crate::split::applicable(&again));
        }
        Err(e) => println!("not applicable: {e}"),
    }
}
