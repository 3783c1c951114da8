use layerwise_analysis::RefKind;
use layerwise_syntax::InstructionKind;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// A stage name with upper-case letters.
    ///
    /// ## What it does
    /// Reports `FROM image AS Name` when the name is not all lower-case.
    ///
    /// ## Why is this bad?
    /// BuildKit lower-cases stage names: `COPY --from=Builder` and `--from=builder` both find
    /// the stage, but `FROM Builder` does not (it is parsed as an image name, and image names
    /// must be lower-case). Lower-case names read the same everywhere and set names apart from
    /// instruction keywords.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20 AS BuilderBase
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20 AS builder-base
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix lower-cases the name and every reference to it (`COPY --from`, `--mount
    /// from=`, `FROM <stage>`); references already compare without case, except `FROM`, which
    /// only starts to work.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit StageNameCasing](https://docs.docker.com/reference/build-checks/stage-name-casing/)
    pub struct StageNameCasing {
        name: "stage-name-casing",
        group: Style,
        severity: Warning,
        fix: Always,
        hadolint: [],
        buildkit: Some("StageNameCasing"),
    }
}

impl RuleCheck for StageNameCasing {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.of_kind(InstructionKind::From) {
            let Some(parts) = i.inst.from_parts() else {
                continue;
            };
            let (Some(_), Some(name)) = (parts.as_keyword, parts.name) else {
                continue;
            };
            if !parts.extra.is_empty() || name.text.chars().all(|c| !c.is_uppercase()) {
                continue;
            }
            let lower = name.text.as_str().to_lowercase();
            let mut edits = vec![Edit {
                range: i.abs(name.range),
                text: lower.clone().into(),
            }];
            for r in &cx.model.refs {
                let matches = if r.kind == RefKind::FromStage {
                    r.text == *name.text
                } else {
                    r.text.eq_ignore_ascii_case(&name.text)
                };
                if matches && r.text != lower && cx.slice(r.range) == r.text {
                    edits.push(Edit {
                        range: r.range,
                        text: lower.clone().into(),
                    });
                }
            }
            for s in &cx.model.stages {
                let refers = s.base_text == *name.text && cx.slice(s.base_range) == s.base_text;
                if refers && !edits.iter().any(|e| e.range == s.base_range) {
                    edits.push(Edit {
                        range: s.base_range,
                        text: lower.clone().into(),
                    });
                }
            }
            out.push(
                Diagnostic::new(meta, i.abs(name.range), format!("Stage name '{}' should be lowercase", name.text))
                    .note("Stage names are lower-cased by BuildKit; `FROM` only finds a stage by its lower-case name.")
                    .fix(Fix { title: format!("Rename the stage to `{lower}`").into(), applicability: Applicability::Safe, edits: edits.into() }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes_references() {
        let t = "FROM alpine AS BuilderBase\nRUN x\nFROM BuilderBase AS Final\nCOPY --from=builderBASE /a /b\nRUN --mount=from=BuilderBase,target=/c true\n";
        assert_eq!(flagged(&StageNameCasing, t), ["BuilderBase", "Final"]);
        assert_eq!(
            fixed(&StageNameCasing, t),
            "FROM alpine AS builderbase\nRUN x\nFROM builderbase AS final\nCOPY --from=builderbase /a /b\nRUN --mount=from=builderbase,target=/c true\n"
        );
    }

    #[test]
    fn near_miss() {
        assert!(findings(
            &StageNameCasing,
            "FROM Alpine\nFROM alpine AS build-1.x_y\nFROM alpine as build\n"
        )
        .is_empty());
    }
}
