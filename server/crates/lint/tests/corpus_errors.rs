//! The correctness bar: no `error` on any corpus Dockerfile that builds. Every error finding
//! on the corpus must be listed, with the reason, in `tests/corpus/expected-errors.tsv`
//! (deliberately broken fixtures of other tools, templates...). A listed error that no longer
//! occurs is reported too, so the list stays true. Skips when `../shared/corpus` is absent.

use std::collections::BTreeSet;
use std::path::PathBuf;

use layerwise_analysis::{Model, ModelOptions};
use layerwise_lint::{Config, Facts, LintContext, Severity};
use layerwise_syntax::Dockerfile;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

#[test]
fn no_unexpected_errors_on_the_corpus() {
    let corpus = std::env::var_os("LAYERWISE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/corpus"));
    if !corpus.is_dir() {
        assert!(
            std::env::var_os("LAYERWISE_REQUIRE_CORPUS").is_none(),
            "corpus required at {}",
            corpus.display()
        );
        eprintln!("skipping: no corpus at {}", corpus.display());
        return;
    }
    let list_path = root().join("tests/corpus/expected-errors.tsv");
    let list = std::fs::read_to_string(&list_path).unwrap_or_default();
    let expected: BTreeSet<(String, String)> = list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?.to_string(), f.next()?.to_string()))
        })
        .collect();
    let mut found: BTreeSet<(String, String)> = BTreeSet::new();
    let mut files = Vec::new();
    collect(&corpus, &mut files);
    for path in &files {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let file = Dockerfile::parse(&text);
        let model = Model::build(&file, ModelOptions::default());
        let facts = Facts::default();
        let cx = LintContext::new(&file, &text, &model, &facts);
        let rel = path.strip_prefix(&corpus).unwrap().display().to_string();
        for d in layerwise_lint::lint(&cx, &Config::default()) {
            if d.severity == Severity::Error {
                found.insert((rel.clone(), d.rule.name.to_string()));
            }
        }
    }
    let unexpected: Vec<_> = found
        .difference(&expected)
        .map(|(f, r)| format!("{f}\t{r}"))
        .collect();
    let stale: Vec<_> = expected
        .difference(&found)
        .map(|(f, r)| format!("{f}\t{r}"))
        .collect();
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{} file(s) checked.\nUnexpected errors (fix the rule, or list the file with the reason in tests/corpus/expected-errors.tsv):\n{}\nListed but no longer found (remove from the list):\n{}",
        files.len(),
        unexpected.join("\n"),
        stale.join("\n")
    );
}

fn collect(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(".Dockerfile") || n == "Dockerfile")
        {
            out.push(p);
        }
    }
    out.sort();
}
