//! The `suspicious` group: probably a mistake, though the build may still succeed.

use crate::rule::Rule;

pub(crate) mod build_env;

pub mod undefined_var;

pub static RULES: &[&dyn Rule] = &[&undefined_var::UndefinedVar];
