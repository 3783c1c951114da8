use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::reproducibility::pins;

declare_rule! {
    /// `gem install` of a gem without a version.
    ///
    /// ## What it does
    /// Reports each gem that `gem install` names without `:<version>` when no `-v`/`--version`
    /// is given. Local `.gem` files and gems in variables are left alone.
    ///
    /// ## Why is this bad?
    /// Without a version RubyGems installs the newest release on the day of the build: two
    /// builds of the same Dockerfile get different code, and a major release can break it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM ruby:3.3-slim
    /// RUN gem install --no-document bundler
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM ruby:3.3-slim
    /// RUN gem install --no-document bundler:2.5.11
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which version you want is your decision.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3028](https://github.com/hadolint/hadolint/wiki/DL3028)
    pub struct GemUnpinned {
        name: "gem-unpinned",
        group: Reproducibility,
        severity: Warning,
        fix: None,
        hadolint: ["DL3028"],
        buildkit: None,
    }
}

impl RuleCheck for GemUnpinned {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        pins::report(
            cx,
            meta,
            out,
            pins::gem,
            "gem",
            "Pin it with `name:<version>` or `-v <version>`.",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_per_gem() {
        assert_eq!(
            flagged(
                &GemUnpinned,
                "FROM a\nRUN gem install --no-document bundler rake:13.2.1\n"
            ),
            ["bundler"]
        );
    }

    #[test]
    fn near_misses() {
        assert!(findings(
            &GemUnpinned,
            "FROM a\nRUN gem install bundler -v 2.5.11 && gem update --system && bundle install\n"
        )
        .is_empty());
    }
}
