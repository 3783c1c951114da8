//! The rule engine and the rules: one file per rule under `rules/<group>/`, with its docs,
//! metadata, check and tests. Pure: takes the parse, the model, settings and facts; returns
//! diagnostics with fixes.

pub mod config;
pub mod context;
pub mod diagnostic;
pub mod docs;
pub mod engine;
pub mod fixes;
mod keyword_table;
pub mod package_managers;
pub mod rule;
pub mod rules;
pub mod shell_append;
pub mod suppress;
#[cfg(test)]
pub(crate) mod test_support;
pub mod windows_image;

pub use config::{Config, Level};
pub use context::{Facts, LintContext};
pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Related, Severity};
pub use engine::lint;
pub use rule::{Group, Rule, RuleMeta};
