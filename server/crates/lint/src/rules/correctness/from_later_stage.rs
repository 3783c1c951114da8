use std::collections::HashMap;

use layerwise_analysis::Base;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::util::has_var;

declare_rule! {
    /// `FROM` names a stage that is defined further down.
    ///
    /// ## What it does
    /// Reports `FROM name` when no earlier stage is called `name` but a later one is, in a
    /// stage the build needs (the last stage and what it builds on or copies from). Stages
    /// the default build skips are left alone: BuildKit only parses their base name. An
    /// image of that name known to exist (from the image facts) is not reported: the build
    /// then pulls it and goes on.
    ///
    /// ## Why is this bad?
    /// `FROM` only sees the stages above it (unlike `COPY --from`, which BuildKit resolves
    /// against the whole file). A later stage's name is taken as an image name, so BuildKit
    /// tries to pull `docker.io/library/<name>`, which fails with "pull access denied" for
    /// names like `builder` or `base`, or pulls an unrelated image of that name.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM base AS build
    /// RUN make
    ///
    /// FROM debian:12 AS base
    ///
    /// FROM base
    /// COPY --from=build /src/out /usr/local/bin/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12 AS base
    ///
    /// FROM base AS build
    /// RUN make
    ///
    /// FROM base
    /// COPY --from=build /src/out /usr/local/bin/
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the stages need reordering.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker: multi-stage builds](https://docs.docker.com/build/building/multi-stage/)
    pub struct FromLaterStage {
        name: "from-later-stage",
        group: Correctness,
        severity: Error,
        fix: None,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for FromLaterStage {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let stages = &cx.model.stages;
        let Some(last) = stages.len().checked_sub(1) else {
            return;
        };
        // the first stage with each name: a FROM before it cannot see it (sized at once: a
        // 10,000-line file has ~700 stages, and regrowing the table was a quarter of this rule)
        let mut first_by_name: HashMap<&str, usize> = HashMap::with_capacity(stages.len());
        for s in stages.iter().rev() {
            if let Some(n) = s.name.as_deref() {
                first_by_name.insert(n, s.index);
            }
        }
        let mut needed: Option<Vec<bool>> = None;
        for s in stages {
            let Base::Image(image) = &s.base else {
                continue;
            };
            if has_var(&s.base_text, cx.model.escape) {
                continue;
            }
            let name = s.base_resolved.as_str();
            let Some(later) = first_by_name
                .get(name)
                .filter(|&&i| i > s.index)
                .and_then(|&i| stages.get(i))
            else {
                continue;
            };
            let needed = needed.get_or_insert_with(|| cx.model.needed_stages(last));
            if !needed.get(s.index).copied().unwrap_or(false)
                || cx.facts.images.contains_key(&image.canonical())
            {
                continue;
            }
            let mut d = Diagnostic::new(meta, s.base_range, format!("`{name}` is a stage defined later: FROM only sees earlier stages, so this pulls an image called `{name}`"))
                .note("Move this stage below the one it builds on.");
            if let Some(r) = later.name_range {
                d = d.related(r, "the stage is defined here");
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
    fn fires() {
        let t = "FROM base AS app\nFROM debian AS base\nFROM app\n";
        assert_eq!(flagged(&FromLaterStage, t), ["base"]);
        assert_eq!(
            &t[findings(&FromLaterStage, t)[0].related[0].range.as_usize()],
            "base"
        );
    }

    #[test]
    fn near_miss() {
        assert!(findings(&FromLaterStage, "FROM debian AS base\nFROM base\nFROM node:20\nFROM scratch\nARG B=x\nFROM $B\nFROM a AS x\n").is_empty());
        // a stage the default build does not need: BuildKit never pulls its base
        assert!(findings(
            &FromLaterStage,
            "FROM base AS test\nFROM debian AS base\nFROM alpine\n"
        )
        .is_empty());
        // needed through a COPY --from of the last stage: reported
        assert_eq!(
            flagged(
                &FromLaterStage,
                "FROM base AS test\nFROM debian AS base\nFROM alpine\nCOPY --from=test /a /b\n"
            ),
            ["base"]
        );
        // an image of that name is known to exist: the build goes on
        let t = "FROM node AS app\nFROM debian AS node\nFROM app\n";
        let mut facts = crate::Facts::default();
        let reference = layerwise_analysis::image_ref::ImageRef::parse("node").unwrap();
        facts.images.insert(
            reference.canonical(),
            layerwise_analysis::image_facts::ImageFacts {
                reference,
                digest: None,
                platforms: Vec::new(),
                available_platforms: Vec::new(),
                source: layerwise_analysis::image_facts::FactSource::Registry,
                fetched_at: None,
                fallback_reason: None,
            },
        );
        assert!(findings_with(&FromLaterStage, t, &facts).is_empty());
        assert_eq!(flagged(&FromLaterStage, t), ["node"]);
    }
}
