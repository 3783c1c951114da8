use layerwise_syntax::{Args, InstructionKind, TextRange};

use crate::context::{InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// Consecutive single-command `RUN` instructions that could be one.
    ///
    /// ## What it does
    /// Reports a `RUN` that directly follows another `RUN` of the same stage with the same
    /// flags (`--mount`, `--network`), when both run a single command — the same judgement as
    /// hadolint's DL3059. Off by default: separate `RUN`s are often deliberate
    /// (cache boundaries, readability).
    ///
    /// ## Why is this bad?
    /// Every `RUN` makes a layer. A run of tiny layers costs pull time and metadata, and files
    /// deleted in a later layer still weigh in the earlier one.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN mkdir -p /app/data
    /// RUN chown nobody /app/data
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN mkdir -p /app/data && chown nobody /app/data
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: joining the two with `&&` changes the layers and the build cache. Offered for
    /// shell-form `RUN`s without here-documents.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3059](https://github.com/hadolint/hadolint/wiki/DL3059)
    pub struct ConsecutiveRun {
        name: "consecutive-run",
        group: Nursery,
        severity: Info,
        fix: Sometimes,
        default_enabled: false,
        hadolint: ["DL3059"],
        buildkit: None,
    }
}

fn flags_text(cx: &LintContext<'_>, i: &InstRef<'_>) -> Vec<String> {
    let mut f: Vec<String> = i
        .inst
        .flags
        .iter()
        .map(|f| cx.slice(i.abs(f.range)).to_string())
        .collect();
    f.sort();
    f
}

impl RuleCheck for ConsecutiveRun {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let insts = cx.instruction_list();
        for pair in insts.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if a.inst.kind != InstructionKind::Run
                || b.inst.kind != InstructionKind::Run
                || a.stage != b.stage
            {
                continue;
            }
            let (ca, cb) = (cx.run_commands(a).len(), cx.run_commands(b).len());
            if ca != 1 || cb != 1 || flags_text(cx, a) != flags_text(cx, b) {
                continue;
            }
            let mut d = Diagnostic::new(
                meta,
                b.keyword_range(),
                "This RUN directly follows another short RUN: consider joining them",
            )
            .note("Each RUN makes a layer; join short consecutive steps with `&&`.")
            .related(a.head_range(), "the previous RUN");
            if let (Args::Text(wa), Args::Text(wb)) = (&a.inst.args, &b.inst.args) {
                if a.inst.heredocs.is_empty() && b.inst.heredocs.is_empty() {
                    let end_a = a.abs(wa.range).end;
                    let start_b = b.abs(wb.range).start;
                    let between = cx.slice(TextRange::new(end_a, start_b));
                    // only plain adjacency: no comments or blank lines between them; and only
                    // when the first script ends at the top level of the shell (not inside an
                    // open quote, after `;`/`&` or in a comment, where the second command
                    // would be part of a word, a syntax error or commented out)
                    if between.matches('\n').count() == 1
                        && !between.contains('#')
                        && crate::shell_append::joins_cleanly(&wa.text, &wb.text)
                    {
                        // the line continuation uses the file's escape character
                        let join = format!(" {}\n && ", cx.file.escape());
                        d = d.fix(Fix::replace(
                            "Join with the previous RUN",
                            TextRange::new(end_a, start_b),
                            join,
                            Applicability::Unsafe,
                        ));
                    }
                }
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
        let t = "FROM a\nRUN mkdir /d\nRUN chown x /d\n";
        assert_eq!(flagged(&ConsecutiveRun, t), ["RUN"]);
        assert_eq!(
            fixed(&ConsecutiveRun, t),
            "FROM a\nRUN mkdir /d \\\n && chown x /d\n"
        );
    }

    #[test]
    fn no_join_when_the_first_script_does_not_end_at_the_top_level() {
        for first in ["echo \"open", "mkdir /d # c", "mkdir /d;", "sleep 1 &"] {
            let t = format!("FROM a\nRUN {first}\nRUN chown x /d\n");
            assert_eq!(flagged(&ConsecutiveRun, &t), ["RUN"], "{t}");
            assert!(findings(&ConsecutiveRun, &t)[0].fixes.is_empty(), "{t}");
        }
    }

    #[test]
    fn the_join_continues_the_line_with_the_files_escape_character() {
        let t = "# escape=`\nFROM a\nRUN mkdir /d\nRUN chown x /d\n";
        assert_eq!(
            fixed(&ConsecutiveRun, t),
            "# escape=`\nFROM a\nRUN mkdir /d `\n && chown x /d\n"
        );
    }

    #[test]
    fn near_misses() {
        for t in [
            "FROM a\nRUN a\nCOPY x /\nRUN b\n",
            "FROM a\nRUN a && b\nRUN d\n",
            "FROM a\nRUN a\nRUN b | c\n",
            "FROM a\nRUN --mount=type=cache,target=/c a\nRUN b\n",
            "FROM a\nRUN a\nFROM b\nRUN b\n",
        ] {
            assert!(findings(&ConsecutiveRun, t).is_empty(), "{t}");
        }
    }
}
