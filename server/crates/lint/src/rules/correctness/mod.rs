//! The `correctness` group: what makes `docker build` fail or do something else than meant.

use crate::rule::Rule;

pub mod syntax_error;

pub static RULES: &[&dyn Rule] = &[&syntax_error::SyntaxError];
