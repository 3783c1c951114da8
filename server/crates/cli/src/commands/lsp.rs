//! `layerwise lsp` (and `layerwise --stdio`): the language server on stdio.

use anyhow::Result;

/// The process status follows the protocol: 0 after `shutdown` then `exit` (or stdin closed),
/// 1 after an `exit` that no `shutdown` preceded.
pub fn run() -> Result<u8> {
    Ok(layerwise_lsp::serve_stdio()?)
}
