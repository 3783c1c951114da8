use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// A stage named `scratch` or `context`.
    ///
    /// ## What it does
    /// Reports `FROM ... AS scratch` and `FROM ... AS context`.
    ///
    /// ## Why is this bad?
    /// Both names already mean something to the builder: `scratch` is the empty image and
    /// `context` names the build context in `--build-context` setups. A stage with such a name
    /// makes `FROM scratch` or a named context ambiguous.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20 AS scratch
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20 AS builder
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the stage needs a new name.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit ReservedStageName](https://docs.docker.com/reference/build-checks/reserved-stage-name/)
    pub struct ReservedStageName {
        name: "reserved-stage-name",
        group: Suspicious,
        severity: Warning,
        fix: None,
        hadolint: [],
        buildkit: Some("ReservedStageName"),
    }
}

impl RuleCheck for ReservedStageName {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for s in &cx.model.stages {
            let (Some(name), Some(range)) = (&s.name, s.name_range) else {
                continue;
            };
            if matches!(name.as_str(), "scratch" | "context") {
                out.push(
                    Diagnostic::new(meta, range, format!("'{name}' is reserved and should not be used as a stage name"))
                        .note("`scratch` and `context` already mean something to the builder; pick another name."),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires() {
        assert_eq!(
            flagged(&ReservedStageName, "FROM a AS scratch\nFROM a AS Context\n"),
            ["scratch", "Context"]
        );
    }

    #[test]
    fn near_miss() {
        assert!(findings(
            &ReservedStageName,
            "FROM scratch\nFROM a AS scratchpad\nFROM a AS build-context\n"
        )
        .is_empty());
    }
}
