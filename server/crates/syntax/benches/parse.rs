//! Parser speed: a full parse of a realistic 10,000-line Dockerfile (throughput), and a
//! one-character edit in the middle re-parsed incrementally. Figures go in
//! docs/dev/performance.md (compare ratios from one run; the machine is shared).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use layerwise_syntax::{Dockerfile, TextRange};

#[path = "gen.rs"]
mod gen;

fn full_parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("full_parse");
    for lines in [1_000usize, 10_000] {
        let text = gen::realistic(lines);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(lines), &text, |b, t| {
            b.iter(|| Dockerfile::parse(t))
        });
    }
    g.finish();
}

fn incremental(c: &mut Criterion) {
    let text = gen::realistic(10_000);
    let at = text.len() / 2;
    let at = (at..)
        .find(|&i| text.is_char_boundary(i) && text.as_bytes()[i] == b' ')
        .unwrap_or(at);
    let mut g = c.benchmark_group("incremental_10k");
    // type one character and delete it again: the tree returns to its start state each time
    g.bench_function("insert_then_delete_char", |b| {
        let mut file = Dockerfile::parse(&text);
        b.iter(|| {
            file.edit(TextRange::new(at as u32, at as u32), "x");
            file.edit(TextRange::new(at as u32, at as u32 + 1), "");
        })
    });
    g.finish();
}

criterion_group!(benches, full_parse, incremental);
criterion_main!(benches);
