//! `layerwise split FILE`: splits the final stage into build and runtime stages and prints
//! the result (or writes it back with `--write`). Reads the build context next to the file
//! and the offline image facts, like `check`, so the result fits the project.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use layerwise_analysis::image_facts::Platform;
use layerwise_analysis::ModelOptions;
use layerwise_ide::split::{split, Runtime, SplitOptions};
use layerwise_ide::Analysis;
use layerwise_registry::{Registry, RegistrySettings};
use layerwise_syntax::Dockerfile;

use crate::build_context::ContextChoice;
use crate::input::read_dockerfile;

#[derive(Args)]
pub struct SplitArgs {
    /// The Dockerfile to split.
    pub file: PathBuf,
    /// Write the result back to the file instead of printing it.
    #[arg(long)]
    pub write: bool,
    /// The runtime base image (default: the stack's usual one; distroless for Go).
    #[arg(long, value_enum)]
    pub runtime: Option<RuntimeArg>,
    /// Do not read the build context next to the file.
    #[arg(long, conflicts_with = "context")]
    pub no_context: bool,
    /// The build context folder, as in `docker build -f FILE DIR` (default: the file's folder).
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,
    /// Target platform (for image sizes in the summary).
    #[arg(long, default_value = "linux/amd64")]
    pub platform: String,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RuntimeArg {
    Slim,
    Alpine,
    Distroless,
    Scratch,
}

impl From<RuntimeArg> for Runtime {
    fn from(r: RuntimeArg) -> Runtime {
        match r {
            RuntimeArg::Slim => Runtime::Slim,
            RuntimeArg::Alpine => Runtime::Alpine,
            RuntimeArg::Distroless => Runtime::Distroless,
            RuntimeArg::Scratch => Runtime::Scratch,
        }
    }
}

/// Exit codes: 0 split (printed or written), 1 nothing to split, 2 an error.
pub fn run(args: &SplitArgs) -> Result<u8> {
    let source = read_dockerfile(&args.file)?;
    if source.lossy {
        eprintln!(
            "layerwise: warning: {} is not valid UTF-8; invalid bytes were read as U+FFFD",
            args.file.display()
        );
    }
    let (config, _) = layerwise_project::load_config(&args.file);
    let context = ContextChoice::from_args(args.no_context, args.context.as_deref());
    if let Some(problem) = context.problem() {
        eprintln!("layerwise: error: {problem}");
        return Ok(2);
    }
    let mut warnings = Vec::new();
    let mut facts = context.facts(&args.file, &mut warnings);
    for w in &warnings {
        eprintln!("layerwise: warning: {w}");
    }
    let file = Dockerfile::parse(&source.text);
    let options = ModelOptions {
        target_platform: args.platform.clone(),
        build_args: Vec::new(),
    };
    let model = layerwise_analysis::Model::build(&file, options.clone());
    let registry = Registry::new(RegistrySettings {
        offline: true,
        ..RegistrySettings::default()
    })?;
    let platform = Platform::parse(&args.platform).ok();
    (facts.images, facts.variants) =
        layerwise_project::offline_image_facts(&model, &registry, platform.as_ref());
    let analysis = Analysis::new(source.text.clone(), file, options, facts, config);
    let opts = SplitOptions {
        runtime: args.runtime.map(Runtime::from),
    };
    let result = match split(&analysis, &opts) {
        Ok(s) => s,
        Err(why) => {
            eprintln!(
                "layerwise: nothing to split in {}: {why}",
                args.file.display()
            );
            return Ok(1);
        }
    };
    let summary = match result.sizes {
        Some((before, after)) => format!(
            " (base image ≈{} → ≈{})",
            layerwise_ide::split::approx_size(before),
            layerwise_ide::split::approx_size(after)
        ),
        None => String::new(),
    };
    eprintln!(
        "layerwise: {}: {} stack, runtime `{}`{summary}",
        args.file.display(),
        result.stack.name(),
        result.runtime_image
    );
    for note in &result.notes {
        eprintln!("layerwise: note: {note}");
    }
    if args.write {
        std::fs::write(&args.file, &result.text)
            .with_context(|| format!("cannot write {}", args.file.display()))?;
        eprintln!("layerwise: wrote {}", args.file.display());
    } else {
        print!("{}", result.text);
    }
    Ok(0)
}
