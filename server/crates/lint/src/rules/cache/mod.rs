//! The `cache` group: build-cache waste.

use crate::rule::Rule;

pub(crate) mod context_leaks;
pub(crate) mod mounts;
#[cfg(test)]
pub(crate) mod test_util;

pub mod add_remote_url;
pub mod apt_update_alone;
pub mod copy_before_install;
pub mod dockerignore_gaps;
pub mod early_volatile_arg;
pub mod missing_cache_mount;
pub mod missing_dockerignore;

// `missing_dockerignore` and `dockerignore_gaps` read the build context: their doc examples
// say which (`example_context` in `declare_rule!`).
pub static RULES: &[&dyn Rule] = &[
    &copy_before_install::CopyBeforeInstall,
    &apt_update_alone::AptUpdateAlone,
    &add_remote_url::AddRemoteUrl,
    &early_volatile_arg::EarlyVolatileArg,
    &missing_cache_mount::MissingCacheMount,
    &missing_dockerignore::MissingDockerignore,
    &dockerignore_gaps::DockerignoreGaps,
];
