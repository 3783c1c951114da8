//! The one place that names the LSP types crate, so a framework upgrade that swaps it touches
//! one line.

pub use tower_lsp_server::ls_types::*;
