//! Estimator tests on hand-built facts: a build context made of `ContextEntry` values, image
//! facts as the catalogue would give them, lockfile texts as inputs. No IO.

use layerwise_analysis::build_context::{
    BuildContext, ContextEntry, DirContents, IgnoreFile, RawContext,
};
use layerwise_analysis::dockerignore::DockerIgnore;
use layerwise_analysis::image_facts::{FactSource, ImageFacts, Platform, PlatformFacts};
use layerwise_analysis::image_ref::ImageRef;

use super::*;
use crate::Analysis;

const MB: u64 = 1_000_000;

fn catalogue_facts(reference: &str, compressed: u64, unpacked: Option<u64>) -> ImageFacts {
    ImageFacts {
        reference: ImageRef::parse(reference).unwrap(),
        digest: None,
        platforms: vec![PlatformFacts::sizes_only(
            Platform::linux_amd64(),
            compressed,
            unpacked,
        )],
        available_platforms: Vec::new(),
        source: FactSource::Catalogue {
            entry: reference.to_string(),
            exact: true,
            provenance: "test".into(),
        },
        fetched_at: None,
        fallback_reason: None,
    }
}

fn registry_facts(reference: &str, compressed: u64) -> ImageFacts {
    ImageFacts {
        source: FactSource::Registry,
        ..catalogue_facts(reference, compressed, None)
    }
}

fn node_context() -> BuildContext {
    let mut raw = RawContext::new(
        "/ctx",
        vec![
            ContextEntry::file("Dockerfile", 200),
            ContextEntry::file(".dockerignore", 30),
            ContextEntry::file("package.json", 700),
            ContextEntry::file("package-lock.json", 3_000),
            ContextEntry::file("src/index.ts", 40_000),
            ContextEntry::file("src/lib/util.ts", 10_000),
            ContextEntry::file("requirements.txt", 50),
            ContextEntry::dir("node_modules").with_contents(DirContents::Skipped),
            ContextEntry::file("debug.log", 5_000_000),
        ],
    );
    raw.ignore = Some(IgnoreFile {
        path: ".dockerignore".into(),
        ignore: DockerIgnore::parse("node_modules\n*.log\n"),
    });
    BuildContext::new(raw)
}

const LOCK: &str = r#"{"lockfileVersion": 3, "packages": {
  "": {"name": "app"},
  "node_modules/express": {"version": "4.19.2"},
  "node_modules/accepts": {"version": "1.3.8"},
  "node_modules/typescript": {"version": "5.4.5", "dev": true},
  "node_modules/@esbuild/darwin-arm64": {"os": ["darwin"], "cpu": ["arm64"]}
}}"#;

fn analysis(text: &str) -> Analysis {
    let mut a = Analysis::from_text(text);
    a.facts.context = Some(std::sync::Arc::new(node_context()));
    for (r, c, u) in [
        ("node:20", 380 * MB, Some(1_100 * MB)),
        ("node:20-slim", 70 * MB, Some(200 * MB)),
        ("debian:bookworm-slim", 29 * MB, Some(75 * MB)),
        ("alpine:3.20", 4 * MB, Some(8 * MB)),
        ("python:3.12-slim", 44 * MB, Some(130 * MB)),
    ] {
        let f = catalogue_facts(r, c, u);
        a.facts.images.insert(f.reference.canonical(), f);
    }
    a
}

fn inputs_with_lock() -> SizeInputs {
    let mut inputs = SizeInputs::default();
    inputs.files.insert("package-lock.json".into(), LOCK.into());
    inputs.files.insert(
        "requirements.txt".into(),
        "flask==3.0.3\nnot-a-real-dist-xyz==1\n".into(),
    );
    inputs
}

