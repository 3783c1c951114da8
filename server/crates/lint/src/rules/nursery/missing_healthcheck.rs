use layerwise_syntax::InstructionKind;

use crate::context::{InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::final_chain;

declare_rule! {
    /// The image serves a port but has no `HEALTHCHECK`.
    ///
    /// ## What it does
    /// Reports the `EXPOSE` of the final image (the final stage or a stage it is built on)
    /// when none of those stages sets a `HEALTHCHECK`. `HEALTHCHECK NONE` counts as a
    /// decision. Off by default: orchestrators such as Kubernetes use their own probes and
    /// ignore `HEALTHCHECK`.
    ///
    /// ## Why is this bad?
    /// Without a health check Docker (and Compose, Swarm) only knows whether the process is
    /// alive, not whether it answers: a hung server stays "running" and receives traffic.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 80
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 80
    /// HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost/ || exit 1
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: how to tell the service is healthy depends on the service.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker: HEALTHCHECK](https://docs.docker.com/reference/dockerfile/#healthcheck)
    pub struct MissingHealthcheck {
        name: "missing-healthcheck",
        group: Nursery,
        severity: Info,
        fix: None,
        default_enabled: false,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for MissingHealthcheck {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let chain = final_chain(cx);
        let shipped: Vec<InstRef<'_>> = cx
            .instructions()
            .filter(|i| i.stage.is_some_and(|s| chain.contains(&s)))
            .collect();
        if shipped
            .iter()
            .any(|i| i.inst.kind == InstructionKind::Healthcheck)
        {
            return;
        }
        let Some(expose) = shipped
            .iter()
            .rev()
            .find(|i| i.inst.kind == InstructionKind::Expose)
        else {
            return;
        };
        out.push(
            Diagnostic::new(meta, expose.head_range(), "The image exposes a port but has no HEALTHCHECK")
                .note("Add `HEALTHCHECK CMD <command that fails when the service does not answer>` so Docker can tell a hung service from a healthy one."),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires() {
        assert_eq!(
            flagged(&MissingHealthcheck, "FROM a\nEXPOSE 80\nEXPOSE 443/tcp\n"),
            ["EXPOSE 443/tcp"]
        );
        // a builder's HEALTHCHECK does not reach the image
        assert_eq!(
            flagged(
                &MissingHealthcheck,
                "FROM a AS b\nHEALTHCHECK CMD true\nFROM c\nEXPOSE 80\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn near_misses() {
        assert!(findings(&MissingHealthcheck, "FROM a\nEXPOSE 80\nHEALTHCHECK NONE\n").is_empty());
        assert!(findings(
            &MissingHealthcheck,
            "FROM a AS b\nHEALTHCHECK CMD true\nFROM b\nEXPOSE 80\n"
        )
        .is_empty());
        assert!(findings(
            &MissingHealthcheck,
            "FROM a AS b\nEXPOSE 80\nFROM c\nCMD x\n"
        )
        .is_empty());
    }
}
