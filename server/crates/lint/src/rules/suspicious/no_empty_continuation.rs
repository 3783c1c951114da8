use crate::context::LintContext;
use crate::declare_rule;
use layerwise_syntax::TextRange;

use crate::diagnostic::{Diagnostic, Edit, Fix, MAX_LISTED};
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
            let others: Vec<TextRange> = lines[1..].iter().map(|l| i.abs(*l)).collect();
            d = d.related_listed(&others, "another empty continuation line", |n| {
                format!("and {n} more empty continuation lines from here")
            });
            let edits: Vec<Edit> = if lines.len() <= MAX_EDITS {
                lines
                    .iter()
                    .map(|l| Edit {
                        range: i.abs(*l),
                        text: "".into(),
                    })
                    .collect()
            } else {
                // one edit from the first empty line to the last, keeping what lies between
                vec![joined_deletion(i.item.text(), lines, i.item.start)]
            };
            out.push(d.fix(Fix::safe("Delete the empty lines", edits)));
        }
    }
}

/// Empty lines deleted by one edit each in the fix; past this the fix is one edit (the
/// related locations stop at [`MAX_LISTED`] too). A generated file can hold millions in one
/// instruction: each line cost about 12 KB in `check --format json` and in the editor's
/// answer (200,000 lines: a 3.8 GB code action).
const MAX_EDITS: usize = MAX_LISTED;

/// One edit that deletes every range of `lines` (item-relative, in order) from the first to
/// the last, keeping the item's text between them.
fn joined_deletion(item: &str, lines: &[TextRange], item_start: u32) -> Edit {
    let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
        return Edit {
            range: TextRange::empty(item_start),
            text: "".into(),
        };
    };
    let mut kept = String::new();
    let mut pos = first.end as usize;
    for l in &lines[1..] {
        kept.push_str(item.get(pos..l.start as usize).unwrap_or(""));
        pos = l.end as usize;
    }
    Edit {
        range: TextRange::new(first.start, last.end).shifted(item_start),
        text: kept.into(),
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

    /// A generated file can hold millions of empty lines in one instruction: the finding
    /// lists the first ones and counts the rest, the fix is one edit, and it still deletes
    /// every one of them.
    #[test]
    fn many_empty_lines_are_counted_and_fixed_in_one_edit() {
        let mut t = String::from("FROM a\nRUN apk add \\\n");
        for k in 0..100 {
            t.push_str(if k % 2 == 0 { "\n" } else { "  \n" });
            if k % 10 == 0 {
                t.push_str(&format!("    p{k} \\\n"));
            }
        }
        t.push_str("    curl\n");
        let d = findings(&NoEmptyContinuation, &t);
        assert_eq!(d.len(), 1);
        // the instruction's head, 16 of the other 99 lines, and one counting the rest
        assert_eq!(d[0].related.len(), 1 + MAX_LISTED + 1);
        assert_eq!(
            d[0].related.last().unwrap().message,
            format!(
                "and {} more empty continuation lines from here",
                99 - MAX_LISTED
            )
        );
        assert_eq!(d[0].fixes[0].edits.len(), 1);
        let mut want = String::from("FROM a\nRUN apk add \\\n");
        for k in (0..100).step_by(10) {
            want.push_str(&format!("    p{k} \\\n"));
        }
        want.push_str("    curl\n");
        assert_eq!(fixed(&NoEmptyContinuation, &t), want);
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
