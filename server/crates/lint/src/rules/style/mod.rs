//! The `style` group.

use crate::rule::Rule;

pub mod maintainer_deprecated;

pub static RULES: &[&dyn Rule] = &[&maintainer_deprecated::MaintainerDeprecated];
