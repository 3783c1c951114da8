//! The rule table. Each group's `mod.rs` lists its rules; each rule is one file with its docs,
//! metadata, check and tests.

use crate::rule::Rule;

pub mod cache;
pub mod correctness;
pub mod nursery;
pub mod reproducibility;
pub mod security;
pub mod size;
pub mod style;
pub mod suspicious;

/// Every rule, grouped, in a stable order.
pub fn all() -> impl Iterator<Item = &'static dyn Rule> {
    correctness::RULES
        .iter()
        .chain(suspicious::RULES)
        .chain(cache::RULES)
        .chain(size::RULES)
        .chain(security::RULES)
        .chain(reproducibility::RULES)
        .chain(style::RULES)
        .chain(nursery::RULES)
        .copied()
}

/// The rule with this name, hadolint code or BuildKit check name.
pub fn find(code: &str) -> Option<&'static dyn Rule> {
    all().find(|r| r.meta().answers_to(code))
}
