//! What it means for two Dockerfiles to mean the same thing, for formatting: the one
//! definition next to the formatter (`layerwise_ide::formatting::meaning`), which the corpus
//! test uses too.

pub use layerwise_ide::formatting::meaning::{meaning, shell_normal};
