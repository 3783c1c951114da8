use layerwise_analysis::image_ref::ImageRef;
use layerwise_analysis::Base;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::size::shipped::runs_an_app;
use crate::rules::size::toolchains::{
    approx, figures, saving, switch_sizes, switch_title, toolchain, weight, Sizes,
};

declare_rule! {
    /// The final image runs on a full build toolchain image.
    ///
    /// ## What it does
    /// Reports a final stage (directly, or through the stages it is built `FROM`) based on a
    /// toolchain image: `golang`, `rust`, `gcc`, `maven`, `gradle`, a JDK (`openjdk`,
    /// `eclipse-temurin` without `-jre`...), the .NET SDK, or the full `node`, `python` and
    /// `ruby` images (not `-slim` or `-alpine`). Only images that run an app are reported
    /// (a `CMD` or `ENTRYPOINT` other than a shell, a REPL or the tool itself): a build
    /// environment or a tool image needs its toolchain. With image facts, the message says
    /// what the base weighs and what the slim variant would save.
    ///
    /// ## Why is this bad?
    /// The toolchain (compilers, headers, package caches, a JDK) is most of the image: often
    /// ten times what the app needs to run. Every pull, push and cold start pays for it, and
    /// scanners report vulnerabilities in software the app never uses.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22
    /// WORKDIR /src
    /// COPY . .
    /// RUN go build -o /app .
    /// CMD ["/app"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// WORKDIR /src
    /// COPY . .
    /// RUN CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /app /app
    /// CMD ["/app"]
    /// ```
    ///
    /// ## Fix safety
    /// For `node`, `python` and `ruby` an unsafe fix switches to the `-slim` variant of the
    /// same tag: it lacks compilers and some libraries, so native modules built in this stage
    /// may no longer build. For the others, use the "Split into build and runtime stages"
    /// action.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker: multi-stage builds](https://docs.docker.com/build/building/multi-stage/)
    pub struct ToolchainFinalImage {
        name: "toolchain-final-image",
        group: Size,
        severity: Warning,
        fix: Sometimes,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for ToolchainFinalImage {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let Some(last) = cx.final_stage() else { return };
        // Walk `FROM <stage>` down to the image the final stage really runs on.
        let mut s = last;
        let image = loop {
            match &cx.model.stages[s].base {
                Base::Stage(b) if *b < s => s = *b,
                Base::Image(image) => break image,
                _ => return,
            }
        };
        let Some(tc) = toolchain(image) else { return };
        if !runs_an_app(cx) {
            return;
        }
        let stage = &cx.model.stages[s];
        // Figures for the platform the stage asks for, as hover and the code lens show them.
        let platform = cx.model.requested_platform(stage);
        // Name and tag as people write them; a digest would drown the message.
        let shown = match &image.tag {
            Some(tag) => format!("{}:{tag}", image.familiar_name()),
            None => image.display_name(),
        };
        let size = figures(cx.facts, image, platform.as_ref())
            .map(|p| weight((p.compressed_size, p.unpacked_size)))
            .map(|(b, k)| format!(" ({})", approx(b, k)))
            .unwrap_or_default();
        let slim = tc.slim_tag.as_deref().map(|t| image.with_tag(t));
        let pair = slim
            .as_ref()
            .map(|sl| switch_sizes(cx.facts, image, sl, platform.as_ref()));
        let saves = slim.as_ref().zip(pair).and_then(|(sl, (from, to))| {
            saving(from, to).map(|s| format!("; `{}` would save {s}", sl.display_name()))
        });
        let mut d = Diagnostic::new(meta, stage.base_range, format!("the final image runs on `{shown}`{size}, {}{}", tc.what, saves.unwrap_or_default())).note(format!(
            "Build in a builder stage and run on {} with only the app copied in: use the 'Split into build and runtime stages' action.",
            tc.runtime
        ));
        if s != last {
            d = d.related(
                cx.model.stages[last].base_range,
                "the final stage is built on that stage",
            );
        }
        if let Some(fix) = slim.as_ref().zip(pair).and_then(|(sl, sizes)| {
            slim_fix(cx, stage.base_range, &stage.base_text, image, sl, sizes)
        }) {
            d = d.fix(fix);
        }
        out.push(d);
    }
}

/// Rewrites the tag of a literally written reference (`node:20` → `node:20-slim`); the title
/// says what it saves, from [`switch_sizes`].
fn slim_fix(
    cx: &LintContext<'_>,
    range: layerwise_syntax::TextRange,
    written: &str,
    image: &ImageRef,
    slim: &ImageRef,
    (from, to): (Option<Sizes>, Option<Sizes>),
) -> Option<Fix> {
    if written.contains('$') || image.digest.is_some() || cx.slice(range) != written {
        return None;
    }
    let new_tag = slim.tag.as_deref()?;
    let name = match &image.tag {
        Some(tag) => written.strip_suffix(tag.as_str())?.strip_suffix(':')?,
        None => written,
    };
    Some(Fix::replace(
        switch_title(&slim.display_name(), from, to),
        range,
        format!("{name}:{new_tag}"),
        Applicability::Unsafe,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::size::toolchains::bytes_saved;
    use crate::test_support::*;
    use crate::Facts;
    use layerwise_analysis::image_facts::{FactSource, ImageFacts, Platform, PlatformFacts};

    fn facts(entries: &[(&str, u64)]) -> Facts {
        let mut f = Facts::default();
        for (r, size) in entries {
            let reference = ImageRef::parse(r).unwrap();
            f.images.insert(
                reference.canonical(),
                ImageFacts {
                    reference,
                    digest: None,
                    platforms: vec![PlatformFacts::sizes_only(
                        Platform::linux_amd64(),
                        size / 3,
                        Some(*size),
                    )],
                    available_platforms: Vec::new(),
                    source: FactSource::Registry,
                    fetched_at: None,
                    fallback_reason: None,
                },
            );
        }
        f
    }

    #[test]
    fn fires_with_sizes_and_fix() {
        let t = "FROM node:20\nCOPY . .\nCMD [\"node\", \"server.js\"]\n";
        let d = findings(&ToolchainFinalImage, t);
        assert_eq!(&t[d[0].range.as_usize()], "node:20");
        assert!(
            !d[0].message.contains('≈'),
            "quiet about sizes without facts: {}",
            d[0].message
        );
        assert_eq!(
            fixed(&ToolchainFinalImage, t),
            "FROM node:20-slim\nCOPY . .\nCMD [\"node\", \"server.js\"]\n"
        );
        let d = findings_with(
            &ToolchainFinalImage,
            t,
            &facts(&[("node:20", 1_100_000_000), ("node:20-slim", 200_000_000)]),
        );
        assert_eq!(d[0].message, "the final image runs on `node:20` (≈ 1.10 GB), the full Debian image with compilers (for native modules); `node:20-slim` would save ≈ 900 MB");
        assert_eq!(
            d[0].fixes[0].title,
            "Switch to node:20-slim (saves ≈900 MB)"
        );
        // through a base stage, with the related final FROM
        let t =
            "FROM golang:1.22 AS base\nRUN go build -o /app\nFROM base\nENTRYPOINT [\"/app\"]\n";
        let d = findings(&ToolchainFinalImage, t);
        assert_eq!(&t[d[0].range.as_usize()], "golang:1.22");
        assert_eq!(&t[d[0].related[0].range.as_usize()], "base");
        assert!(d[0].fixes.is_empty());
        assert_eq!(
            fixed(
                &ToolchainFinalImage,
                "FROM python:3.12-bookworm\nCMD python app.py\n"
            ),
            "FROM python:3.12-slim-bookworm\nCMD python app.py\n"
        );
    }

    #[test]
    fn fix_title_takes_the_saving_from_the_variant_list() {
        // only the image itself has facts; its slim variant is known from the variant list
        // (as the editor's slimmer-variant action reads it): same figure, same title
        let t = "FROM node:20\nCOPY . .\nCMD [\"node\", \"server.js\"]\n";
        let mut f = facts(&[("node:20", 1_100_000_000)]);
        f.variants.insert(
            ImageRef::parse("node:20").unwrap().canonical(),
            vec![layerwise_analysis::image_facts::VariantSize {
                reference: "node:20-slim".into(),
                platform: Platform::linux_amd64(),
                compressed_size: 70_000_000,
                unpacked_size: Some(240_000_000),
                source: FactSource::Registry,
            }],
        );
        let d = findings_with(&ToolchainFinalImage, t, &f);
        assert_eq!(
            d[0].fixes[0].title,
            "Switch to node:20-slim (saves ≈860 MB)"
        );
        assert_eq!(bytes_saved((400, Some(1000)), (100, None)), Some(300));
        let (big, small) = ((400, Some(1000)), (100, Some(150)));
        assert_eq!(
            switch_title("a:slim", Some(small), Some(big)),
            "Switch to a:slim (≈1.00 kB)"
        );
        assert_eq!(
            switch_title("a:slim", Some(big), Some(small)),
            "Switch to a:slim (saves ≈850 B)"
        );
        assert_eq!(switch_title("a:slim", None, None), "Switch to a:slim");
    }

    #[test]
    fn near_misses() {
        for ok in [
            "FROM golang:1.22 AS build\nRUN go build -o /app\nFROM gcr.io/distroless/static\nCOPY --from=build /app /app\nCMD [\"/app\"]\n",
            "FROM node:20-slim\nCMD [\"node\", \"server.js\"]\n",
            "FROM eclipse-temurin:21-jre\nCMD [\"java\", \"-jar\", \"/app.jar\"]\n",
            // tool and development images: no app of their own
            "FROM golang:1.22\nRUN go install golang.org/x/tools/gopls@latest\n",
            "FROM node:20\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"node\"]\n",
            "FROM maven:3\nCMD [\"mvn\"]\n",
            "ARG V\nFROM node:$V\nCMD node app.js\n",
        ] {
            assert!(findings(&ToolchainFinalImage, ok).is_empty(), "{ok}");
        }
    }
}
