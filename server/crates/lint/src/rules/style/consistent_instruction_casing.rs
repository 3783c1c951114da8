use layerwise_syntax::InstructionKind;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Text};
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// Instruction keywords in a different case than the rest of the file.
    ///
    /// ## What it does
    /// Counts the keywords of the instructions inside stages that are all upper-case or all
    /// lower-case, and reports every keyword that does not follow the majority (upper-case
    /// on a tie), including mixed-case ones like `Run` or `EntryPoint`. Global `ARG`s before
    /// the first `FROM` are not counted, as in BuildKit.
    ///
    /// ## Why is this bad?
    /// Keywords are case-insensitive, but a file that mixes `RUN` and `run` is harder to
    /// scan, and mixed-case keywords look like typos.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// Run echo hello > /greeting.txt
    /// EntRYpOiNT ["cat", "/greeting.txt"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN echo hello > /greeting.txt
    /// ENTRYPOINT ["cat", "/greeting.txt"]
    /// ```
    ///
    /// ## Fix safety
    /// Safe: only the case of the keyword changes.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit ConsistentInstructionCasing](https://docs.docker.com/reference/build-checks/consistent-instruction-casing/)
    pub struct ConsistentInstructionCasing {
        name: "consistent-instruction-casing",
        group: Style,
        severity: Warning,
        fix: Always,
        hadolint: [],
        buildkit: Some("ConsistentInstructionCasing"),
    }
}

impl RuleCheck for ConsistentInstructionCasing {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        // walked twice instead of collected once: a copy of 10,000 entries costs more
        let insts = || {
            cx.instructions()
                .filter(|i| i.stage.is_some() && i.inst.kind != InstructionKind::Unknown)
        };
        let (mut lower, mut upper) = (0usize, 0usize);
        let all_lower = |k: &str| !k.bytes().any(|b| b.is_ascii_uppercase());
        let all_upper = |k: &str| !k.bytes().any(|b| b.is_ascii_lowercase());
        for i in insts() {
            let k = &*i.inst.keyword.text;
            if all_lower(k) {
                lower += 1;
            } else if all_upper(k) {
                upper += 1;
            }
        }
        let majority_lower = lower > upper;
        for i in insts() {
            let k = &*i.inst.keyword.text;
            if (majority_lower && all_lower(k)) || (!majority_lower && all_upper(k)) {
                continue;
            }
            let want = if majority_lower {
                k.to_ascii_lowercase()
            } else {
                k.to_ascii_uppercase()
            };
            let case = if majority_lower {
                "lowercase"
            } else {
                "uppercase"
            };
            let range = i.keyword_range();
            let (note, title, text): (Text, Text, Text) = match fixed_texts(&want) {
                Some((note, title, keyword)) => (note.into(), title.into(), keyword.into()),
                None => (
                    format!("Most instructions in this file are {case}; write `{want}`.").into(),
                    format!("Write `{want}`").into(),
                    want.into(),
                ),
            };
            out.push(
                Diagnostic::new(
                    meta,
                    range,
                    format!("Command '{k}' should match the case of the command majority ({case})"),
                )
                .note(note)
                .fix(Fix::replace(title, range, text, Applicability::Safe)),
            );
        }
    }
}

/// Writes [`fixed_texts`]: one fixed note, title and keyword per keyword and case.
macro_rules! keyword_texts {
    ($($upper:literal $lower:literal),*) => {
        /// The note, fix title and replacement for the keyword `want` as fixed texts, so
        /// that a file with hundreds of thousands of odd-cased keywords keeps no copy of
        /// them per finding (findings live as long as the document: F16). `None` for a word
        /// outside the table (a keyword with the Kelvin sign, which BuildKit reads as `K`).
        fn fixed_texts(want: &str) -> Option<(&'static str, &'static str, &'static str)> {
            match want {
                $($upper => Some((
                    concat!("Most instructions in this file are uppercase; write `", $upper, "`."),
                    concat!("Write `", $upper, "`"),
                    $upper,
                )),
                $lower => Some((
                    concat!("Most instructions in this file are lowercase; write `", $lower, "`."),
                    concat!("Write `", $lower, "`"),
                    $lower,
                )),)*
                _ => None,
            }
        }
    };
}

crate::keyword_table::with_instruction_keywords!(keyword_texts);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "From alpine\nRun echo hello\nEntRYpOiNT [\"cat\"]\nCMD x\n";
        assert_eq!(
            flagged(&ConsistentInstructionCasing, t),
            ["From", "Run", "EntRYpOiNT"]
        );
        assert_eq!(
            fixed(&ConsistentInstructionCasing, t),
            "FROM alpine\nRUN echo hello\nENTRYPOINT [\"cat\"]\nCMD x\n"
        );
        // lower-case majority
        let t = "from a\nrun x\nRUN y\n";
        assert_eq!(
            fixed(&ConsistentInstructionCasing, t),
            "from a\nrun x\nrun y\n"
        );
    }

    #[test]
    fn fixed_texts_are_the_formatted_ones() {
        for k in InstructionKind::ALL {
            for (want, case) in [
                (k.keyword().to_string(), "uppercase"),
                (k.keyword().to_ascii_lowercase(), "lowercase"),
            ] {
                let texts = fixed_texts(&want);
                assert_eq!(
                    texts,
                    Some((
                        &*format!("Most instructions in this file are {case}; write `{want}`."),
                        &*format!("Write `{want}`"),
                        &*want,
                    ))
                );
            }
        }
        // the Kelvin sign: BuildKit's `WORKDIR`, outside the table, still gets its texts
        let t = "FROM a\nRUN x\nWOR\u{212A}DIR /w\n";
        let d = findings(&ConsistentInstructionCasing, t);
        assert_eq!(d.len(), 0, "{d:?}");
        let t = "from a\nrun x\nWOR\u{212A}DIR /w\n";
        let d = findings(&ConsistentInstructionCasing, t);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].fixes[0].title, "Write `wor\u{212A}dir`");
    }

    #[test]
    fn near_miss() {
        assert!(findings(
            &ConsistentInstructionCasing,
            "arg V=1\nFROM a\nRUN x\nONBUILD run y\n"
        )
        .is_empty());
        assert!(findings(&ConsistentInstructionCasing, "from a\nrun x\n").is_empty());
    }
}
