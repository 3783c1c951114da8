//! The `reproducibility` group: builds that change (or break) without the Dockerfile changing.

use crate::rule::Rule;

pub(crate) mod pins;

pub mod apk_unpinned;
pub mod apt_get_yes;
pub mod apt_not_apt_get;
pub mod apt_unpinned;
pub mod gem_unpinned;
pub mod latest_tag;
pub mod npm_ci_lockfile;
pub mod npm_unpinned;
pub mod pip_unpinned;
pub mod pipefail;
pub mod untagged_image;
pub mod untrusted_registry;

pub static RULES: &[&dyn Rule] = &[
    &untagged_image::UntaggedImage,
    &latest_tag::LatestTag,
    &untrusted_registry::UntrustedRegistry,
    &npm_ci_lockfile::NpmCiLockfile,
    &apt_get_yes::AptGetYes,
    &apt_not_apt_get::AptNotAptGet,
    &pipefail::Pipefail,
    &apt_unpinned::AptUnpinned,
    &apk_unpinned::ApkUnpinned,
    &pip_unpinned::PipUnpinned,
    &npm_unpinned::NpmUnpinned,
    &gem_unpinned::GemUnpinned,
];
