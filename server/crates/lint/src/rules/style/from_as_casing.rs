use layerwise_syntax::InstructionKind;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// `AS` in a different case than `FROM`.
    ///
    /// ## What it does
    /// Reports `FROM image as name` and `from image AS name`: when the `FROM` keyword is all
    /// upper-case or all lower-case, `AS` should be written the same way. (A mixed-case
    /// `From` is left to `consistent-instruction-casing`.)
    ///
    /// ## Why is this bad?
    /// Keywords are case-insensitive, but mixing cases in one line reads as a typo and makes
    /// stage names harder to spot.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12 as builder
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12 AS builder
    /// ```
    ///
    /// ## Fix safety
    /// Safe: only the case of the keyword changes.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit FromAsCasing](https://docs.docker.com/reference/build-checks/from-as-casing/)
    pub struct FromAsCasing {
        name: "from-as-casing",
        group: Style,
        severity: Warning,
        fix: Always,
        hadolint: [],
        buildkit: Some("FromAsCasing"),
    }
}

impl RuleCheck for FromAsCasing {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.of_kind(InstructionKind::From) {
            let Some(parts) = i.inst.from_parts() else {
                continue;
            };
            let (Some(as_kw), Some(_)) = (parts.as_keyword, parts.name) else {
                continue;
            };
            let from = &*i.inst.keyword.text;
            // compared in place: a lower- or upper-cased copy per `FROM` was this rule's
            // only allocation
            let want = if !from.bytes().any(|b| b.is_ascii_uppercase()) {
                "as"
            } else if !from.bytes().any(|b| b.is_ascii_lowercase()) {
                "AS"
            } else {
                continue;
            };
            if *as_kw.text == *want {
                continue;
            }
            let range = i.abs(as_kw.range);
            out.push(
                Diagnostic::new(
                    meta,
                    range,
                    format!(
                        "'{}' and '{from}' keywords' casing do not match",
                        as_kw.text
                    ),
                )
                .note(format!("Write `{want}` to match `{from}`."))
                .related(i.keyword_range(), "the FROM keyword")
                .fix(Fix::replace(
                    format!("Write `{want}`"),
                    range,
                    want,
                    Applicability::Safe,
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM debian as builder\nfrom debian AS b2\nFROM debian As b3\n";
        assert_eq!(flagged(&FromAsCasing, t), ["as", "AS", "As"]);
        assert_eq!(
            fixed(&FromAsCasing, t),
            "FROM debian AS builder\nfrom debian as b2\nFROM debian AS b3\n"
        );
    }

    #[test]
    fn near_miss() {
        assert!(findings(
            &FromAsCasing,
            "FROM a AS b\nfrom a as c\nFrom a as d\nFROM e\n"
        )
        .is_empty());
    }
}
