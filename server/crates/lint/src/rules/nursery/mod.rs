//! The `nursery` group: new rules, off by default until they prove themselves on real
//! Dockerfiles.

use crate::rule::Rule;

pub mod add_instead_of_copy;
pub mod cd_in_run;
pub mod consecutive_run;
pub mod curl_and_wget;
pub mod ln_bin_sh;
pub mod missing_healthcheck;
pub mod musl_glibc_mismatch;
pub mod scratch_missing_files;
pub mod shell_swallows_signals;
pub mod unused_suppression;
pub mod useless_command;
pub mod useradd_high_uid;

pub static RULES: &[&dyn Rule] = &[
    &unused_suppression::UnusedSuppression,
    &scratch_missing_files::ScratchMissingFiles,
    &musl_glibc_mismatch::MuslGlibcMismatch,
    &missing_healthcheck::MissingHealthcheck,
    &shell_swallows_signals::ShellSwallowsSignals,
    &useless_command::UselessCommand,
    &cd_in_run::CdInRun,
    &add_instead_of_copy::AddInsteadOfCopy,
    &curl_and_wget::CurlAndWget,
    &ln_bin_sh::LnBinSh,
    &consecutive_run::ConsecutiveRun,
    &useradd_high_uid::UseraddHighUid,
];
