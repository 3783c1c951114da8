//! Times every rule on one file: `cargo run --release -p layerwise-lint --example rule_timing -- FILE`.
//! For finding the rule that makes a big file slow; prints the slowest first.

use std::time::Instant;

use layerwise_analysis::{Model, ModelOptions};
use layerwise_lint::{Facts, LintContext};
use layerwise_syntax::Dockerfile;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: rule_timing FILE");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let t = Instant::now();
    let file = Dockerfile::parse(&text);
    let parse = t.elapsed();
    let t = Instant::now();
    let model = Model::build(&file, ModelOptions::default());
    let model_time = t.elapsed();
    let facts = Facts::default();
    let cx = LintContext::new(&file, &text, &model, &facts);
    let mut times = Vec::new();
    for r in layerwise_lint::rules::all() {
        let t = Instant::now();
        let mut out = Vec::new();
        r.check(&cx, &mut out);
        times.push((t.elapsed(), r.meta().name, out.len()));
    }
    times.sort_by_key(|t| std::cmp::Reverse(t.0));
    println!(
        "parse {parse:?}, model {model_time:?}, all rules {:?}",
        times.iter().map(|t| t.0).sum::<std::time::Duration>()
    );
    for (d, name, n) in times.iter().take(12) {
        println!("{d:>12.3?}  {name} ({n} findings)");
    }
}
