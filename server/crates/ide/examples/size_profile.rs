//! Runs the size passes of `benches/inlay_hints.rs` a fixed number of times, for a profiler
//! that counts instructions (load on a shared machine does not change those):
//!
//! ```text
//! cargo build --release -p layerwise-ide --example size_profile
//! valgrind --tool=callgrind target/release/examples/size_profile estimate 1000 20
//! ```
//!
//! Modes: `estimate` (estimate + hints), `hints` (hints from one estimate), `labels` (hints
//! without tooltips from one estimate), `hover` (base-image hover). Prints the wall time per pass as a rough figure.

#[path = "../benches/support/fixture.rs"]
mod fixture;

use layerwise_ide::hover::hover;
use layerwise_ide::inlay_hints::{inlay_hints, inlay_hints_without_tooltips};
use layerwise_ide::sizes::estimate;
use layerwise_syntax::TextRange;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("estimate", String::as_str);
    let lines: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1_000);
    let passes: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(20);
    let text = fixture::dockerfile(lines);
    let a = fixture::analysis(&text);
    let inputs = fixture::inputs();
    let all = TextRange::new(0, text.len() as u32);
    let sizes = estimate(&a, &inputs);
    let (image, _) = fixture::hover_offsets(&text);
    let started = Instant::now();
    let mut n = 0usize;
    for _ in 0..passes {
        n += match mode {
            "hints" => inlay_hints(&a, &sizes, all).len(),
            "labels" => inlay_hints_without_tooltips(&a, &sizes, all).len(),
            "hover" => hover(&a, image).map_or(0, |h| h.markdown.len()),
            _ => inlay_hints(&a, &estimate(&a, &inputs), all).len(),
        };
    }
    let per = started.elapsed() / passes.max(1) as u32;
    println!("{mode} on {lines} lines: {per:?} per pass ({n} items)");
}
