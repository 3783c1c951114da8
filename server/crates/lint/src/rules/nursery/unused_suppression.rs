use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// A suppression comment that silences nothing.
    ///
    /// ## What it does
    /// Reports `# hadolint ignore=...`, `# check=skip=...` comments above an instruction and
    /// `# layerwise: ignore[...]` comments that no finding needed.
    ///
    /// ## Why is this bad?
    /// A stale suppression outlives the problem it hid and silently hides the next one.
    ///
    /// ## Example
    /// ```dockerfile
    /// # hadolint ignore=DL3007
    /// FROM alpine:3.20
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ```
    ///
    /// ## Fix safety
    /// Removing the comment is safe: it changes no finding.
    ///
    /// ## Options
    /// None. The engine reports this after all other rules ran.
    ///
    /// ## References
    /// - [Ruff's RUF100](https://docs.astral.sh/ruff/rules/unused-noqa/)
    pub struct UnusedSuppression {
        name: "unused-suppression",
        group: Nursery,
        severity: Hint,
        fix: Always,
        default_enabled: false,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for UnusedSuppression {
    /// The engine itself reports unused suppressions once every other rule has run.
    fn run(&self, _: &LintContext<'_>, _: &'static RuleMeta, _: &mut Vec<Diagnostic>) {}
}
