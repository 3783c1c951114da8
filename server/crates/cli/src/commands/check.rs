//! `layerwise check`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

#[derive(Args)]
pub struct CheckArgs {
    /// Files or folders (default: the current folder).
    pub paths: Vec<PathBuf>,
}

pub fn run(_args: &CheckArgs) -> Result<u8> {
    anyhow::bail!("not built yet")
}
