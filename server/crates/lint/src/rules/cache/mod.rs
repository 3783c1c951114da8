//! The `cache` group: build-cache waste.

use crate::rule::Rule;

pub(crate) mod mounts;

pub mod copy_before_install;

pub static RULES: &[&dyn Rule] = &[&copy_before_install::CopyBeforeInstall];
