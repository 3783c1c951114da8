use layerwise_syntax::InstructionKind;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::util::suggest;

declare_rule! {
    /// An instruction Docker does not know.
    ///
    /// ## What it does
    /// Reports a line whose first word is not a Dockerfile instruction, and suggests the
    /// closest one when the word looks like a typo.
    ///
    /// ## Why is this bad?
    /// `docker build` stops with `unknown instruction`. A common cause is a line that was
    /// meant to continue the previous one but lost its trailing `\`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUNN apk add --no-cache curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix replaces the word with the closest instruction (edit distance below 3),
    /// which is usually but not surely what was meant.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
    pub struct UnknownInstruction {
        name: "unknown-instruction",
        group: Correctness,
        severity: Error,
        fix: Sometimes,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for UnknownInstruction {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.of_kind(InstructionKind::Unknown) {
            let word = &i.inst.keyword.text;
            let range = i.keyword_range();
            let mut d = Diagnostic::new(meta, range, format!("unknown instruction: {word}"));
            match suggest(
                word,
                InstructionKind::ALL.iter().map(|k| k.keyword()),
                false,
            ) {
                Some(m) => {
                    d = d.note(format!("docker build stops here. Did you mean `{m}`?"));
                    d = d.fix(Fix::replace(
                        format!("Replace with `{m}`"),
                        range,
                        m,
                        Applicability::Unsafe,
                    ));
                }
                None => {
                    d = d.note("docker build stops here. If this line continues the previous instruction, end that line with the escape character.");
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
    fn fires_with_suggestion_and_fix() {
        let t = "FROM a\nRUNN echo\ncopyy a b\n";
        assert_eq!(flagged(&UnknownInstruction, t), ["RUNN", "copyy"]);
        assert_eq!(
            fixed(&UnknownInstruction, t),
            "FROM a\nRUN echo\ncopy a b\n"
        );
        let d = findings(&UnknownInstruction, "FROM a\napt-get install x\n");
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
    }

    #[test]
    fn near_miss() {
        // every real instruction, any case; continuation lines are not instructions
        let t =
            "FROM a\nrun echo \\\n  hello\nOnBuild RUN x\nhealthcheck NONE\nSTOPSIGNAL SIGTERM\n";
        assert!(findings(&UnknownInstruction, t).is_empty());
    }
}
