use layerwise_syntax::InstructionKind;

use crate::context::{InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// A second `CMD`, `ENTRYPOINT` or `HEALTHCHECK` in one stage.
    ///
    /// ## What it does
    /// Reports a `CMD`, `ENTRYPOINT` or `HEALTHCHECK` when the same stage already has one.
    /// The finding sits on the later instruction (where hadolint and BuildKit suppression
    /// comments go) and points at the earlier one, which has no effect.
    ///
    /// ## Why is this bad?
    /// An image has one command, one entrypoint and one health check: only the last of each
    /// counts, so the earlier ones are dead code that misleads readers.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENTRYPOINT ["echo", "Hello, Norway!"]
    /// ENTRYPOINT ["echo", "Hello, Sweden!"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENTRYPOINT ["echo", "Hello, Sweden!"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix deletes the earlier instruction. The image is the same, but if the
    /// earlier one was the one you meant, keep it and delete the later one instead.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit MultipleInstructionsDisallowed](https://docs.docker.com/reference/build-checks/multiple-instructions-disallowed/)
    /// - [hadolint DL4003](https://github.com/hadolint/hadolint/wiki/DL4003), [DL4004](https://github.com/hadolint/hadolint/wiki/DL4004), [DL3012](https://github.com/hadolint/hadolint/wiki/DL3012)
    pub struct MultipleInstructionsDisallowed {
        name: "multiple-instructions",
        group: Suspicious,
        severity: Warning,
        fix: Always,
        hadolint: ["DL4003", "DL4004", "DL3012"],
        buildkit: Some("MultipleInstructionsDisallowed"),
    }
}

impl RuleCheck for MultipleInstructionsDisallowed {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let insts = cx.instruction_list();
        for stage in &cx.model.stages {
            for kind in [
                InstructionKind::Cmd,
                InstructionKind::Entrypoint,
                InstructionKind::Healthcheck,
            ] {
                let mut previous: Option<&InstRef<'_>> = None;
                for i in stage
                    .instructions
                    .iter()
                    .filter_map(|&n| insts.get(n))
                    .filter(|i| i.inst.kind == kind)
                {
                    if let Some(p) = previous {
                        let kw = kind.keyword();
                        out.push(
                            Diagnostic::new(meta, i.keyword_range(), format!("Multiple {kw} instructions should not be used in the same stage because only the last one will be used"))
                                .note(format!("This {kw} replaces the earlier one, which has no effect."))
                                .related(p.head_range(), format!("this {kw} is ignored"))
                                .fix(Fix::replace(format!("Remove the ignored {kw}"), p.range(), "", Applicability::Unsafe)),
                        );
                    }
                    previous = Some(i);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM a\nCMD [\"a\"]\nHEALTHCHECK CMD true\nCMD [\"b\"]\nHEALTHCHECK NONE\n";
        assert_eq!(
            flagged(&MultipleInstructionsDisallowed, t),
            ["CMD", "HEALTHCHECK"]
        );
        let d = findings(&MultipleInstructionsDisallowed, t);
        assert_eq!(&t[d[0].range.as_usize()], "CMD");
        assert_eq!(d[0].range.start, 38);
        assert_eq!(
            fixed(&MultipleInstructionsDisallowed, t),
            "FROM a\nCMD [\"b\"]\nHEALTHCHECK NONE\n"
        );
    }

    #[test]
    fn hadolint_ignore_above_the_later_one() {
        let t = "FROM a\nCMD [\"a\"]\n# hadolint ignore=DL4003\nCMD [\"b\"]\n";
        assert!(findings(&MultipleInstructionsDisallowed, t).is_empty());
    }

    #[test]
    fn near_miss() {
        let ok = "FROM a AS b\nCMD [\"a\"]\nENTRYPOINT [\"x\"]\nHEALTHCHECK CMD [\"curl\", \"-f\", \"http://localhost\"]\nFROM b\nCMD [\"c\"]\nONBUILD CMD [\"d\"]\n";
        assert!(findings(&MultipleInstructionsDisallowed, ok).is_empty());
    }
}
