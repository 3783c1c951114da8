use layerwise_analysis::{Base, RefKind, RefTarget};
use layerwise_syntax::TextRange;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// An image is pinned to the `latest` tag.
    ///
    /// ## What it does
    /// Reports `FROM image:latest`, and `COPY --from=image:latest` / `RUN --mount=from=image:latest`
    /// of an external image, unless a digest pins it too (`image:latest@sha256:...`). An `ARG`
    /// whose default resolves to `latest` counts; a `FROM` that names a stage does not.
    ///
    /// ## Why is this bad?
    /// `latest` is just the tag most recently pushed: the same Dockerfile builds on a
    /// different base next month, and a major version bump can break the build or the app
    /// without any change to the Dockerfile.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:latest
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which version you want is your decision (hover shows the variants;
    /// "pin digest" keeps today's `latest`).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3007](https://github.com/hadolint/hadolint/wiki/DL3007)
    pub struct LatestTag {
        name: "latest-tag",
        group: Reproducibility,
        severity: Warning,
        fix: None,
        hadolint: ["DL3007"],
        buildkit: None,
    }
}

/// The range of the `latest` tag inside an image word as written, or the whole word when the
/// tag comes from a variable.
fn tag_range(written: &str, range: TextRange) -> TextRange {
    let name_end = written.find('@').unwrap_or(written.len());
    match written[..name_end].rfind(":latest") {
        Some(k) if k + 7 == name_end => {
            TextRange::new(range.start + k as u32 + 1, range.start + name_end as u32)
        }
        _ => range,
    }
}

impl RuleCheck for LatestTag {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let note = "Pin a release tag (e.g. `3.12-slim`), or a digest, so the build does not change under you.";
        for stage in &cx.model.stages {
            let Base::Image(image) = &stage.base else {
                continue;
            };
            if image.tag.as_deref() == Some("latest") && image.digest.is_none() {
                let via = if stage.base_text.contains('$') {
                    format!(
                        " (`{}` resolves to `{}`)",
                        stage.base_text, stage.base_resolved
                    )
                } else {
                    String::new()
                };
                out.push(
                    Diagnostic::new(
                        meta,
                        tag_range(&stage.base_text, stage.base_range),
                        format!("The base image uses the `latest` tag{via}"),
                    )
                    .note(note),
                );
            }
        }
        for r in &cx.model.refs {
            let RefTarget::Image(image) = &r.target else {
                continue;
            };
            if r.kind == RefKind::FromStage
                || image.tag.as_deref() != Some("latest")
                || image.digest.is_some()
            {
                continue;
            }
            out.push(
                Diagnostic::new(
                    meta,
                    tag_range(&r.text, r.range),
                    format!("`{}` uses the `latest` tag", r.text),
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
            flagged(
                &LatestTag,
                "FROM node:latest AS b\nFROM ghcr.io/o/a:latest\n"
            ),
            ["latest", "latest"]
        );
        assert_eq!(
            flagged(&LatestTag, "ARG T=latest\nFROM node:${T}\n"),
            ["node:${T}"]
        );
        assert_eq!(
            flagged(
                &LatestTag,
                "FROM alpine:3.20\nCOPY --from=busybox:latest /bin/busybox /b\n"
            ),
            ["latest"]
        );
    }

    #[test]
    fn near_misses() {
        let ok = "ARG V=3.20\nFROM node:20 AS latest\nFROM latest\nFROM alpine:latest@sha256:0123456789012345678901234567890123456789012345678901234567890123\nFROM alpine:$V\nFROM node\n";
        assert!(findings(&LatestTag, ok).is_empty());
        assert!(findings(
            &LatestTag,
            "FROM node:20 AS build\nFROM alpine:3\nCOPY --from=build /a /a\n"
        )
        .is_empty());
    }
}
