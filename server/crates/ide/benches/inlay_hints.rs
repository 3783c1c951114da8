//! A full inlay-hint pass (size estimates for every instruction, then the hints for the whole
//! document) on generated multi-stage Dockerfiles of 1,000 and 10,000 lines, with image facts,
//! a build context and a lockfile in place, as the server has them once facts have arrived.
//! Two figures per size: cold (estimate + hints, as after an edit) and warm (hints from the
//! estimates the server caches per document version). Figures go in docs/sizes.md; the
//! machine is shared, so compare within one run.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use layerwise_analysis::build_context::{BuildContext, ContextEntry, RawContext};
use layerwise_analysis::image_facts::{FactSource, ImageFacts, Platform, PlatformFacts};
use layerwise_analysis::image_ref::ImageRef;
use layerwise_ide::inlay_hints::inlay_hints;
use layerwise_ide::sizes::{estimate, SizeInputs};
use layerwise_ide::Analysis;
use layerwise_syntax::TextRange;

/// About `lines` lines of build + runtime stage pairs using every estimator.
fn dockerfile(lines: usize) -> String {
    let mut out = String::from("# syntax=docker/dockerfile:1\nARG NODE=20\n");
    let mut i = 0;
    while out.lines().count() < lines {
        out.push_str(&format!(
            "\nFROM node:${{NODE}} AS build{i}\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n\
             RUN apt-get update && apt-get install -y --no-install-recommends curl git \\\n    && rm -rf /var/lib/apt/lists/*\n\
             COPY . .\nRUN npm run build\n\nFROM node:20-slim AS run{i}\nWORKDIR /app\nENV NODE_ENV=production\n\
             COPY --from=build{i} /app/node_modules ./node_modules\nCOPY --from=build{i} /app/dist ./dist\n\
             RUN pip install --no-cache-dir flask gunicorn\nUSER node\nCMD [\"node\", \"dist/index.js\"]\n"
        ));
        i += 1;
    }
    out
}

fn lockfile(packages: usize) -> String {
    let entries: Vec<String> = (0..packages)
        .map(|p| format!("\"node_modules/pkg{p}\": {{\"version\": \"1.0.{p}\"}}"))
        .collect();
    format!(
        "{{\"lockfileVersion\": 3, \"packages\": {{\"\": {{}}, {}}}}}",
        entries.join(", ")
    )
}

fn analysis(text: &str) -> Analysis {
    let mut a = Analysis::from_text(text);
    for (r, c, u) in [
        ("node:20", 380_000_000, 1_100_000_000),
        ("node:20-slim", 70_000_000, 200_000_000),
    ] {
        let f = ImageFacts {
            reference: ImageRef::parse(r).expect("valid reference"),
            digest: None,
            platforms: vec![PlatformFacts::sizes_only(
                Platform::linux_amd64(),
                c,
                Some(u),
            )],
            available_platforms: Vec::new(),
            source: FactSource::Registry,
            fetched_at: None,
            fallback_reason: None,
        };
        a.facts.images.insert(f.reference.canonical(), f);
    }
    let mut entries = vec![
        ContextEntry::file("package.json", 700),
        ContextEntry::file("package-lock.json", 90_000),
    ];
    for f in 0..500 {
        entries.push(ContextEntry::file(
            format!("src/module{}/file{f}.ts", f % 20),
            1_000 + f,
        ));
    }
    a.facts.context = Some(BuildContext::new(RawContext::new("/ctx", entries)));
    a
}

fn full_pass(c: &mut Criterion) {
    let mut g = c.benchmark_group("inlay_hints_full_pass");
    let mut inputs = SizeInputs::default();
    inputs
        .files
        .insert("package-lock.json".into(), lockfile(400).into());
    for lines in [1_000usize, 10_000] {
        let text = dockerfile(lines);
        let a = analysis(&text);
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
    }
    g.finish();
}

criterion_group!(benches, full_pass);
criterion_main!(benches);
