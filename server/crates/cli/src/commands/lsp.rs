//! `layerwise lsp` (and `layerwise --stdio`): the language server on stdio.

use anyhow::Result;

pub fn run() -> Result<u8> {
    layerwise_lsp::run_stdio()?;
    Ok(0)
}
