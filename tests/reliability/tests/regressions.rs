//! Replays every input the fuzzers found (`inputs/<target>/*`) through the same checks the
//! fuzz targets run. An input listed in `known-failures.txt` is a finding not fixed yet: it
//! must still fail, with the finding id given there (so the list stays true); when the fix
//! lands this test says so, and the line is deleted. Every other input must pass.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use layerwise_reliability::{
    check_actions, check_analyze, check_format, check_parse, check_reparse,
};

/// One of the checks of the library, run on an input's bytes.
type Check = fn(&[u8]);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `target/file` -> finding id, from `known-failures.txt` (`#` starts a comment).
fn known() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root().join("known-failures.txt")).unwrap_or_default();
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            Some((w.next()?.to_string(), w.next()?.to_string()))
        })
        .collect()
}

/// The reparse check on an input of `inputs/reparse/`: JSON
/// `{"text": "…", "edits": [[start, length, "inserted"], …]}`, the values the fuzz target
/// decodes from its bytes (see `check_reparse` for how they are clamped).
fn reparse_json(data: &[u8]) {
    let v: serde_json::Value = serde_json::from_slice(data).expect("inputs/reparse/*.json is JSON");
    let text = v["text"].as_str().unwrap_or_default().to_string();
    let edits: Vec<(u16, u16, String)> = v["edits"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    let n = |i: usize| e[i].as_u64().unwrap_or(0).min(u16::MAX as u64) as u16;
                    (n(0), n(1), e[2].as_str().unwrap_or_default().to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    check_reparse(text, &edits);
}

/// Whether a failure message is the finding `id` (written with `_` for spaces): `[id] …`
/// from a check, or, for a plain panic in the code under test, `panic:<words>` found in it.
fn is_finding(message: &str, id: &str) -> bool {
    let id = id.replace('_', " ");
    match id.strip_prefix("panic:") {
        Some(words) => message.contains(words),
        None => message.starts_with(&format!("[{id}]")),
    }
}

/// The panic message of running `check` on `data`, if it panicked.
fn run(check: Check, data: &[u8]) -> Option<String> {
    let err = catch_unwind(AssertUnwindSafe(|| check(data))).err()?;
    Some(
        err.downcast_ref::<String>()
            .cloned()
            .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "(panic without a message)".into()),
    )
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn every_input_found_by_fuzzing_passes_or_is_a_known_failure() {
    let known = known();
    let targets: [(&str, Check); 5] = [
        ("parse", check_parse),
        ("reparse", reparse_json),
        ("analyze", check_analyze),
        ("format", check_format),
        ("actions", check_actions),
    ];
    // the checks' panics are expected here; keep the output to the summary below
    std::panic::set_hook(Box::new(|_| {}));
    let mut problems = Vec::new();
    let mut seen = 0;
    for (target, check) in targets {
        for path in inputs(&root().join("inputs").join(target)) {
            let name = format!(
                "{target}/{}",
                path.file_name().unwrap_or_default().to_string_lossy()
            );
            let data = std::fs::read(&path).unwrap_or_default();
            seen += 1;
            match (run(check, &data), known.get(&name)) {
                (None, None) => {}
                (Some(msg), None) => problems.push(format!("{name} fails: {msg}")),
                (None, Some(id)) => problems.push(format!(
                    "{name} passes now ([{id}] is fixed): delete its line from known-failures.txt"
                )),
                (Some(msg), Some(id)) if !is_finding(&msg, id) => problems.push(format!(
                    "{name} is listed as [{id}] but fails otherwise: {msg}"
                )),
                (Some(_), Some(_)) => {}
            }
        }
    }
    let _ = std::panic::take_hook();
    for name in known.keys() {
        if !root().join("inputs").join(name).is_file() {
            problems.push(format!(
                "known-failures.txt lists {name}, which does not exist"
            ));
        }
    }
    assert!(
        seen > 0,
        "no inputs found under {}",
        root().join("inputs").display()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
