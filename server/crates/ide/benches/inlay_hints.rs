//! A full inlay-hint pass (size estimates for every instruction, then the hints for the whole
//! document) and hovers on generated multi-stage Dockerfiles of 1,000 and 10,000 lines, with
//! image facts (as the registry cache gives them), a build context and a lockfile in place.
//! Hint figures: cold (estimate + hints, as after an edit), warm (hints from the estimates
//! the server caches per document version) and warm without tooltips (what a client that
//! resolves tooltips lazily is sent). Hover figures: on a base image (sizes, digest,
//! slimmer variants) and on an instruction keyword. Figures go in docs/sizes.md; the machine is
//! shared, so compare within one run (`examples/size_profile.rs` counts instructions instead).

#[path = "support/fixture.rs"]
mod fixture;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use layerwise_ide::hover::hover;
use layerwise_ide::inlay_hints::{inlay_hints, inlay_hints_without_tooltips};
use layerwise_ide::sizes::estimate;
use layerwise_syntax::TextRange;

fn full_pass(c: &mut Criterion) {
    let mut g = c.benchmark_group("inlay_hints_full_pass");
    let inputs = fixture::inputs();
    for lines in [1_000usize, 10_000] {
        let text = fixture::dockerfile(lines);
        let a = fixture::analysis(&text);
        let all = TextRange::new(0, text.len() as u32);
        // Cold: estimate every instruction, then place the hints (a new document version).
        g.bench_with_input(BenchmarkId::new("estimate_and_hints", lines), &a, |b, a| {
            b.iter(|| {
                let sizes = estimate(a, &inputs);
                inlay_hints(a, &sizes, all)
            })
        });
        // Warm: the server keeps the estimates of an unchanged version; a request (scrolling,
        // a refresh) only places and words the hints.
        let sizes = estimate(&a, &inputs);
        g.bench_with_input(
            BenchmarkId::new("hints_from_cached_estimates", lines),
            &a,
            |b, a| b.iter(|| inlay_hints(a, &sizes, all)),
        );
        // Warm, for a client that resolves tooltips lazily: labels only.
        g.bench_with_input(
            BenchmarkId::new("labels_from_cached_estimates", lines),
            &a,
            |b, a| b.iter(|| inlay_hints_without_tooltips(a, &sizes, all)),
        );
    }
    g.finish();
}

fn hovers(c: &mut Criterion) {
    let mut g = c.benchmark_group("hover");
    for lines in [1_000usize, 10_000] {
        let text = fixture::dockerfile(lines);
        let a = fixture::analysis(&text);
        let (image, keyword) = fixture::hover_offsets(&text);
        g.bench_with_input(BenchmarkId::new("base_image", lines), &a, |b, a| {
            b.iter(|| hover(a, image))
        });
        g.bench_with_input(BenchmarkId::new("keyword", lines), &a, |b, a| {
            b.iter(|| hover(a, keyword))
        });
    }
    g.finish();
}

criterion_group!(benches, full_pass, hovers);
criterion_main!(benches);
