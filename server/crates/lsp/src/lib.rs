//! layerwise-lsp
