//! The `style` group.

use crate::rule::Rule;

pub mod from_as_casing;
pub mod maintainer_deprecated;
pub mod stage_name_casing;

pub static RULES: &[&dyn Rule] = &[
    &maintainer_deprecated::MaintainerDeprecated,
    &stage_name_casing::StageNameCasing,
    &from_as_casing::FromAsCasing,
];
