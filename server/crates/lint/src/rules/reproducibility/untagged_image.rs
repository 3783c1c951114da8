use layerwise_analysis::{Base, RefKind, RefTarget};

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// A base image without a tag or digest.
    ///
    /// ## What it does
    /// Reports `FROM image` with neither `:tag` nor `@digest`, and the same for external images
    /// used by `COPY --from=` and `RUN --mount=from=` (those with a path, like `org/tools`, and
    /// `alpine`, `busybox`, `debian`, `ubuntu`: another bare word may name a build context given
    /// with `--build-context`). A `FROM` that names an earlier stage, `scratch`, or an `ARG`
    /// whose default carries a tag is fine.
    ///
    /// ## Why is this bad?
    /// Without a tag Docker pulls `latest`, which moves: the same Dockerfile builds a
    /// different image next month, and a major version bump can break the build or the app.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which version you want is your decision (hover shows the variants).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3006](https://github.com/hadolint/hadolint/wiki/DL3006)
    pub struct UntaggedImage {
        name: "untagged-image",
        group: Reproducibility,
        severity: Warning,
        fix: None,
        hadolint: ["DL3006"],
        buildkit: None,
    }
}

impl RuleCheck for UntaggedImage {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for stage in &cx.model.stages {
            let Base::Image(image) = &stage.base else {
                continue;
            };
            if image.tag.is_some() || image.digest.is_some() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    meta,
                    stage.base_range,
                    format!(
                        "`{}` has no tag: Docker will pull `latest`",
                        stage.base_resolved
                    ),
                )
                .note(
                    "Pin a version (e.g. `node:20-slim`) so the build does not change under you.",
                ),
            );
        }
        // `COPY --from=busybox` / `RUN --mount=from=alpine` of an external image
        for r in &cx.model.refs {
            let RefTarget::Image(image) = &r.target else {
                continue;
            };
            if r.kind == RefKind::FromStage
                || image.tag.is_some()
                || image.digest.is_some()
                || image.is_scratch()
            {
                continue;
            }
            // a bare word may be a named build context (`--build-context tools=...`), not an
            // image: only names with a path, or the few images people copy tools from
            let bare_image = matches!(r.text.as_str(), "alpine" | "busybox" | "debian" | "ubuntu");
            if !r.text.contains('/') && !bare_image {
                continue;
            }
            out.push(
                Diagnostic::new(
                    meta,
                    r.range,
                    format!("`{}` has no tag: Docker will pull `latest`", r.text),
                )
                .note("Pin a version (or a digest) of the image you copy from, as for FROM."),
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
            flagged(&UntaggedImage, "FROM ubuntu\nFROM ghcr.io/org/app AS x\n"),
            ["ubuntu", "ghcr.io/org/app"]
        );
        assert_eq!(
            flagged(&UntaggedImage, "ARG IMG=node\nFROM $IMG\n"),
            ["$IMG"]
        );
        let t = "FROM alpine:3.20\nCOPY --from=busybox /bin/busybox /b\nRUN --mount=from=ghcr.io/o/tools,target=/t ls /t\n";
        assert_eq!(flagged(&UntaggedImage, t), ["busybox", "ghcr.io/o/tools"]);
        // a bare word may be a named build context
        assert!(findings(
            &UntaggedImage,
            "FROM alpine:3.20\nCOPY --from=templates /t /t\n"
        )
        .is_empty());
    }

    #[test]
    fn near_miss() {
        let ok = "ARG V=20\nFROM node:${V} AS build\nFROM build\nFROM scratch\nFROM alpine@sha256:0123456789012345678901234567890123456789012345678901234567890123\nFROM localhost:5000/app:1\n";
        assert!(findings(&UntaggedImage, ok).is_empty());
    }
}
