//! Helpers the crates' tests share, so that each finds the same files the same way. A
//! dev-dependency only: nothing here ships.
//!
//! `../shared/corpus/` (1,100+ real Dockerfiles) is present in CI and for the core team and
//! absent in a user's clone. Tests that need it skip with a message when it is missing,
//! unless `LAYERWISE_REQUIRE_CORPUS=1` is set (as `scripts/test` does when the corpus
//! exists), so that a missing corpus cannot pass unnoticed where it should be.
//! `LAYERWISE_CORPUS` points at another copy.
//!
//! `facts` holds image-facts fixtures shared by the editor features' tests; it needs the
//! analysis crate, so it sits behind the default `facts` feature, which the syntax crate's
//! tests turn off (they sit below analysis).

use std::path::{Path, PathBuf};

#[cfg(feature = "facts")]
pub mod facts;

/// The corpus folder, or `None` (with a message on stderr) when it is absent.
///
/// # Panics
/// When it is absent and `LAYERWISE_REQUIRE_CORPUS` is set: the suite asked for it.
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

/// Every Dockerfile of the corpus (top-level files and the BuildKit fixtures), sorted; empty
/// when the corpus is absent.
pub fn corpus_files() -> Vec<PathBuf> {
    corpus_dir()
        .map(|d| dockerfiles_under(&d))
        .unwrap_or_default()
}

/// The files named `Dockerfile` or `*.Dockerfile` under `dir`, at any depth, sorted. Links
/// are followed as the file system shows them; unreadable folders are skipped.
pub fn dockerfiles_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
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

/// A corpus file's text, invalid UTF-8 replaced (some fixtures are not UTF-8 on purpose).
///
/// # Panics
/// When the file cannot be read: a listed corpus file that vanished is a broken corpus.
pub fn read_lossy(p: &Path) -> String {
    let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_dockerfiles_at_any_depth_sorted() {
        let root = std::env::temp_dir().join(format!("layerwise-ts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("b/deep")).unwrap();
        for f in [
            "b/deep/Dockerfile",
            "a.Dockerfile",
            "Dockerfile.dev",
            "notes.md",
            "b/x.Dockerfile",
        ] {
            std::fs::write(root.join(f), "FROM x\n").unwrap();
        }
        let found: Vec<String> = dockerfiles_under(&root)
            .iter()
            .map(|p| {
                p.strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        let _ = std::fs::remove_dir_all(&root);
        assert_eq!(
            found,
            ["a.Dockerfile", "b/deep/Dockerfile", "b/x.Dockerfile"]
        );
        assert!(
            dockerfiles_under(&root).is_empty(),
            "a missing folder has none"
        );
    }

    #[test]
    fn reads_invalid_utf8_lossily() {
        let p = std::env::temp_dir().join(format!("layerwise-ts-{}.bin", std::process::id()));
        std::fs::write(&p, b"FROM \xff\n").unwrap();
        let text = read_lossy(&p);
        let _ = std::fs::remove_file(&p);
        assert_eq!(text, "FROM \u{fffd}\n");
    }
}
