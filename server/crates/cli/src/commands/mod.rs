//! One module per subcommand.

pub mod check;
pub mod lsp;
pub mod parse;
