use std::collections::hash_map::Entry;
use std::collections::HashMap;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// Two stages with the same name.
    ///
    /// ## What it does
    /// Reports a `FROM ... AS name` whose name (compared without case) was already used by an
    /// earlier stage.
    ///
    /// ## Why is this bad?
    /// References cannot say which stage they mean. BuildKit resolves `FROM name` to the
    /// stage defined before that line but `COPY --from=name` and `--target name` to the last
    /// one, so the same name can mean two different stages in one file.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12 AS builder
    /// RUN apt-get update
    ///
    /// FROM golang:1.23 AS builder
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12 AS deb-builder
    /// RUN apt-get update
    ///
    /// FROM golang:1.23 AS go-builder
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: renaming needs a new name and a decision about each reference.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit DuplicateStageName](https://docs.docker.com/reference/build-checks/duplicate-stage-name/)
    /// - [hadolint DL3024](https://github.com/hadolint/hadolint/wiki/DL3024)
    pub struct DuplicateStageName {
        name: "duplicate-stage-name",
        group: Suspicious,
        severity: Warning,
        fix: None,
        hadolint: ["DL3024"],
        buildkit: Some("DuplicateStageName"),
    }
}

impl RuleCheck for DuplicateStageName {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        // sized for every stage at once and one hash per name: a 10,000-line file has ~700
        // stages, and growing the table and hashing twice were 40% of this rule
        let mut first_by_name: HashMap<&str, &layerwise_analysis::Stage> =
            HashMap::with_capacity(cx.model.stages.len());
        for s in &cx.model.stages {
            let (Some(name), Some(range)) = (&s.name, s.name_range) else {
                continue;
            };
            let first = match first_by_name.entry(name.as_str()) {
                Entry::Vacant(v) => {
                    v.insert(s);
                    continue;
                }
                Entry::Occupied(o) => *o.get(),
            };
            let mut d = Diagnostic::new(meta, range, format!("Duplicate stage name {name:?}, stage names should be unique"))
                .note("`FROM name` finds the stage defined before it, `COPY --from=name` and `--target` the last one: give each stage its own name.");
            if let Some(r) = first.name_range {
                d = d.related(r, "first defined here");
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
        let t = "FROM a AS builder\nFROM b AS Builder\nFROM c AS builder\n";
        assert_eq!(flagged(&DuplicateStageName, t), ["Builder", "builder"]);
        assert_eq!(
            &t[findings(&DuplicateStageName, t)[1].related[0]
                .range
                .as_usize()],
            "builder"
        );
    }

    #[test]
    fn near_miss() {
        assert!(findings(
            &DuplicateStageName,
            "FROM a AS builder\nFROM builder AS builder2\nFROM a\nFROM a\n"
        )
        .is_empty());
    }
}
