//! The `layerwise` binary: `check` for CI, `lsp` for editors, and tools around them.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod analyze;
mod build_context;
mod commands;
mod discover;
mod input;
mod line_index;
mod render;

/// Dockerfile language server and checker that shows image sizes and build-cache waste.
#[derive(Parser)]
#[command(name = "layerwise", version, about, long_about = None, after_help = EXAMPLES)]
struct Cli {
    /// Serve the Language Server Protocol on stdio (same as `layerwise lsp`).
    #[arg(long)]
    stdio: bool,

    #[command(subcommand)]
    command: Option<Command>,
}

const EXAMPLES: &str = "\
Examples:
  layerwise check                       check every Dockerfile under the current folder
  layerwise check app/Dockerfile --format sarif > layerwise.sarif
  layerwise lsp                         run the language server on stdio (editors do this)
  layerwise parse --format buildkit Dockerfile
  layerwise image node:20-slim          what layerwise knows about an image
  layerwise explain copy-before-install what a rule checks and why";

#[derive(Subcommand)]
enum Command {
    /// Check Dockerfiles and report problems (exit 1 when any reach the threshold).
    Check(commands::check::CheckArgs),
    /// Run the language server on stdio.
    Lsp,
    /// Print how a Dockerfile parses (BuildKit's dump, JSON records, or the lossless tree).
    Parse(commands::parse::ParseArgs),
    /// Show what layerwise knows about an image: size per platform, layers, digest, source.
    Image(commands::image::ImageArgs),
    /// List the rules (or write their docs).
    Rules(commands::rules::RulesArgs),
    /// Print a rule's documentation.
    Explain(commands::rules::ExplainArgs),
    /// Split a Dockerfile into build and runtime stages (prints the result, or --write).
    Split(commands::split::SplitArgs),
    /// Print the language server's settings schema (VS Code `contributes.configuration` shape).
    SettingsSchema,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match (cli.command, cli.stdio) {
        (Some(Command::Lsp), _) | (None, true) => commands::lsp::run(),
        (Some(Command::Check(args)), _) => commands::check::run(&args),
        (Some(Command::Parse(args)), _) => commands::parse::run(&args),
        (Some(Command::Image(args)), _) => commands::image::run(&args),
        (Some(Command::Rules(args)), _) => commands::rules::run(&args),
        (Some(Command::Explain(args)), _) => commands::rules::explain(&args),
        (Some(Command::Split(args)), _) => commands::split::run(&args),
        (Some(Command::SettingsSchema), _) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&layerwise_lsp::settings::schema())
                    .unwrap_or_default()
            );
            Ok(0)
        }
        (None, false) => {
            use clap::CommandFactory;
            let _ = Cli::command().print_help();
            Ok(2)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("layerwise: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
