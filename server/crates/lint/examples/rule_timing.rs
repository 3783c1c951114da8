//! Times the linter on one file:
//! `cargo run --release -p layerwise-lint --example rule_timing -- FILE [REPEAT] [--lint-only]
//! [--one-thread]`.
//!
//! For finding what makes a big file slow. Each figure is the median of REPEAT runs (default
//! 21) because the machine is shared and single runs are noisy: parse, model, the whole
//! `lint` (every rule with the default config, suppressions included, each run on a fresh
//! context so shared per-file caches are rebuilt as in the server), then each rule on its
//! own, slowest first. `--lint-only` stops after the whole-`lint` figure, for counting CPU
//! instructions with `perf stat -e instructions:u`, which unlike wall time does not depend
//! on what else the machine is running. `--one-thread` keeps a big file's rules on one thread
//! (as `layerwise check` on many files does), so that one profile holds all of `lint`.

use std::time::{Duration, Instant};

use layerwise_analysis::{Model, ModelOptions};
use layerwise_lint::{Config, Facts, LintContext};
use layerwise_syntax::Dockerfile;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn time<T>(repeat: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(repeat);
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        last = Some(f());
        times.push(t.elapsed());
    }
    (median(times), last.expect("ran at least once"))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: rule_timing FILE [REPEAT] [--lint-only] [--one-thread]");
        std::process::exit(2);
    };
    let repeat: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(21);
    if std::env::args().any(|a| a == "--one-thread") {
        layerwise_lint::engine::allow_two_threads(false);
        layerwise_syntax::allow_two_threads(false);
    }
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("rule_timing: cannot read {path}: {e}");
            std::process::exit(2);
        }
    };
    let (parse, file) = time(repeat, || Dockerfile::parse(&text));
    let (model_time, model) = time(repeat, || Model::build(&file, ModelOptions::default()));
    let facts = Facts::default();
    let config = Config::default();
    let (lint_time, found) = time(repeat, || {
        let cx = LintContext::new(&file, &text, &model, &facts);
        layerwise_lint::lint(&cx, &config).len()
    });
    println!(
        "{} lines, median of {repeat}: parse {parse:.2?}, model {model_time:.2?}, \
         lint (all enabled rules) {lint_time:.2?}, {found} findings",
        text.lines().count()
    );
    if std::env::args().any(|a| a == "--lint-only") {
        return;
    }
    let mut per_rule: Vec<(Duration, &str, usize)> = layerwise_lint::rules::all()
        .map(|r| {
            let (d, n) = time(repeat, || {
                let cx = LintContext::new(&file, &text, &model, &facts);
                let mut out = Vec::new();
                r.check(&cx, &mut out);
                out.len()
            });
            (d, r.meta().name, n)
        })
        .collect();
    per_rule.sort_by_key(|t| std::cmp::Reverse(t.0));
    let sum: Duration = per_rule.iter().map(|t| t.0).sum();
    println!("sum of per-rule medians (each on a fresh context): {sum:.2?}");
    for (d, name, n) in per_rule.iter().take(15) {
        println!("{d:>12.3?}  {name} ({n} findings)");
    }
}
