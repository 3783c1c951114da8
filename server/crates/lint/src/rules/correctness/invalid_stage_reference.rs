use layerwise_analysis::model::copy_from_index;
use layerwise_analysis::{RefKind, RefTarget};

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::stage_graph::{runs_now, StageGraph};
use crate::rules::correctness::util::has_var;

declare_rule! {
    /// `COPY --from` or `--mount from=` that points at its own stage, at a later stage, at a
    /// stage that needs this one, or at a stage index that does not exist.
    ///
    /// ## What it does
    /// Resolves `--from` the way BuildKit does (a number is a stage index, anything else a
    /// stage name anywhere in the file, compared without case, else an image) and reports
    /// references that make `docker build` fail: the stage the instruction is in, a stage
    /// that itself depends on this one (a cycle), an index past the last stage, and a stage
    /// defined further down when the default build needs the stage that refers to it (a
    /// later stage referred to from a stage only built with `--target` is reported by
    /// `copy-from-unknown-stage`).
    ///
    /// ## Why is this bad?
    /// `docker build` stops with `circular dependency detected on stage`, `invalid stage
    /// index`, or `cannot copy from stage "x", it needs to be defined before current stage`
    /// (BuildKit 0.13 and later; older builders copied nothing, silently).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// COPY --from=build /src/app /usr/local/bin/app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /usr/local/bin/app ./cmd/app
    ///
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /usr/local/bin/app /app
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the stage that was meant is not known, or the stages need
    /// reordering.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3023](https://github.com/hadolint/hadolint/wiki/DL3023)
    /// - [Docker: multi-stage builds](https://docs.docker.com/build/building/multi-stage/)
    pub struct InvalidStageReference {
        name: "invalid-stage-reference",
        group: Correctness,
        severity: Error,
        fix: None,
        hadolint: ["DL3023"],
        buildkit: None,
    }
}

impl RuleCheck for InvalidStageReference {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        let graph = cx.stage_graph();
        for r in &model.refs {
            if r.kind == RefKind::FromStage || !runs_now(model, r) || has_var(&r.text, model.escape)
            {
                continue;
            }
            let what = if r.kind == RefKind::CopyFrom {
                "COPY --from"
            } else {
                "--mount from"
            };
            match StageGraph::target(r) {
                Some(t) if t == r.stage => out.push(
                    Diagnostic::new(meta, r.range, format!("{what}={} refers to its own stage", r.text))
                        .note("A stage cannot copy from itself (BuildKit: circular dependency). Copy from an earlier stage, or use the files in place."),
                ),
                Some(t) if graph.in_cycle(t, r.stage) => {
                    let mut d = Diagnostic::new(meta, r.range, format!("circular dependency: stage {} needs this stage", model.stages[t].label()))
                        .note("Two stages that need each other cannot be built; docker build stops with `circular dependency detected`.");
                    if let Some(n) = model.stages[t].name_range {
                        d = d.related(n, "that stage");
                    }
                    out.push(d);
                }
                Some(t) if t > r.stage && graph.built_by_default(r.stage) => {
                    let mut d = Diagnostic::new(meta, r.range, format!("{what}={} names a stage defined later in the file", r.text))
                        .note("BuildKit stops here: `cannot copy from stage, it needs to be defined before current stage`. Move that stage above this one.");
                    if let Some(n) = model.stages[t].name_range {
                        d = d.related(n, "the stage is defined here");
                    }
                    out.push(d);
                }
                None if r.kind == RefKind::CopyFrom
                    && copy_from_index(&r.text).is_some()
                    && matches!(r.target, RefTarget::Invalid(_)) =>
                {
                    out.push(
                        Diagnostic::new(meta, r.range, format!("invalid stage index {}: the file has {} stage(s), numbered from 0", r.text, model.stages.len()))
                            .note("docker build stops here. Refer to stages by name (`FROM ... AS name`)."),
                    )
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires() {
        assert_eq!(
            flagged(
                &InvalidStageReference,
                "FROM a AS build\nCOPY --from=build /x /y\n"
            ),
            ["build"]
        );
        assert_eq!(
            flagged(
                &InvalidStageReference,
                "FROM a\nCOPY --from=0 /x /y\nCOPY --from=3 /x /y\nCOPY --from=-1 /x /y\n"
            ),
            ["0", "3", "-1"]
        );
        // a later stage by index that needs this one: a cycle
        assert_eq!(
            flagged(
                &InvalidStageReference,
                "FROM a AS one\nCOPY --from=1 /x /y\nFROM one\n"
            ),
            ["1"]
        );
        // a cycle through a later stage
        let t = "FROM a AS one\nCOPY --from=two /x /y\nFROM one AS two\n";
        assert_eq!(flagged(&InvalidStageReference, t), ["two"]);
        // a later stage, from a stage the default build needs (BuildKit's testOutOfOrderStage)
        let t = "FROM busybox AS target\nCOPY --from=build / /out\nRUN --mount=from=BUILD,target=/m true\n\
                 FROM alpine AS build\nFROM target\n";
        assert_eq!(flagged(&InvalidStageReference, t), ["build", "BUILD"]);
        let d = &findings(&InvalidStageReference, t)[0];
        assert_eq!(&t[d.related[0].range.as_usize()], "build");
        assert_eq!(
            flagged(
                &InvalidStageReference,
                "FROM a AS b\nRUN --mount=from=B,target=/m true\n"
            ),
            ["B"]
        );
    }

    #[test]
    fn near_miss() {
        // `later` is defined after stage 1, but the default build (the last stage) does not
        // build stage 1: copy-from-unknown-stage's
        let ok = "FROM a AS build\nFROM b\nCOPY --from=build /x /y\nCOPY --from=0 /x /y\nCOPY --from=nginx:1 /x /y\nCOPY --from=later /x /y\n\
                  ONBUILD COPY --from=1 /x /y\nRUN --mount=from=build,target=/m true\nFROM c AS later\n\
                  COPY --from=+0 /x /y\nCOPY --from=BUILD /x /y\n";
        assert!(
            findings(&InvalidStageReference, ok).is_empty(),
            "{:?}",
            flagged(&InvalidStageReference, ok)
        );
        // BuildKit numbers a state for every source that is no stage, after the stages: an
        // index can name an image copied from earlier, or the empty source of a bare mount
        let odd = "FROM a\nCOPY --from=nginx:1 /x /y\nRUN --mount=type=cache,target=/c true\nCOPY --from=1 /x /y\nCOPY --from=2 /x /y\n";
        assert!(findings(&InvalidStageReference, odd).is_empty());
        // `--mount from=` takes no index: an image called `7`
        assert!(findings(
            &InvalidStageReference,
            "FROM a\nRUN --mount=from=7,target=/m true\n"
        )
        .is_empty());
    }
}
