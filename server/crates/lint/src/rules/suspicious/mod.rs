//! The `suspicious` group: probably a mistake, though the build may still succeed.

use crate::rule::Rule;

pub(crate) mod build_env;

pub mod copy_dest_not_directory;
pub mod copy_from_unknown_stage;
pub mod duplicate_stage_name;
pub mod expose_invalid_format;
pub mod from_platform_flag_const;
pub mod json_args_recommended;
pub mod multiple_instructions;
pub mod no_empty_continuation;
pub mod reserved_stage_name;
pub mod secrets_used_in_arg_or_env;
pub mod undefined_arg_in_from;
pub mod undefined_var;
pub mod unknown_check_name;
pub mod workdir_relative_path;

pub static RULES: &[&dyn Rule] = &[
    &undefined_var::UndefinedVar,
    &duplicate_stage_name::DuplicateStageName,
    &reserved_stage_name::ReservedStageName,
    &copy_from_unknown_stage::CopyFromUnknownStage,
    &undefined_arg_in_from::UndefinedArgInFrom,
    &workdir_relative_path::WorkdirRelativePath,
    &multiple_instructions::MultipleInstructionsDisallowed,
    &json_args_recommended::JsonArgsRecommended,
    &no_empty_continuation::NoEmptyContinuation,
    &expose_invalid_format::ExposeInvalidFormat,
    &secrets_used_in_arg_or_env::SecretsUsedInArgOrEnv,
    &from_platform_flag_const::FromPlatformFlagConstDisallowed,
    &copy_dest_not_directory::CopyDestNotDirectory,
    &unknown_check_name::UnknownCheckName,
];
