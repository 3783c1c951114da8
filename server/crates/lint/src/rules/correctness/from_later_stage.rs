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
    /// Reports `FROM name` when no earlier stage is called `name` but a later one is.
    ///
    /// ## Why is this bad?
    /// `FROM` only sees the stages above it. A later stage's name is taken as an image name,
    /// so BuildKit tries to pull `docker.io/library/<name>`, which usually fails with "pull
    /// access denied", or worse, pulls an unrelated image of that name.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM base
    /// RUN make
    ///
    /// FROM debian:12 AS base
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12 AS base
    ///
    /// FROM base
    /// RUN make
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
        // the first stage with each name: a FROM before it cannot see it
        let mut first_by_name: std::collections::HashMap<&str, usize> =
            std::collections::HashMap::new();
        for s in stages.iter().rev() {
            if let Some(n) = s.name.as_deref() {
                first_by_name.insert(n, s.index);
            }
        }
        for s in stages {
            if matches!(s.base, Base::Stage(_) | Base::Scratch)
                || has_var(&s.base_text, cx.model.escape)
            {
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
        let t = "FROM base\nFROM debian AS base\n";
        assert_eq!(flagged(&FromLaterStage, t), ["base"]);
        assert_eq!(
            &t[findings(&FromLaterStage, t)[0].related[0].range.as_usize()],
            "base"
        );
    }

    #[test]
    fn near_miss() {
        assert!(findings(&FromLaterStage, "FROM debian AS base\nFROM base\nFROM node:20\nFROM scratch\nARG B=x\nFROM $B\nFROM a AS x\n").is_empty());
    }
}