/// The estimate of the first step whose instruction text starts with `prefix`.
fn step<'a>(a: &Analysis, sizes: &'a FileSizes, prefix: &str) -> &'a Step {
    sizes
        .stages
        .iter()
        .flat_map(|s| std::iter::once(&s.from).chain(s.steps.iter()))
        .find(|st| a.slice(st.range).starts_with(prefix))
        .unwrap_or_else(|| panic!("no step starting with {prefix:?}"))
}

#[test]
fn single_stage_node_image() {
    let text = "FROM node:20\nWORKDIR /usr/src/app\nCOPY . .\nRUN npm install\nRUN npm run build\nEXPOSE 3000\nCMD npm start\n";
    let a = analysis(text);
    let sizes = estimate(&a, &inputs_with_lock());
    assert_eq!(sizes.stages.len(), 1);
    let from = step(&a, &sizes, "FROM");
    assert_eq!(from.estimate.amount, Amount::Bytes(1_100 * MB));
    assert!(
        from.estimate.approximate,
        "catalogue figures are approximate"
    );
    assert!(
        from.estimate.note.contains("380 MB compressed"),
        "{}",
        from.estimate.note
    );
    // COPY . . sends everything but node_modules and *.log.
    let copy = step(&a, &sizes, "COPY");
    let expected = 200 + 30 + 700 + 3_000 + 40_000 + 10_000 + 50;
    assert_eq!(copy.estimate.amount, Amount::Bytes(expected));
    assert!(!copy.estimate.approximate);
    assert_eq!(copy.estimate.source, SizeSource::BuildContext);
    // npm install: 3 linux packages (dev included: no --omit=dev), rough range, plus the cache.
    let npm = step(&a, &sizes, "RUN npm install");
    assert_eq!(
        npm.estimate.amount,
        Amount::range(3 * npm::PER_PACKAGE_LOW, 3 * npm::PER_PACKAGE_HIGH)
    );
    assert!(npm.estimate.plus_unknown, "npm's cache is not counted");
    assert!(
        npm.estimate.note.contains("3 packages"),
        "{}",
        npm.estimate.note
    );
    let build = step(&a, &sizes, "RUN npm run build");
    assert_eq!(build.estimate.amount, Amount::Unknown);
    assert_eq!(build.estimate.display(), "?");
    // Config-only instructions add nothing and get no hint.
    assert!(!step(&a, &sizes, "EXPOSE").adds_files);
    let s = &sizes.stages[0];
    assert_eq!(s.role, StageRole::Final);
    assert_eq!(
        sizes.image.low,
        1_100 * MB + expected + 3 * npm::PER_PACKAGE_LOW
    );
    assert_eq!(sizes.image.unknown, 2, "npm cache + npm run build");
    assert!(
        sizes.image.display().ends_with("+ ?"),
        "{}",
        sizes.image.display()
    );
    assert!(sizes.wanted_files.is_empty());
}

#[test]
fn lockfile_not_supplied_is_wanted_and_pending_or_unknown() {
    let text = "FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\n";
    let a = analysis(text);
    let sizes = estimate(&a, &SizeInputs::default());
    assert_eq!(sizes.wanted_files, ["package-lock.json"]);
    assert_eq!(step(&a, &sizes, "RUN").estimate.amount, Amount::Unknown);
    let pending = SizeInputs {
        files_pending: true,
        ..SizeInputs::default()
    };
    let sizes = estimate(&a, &pending);
    assert_eq!(step(&a, &sizes, "RUN").estimate.amount, Amount::Pending);
    assert_eq!(step(&a, &sizes, "RUN").estimate.display(), "pending");
    // With the text, --omit=dev drops typescript.
    let sizes = estimate(&a, &inputs_with_lock());
    assert_eq!(
        step(&a, &sizes, "RUN").estimate.amount,
        Amount::range(2 * npm::PER_PACKAGE_LOW, 2 * npm::PER_PACKAGE_HIGH)
    );
}

