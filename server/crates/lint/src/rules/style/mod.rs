//! The `style` group.

use crate::rule::Rule;

pub mod consistent_instruction_casing;
pub mod expose_proto_casing;
pub mod from_as_casing;
pub mod invalid_definition_description;
pub mod legacy_key_value_format;
pub mod maintainer_deprecated;
pub mod redundant_target_platform;
pub mod stage_name_casing;

pub static RULES: &[&dyn Rule] = &[
    &maintainer_deprecated::MaintainerDeprecated,
    &stage_name_casing::StageNameCasing,
    &from_as_casing::FromAsCasing,
    &consistent_instruction_casing::ConsistentInstructionCasing,
    &legacy_key_value_format::LegacyKeyValueFormat,
    &expose_proto_casing::ExposeProtoCasing,
    &redundant_target_platform::RedundantTargetPlatform,
    &invalid_definition_description::InvalidDefinitionDescription,
];
