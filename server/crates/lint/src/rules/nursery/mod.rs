//! The `nursery` group: new rules, off by default.

use crate::rule::Rule;

pub mod unused_suppression;

pub static RULES: &[&dyn Rule] = &[&unused_suppression::UnusedSuppression];
