use layerwise_syntax::{Args, InstructionKind};

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// `SHELL` written as plain text instead of a JSON array.
    ///
    /// ## What it does
    /// Reports `SHELL` whose argument is not a JSON array of strings.
    ///
    /// ## Why is this bad?
    /// `docker build` stops: `SHELL requires the arguments to be in JSON form`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// SHELL /bin/ash -eo pipefail -c
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix turns the whitespace-separated words into a JSON array, which makes
    /// the instruction take effect. Offered when the words contain no quotes or escapes.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Dockerfile reference: SHELL](https://docs.docker.com/reference/dockerfile/#shell)
    pub struct ShellNotJson {
        name: "shell-not-json",
        group: Correctness,
        severity: Error,
        fix: Sometimes,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for ShellNotJson {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.of_kind(InstructionKind::Shell) {
            let Args::Text(w) = &i.inst.args else {
                continue;
            };
            let range = i.abs(w.range);
            let mut d = Diagnostic::new(
                meta,
                range,
                "SHELL requires the arguments to be in JSON form",
            )
            .note("Write the shell and its options as a JSON array of strings.");
            if !w.text.contains(['"', '\'', '\\', '`', '[', ']']) {
                let items: Vec<String> = w
                    .text
                    .split_whitespace()
                    .map(|s| format!("\"{s}\""))
                    .collect();
                d = d.fix(Fix::replace(
                    "Write it as a JSON array",
                    range,
                    format!("[{}]", items.join(", ")),
                    Applicability::Unsafe,
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
        let t = "FROM a\nSHELL /bin/ash -eo pipefail -c\n";
        assert_eq!(flagged(&ShellNotJson, t), ["/bin/ash -eo pipefail -c"]);
        assert_eq!(
            fixed(&ShellNotJson, t),
            "FROM a\nSHELL [\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]\n"
        );
    }

    #[test]
    fn near_miss() {
        assert!(findings(
            &ShellNotJson,
            "FROM a\nSHELL [\"powershell\", \"-Command\"]\n"
        )
        .is_empty());
    }
}
