//! One module per subcommand.

pub mod check;
pub mod fix;
pub mod image;
pub mod lsp;
pub mod parse;
pub mod rules;
pub mod split;
