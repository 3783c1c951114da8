use layerwise_analysis::image_ref::{ImageRef, ImageRefErrorKind};
use layerwise_analysis::model::copy_from_index;
use layerwise_analysis::{Base, RefKind, RefTarget};
use layerwise_syntax::TextRange;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::stage_graph::{runs_now, StageGraph};
use crate::rules::correctness::util::has_var;

declare_rule! {
    /// An image reference Docker cannot parse.
    ///
    /// ## What it does
    /// Parses the image of each `FROM` (when it has no variables), `COPY --from` and
    /// `--mount from=` that is not a stage, with Docker's reference grammar: a lower-case
    /// repository path, an optional registry host and port, a tag of letters, digits, `_`,
    /// `.` and `-`, a `sha256:` digest of 64 hex digits. It also reports `FROM Name` where a
    /// stage is called `name`: `FROM` matches stage names exactly, so the line is taken as an
    /// (invalid, upper-case) image name.
    ///
    /// ## Why is this bad?
    /// `docker build` stops with `invalid reference format`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20 alpine
    /// FROM Ubuntu:24.04
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-alpine
    /// FROM ubuntu:24.04
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe, and only for case: the fix lower-cases an upper-case repository name or a
    /// stage reference, which changes what is pulled.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker: image references](https://docs.docker.com/reference/cli/docker/image/tag/#description)
    /// - [moby/buildkit#2003](https://github.com/moby/buildkit/issues/2003): `FROM` of an
    ///   upper-case stage name fails
    pub struct InvalidImageReference {
        name: "invalid-image-reference",
        group: Correctness,
        severity: Error,
        fix: Sometimes,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for InvalidImageReference {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        let escape = model.escape;
        for s in &model.stages {
            if s.base_text.is_empty() || has_var(&s.base_text, escape) {
                continue;
            }
            let Base::Unresolved { .. } = &s.base else {
                continue;
            };
            let Err(e) = ImageRef::parse(&s.base_resolved) else {
                continue;
            };
            // `FROM Builder` after `AS builder`: BuildKit looks the name up exactly, finds no
            // stage, and parses it as an image name (see `Model`'s FROM resolution).
            let lower = s.base_resolved.to_ascii_lowercase();
            if let Some(stage) = model.stages[..s.index]
                .iter()
                .rfind(|t| t.name.as_deref() == Some(lower.as_str()))
            {
                let mut d = Diagnostic::new(meta, s.base_range, format!("`{}` is not the stage `{lower}`: FROM matches stage names exactly", s.base_resolved))
                    .note("BuildKit looks the name up as written, finds no stage, and rejects it as an image name (image names are lower-case).")
                    .fix(Fix::replace(format!("Write `{lower}`"), s.base_range, lower.clone(), Applicability::Unsafe));
                if let Some(n) = stage.name_range {
                    d = d.related(n, "the stage");
                }
                out.push(d);
                continue;
            }
            let exact = cx.slice(s.base_range) == s.base_resolved;
            let range = if exact && e.kind != ImageRefErrorKind::UppercaseRepository {
                sub(s.base_range, &e.span)
            } else {
                s.base_range
            };
            out.push(reference_error(
                meta,
                range,
                &s.base_resolved,
                &e.to_string(),
                s.base_range,
            ));
        }
        for r in &model.refs {
            // a stage index (`--from=5`) out of range is invalid-stage-reference's
            if r.kind == RefKind::FromStage
                || !runs_now(model, r)
                || has_var(&r.text, escape)
                || StageGraph::target(r).is_some()
                || r.kind == RefKind::CopyFrom && copy_from_index(&r.text).is_some()
            {
                continue;
            }
            if let RefTarget::Invalid(reason) = &r.target {
                out.push(reference_error(meta, r.range, &r.text, reason, r.range));
            }
        }
    }
}

fn sub(whole: TextRange, span: &std::ops::Range<usize>) -> TextRange {
    let a = (whole.start + span.start as u32).min(whole.end);
    let b = (whole.start + span.end as u32).clamp(a, whole.end);
    if a == b {
        whole
    } else {
        TextRange::new(a, b)
    }
}

fn reference_error(
    meta: &'static RuleMeta,
    range: TextRange,
    text: &str,
    reason: &str,
    whole: TextRange,
) -> Diagnostic {
    let mut d = Diagnostic::new(
        meta,
        range,
        format!("invalid image reference `{text}`: {reason}"),
    )
    .note("docker build stops here with `invalid reference format`.");
    let lower = text.to_ascii_lowercase();
    if lower != text && ImageRef::parse(&lower).is_ok() && !text.contains(['@', ':']) {
        d = d.fix(Fix::replace(
            format!("Write `{lower}`"),
            whole,
            lower,
            Applicability::Unsafe,
        ));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires() {
        assert_eq!(flagged(&InvalidImageReference, "FROM Ubuntu\n"), ["Ubuntu"]);
        assert_eq!(
            fixed(&InvalidImageReference, "FROM Ubuntu\n"),
            "FROM ubuntu\n"
        );
        assert_eq!(
            findings(&InvalidImageReference, "FROM node:20:alpine\n").len(),
            1
        );
        assert_eq!(
            findings(&InvalidImageReference, "FROM a@sha256:123\n").len(),
            1
        );
        assert_eq!(
            flagged(&InvalidImageReference, "FROM a AS builder\nFROM Builder\n"),
            ["Builder"]
        );
        assert_eq!(
            fixed(&InvalidImageReference, "FROM a AS builder\nFROM Builder\n"),
            "FROM a AS builder\nFROM builder\n"
        );
        // only the exact name `scratch` is the empty image
        assert_eq!(
            flagged(&InvalidImageReference, "FROM SCRATCH\n"),
            ["SCRATCH"]
        );
        assert_eq!(
            findings(
                &InvalidImageReference,
                "FROM a\nCOPY --from=Nginx:1 /x /y\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn near_miss() {
        let ok = "ARG IMG=node\nFROM ${IMG}:20 AS Build\nFROM build\nFROM localhost:5000/org/app:1.0\nFROM scratch\n\
                  FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY --from=BUILD /a /b\nCOPY --from=nginx:1.27 /a /b\nCOPY --from=later /a /b\n\
                  COPY --from=7 /a /b\nCOPY --from=-1 /a /b\nFROM a AS later\n";
        assert!(
            findings(&InvalidImageReference, ok).is_empty(),
            "{:?}",
            flagged(&InvalidImageReference, ok)
        );
    }
}
