use layerwise_syntax::TextRange;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::values::go_bool;

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
        let Some((r, d)) = cx.file.directives().find(|(_, d)| &*d.name == "check") else {
            return;
        };
        let start = r.abs(d.value_range).start;
        if let Some((at, len, message)) = problem(&d.value) {
            let range = TextRange::new(start + at as u32, start + (at + len) as u32);
            out.push(Diagnostic::new(meta, range, message).note("BuildKit stops with `failed to parse check options`. Write `skip=Name1,Name2`, `error=true` or `experimental=Name`, separated by `;`."));
        }
    }
}

/// BuildKit's `ParseLintOptions`: the first problem, as (offset, length, message).
fn problem(value: &str) -> Option<(usize, usize, String)> {
    if value.trim().is_empty() {
        return None;
    }
    let mut pos = 0;
    let parts: Vec<&str> = value.splitn(3, ';').collect();
    for part in parts {
        let here = pos;
        pos += part.len() + 1;
        let Some((k, v)) = part.split_once('=') else {
            return Some((
                here,
                part.len(),
                format!("invalid check option {part:?}: expected key=value"),
            ));
        };
        match k.trim() {
            "skip" | "experimental" => {}
            "error" if go_bool(v.trim()).is_some() => {}
            "error" => {
                return Some((
                    here + k.len() + 1,
                    v.len(),
                    format!("failed to parse check option {part:?}: error takes true or false"),
                ))
            }
            other => {
                return Some((
                    here,
                    k.len(),
                    format!("invalid check option {other:?}: use skip, error or experimental"),
                ))
            }
        }
    }
    None
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
    }

    #[test]
    fn near_miss() {
        for ok in [
            "# check=skip=all",
            "# check=error=true",
            "# check=skip=A,B;error=TRUE;experimental=all",
            "# check=skip=A;error=false;experimental=B;x",
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
