//! `layerwise check`: lint Dockerfiles for CI and the terminal.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};
use layerwise_lint::Severity;
use layerwise_registry::{Registry, RegistrySettings};

use crate::analyze::{analyze, FileReport, Options};
use crate::build_context::ContextChoice;
use crate::discover::discover;
use crate::render;

#[derive(Args)]
pub struct CheckArgs {
    /// Files or folders to check (default: the current folder).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Exit with status 1 when a finding is at or above this severity (`never` to always exit 0).
    /// Default: the settings file's failure-threshold, else `warning`.
    #[arg(long, value_parser = ["error", "warning", "info", "hint", "never"])]
    pub fail_on: Option<String>,
    /// Target platform for the automatic platform args and image sizes.
    #[arg(long, default_value = "linux/amd64")]
    pub platform: String,
    /// A build argument, as `docker build --build-arg NAME=VALUE` (repeatable).
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    pub build_args: Vec<String>,
    /// Do not read the build context (faster; rules about files and .dockerignore stay quiet).
    #[arg(long, conflicts_with = "context")]
    pub no_context: bool,
    /// The build context folder, as the last argument of `docker build -f docker/Dockerfile
    /// DIR` (default: each Dockerfile's own folder). Its files and `.dockerignore` are what the
    /// context rules and the COPY sizes read.
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,
    /// Apply safe fixes to the files.
    #[arg(long)]
    pub fix: bool,
    /// With --fix, also apply unsafe fixes.
    #[arg(long, requires = "fix")]
    pub unsafe_fixes: bool,
    /// Worker threads (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    /// Source snippets, coloured on a terminal.
    Text,
    /// One JSON document with every finding.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

pub fn run(args: &CheckArgs) -> Result<u8> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut warnings = Vec::new();
    for p in &paths {
        if !p.exists() {
            eprintln!("layerwise: error: {} does not exist", p.display());
            return Ok(2);
        }
    }
    let context = ContextChoice::from_args(args.no_context, args.context.as_deref());
    if let Some(problem) = context.problem() {
        eprintln!("layerwise: error: {problem}");
        return Ok(2);
    }
    let files = discover(&paths, &mut |w| warnings.push(w));
    let build_args = args
        .build_args
        .iter()
        .map(|a| {
            a.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .unwrap_or_else(|| (a.clone(), std::env::var(a).unwrap_or_default()))
        })
        .collect();
    let settings = RegistrySettings {
        offline: true,
        ..RegistrySettings::default()
    };
    let registry = Registry::new(settings)?;
    let opts = Options {
        registry: &registry,
        platform: args.platform.clone(),
        build_args,
        context,
    };
    let reports = run_parallel(&files, &opts, args.jobs);

    let mut ok_reports: Vec<FileReport> = Vec::new();
    let mut unchecked: Vec<(String, String)> = Vec::new();
    for (path, r) in files.iter().zip(reports) {
        match r {
            Ok(r) => ok_reports.push(r),
            Err(e) => {
                eprintln!("layerwise: error: {}: {e}", path.display());
                unchecked.push((path.display().to_string(), e.to_string()));
            }
        }
    }
    if args.fix {
        crate::commands::fix::apply(&mut ok_reports, args.unsafe_fixes, &opts)?;
    }
    for r in &ok_reports {
        warnings.extend(r.warnings.iter().cloned());
    }
    for w in &warnings {
        eprintln!("layerwise: warning: {w}");
    }
    let out = match args.format {
        OutputFormat::Text => render::text::render(
            &ok_reports,
            std::io::IsTerminal::is_terminal(&std::io::stdout())
                && std::env::var_os("NO_COLOR").is_none(),
        ),
        OutputFormat::Json => render::json::render(&ok_reports),
        OutputFormat::Sarif => render::sarif::render(&ok_reports, &unchecked),
    };
    print!("{out}");

    if !unchecked.is_empty() {
        return Ok(2);
    }
    let threshold = match args.fail_on.as_deref() {
        Some("never") => None,
        Some(s) => Severity::parse(s),
        None => Some(
            ok_reports
                .iter()
                .find_map(|r| r.failure_threshold)
                .unwrap_or(Severity::Warning),
        ),
    };
    let failing = threshold.is_some_and(|t| {
        ok_reports
            .iter()
            .any(|r| r.diagnostics.iter().any(|d| d.severity >= t))
    });
    Ok(u8::from(failing))
}

/// Checks files on a small pool of threads; results come back in input order.
fn run_parallel(
    files: &[PathBuf],
    opts: &Options<'_>,
    jobs: Option<usize>,
) -> Vec<Result<FileReport, String>> {
    let requested = jobs;
    let jobs = jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .clamp(1, 64)
        .min(files.len().max(1));
    // One file on its own may take a second thread for its rules; files checked side by side
    // (or `--jobs 1`) already use the threads asked for.
    let one_file_alone = jobs == 1 && requested != Some(1);
    layerwise_lint::engine::allow_two_threads(one_file_alone);
    layerwise_syntax::allow_two_threads(one_file_alone);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<FileReport, String>>>> =
        files.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                let r =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyze(path, opts)))
                        .unwrap_or_else(|_| {
                            Err("internal error while checking this file (please report it)".into())
                        });
                if let Ok(mut slot) = results[i].lock() {
                    *slot = Some(r);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err("not checked".into()))
        })
        .collect()
}
