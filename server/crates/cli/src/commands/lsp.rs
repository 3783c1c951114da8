//! `layerwise lsp`: the language server on stdio.

use anyhow::Result;

pub fn run() -> Result<u8> {
    anyhow::bail!("the language server is not built yet")
}
