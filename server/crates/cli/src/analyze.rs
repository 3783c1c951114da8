//! The main job for one file: read it, parse, model, gather facts, lint.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use layerwise_analysis::{Model, ModelOptions};
use layerwise_context::WalkOptions;
use layerwise_lint::{Diagnostic, LintContext, Severity};
use layerwise_registry::Registry;
use layerwise_syntax::Dockerfile;

use crate::input::read_dockerfile;

pub struct FileReport {
    pub path: PathBuf,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    /// Problems with the file or its settings, for the user (not findings).
    pub warnings: Vec<String>,
    pub failure_threshold: Option<Severity>,
}

pub struct Options<'a> {
    pub registry: &'a Registry,
    pub platform: String,
    pub build_args: Vec<(String, String)>,
    pub walk_context: bool,
}

pub fn analyze(path: &Path, opts: &Options<'_>) -> Result<FileReport, String> {
    let source = read_dockerfile(path).map_err(|e| format!("{e:#}"))?;
    let mut warnings = Vec::new();
    if source.lossy {
        warnings.push(format!(
            "{}: not valid UTF-8; invalid bytes were read as U+FFFD",
            path.display()
        ));
    }
    let (config, _) = layerwise_project::load_config(path);
    warnings.extend(config.warnings.iter().cloned());
    let file = Dockerfile::parse(&source.text);
    let model = Model::build(
        &file,
        ModelOptions {
            target_platform: opts.platform.clone(),
            build_args: opts.build_args.clone(),
        },
    );
    let cancel = AtomicBool::new(false);
    let mut facts = if opts.walk_context {
        layerwise_project::context_facts(path, &WalkOptions::default(), &cancel)
    } else {
        Default::default()
    };
    let platform = layerwise_analysis::image_facts::Platform::parse(&opts.platform).ok();
    (facts.images, facts.variants) =
        layerwise_project::offline_image_facts(&model, opts.registry, platform.as_ref());
    facts.trusted_registries = config.trusted_registries.clone();
    let cx = LintContext::new(&file, &source.text, &model, &facts);
    let diagnostics = layerwise_lint::lint(&cx, &config);
    Ok(FileReport {
        path: path.to_path_buf(),
        text: source.text,
        diagnostics,
        warnings,
        failure_threshold: config.failure_threshold,
    })
}
