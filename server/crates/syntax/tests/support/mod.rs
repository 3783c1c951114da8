//! Finding `../shared/corpus/` (present in CI and for the core team, absent in a user's
//! clone). Tests that need it skip with a message when it is missing, unless
//! `LAYERWISE_REQUIRE_CORPUS=1` is set (as `scripts/test` does when the corpus exists).
#![allow(dead_code)]

use std::path::PathBuf;

pub fn corpus_dir() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let dir = std::env::var_os("LAYERWISE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/corpus"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("LAYERWISE_REQUIRE_CORPUS").is_some() {
        panic!("corpus required but not found at {}", dir.display());
    }
    eprintln!("skipping: no corpus at {}", dir.display());
    None
}

/// Every Dockerfile of the corpus (top-level files and the BuildKit fixtures).
pub fn corpus_files() -> Vec<PathBuf> {
    let Some(dir) = corpus_dir() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk(&dir, &mut out);
    out.sort();
    out
}

fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.file_name().is_some_and(|n| {
            let n = n.to_string_lossy();
            n.ends_with(".Dockerfile") || n == "Dockerfile"
        }) {
            out.push(p);
        }
    }
}

pub fn read_lossy(p: &std::path::Path) -> String {
    String::from_utf8_lossy(&std::fs::read(p).expect("read corpus file")).into_owned()
}