#[test]
fn empty_lockfiles_and_cached_go_modules() {
    let a = analysis("FROM node:20\nWORKDIR /app\nCOPY package-lock.json .\nRUN npm ci\n");
    let mut inputs = SizeInputs::default();
    inputs.files.insert(
        "package-lock.json".into(),
        r#"{"lockfileVersion":3,"packages":{"":{}}}"#.into(),
    );
    let run = &step(&a, &estimate(&a, &inputs), "RUN").estimate.clone();
    assert_eq!(run.amount, Amount::Unknown, "{}", run.note);
    let go = analysis("FROM golang:1.22\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\nRUN go mod download\n");
    let sizes = estimate(&go, &SizeInputs::default());
    assert_eq!(step(&go, &sizes, "RUN --mount").estimate.display(), "0 B");
    assert_eq!(
        step(&go, &sizes, "RUN go mod").estimate.amount,
        Amount::Unknown
    );
}

#[test]
fn npm_without_a_copied_lockfile_is_unknown() {
    let a = analysis("FROM node:20\nWORKDIR /app\nCOPY src ./src\nRUN npm ci\n");
    let sizes = estimate(&a, &inputs_with_lock());
    let run = step(&a, &sizes, "RUN");
    assert_eq!(run.estimate.amount, Amount::Unknown);
    assert!(
        run.estimate.note.contains("no package-lock.json"),
        "{}",
        run.estimate.note
    );
    // COPY src ./src: the two source files.
    assert_eq!(
        step(&a, &sizes, "COPY").estimate.amount,
        Amount::Bytes(50_000)
    );
}

