//! The main job for one file: read it, parse, model, gather facts, lint.

use std::path::{Path, PathBuf};

use layerwise_analysis::ModelOptions;
use layerwise_ide::Analysis;
use layerwise_lint::{Diagnostic, Severity};
use layerwise_registry::Registry;
use layerwise_syntax::Dockerfile;

use crate::build_context::ContextChoice;
use crate::input::read_dockerfile;

pub struct FileReport {
    pub path: PathBuf,
    /// The parse, model and facts the findings came from; the size summary reuses them.
    pub analysis: Analysis,
    pub diagnostics: Vec<Diagnostic>,
    /// Problems with the file or its settings, for the user (not findings).
    pub warnings: Vec<String>,
    /// What the user should know to read the findings and sizes right (not findings, not
    /// problems with the file): e.g. that its build context was not read in full. Printed with
    /// the file's findings in every output format.
    pub notes: Vec<String>,
    pub failure_threshold: Option<Severity>,
}

impl FileReport {
    pub fn text(&self) -> &str {
        &self.analysis.text
    }
}

pub struct Options<'a> {
    pub registry: &'a Registry,
    pub platform: String,
    pub build_args: Vec<(String, String)>,
    /// The build context of every file checked.
    pub context: ContextChoice,
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
    let mut facts = opts.context.facts(path, &mut warnings);
    facts.trusted_registries = config.trusted_registries.clone();
    let failure_threshold = config.failure_threshold;
    let options = ModelOptions {
        target_platform: opts.platform.clone(),
        build_args: opts.build_args.clone(),
    };
    let mut analysis = Analysis::new(source.text, file, options, facts, config);
    let platform = layerwise_analysis::image_facts::Platform::parse(&opts.platform).ok();
    (analysis.facts.images, analysis.facts.variants) =
        layerwise_project::offline_image_facts(&analysis.model, opts.registry, platform.as_ref());
    let diagnostics = analysis.diagnostics().to_vec();
    let notes = analysis
        .facts
        .context
        .as_deref()
        .and_then(layerwise_project::context_walk_note)
        .into_iter()
        .collect();
    Ok(FileReport {
        path: path.to_path_buf(),
        analysis,
        diagnostics,
        warnings,
        notes,
        failure_threshold,
    })
}
