//! Lossless, error-tolerant, incremental parser for Dockerfiles, following BuildKit's parser.
//!
//! - [`Dockerfile::parse`] never fails; the concatenated item texts equal the input byte for
//!   byte, and every byte belongs to exactly one [`Token`].
//! - [`Dockerfile::edit`] re-parses only the items an edit touches; the result equals a full
//!   parse of the new text.
//! - [`ast`] is the typed view of an instruction (flags, arguments, heredocs), with ranges
//!   relative to its item ([`ItemRef::abs`] makes them file ranges).
//! - [`buildkit`] prints BuildKit's AST dump and the instruction JSON used for conformance.

pub mod ast;
pub mod buildkit;
pub mod expand;
pub mod mount;
pub mod tree_dump;

mod dockerfile;
mod full_parse;
mod go_quote;
mod heredoc;
mod item;
mod item_text;
mod json_args;
mod lexer;
mod parser;
mod split;
mod text_range;
mod thin_list;
mod tokens;

pub use ast::{
    Args, Flag, FromParts, Heredoc, Instruction, InstructionKind, KeyValue, ThinList, Word,
};
pub use dockerfile::{Dockerfile, EditPreview, ItemRef, MAX_LEN};
pub use full_parse::allow_two_threads;
pub use go_quote::go_quote;
pub use item::{Directive, Item, ItemKind};
pub use text_range::TextRange;
pub use tokens::{Token, TokenKind};

/// A problem that makes BuildKit's parser reject the file (the rest still parses here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: TextRange,
    pub message: String,
}
