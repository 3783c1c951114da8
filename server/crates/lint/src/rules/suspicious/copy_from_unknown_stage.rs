use layerwise_analysis::model::copy_from_index;
use layerwise_analysis::RefKind;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::stage_graph::{runs_now, StageGraph};
use crate::rules::correctness::util::{has_var, suggest};

declare_rule! {
    /// `COPY --from` names what looks like a misspelt stage, or a later stage from a stage
    /// only built with `--target`.
    ///
    /// ## What it does
    /// Reports `COPY --from=name` and `--mount from=name` when `name` is no stage at all but
    /// one or two typos away from one (BuildKit would then pull an image of that name), and
    /// when `name` is a stage defined further down while the referring stage is one the
    /// default build skips (where the default build needs it, `invalid-stage-reference`
    /// reports it as an error). External images (`--from=nginx:1.27`) are fine.
    ///
    /// ## Why is this bad?
    /// A misspelt stage name turns into a pull of an unrelated or non-existent image.
    /// Building a stage that copies from a later one fails (`cannot copy from stage, it
    /// needs to be defined before current stage`), so `docker build --target` of that stage
    /// is broken even though the default build works.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/app ./...
    ///
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=biuld /out/app /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/app ./...
    ///
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /out/app /app
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a near-miss is replaced with the stage name, which changes what is copied.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3022](https://github.com/hadolint/hadolint/wiki/DL3022)
    pub struct CopyFromUnknownStage {
        name: "copy-from-unknown-stage",
        group: Suspicious,
        severity: Warning,
        fix: Sometimes,
        hadolint: ["DL3022"],
        buildkit: None,
    }
}

impl RuleCheck for CopyFromUnknownStage {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        let graph = cx.stage_graph();
        for r in &model.refs {
            if r.kind == RefKind::FromStage || !runs_now(model, r) || has_var(&r.text, model.escape)
            {
                continue;
            }
            match StageGraph::target(r) {
                Some(t)
                    if t > r.stage
                        && !graph.in_cycle(t, r.stage)
                        && !graph.built_by_default(r.stage) =>
                {
                    let mut d = Diagnostic::new(meta, r.range, format!("`{}` is a stage defined later in the file", r.text))
                        .note("Building this stage (`docker build --target`) fails: BuildKit only copies from stages defined above. Move that stage up.");
                    if let Some(n) = model.stages[t].name_range {
                        d = d.related(n, "defined here");
                    }
                    out.push(d);
                }
                None if !looks_like_image_or_index(r) => {
                    let Some(m) = suggest(
                        &r.text,
                        model.stages.iter().filter_map(|s| s.name.as_deref()),
                        false,
                    ) else {
                        continue;
                    };
                    out.push(
                        Diagnostic::new(
                            meta,
                            r.range,
                            format!("`{}` is not a stage (did you mean `{m}`?)", r.text),
                        )
                        .note(format!(
                            "BuildKit will try to pull an image called `{}` instead.",
                            r.text
                        ))
                        .fix(Fix::replace(
                            format!("Replace with `{m}`"),
                            r.range,
                            m,
                            Applicability::Unsafe,
                        )),
                    );
                }
                _ => {}
            }
        }
    }
}

/// `--from=nginx:1.27`, `--from=ghcr.io/x` or `--from=3`: no stage name to correct.
fn looks_like_image_or_index(r: &layerwise_analysis::StageRef) -> bool {
    r.text.contains(['/', ':', '@', '.'])
        || r.kind == RefKind::CopyFrom && copy_from_index(&r.text).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires() {
        let t = "FROM a AS build\nFROM b\nCOPY --from=biuld /x /y\nCOPY --from=later /x /y\nFROM c AS later\n";
        assert_eq!(flagged(&CopyFromUnknownStage, t), ["biuld", "later"]);
        assert_eq!(fixed(&CopyFromUnknownStage, t), "FROM a AS build\nFROM b\nCOPY --from=build /x /y\nCOPY --from=later /x /y\nFROM c AS later\n");
        // by index and by mount too, names compared without case
        let t =
            "FROM a\nCOPY --from=1 /x /y\nRUN --mount=from=LATER,target=/m true\nFROM c AS later\n";
        assert_eq!(flagged(&CopyFromUnknownStage, t), ["1", "LATER"]);
        // from a stage the default build needs: an error, invalid-stage-reference's
        let t = "FROM a AS first\nCOPY --from=later /x /y\nFROM c AS later\nFROM first\n";
        assert!(findings(&CopyFromUnknownStage, t).is_empty());
    }

    #[test]
    fn near_miss() {
        let ok = "FROM a AS build\nFROM b\nCOPY --from=build /x /y\nCOPY --from=nginx /x /y\nCOPY --from=busybox:1 /x /y\nCOPY --from=0 /x /y\n\
                  COPY --from=$S /x /y\nONBUILD COPY --from=later /x /y\nCOPY --from=9 /x /y\nFROM c AS later\n\
                  FROM later AS b2\nCOPY --from=b3 /x /y\nFROM b2 AS b3\n";
        assert!(
            findings(&CopyFromUnknownStage, ok).is_empty(),
            "{:?}",
            flagged(&CopyFromUnknownStage, ok)
        );
    }
}
