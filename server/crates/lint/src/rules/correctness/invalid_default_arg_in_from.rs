use std::collections::{HashMap, HashSet};

use layerwise_analysis::image_ref::ImageRef;
use layerwise_analysis::vars::{automatic_values, AUTOMATIC_PLATFORM_ARGS};
use layerwise_syntax::expand::expand;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::util::has_var;

declare_rule! {
    /// A `FROM` that needs `--build-arg` to name a valid image.
    ///
    /// ## What it does
    /// Expands the image of each `FROM` that uses variables with the global `ARG` defaults
    /// only (no `--build-arg`) and reports it when the result is empty or not a valid image
    /// reference.
    ///
    /// ## Why is this bad?
    /// A plain `docker build .` fails with `invalid reference format` or `base name should
    /// not be blank`; the Dockerfile only builds for people who know which args to pass.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG TAG
    /// FROM busybox:${TAG}
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ARG TAG=1.36
    /// FROM busybox:${TAG}
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: a default value is needed.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit InvalidDefaultArgInFrom](https://docs.docker.com/reference/build-checks/invalid-default-arg-in-from/)
    pub struct InvalidDefaultArgInFrom {
        name: "invalid-default-arg-in-from",
        group: Correctness,
        severity: Warning,
        fix: None,
        hadolint: [],
        buildkit: Some("InvalidDefaultArgInFrom"),
    }
}

impl RuleCheck for InvalidDefaultArgInFrom {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let escape = cx.model.escape;
        // global ARG values from their defaults alone, as BuildKit's check computes them
        let mut values: HashMap<String, Option<String>> = HashMap::new();
        for (name, _) in AUTOMATIC_PLATFORM_ARGS {
            values.insert(
                (*name).to_string(),
                automatic_values(name, &cx.model.options.target_platform),
            );
        }
        for g in &cx.model.global_args {
            let v = g
                .raw_value
                .as_ref()
                .map(|raw| expand(raw, escape, &|n| values.get(n).cloned().flatten()).value);
            values.insert(g.name.clone(), v);
        }
        // Many stages share a base (`FROM python:${PYTHON_VERSION}-slim` in every Python
        // stage), and the verdict depends on the text alone: bases known to be fine are
        // settled without expanding and parsing them again.
        let mut fine: HashSet<&str> = HashSet::new();
        for s in &cx.model.stages {
            if !has_var(&s.base_text, escape) || fine.contains(s.base_text.as_str()) {
                continue;
            }
            let e = expand(&s.base_text, escape, &|n| values.get(n).cloned().flatten());
            if !e.errors.is_empty()
                || (!e.value.is_empty()
                    && (e.value.eq_ignore_ascii_case("scratch")
                        || ImageRef::parse(&e.value).is_ok()))
            {
                fine.insert(&s.base_text);
                continue;
            }
            let missing: Vec<&str> = e.unset.iter().map(String::as_str).collect();
            let note = if missing.is_empty() {
                format!(
                    "With the defaults it becomes `{}`, which is not a valid image reference.",
                    e.value
                )
            } else {
                format!("Without --build-arg, {} {} empty and the image becomes `{}`. Give the ARG a default.", missing.join(", "), if missing.len() == 1 { "is" } else { "are" }, e.value)
            };
            out.push(
                Diagnostic::new(
                    meta,
                    s.base_range,
                    format!(
                        "Default value for ARG {} results in empty or invalid base image name",
                        s.base_text
                    ),
                )
                .note(note),
            );
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
            flagged(&InvalidDefaultArgInFrom, "ARG TAG\nFROM busybox:${TAG}\n"),
            ["busybox:${TAG}"]
        );
        assert_eq!(
            flagged(&InvalidDefaultArgInFrom, "ARG IMAGE\nFROM $IMAGE\n"),
            ["$IMAGE"]
        );
        assert_eq!(
            flagged(
                &InvalidDefaultArgInFrom,
                "ARG REPO=My/App\nFROM ${REPO}:1\n"
            ),
            ["${REPO}:1"]
        );
    }

    #[test]
    fn near_miss() {
        let ok = "ARG TAG=latest\nARG VARIANT\nFROM busybox:${TAG}\nFROM busybox:stable${VARIANT}\nFROM alpine:${NOPE:-3.14}\nFROM --platform=$BUILDPLATFORM golang:1.23\nFROM build_${TARGETARCH}\nFROM busybox:1\n";
        assert!(
            findings(&InvalidDefaultArgInFrom, ok).is_empty(),
            "{:?}",
            flagged(&InvalidDefaultArgInFrom, ok)
        );
    }
}
