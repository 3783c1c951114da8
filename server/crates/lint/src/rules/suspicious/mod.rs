//! The `suspicious` group: probably a mistake, though the build may still succeed.

use crate::rule::Rule;

pub(crate) mod build_env;

pub mod copy_from_unknown_stage;
pub mod duplicate_stage_name;
pub mod reserved_stage_name;
pub mod undefined_var;

pub static RULES: &[&dyn Rule] = &[
    &undefined_var::UndefinedVar,
    &duplicate_stage_name::DuplicateStageName,
    &reserved_stage_name::ReservedStageName,
    &copy_from_unknown_stage::CopyFromUnknownStage,
];
