//! Repeats one editor request on a file so a profiler (callgrind) sees its cost and not the
//! analysis: `request_profile FILE LINE COLUMN (complete|hover) [REPEAT]`. LINE and COLUMN are
//! 0-based; COLUMN counts bytes. Used for the completion and hover figures in
//! docs/dev/performance.md (the analysis is built once, outside the loop).

mod support;

use layerwise_ide::completion::{complete, NoImages};
use layerwise_ide::hover::hover;
use layerwise_ide::Analysis;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: request_profile FILE LINE COLUMN (complete|hover) [REPEAT]";
    let (Some(path), Some(line), Some(column), Some(what)) =
        (args.first(), args.get(1), args.get(2), args.get(3))
    else {
        support::usage_exit(usage);
    };
    let text = support::read_text(path);
    let number = |s: &str| {
        s.parse::<usize>()
            .unwrap_or_else(|_| support::usage_exit(usage))
    };
    let (line, column) = (number(line), number(column));
    let repeat = args.get(4).map_or(1000, |s| number(s));
    let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let offset = (line_start + column).min(text.len()) as u32;
    let analysis = Analysis::from_text(&text);
    let started = std::time::Instant::now();
    let mut answers = 0usize;
    for _ in 0..repeat {
        answers += match what.as_str() {
            "complete" => complete(&analysis, offset, true, &NoImages).len(),
            "hover" => usize::from(hover(&analysis, offset).is_some()),
            _ => support::usage_exit(usage),
        };
    }
    let each = started.elapsed() / repeat.max(1) as u32;
    println!("{what} at {line}:{column}: {answers} items over {repeat} runs, {each:?} each");
}
