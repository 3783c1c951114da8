use layerwise_syntax::TextRange;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// A `# check=` parser directive BuildKit cannot read.
    ///
    /// ## What it does
    /// Parses the `# check=` directive at the top of the file the way BuildKit does: up to
    /// three `;`-separated `key=value` options, with keys `skip`, `experimental` and `error`,
    /// and `error` a boolean.
    ///
    /// ## Why is this bad?
    /// BuildKit refuses to build: `failed to parse check options`. (Unknown check *names* are
    /// only ignored; see `unknown-check-name`.)
    ///
    /// ## Example
    /// ```dockerfile
    /// # check=skips=JSONArgsRecommended
    /// FROM alpine:3.20
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// # check=skip=JSONArgsRecommended
    /// FROM alpine:3.20
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Dockerfile reference: check directive](https://docs.docker.com/reference/dockerfile/#check)
    pub struct InvalidCheckDirective {
        name: "invalid-check-directive",
        group: Correctness,
        severity: Error,
        fix: None,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for InvalidCheckDirective {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        // The model reads the directive as BuildKit does (`CheckDirective::parse`).
        let check = &cx.model.check;
        let (Some(p), Some(value)) = (&check.problem, check.range) else {
            return;
        };
        let range = if p.span.is_empty() {
            value
        } else {
            TextRange::new(
                (value.start + p.span.start as u32).min(value.end),
                (value.start + p.span.end as u32).min(value.end),
            )
        };
        out.push(Diagnostic::new(meta, range, p.message.clone()).note("BuildKit stops with `failed to parse check options`. Write `skip=Name1,Name2`, `error=true` or `experimental=Name`, separated by `;`."));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires() {
        assert_eq!(
            flagged(&InvalidCheckDirective, "# check=skips=A\nFROM a\n"),
            ["skips"]
        );
        assert_eq!(
            flagged(&InvalidCheckDirective, "# check=skip=A;error=yes\nFROM a\n"),
            ["yes"]
        );
        assert_eq!(
            flagged(&InvalidCheckDirective, "# check=skip=A;oops\nFROM a\n"),
            ["oops"]
        );
        // exactly what Go's ParseBool rejects, and keys are case-sensitive
        assert_eq!(
            flagged(&InvalidCheckDirective, "# check=error=tRUE\nFROM a\n"),
            ["tRUE"]
        );
        assert_eq!(
            flagged(&InvalidCheckDirective, "# check=Skip=A\nFROM a\n"),
            ["Skip"]
        );
        // `error=` with nothing: the whole value
        assert_eq!(
            flagged(&InvalidCheckDirective, "# check=error=\nFROM a\n"),
            ["error="]
        );
    }

    #[test]
    fn near_miss() {
        for ok in [
            "# check=skip=all",
            "# check=error=true",
            "# check=skip=A,B;error=TRUE;experimental=all",
            "# check=skip=A;error=false;experimental=B;x",
            "# check=error=1",
            "# check=error=F",
            "# check=error=True",
        ] {
            assert!(
                findings(&InvalidCheckDirective, &format!("{ok}\nFROM a\n")).is_empty(),
                "{ok}"
            );
        }
        // a check comment below the header is not a directive; BuildKit ignores its errors
        assert!(findings(&InvalidCheckDirective, "FROM a\n# check=bogus\nRUN x\n").is_empty());
    }
}
