//! The `reproducibility` group: builds that change without the Dockerfile changing.

use crate::rule::Rule;

pub mod untagged_image;

pub static RULES: &[&dyn Rule] = &[&untagged_image::UntaggedImage];
