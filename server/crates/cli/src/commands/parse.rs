//! `layerwise parse`: how a file parses, in BuildKit's formats or as our lossless tree.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};
use layerwise_syntax::{buildkit, tree_dump::tree_dump, Dockerfile};

use crate::input::read_dockerfile;

#[derive(Args)]
pub struct ParseArgs {
    /// The Dockerfile to parse (`-` for standard input).
    pub file: PathBuf,
    #[arg(long, value_enum, default_value_t = ParseFormat::Tree)]
    pub format: ParseFormat,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ParseFormat {
    /// BuildKit's AST dump, as in its parser test `result` files.
    Buildkit,
    /// One JSON object per instruction with BuildKit's node fields.
    Json,
    /// The lossless tree: items and tokens with byte ranges.
    Tree,
}

pub fn run(args: &ParseArgs) -> Result<u8> {
    let text = if args.file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
        s
    } else {
        read_dockerfile(&args.file)?.text
    };
    let file = Dockerfile::parse(&text);
    let out = match args.format {
        ParseFormat::Tree => Ok(tree_dump(&file)),
        ParseFormat::Buildkit => buildkit::dump(&file),
        ParseFormat::Json => buildkit::records(&file)
            .map(|r| serde_json::to_string_pretty(&r).unwrap_or_default() + "\n"),
    };
    match out {
        Ok(s) => {
            print!("{s}");
            Ok(0)
        }
        Err(e) => {
            let line = text[..(e.range.start as usize).min(text.len())]
                .matches('\n')
                .count()
                + 1;
            eprintln!("{}:{line}: {}", args.file.display(), e.message);
            Ok(1)
        }
    }
}
