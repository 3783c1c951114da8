//! The generated Dockerfile and facts that the size benchmark (`benches/inlay_hints.rs`) and
//! the profiling example (`examples/size_profile.rs`) share: build + runtime stage pairs
//! using every estimator, image facts as the registry cache gives them, a build context and
//! a lockfile — what the server has once facts have arrived.

use layerwise_analysis::build_context::{BuildContext, ContextEntry, RawContext};
use layerwise_analysis::image_facts::{FactSource, ImageFacts, Platform, PlatformFacts};
use layerwise_analysis::image_ref::ImageRef;
use layerwise_ide::sizes::SizeInputs;
use layerwise_ide::Analysis;

/// About `lines` lines of build + runtime stage pairs.
pub fn dockerfile(lines: usize) -> String {
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

/// The analysis of `text` with registry-cache facts for both images and a build context.
pub fn analysis(text: &str) -> Analysis {
    let mut a = Analysis::from_text(text);
    for (r, c, u) in [
        ("node:20", 380_000_000, 1_100_000_000),
        ("node:20-slim", 70_000_000, 200_000_000),
    ] {
        let mut p = PlatformFacts::sizes_only(Platform::linux_amd64(), c, Some(u));
        p.layer_count = 7;
        p.created = Some("2025-03-04T05:06:07Z".into());
        let f = ImageFacts {
            reference: ImageRef::parse(r).expect("valid reference"),
            digest: Some(format!("sha256:{}", "3c".repeat(32))),
            platforms: vec![p],
            available_platforms: vec![Platform::linux_amd64()],
            source: FactSource::Cache {
                age_secs: 60,
                stale: false,
            },
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
    a.facts.context = Some(std::sync::Arc::new(BuildContext::new(RawContext::new(
        "/ctx", entries,
    ))));
    a
}

/// The lockfile text the `npm ci` estimates read.
pub fn inputs() -> SizeInputs {
    let mut inputs = SizeInputs::default();
    inputs
        .files
        .insert("package-lock.json".into(), lockfile(400).into());
    inputs
}

/// Offsets of hover targets in `text`: the last `FROM node:20-slim` image (what a user hovers
/// in a long file) and the last `RUN` keyword.
pub fn hover_offsets(text: &str) -> (u32, u32) {
    let image = text.rfind("FROM node:20-slim").map_or(0, |i| i + 7) as u32;
    let run = text.rfind("RUN npm ci").map_or(0, |i| i + 1) as u32;
    (image, run)
}
