//! The `size` group: what makes the shipped image heavier than it needs to be. Only what
//! reaches the final image counts (see [`shipped`]): builder stages may carry compilers and
//! caches.

use crate::rule::Rule;

pub(crate) mod command_text;
pub(crate) mod edits;
pub(crate) mod os_packages;
pub(crate) mod rpm_clean;
pub(crate) mod shipped;
pub mod toolchains;

pub mod apk_cache_left;
pub mod apt_install_recommends;
pub mod apt_lists_left;
pub mod build_tools_in_final_stage;
pub mod dev_dependencies_shipped;
pub mod dnf_cache_left;
pub mod npm_install_instead_of_ci;
pub mod pip_cache_left;
pub mod sources_in_final_stage;
pub mod toolchain_final_image;
pub mod unused_stage;
pub mod yarn_cache_left;
pub mod yum_cache_left;
pub mod zypper_cache_left;

pub static RULES: &[&dyn Rule] = &[
    &toolchain_final_image::ToolchainFinalImage,
    &build_tools_in_final_stage::BuildToolsInFinalStage,
    &sources_in_final_stage::SourcesInFinalStage,
    &dev_dependencies_shipped::DevDependenciesShipped,
    &npm_install_instead_of_ci::NpmInstallInsteadOfCi,
    &unused_stage::UnusedStage,
    &apt_lists_left::AptListsLeft,
    &apt_install_recommends::AptInstallRecommends,
    &apk_cache_left::ApkCacheLeft,
    &pip_cache_left::PipCacheLeft,
    &yum_cache_left::YumCacheLeft,
    &dnf_cache_left::DnfCacheLeft,
    &zypper_cache_left::ZypperCacheLeft,
    &yarn_cache_left::YarnCacheLeft,
];
