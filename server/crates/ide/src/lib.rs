//! Editor features in plain terms: byte offsets in, values out. `lsp` converts them to the
//! protocol. Nothing here does IO or knows about LSP types.

pub mod analysis;
mod clean_path;
pub mod code_actions;
pub mod code_lens;
pub mod completion;
pub mod document_links;
pub mod folding;
pub mod formatting;
pub mod hover;
pub mod inlay_hints;
pub mod navigation;
pub mod outline;
pub mod reference;
pub mod selection_ranges;
pub mod semantic_tokens;
pub mod signature_help;
pub mod sizes;
pub mod split;
pub mod symbols_at;

pub use analysis::Analysis;
