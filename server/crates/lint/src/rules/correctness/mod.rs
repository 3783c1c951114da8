//! The `correctness` group: what makes `docker build` fail or do something else than meant.

use crate::rule::Rule;

pub(crate) mod flag_table;
pub(crate) mod stage_graph;
pub(crate) mod util;
pub(crate) mod values;

pub mod copy_ignored_file;
pub mod duplicate_flag;
pub mod from_later_stage;
pub mod invalid_arguments;
pub mod invalid_base_image_platform;
pub mod invalid_check_directive;
pub mod invalid_default_arg_in_from;
pub mod invalid_expose;
pub mod invalid_flag_value;
pub mod invalid_image_reference;
pub mod invalid_mount;
pub mod invalid_onbuild_trigger;
pub mod invalid_stage_reference;
pub mod invalid_stop_signal;
pub mod shell_not_json;
pub mod syntax_error;
pub mod unknown_flag;
pub mod unknown_instruction;

pub static RULES: &[&dyn Rule] = &[
    &syntax_error::SyntaxError,
    &unknown_instruction::UnknownInstruction,
    &invalid_arguments::InvalidArguments,
    &unknown_flag::UnknownFlag,
    &duplicate_flag::DuplicateFlag,
    &invalid_flag_value::InvalidFlagValue,
    &invalid_mount::InvalidMount,
    &invalid_stage_reference::InvalidStageReference,
    &from_later_stage::FromLaterStage,
    &invalid_image_reference::InvalidImageReference,
    &invalid_expose::InvalidExpose,
    &invalid_stop_signal::InvalidStopSignal,
    &invalid_onbuild_trigger::InvalidOnbuildTrigger,
    &shell_not_json::ShellNotJson,
    &invalid_check_directive::InvalidCheckDirective,
    &invalid_base_image_platform::InvalidBaseImagePlatform,
    &invalid_default_arg_in_from::InvalidDefaultArgInFrom,
    &copy_ignored_file::CopyIgnoredFile,
];
