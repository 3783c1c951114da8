use layerwise_syntax::TextRange;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// A stage without a name that the final stage does not use.
    ///
    /// ## What it does
    /// Reports an unnamed stage (no `AS name`) that the final stage needs neither as a base
    /// nor through `COPY --from` or `RUN --mount=from=`, directly or indirectly. Named stages
    /// are not reported: `docker build --target <name>` builds them, which is how a
    /// Dockerfile offers `test` or `dev` targets.
    ///
    /// ## Why is this bad?
    /// BuildKit builds only the stages the target needs, and `--target` takes a name, so an
    /// unnamed stage nobody uses is never built: dead code that readers still have to
    /// understand, usually a leftover of a refactoring (or a `COPY --from` that names the
    /// wrong stage). The legacy builder does build it, wasting time.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22
    /// RUN go build -o /app .
    ///
    /// FROM gcr.io/distroless/static-debian12
    /// COPY app /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// RUN go build -o /app .
    ///
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /app /app
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: removes the stage. Not offered when a `--from` refers to a stage by number
    /// (removing a stage renumbers the later ones).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker: multi-stage builds](https://docs.docker.com/build/building/multi-stage/)
    pub struct UnusedStage {
        name: "unused-stage",
        group: Size,
        severity: Warning,
        fix: Sometimes,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for UnusedStage {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let Some(last) = cx.final_stage() else { return };
        let needed = cx.model.needed_stages(last);
        let numeric_refs = cx
            .model
            .refs
            .iter()
            .any(|r| r.text.chars().all(|c| c.is_ascii_digit()));
        for stage in &cx.model.stages {
            if stage.name.is_some() || needed.get(stage.index).copied().unwrap_or(true) {
                continue;
            }
            let Some(from) = cx.model.instructions.get(stage.from) else {
                continue;
            };
            let keyword = cx
                .slice(from.range)
                .split_whitespace()
                .next()
                .unwrap_or("FROM");
            let at = cx.slice(from.range).find(keyword).unwrap_or(0) as u32;
            let range = TextRange::new(
                from.range.start + at,
                from.range.start + at + keyword.len() as u32,
            );
            let mut d = Diagnostic::new(meta, range, format!("stage {} is never used: the final stage does not need it and it has no name to target", stage.index))
                .note("BuildKit never builds it. Remove it, or name it (`AS name`) and use it with `COPY --from=name` or `--target name`.");
            if !numeric_refs {
                d = d.fix(Fix::replace(
                    "Remove the unused stage",
                    TextRange::new(from.range.start, stage.range.end),
                    "",
                    Applicability::Unsafe,
                ));
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
        let t = "FROM golang\nRUN go build\n\nFROM alpine\nCMD [\"/app\"]\n";
        assert_eq!(flagged(&UnusedStage, t), ["FROM"]);
        assert_eq!(fixed(&UnusedStage, t), "\nFROM alpine\nCMD [\"/app\"]\n");
        let t = "FROM a\nFROM b\nFROM c AS x\nCOPY --from=1 /x /x\n";
        let d = findings(&UnusedStage, t);
        assert_eq!(d.len(), 1, "stage 0 only");
        assert!(
            d[0].fixes.is_empty(),
            "numeric --from: removing a stage would renumber"
        );
    }

    #[test]
    fn near_misses() {
        for ok in [
            "FROM golang AS build\nRUN go build\nFROM alpine\nCOPY --from=build /app /app\n",
            "FROM golang\nRUN go build\nFROM alpine\nCOPY --from=0 /app /app\n",
            "FROM node AS test\nRUN npm test\nFROM node AS prod\nCMD [\"node\"]\n",
            "FROM alpine AS base\nFROM base\n",
            "FROM alpine AS a\nFROM alpine\nRUN --mount=from=a,target=/x true\n",
            "FROM alpine\n",
        ] {
            assert!(findings(&UnusedStage, ok).is_empty(), "{ok}");
        }
    }
}
