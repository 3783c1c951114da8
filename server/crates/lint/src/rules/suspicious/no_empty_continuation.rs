use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// An empty line inside a continued instruction.
    ///
    /// ## What it does
    /// Reports empty lines between the lines of an instruction continued with `\` (or the
    /// escape character in force).
    ///
    /// ## Why is this bad?
    /// BuildKit skips them today but has deprecated them: a future release will reject the
    /// file. They also hide where an instruction really ends: a forgotten `\` before an empty
    /// line silently glues the next instruction onto this one.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache \
    ///
    ///     curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache \
    ///     curl
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix deletes the empty lines, which BuildKit ignores.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit NoEmptyContinuation](https://docs.docker.com/reference/build-checks/no-empty-continuation/)
    pub struct NoEmptyContinuation {
        name: "no-empty-continuation",
        group: Suspicious,
        severity: Warning,
        fix: Always,
        hadolint: [],
        buildkit: Some("NoEmptyContinuation"),
    }
}

impl RuleCheck for NoEmptyContinuation {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.instructions() {
            let lines = i.item.item.empty_continuation_lines();
            let Some(first) = lines.first() else { continue };
            let kw = i.inst.kind.keyword();
            let kw = if kw.is_empty() {
                &*i.inst.keyword.text
            } else {
                kw
            };
            let mut d = Diagnostic::new(meta, i.abs(*first), format!("Empty continuation line in {kw}"))
                .note("Empty lines inside a continued instruction are deprecated and will become errors; delete them or put a comment there.")
                .related(i.head_range(), "the instruction continues across it");
            for l in &lines[1..] {
                d = d.related(i.abs(*l), "another empty continuation line");
            }
            let edits = lines
                .iter()
                .map(|l| Edit {
                    range: i.abs(*l),
                    text: "".into(),
                })
                .collect();
            out.push(d.fix(Fix {
                title: "Delete the empty lines".into(),
                applicability: Applicability::Safe,
                edits,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM a\nRUN apk add \\\n\n    gnupg \\\n  \n    curl\n";
        let d = findings(&NoEmptyContinuation, t);
        assert_eq!(d.len(), 1);
        assert_eq!(&t[d[0].range.as_usize()], "\n");
        assert_eq!(
            fixed(&NoEmptyContinuation, t),
            "FROM a\nRUN apk add \\\n    gnupg \\\n    curl\n"
        );
    }

    #[test]
    fn near_miss() {
        assert!(findings(
            &NoEmptyContinuation,
            "FROM a\nEXPOSE \\\n# Port\n80\n\nRUN x\n"
        )
        .is_empty());
    }
}
