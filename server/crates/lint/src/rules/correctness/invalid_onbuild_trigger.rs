use layerwise_syntax::{Args, InstructionKind};

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// `ONBUILD ONBUILD`, `ONBUILD FROM` or `ONBUILD MAINTAINER`.
    ///
    /// ## What it does
    /// Reports triggers that `ONBUILD` does not accept.
    ///
    /// ## Why is this bad?
    /// `docker build` stops: chaining `ONBUILD` is not allowed, and `FROM` and `MAINTAINER`
    /// cannot be triggers.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// ONBUILD ONBUILD RUN npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// ONBUILD RUN npm ci
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Dockerfile reference: ONBUILD](https://docs.docker.com/reference/dockerfile/#onbuild)
    pub struct InvalidOnbuildTrigger {
        name: "invalid-onbuild-trigger",
        group: Correctness,
        severity: Error,
        fix: None,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for InvalidOnbuildTrigger {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.of_kind(InstructionKind::Onbuild) {
            let Args::Onbuild(inner) = &i.inst.args else {
                continue;
            };
            let message = match inner.kind {
                InstructionKind::Onbuild => {
                    "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".to_string()
                }
                InstructionKind::From | InstructionKind::Maintainer => format!(
                    "{} isn't allowed as an ONBUILD trigger",
                    inner.kind.keyword()
                ),
                _ => continue,
            };
            out.push(
                Diagnostic::new(meta, i.abs(inner.keyword.range), message)
                    .note("docker build stops at this instruction."),
            );
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
            flagged(
                &InvalidOnbuildTrigger,
                "FROM a\nONBUILD ONBUILD RUN x\nonbuild from b\nONBUILD MAINTAINER me\n"
            ),
            ["ONBUILD", "from", "MAINTAINER"]
        );
    }

    #[test]
    fn near_miss() {
        assert!(findings(
            &InvalidOnbuildTrigger,
            "FROM a\nONBUILD RUN x\nONBUILD COPY . /app\n"
        )
        .is_empty());
    }
}
