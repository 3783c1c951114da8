use layerwise_syntax::{Args, InstructionKind};

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// `MAINTAINER` is deprecated; use a label.
    ///
    /// ## What it does
    /// Reports the `MAINTAINER` instruction.
    ///
    /// ## Why is this bad?
    /// `MAINTAINER` has been deprecated since Docker 1.13. The OCI label
    /// `org.opencontainers.image.authors` says the same and tools read it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// MAINTAINER Jane Doe <jane@example.com>
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix writes the same text into the standard label.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit MaintainerDeprecated](https://docs.docker.com/reference/build-checks/maintainer-deprecated/)
    /// - [hadolint DL4000](https://github.com/hadolint/hadolint/wiki/DL4000)
    pub struct MaintainerDeprecated {
        name: "maintainer-deprecated",
        group: Style,
        severity: Warning,
        fix: Always,
        hadolint: ["DL4000"],
        buildkit: Some("MaintainerDeprecated"),
    }
}

impl RuleCheck for MaintainerDeprecated {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.of_kind(InstructionKind::Maintainer) {
            let mut d = Diagnostic::new(meta, i.keyword_range(), "MAINTAINER is deprecated")
                .note("Use `LABEL org.opencontainers.image.authors=...` instead.");
            if let Args::Text(w) = &i.inst.args {
                let value = w.text.replace('\\', "\\\\").replace('"', "\\\"");
                let range = i.abs(layerwise_syntax::TextRange::new(
                    i.inst.keyword.range.start,
                    w.range.end,
                ));
                d = d.fix(Fix::replace(
                    "Replace with an OCI authors label",
                    range,
                    format!("LABEL org.opencontainers.image.authors=\"{value}\""),
                    Applicability::Safe,
                ));
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM a\nmaintainer Jane \"J\" Doe\n";
        assert_eq!(flagged(&MaintainerDeprecated, t), ["maintainer"]);
        assert_eq!(
            fixed(&MaintainerDeprecated, t),
            "FROM a\nLABEL org.opencontainers.image.authors=\"Jane \\\"J\\\" Doe\"\n"
        );
    }

    #[test]
    fn near_miss() {
        assert!(findings(&MaintainerDeprecated, "FROM a\nLABEL maintainer=jane\n").is_empty());
    }
}