#[test]
fn multi_stage_builder_is_discarded_and_copied_outputs_counted() {
    let text = "\
FROM node:20 AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-slim AS runtime
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/package.json ./
COPY --from=build /app/dist ./dist
CMD [\"node\", \"dist/index.js\"]
";
    let a = analysis(text);
    let sizes = estimate(&a, &inputs_with_lock());
    let build = &sizes.stages[0];
    let runtime = &sizes.stages[1];
    assert_eq!(build.role, StageRole::Builder);
    assert_eq!(*build.used_by, [1]);
    assert_eq!(runtime.role, StageRole::Final);
    assert_eq!(sizes.discarded, build.total);
    assert!(sizes.discarded.low > 1_100 * MB);
    // node_modules: the npm ci estimate of the builder.
    let nm = step(&a, &sizes, "COPY --from=build /app/node_modules");
    assert_eq!(
        nm.estimate.amount,
        Amount::range(3 * npm::PER_PACKAGE_LOW, 3 * npm::PER_PACKAGE_HIGH)
    );
    assert_eq!(nm.estimate.source, SizeSource::StageFiles(0));
    // package.json: the real file from the context, through the builder's COPY.
    let pj = step(&a, &sizes, "COPY --from=build /app/package.json");
    assert_eq!(pj.estimate.amount, Amount::Bytes(700));
    // dist is made by `npm run build`: unknown.
    let dist = step(&a, &sizes, "COPY --from=build /app/dist");
    assert_eq!(dist.estimate.amount, Amount::Unknown);
    // The final image starts from node:20-slim, not the builder's 1.1 GB.
    assert!(
        sizes.image.low >= 200 * MB && sizes.image.low < 300 * MB,
        "{:?}",
        sizes.image
    );
    assert!(sizes.image.unknown >= 1);
}

#[test]
fn from_stage_inherits_its_total_and_unused_stages_are_marked() {
    let text = "\
FROM debian:bookworm-slim AS base
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*

FROM base AS final
COPY requirements.txt /req.txt

FROM alpine:3.20 AS unused
RUN echo hi
";
    let a = analysis(text);
    let sizes = estimate(&a, &SizeInputs::default());
    // The last stage is the target; "final" and "base" are not needed by it.
    assert_eq!(sizes.stages[2].role, StageRole::Final);
    assert_eq!(sizes.stages[0].role, StageRole::Unused);
    assert_eq!(sizes.stages[1].role, StageRole::Unused);
    let from_base = &sizes.stages[1].from;
    assert_eq!(from_base.estimate.source, SizeSource::Stage(0));
    assert_eq!(
        from_base.estimate.amount,
        sizes.stages[0].total.amount(),
        "FROM base = base's total"
    );
    // apt-get update's lists are removed in the same RUN; curl adds a few hundred kB+.
    let run = step(&a, &sizes, "RUN apt-get");
    let (low, high) = run.estimate.amount.bounds().expect("known");
    assert_eq!(low, high);
    assert!(low > 100_000 && low < 20 * MB, "{low}");
    assert_eq!(run.estimate.source, SizeSource::AptTable);
    assert_eq!(step(&a, &sizes, "RUN echo").estimate.display(), "0 B");
}

#[test]
fn inherited_stage_is_part_of_the_image() {
    let a = analysis(
        "FROM debian:bookworm-slim AS base\nRUN apt-get update\nFROM base\nRUN mkdir /x\n",
    );
    let sizes = estimate(&a, &SizeInputs::default());
    assert_eq!(sizes.stages[0].role, StageRole::Inherited);
    assert_eq!(sizes.discarded, Total::default());
    // apt-get update without removing the lists: ≈ 20 MB of lists.
    let run = step(&a, &sizes, "RUN apt-get update");
    assert_eq!(run.estimate.amount, Amount::Bytes(apt::APT_LISTS_BYTES));
    assert_eq!(sizes.image.low, 75 * MB + apt::APT_LISTS_BYTES);
    assert!(sizes.image.is_complete(), "{:?}", sizes.image);
}

#[test]
fn apt_on_full_images_counts_only_missing_packages() {
    let text = "FROM node:20\nRUN apt-get update && apt-get install -y gcc git libpq-dev && rm -rf /var/lib/apt/lists/*\n";
    let a = analysis(text);
    let sizes = estimate(&a, &SizeInputs::default());
    let run = step(&a, &sizes, "RUN");
    assert_eq!(
        run.estimate.amount,
        Amount::Bytes(0),
        "{}",
        run.estimate.note
    );
    assert!(
        run.estimate.note.contains("already in node:20"),
        "{}",
        run.estimate.note
    );
    // On a slim image the same packages weigh a lot, with recommends more than without.
    let slim = analysis("FROM node:20-slim\nRUN apt-get update && apt-get install -y gcc && rm -rf /var/lib/apt/lists/*\n");
    let with = step(&slim, &estimate(&slim, &SizeInputs::default()), "RUN")
        .estimate
        .amount;
    let slim_norec = analysis("FROM node:20-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\n");
    let without = step(
        &slim_norec,
        &estimate(&slim_norec, &SizeInputs::default()),
        "RUN",
    )
    .estimate
    .amount;
    let (w, _) = with.bounds().unwrap();
    let (wo, _) = without.bounds().unwrap();
    assert!(wo > 30 * MB && w > wo, "{w} {wo}");
    // Unknown package names are not guessed.
    let odd =
        analysis("FROM debian:bookworm-slim\nRUN apt-get install -y curl no-such-package-xyz\n");
    let sizes = estimate(&odd, &SizeInputs::default());
    let e = &step(&odd, &sizes, "RUN").estimate;
    assert!(
        e.plus_unknown && e.note.contains("no-such-package-xyz"),
        "{}",
        e.note
    );
}

#[test]
fn apk_and_pip_estimates() {
    let a = analysis("FROM alpine:3.20\nRUN apk add --no-cache curl bash\n");
    let sizes = estimate(&a, &SizeInputs::default());
    let e = &step(&a, &sizes, "RUN").estimate;
    assert!(matches!(e.amount, Amount::Range { .. }), "{:?}", e.amount);
    assert_eq!(e.source, SizeSource::ApkTable);
    // Build dependencies added as a virtual group and deleted in the same RUN weigh nothing;
    // the runtime package added next to them still counts.
    let a = analysis("FROM alpine:3.20\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev \\\n && make \\\n && apk del .build-deps \\\n && apk add --no-cache tzdata\n");
    let sizes = estimate(&a, &SizeInputs::default());
    let e = &step(&a, &sizes, "RUN").estimate;
    let (low, high) = e.amount.bounds().expect("known");
    assert!(high < 5 * MB && low > 0, "{low} {high}: {}", e.note);
    assert!(e.plus_unknown, "make is unknown");
    assert!(e.note.contains("removed again"), "{}", e.note);
    let a = analysis("FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n");
    let sizes = estimate(&a, &inputs_with_lock());
    let e = &step(&a, &sizes, "RUN").estimate;
    let (low, _) = e.amount.bounds().expect("flask is in the table");
    assert!(low > 1_000_000, "{low}");
    assert!(e.plus_unknown, "not-a-real-dist-xyz is unknown");
    assert!(e.note.contains("not-a-real-dist-xyz"), "{}", e.note);
    // Inline names, and the wheel cache left behind.
    let a = analysis("FROM python:3.12-slim\nRUN pip install flask gunicorn\n");
    let sizes = estimate(&a, &SizeInputs::default());
    let e = &step(&a, &sizes, "RUN").estimate;
    assert!(e.amount.is_known() && e.plus_unknown, "{e:?}");
    assert!(e.note.contains("wheel cache"));
}

#[test]
fn base_images_without_facts_are_unknown_or_pending() {
    let a = analysis("FROM ghcr.io/acme/app:1\nFROM scratch\nCOPY --from=0 /bin/app /app\n");
    let sizes = estimate(&a, &SizeInputs::default());
    assert_eq!(sizes.stages[0].from.estimate.amount, Amount::Unknown);
    assert_eq!(sizes.stages[1].from.estimate.amount, Amount::Bytes(0));
    let mut pending = SizeInputs::default();
    pending
        .images_pending
        .insert(ImageRef::parse("ghcr.io/acme/app:1").unwrap().canonical());
    let sizes = estimate(&a, &pending);
    assert_eq!(sizes.stages[0].from.estimate.amount, Amount::Pending);
    // scratch + a binary of unknown size: the image is "?".
    assert_eq!(sizes.image.display(), "?");
}

#[test]
fn registry_figures_without_unpacked_size_give_a_range() {
    let mut a = analysis("FROM node:20\n");
    let f = registry_facts("node:20", 400 * MB);
    a.facts.images.insert(f.reference.canonical(), f);
    let sizes = estimate(&a, &SizeInputs::default());
    let e = &sizes.stages[0].from.estimate;
    assert_eq!(e.amount, Amount::range(800 * MB, 1_400 * MB));
    assert!(e.note.contains("400 MB compressed"), "{}", e.note);
}

#[test]
fn context_unknown_or_pending() {
    let mut a = analysis("FROM node:20\nCOPY . .\nADD https://example.com/x.tgz /x\n");
    a.facts.context = None;
    let sizes = estimate(&a, &SizeInputs::default());
    assert_eq!(step(&a, &sizes, "COPY").estimate.amount, Amount::Unknown);
    assert_eq!(step(&a, &sizes, "ADD").estimate.source, SizeSource::Remote);
    let sizes = estimate(
        &a,
        &SizeInputs {
            context_pending: true,
            ..SizeInputs::default()
        },
    );
    assert_eq!(step(&a, &sizes, "COPY").estimate.amount, Amount::Pending);
}

#[test]
fn heredocs_variables_and_missing_sources() {
    let text = "FROM alpine:3.20\nARG SRC=src\nCOPY <<EOF /etc/motd\nhello\nEOF\nCOPY ${SRC}/lib /lib/\nCOPY missing.txt /\n";
    let a = analysis(text);
    let sizes = estimate(&a, &SizeInputs::default());
    assert_eq!(
        step(&a, &sizes, "COPY <<EOF").estimate.amount,
        Amount::Bytes(6)
    );
    assert_eq!(
        step(&a, &sizes, "COPY ${SRC}").estimate.amount,
        Amount::Bytes(10_000)
    );
    let missing = &step(&a, &sizes, "COPY missing").estimate;
    assert_eq!(missing.amount, Amount::Bytes(0));
    assert!(
        missing.note.contains("not in the build context"),
        "{}",
        missing.note
    );
}

#[test]
fn no_panics_on_odd_input() {
    for text in [
        "",
        "FROM",
        "COPY . .",
        "FROM node:20\nCOPY\nADD x\nRUN\nWORKDIR\nRUN apt-get install\nRUN pip install -r\nRUN npm ci\n",
        "FROM $NOPE\nRUN apt-get -o\n",
        "FROM a AS a\nFROM a\nCOPY --from=a / /\nCOPY --from=zzz /x /y\nCOPY --from=1 /x /y\n",
        "FROM node:20\nRUN --mount=type=cache,target=/root/.npm npm ci\nRUN --mount=type=cache npm ci\n",
    ] {
        let a = analysis(text);
        let _ = estimate(&a, &inputs_with_lock());
    }
}

#[test]
fn simulated_apt_install_adds_nothing() {
    let text = "FROM debian:12\nRUN apt-get install -s postgresql-jit\nCMD [\"bash\"]\n";
    let a = analysis(text);
    let sizes = estimate(&a, &SizeInputs::default());
    let run = step(&a, &sizes, "RUN");
    assert_eq!(run.estimate.amount, Amount::Bytes(0));
}

/// Stage states are freed when no later stage reads them; those that are read (a `FROM` of the
/// stage, a `COPY --from` it) must survive unused stages in between. Equal notes share one
/// allocation.
#[test]
fn states_read_later_survive_and_equal_notes_are_shared() {
    let text = "\
FROM alpine:3.20 AS tools
RUN apk add --no-cache bash

FROM alpine:3.20 AS other
RUN apk add --no-cache bash

FROM node:20 AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci

FROM alpine:3.20 AS between

FROM tools
RUN apk add --no-cache bash
COPY --from=build /app/node_modules ./nm
";
    let a = analysis(text);
    let sizes = estimate(&a, &inputs_with_lock());
    let [tools, other, _build, between, last] = &sizes.stages[..] else {
        panic!("five stages: {}", sizes.stages.len());
    };
    assert!(tools.steps[0].estimate.amount.is_known());
    assert_ne!(tools.steps[0].estimate.amount, Amount::Bytes(0));
    // The last stage inherits tools' packages: bash is there already.
    let again = &last.steps[0].estimate;
    assert_eq!(
        again.amount.bounds().map(|(_, high)| high),
        Some(0),
        "{again:?}"
    );
    // node_modules comes from the builder's npm ci, read through its kept state.
    assert_eq!(
        last.steps[1].estimate.amount,
        Amount::range(3 * npm::PER_PACKAGE_LOW, 3 * npm::PER_PACKAGE_HIGH)
    );
    // Same sentence, same allocation: within the stage list and across stages.
    assert_eq!(tools.steps[0].estimate.note, other.steps[0].estimate.note);
    assert!(Arc::ptr_eq(
        &tools.steps[0].estimate.note,
        &other.steps[0].estimate.note
    ));
    assert!(Arc::ptr_eq(
        &tools.from.estimate.note,
        &between.from.estimate.note
    ));
    // The image's fact source is shared the same way.
    match (&tools.from.estimate.source, &between.from.estimate.source) {
        (SizeSource::Image(x), SizeSource::Image(y)) => assert!(Arc::ptr_eq(x, y)),
        other => panic!("{other:?}"),
    }
}
