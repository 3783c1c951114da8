//! The size summary `layerwise check` prints after a file's findings: each stage's base and
//! total, the final image estimate, and what builder stages weigh (discarded), with where the
//! base figures came from. Everything is offline: base images from the registry cache or the
//! embedded catalogue, the rest from the build context next to the Dockerfile and the
//! estimator's package tables (`layerwise_ide::sizes`).

use std::path::Path;

use layerwise_analysis::image_facts::FactSource;
use layerwise_ide::inlay_hints;
use layerwise_ide::sizes::{self, FileSizes, SizeInputs, SizeSource};
use layerwise_ide::Analysis;

use crate::analyze::FileReport;

/// Context files (lockfiles, requirements) larger than this are not read.
const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Estimates the sizes of one checked file from the analysis `check` already made (parse,
/// build context, image facts), reading only the lockfiles the estimator asks for.
pub fn estimate(report: &FileReport) -> FileSizes {
    let a = &report.analysis;
    let mut inputs = SizeInputs::default();
    let first = sizes::estimate(a, &inputs);
    if first.wanted_files.is_empty() {
        return first;
    }
    let dir = report
        .path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    for rel in &first.wanted_files {
        if let Some(text) = read_capped(&dir.join(rel)) {
            inputs.files.insert(rel.clone(), text.into());
        }
    }
    sizes::estimate(a, &inputs)
}

fn read_capped(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
        return None;
    }
    std::fs::read(path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// The summary for one file, ending with a blank line; empty when the file has no stages.
pub fn render(report: &FileReport) -> String {
    render_sizes(
        &report.path.display().to_string(),
        &report.analysis,
        &estimate(report),
    )
}

/// The summary text for estimates already made.
pub fn render_sizes(origin: &str, a: &Analysis, sizes: &FileSizes) -> String {
    if sizes.stages.is_empty() {
        return String::new();
    }
    let mut out = format!("sizes: {origin} (estimated, on disk once unpacked)\n");
    let labels: Vec<String> = sizes
        .stages
        .iter()
        .map(|s| {
            let name = a
                .model
                .stages
                .get(s.index)
                .map_or_else(|| s.index.to_string(), |m| m.label());
            format!("stage {name} ({})", s.role.label())
        })
        .collect();
    let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let mut sources: Vec<String> = Vec::new();
    for (i, s) in sizes.stages.iter().enumerate() {
        let Some(st) = a.model.stages.get(s.index) else {
            continue;
        };
        let base = match &st.base {
            layerwise_analysis::Base::Stage(b) => format!(
                "stage {}",
                a.model
                    .stages
                    .get(*b)
                    .map_or_else(|| b.to_string(), |m| m.label())
            ),
            _ => st.base_resolved.clone(),
        };
        let label = labels.get(i).map_or("", String::as_str);
        out.push_str(&format!(
            "  {label:<width$}  from {base} {}, total {}\n",
            s.from.estimate.display(),
            s.total.display(),
        ));
        if let SizeSource::Image(src) = &s.from.estimate.source {
            let line = source_line(&st.base_resolved, src);
            if !sources.contains(&line) {
                sources.push(line);
            }
        }
    }
    let mut image = format!("  final image {}", sizes.image.display());
    if sizes.discarded.known + sizes.discarded.unknown + sizes.discarded.pending > 0 {
        image.push_str(&format!(
            " ({} discarded)",
            inlay_hints::builders_phrase(a, sizes)
        ));
    }
    if let Some(missing) = sizes.image.missing_note() {
        image.push_str(&format!("; {missing}"));
    }
    out.push_str(&image);
    out.push('\n');
    for line in sources {
        out.push_str(&format!("  base figures: {line}\n"));
    }
    out.push('\n');
    out
}

fn source_line(image: &str, src: &FactSource) -> String {
    format!("{image}: {}", src.label())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{analyze, Options};
    use layerwise_analysis::image_facts::Platform;
    use layerwise_registry::{Registry, RegistrySettings};

    const PLATFORM: &str = "linux/amd64";

    fn offline_registry() -> Option<&'static Registry> {
        static REGISTRY: std::sync::OnceLock<Option<Registry>> = std::sync::OnceLock::new();
        REGISTRY
            .get_or_init(|| {
                Registry::new(RegistrySettings {
                    offline: true,
                    ..RegistrySettings::default()
                })
                .ok()
            })
            .as_ref()
    }

    /// A report made the way `layerwise check` makes one.
    fn analyzed(path: &Path) -> FileReport {
        let registry = offline_registry().expect("offline registry");
        let opts = Options {
            registry,
            platform: PLATFORM.into(),
            build_args: Vec::new(),
            context: crate::build_context::ContextChoice::NextToFile,
        };
        analyze(path, &opts).expect("analyze")
    }

    fn report(dir: &Path, text: &str) -> FileReport {
        let path = dir.join("Dockerfile");
        std::fs::write(&path, text).unwrap();
        analyzed(&path)
    }

    #[test]
    fn summary_uses_the_catalogue_and_the_context() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("app.js"), vec![b'x'; 12_000]).unwrap();
        let r = report(
            dir.path(),
            "FROM node:20 AS build\nCOPY app.js /app/\nRUN npm run build\n\nFROM node:20-slim\nCOPY --from=build /app/app.js /app/\n",
        );
        let out = render(&r);
        assert!(out.contains("stage build"), "{out}");
        assert!(out.contains("discarded"), "{out}");
        assert!(out.contains("final image ≈"), "{out}");
        assert!(out.contains("offline catalogue, approximate"), "{out}");
        // The copied file is counted with its real size in both stages.
        let sizes = estimate(&r);
        assert_eq!(
            sizes.stages[0].steps[0].estimate.amount,
            sizes::Amount::Bytes(12_000)
        );
        assert_eq!(
            sizes.stages[1].steps[0].estimate.amount,
            sizes::Amount::Bytes(12_000)
        );
    }

    #[test]
    fn lockfiles_are_read_from_the_context() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("package-lock.json"),
            r#"{"lockfileVersion":3,"packages":{"":{},"node_modules/a":{},"node_modules/b":{}}}"#,
        )
        .unwrap();
        let r = report(
            dir.path(),
            "FROM node:20-slim\nWORKDIR /app\nCOPY package-lock.json ./\nRUN npm ci\n",
        );
        let sizes = estimate(&r);
        let run = &sizes.stages[0].steps[2].estimate;
        assert!(run.note.contains("2 packages"), "{}", run.note);
        assert!(sizes.wanted_files.is_empty());
    }

    #[test]
    fn no_stages_no_summary() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(render(&report(dir.path(), "# nothing\n")), "");
    }

    /// The README's first command, `layerwise check examples/node-single-stage`, shows sizes
    /// from the offline catalogue.
    #[test]
    fn readme_example_shows_catalogue_sizes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../examples");
        for example in [
            "node-single-stage",
            "python-single-stage",
            "go-multi-stage",
            "rust-multi-stage",
            "java-multi-stage",
        ] {
            let path = root.join(example).join("Dockerfile");
            let r = analyzed(&path);
            let out = render(&r);
            println!("{out}");
            assert!(out.contains("final image"), "{out}");
            assert!(out.contains("offline catalogue"), "{example}: {out}");
            if example == "node-single-stage" {
                assert!(out.contains("from node:20 ≈ 1.10 GB"), "{out}");
            }
            if example.ends_with("multi-stage") {
                assert!(out.contains("discarded"), "{out}");
            }
        }
    }

    /// Every corpus Dockerfile (when `../shared/corpus` is there) goes through the estimator,
    /// the hints, the lenses and this summary without panicking; so do a huge single line and
    /// a 10,000-line file.
    #[test]
    fn corpus_and_huge_inputs_never_panic() {
        use layerwise_ide::{code_lens::code_lenses, inlay_hints::inlay_hints};
        use layerwise_syntax::TextRange;
        let check = |text: &str| {
            let mut a = Analysis::from_text(text);
            if let Some(registry) = offline_registry() {
                let platform = Platform::parse(PLATFORM).ok();
                (a.facts.images, a.facts.variants) =
                    layerwise_project::offline_image_facts(&a.model, registry, platform.as_ref());
            }
            let mut inputs = SizeInputs::default();
            inputs
                .files
                .insert("package-lock.json".into(), "{\"packages\": {}}".into());
            inputs
                .files
                .insert("requirements.txt".into(), "flask\nnumpy\n".into());
            let sizes = sizes::estimate(&a, &inputs);
            let all = TextRange::new(0, u32::try_from(text.len()).unwrap_or(u32::MAX));
            let _ = inlay_hints(&a, &sizes, all);
            let _ = code_lenses(&a, &sizes);
            let _ = render_sizes("x", &a, &sizes);
        };
        check(&format!(
            "FROM node:20\nRUN apt-get install -y {}\n",
            "gcc ".repeat(2_500_000)
        ));
        let mut long = String::new();
        for i in 0..1_000usize {
            long.push_str(&format!("FROM node:20 AS s{i}\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN pip install flask\nCOPY --from=s{} /app /x\nRUN apt-get update\nENV A=$B\nRUN echo\nRUN make\n", i.saturating_sub(1)));
        }
        check(&long);
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/corpus");
        if !root.is_dir() {
            assert!(
                std::env::var_os("LAYERWISE_REQUIRE_CORPUS").is_none(),
                "corpus required at {}",
                root.display()
            );
            eprintln!("skipping the corpus: none at {}", root.display());
            return;
        }
        let mut stack = vec![root];
        let mut seen = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    stack.push(p);
                } else if let Ok(bytes) = std::fs::read(&p) {
                    check(&String::from_utf8_lossy(&bytes));
                    seen += 1;
                }
            }
        }
        assert!(seen > 1_000, "{seen} corpus files");
    }
}
