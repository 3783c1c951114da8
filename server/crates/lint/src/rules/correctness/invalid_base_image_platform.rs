use layerwise_analysis::image_facts::Platform;
use layerwise_analysis::image_ref::ImageRef;
use layerwise_analysis::vars::Scope;
use layerwise_analysis::Base;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// A base image that does not exist for the platform being built.
    ///
    /// ## What it does
    /// When image facts list the platforms a base image is published for, reports a `FROM`
    /// whose platform (its `--platform`, or the target platform) is not among them (OS and
    /// architecture compared). Without facts it knows one thing: Windows base images
    /// (`mcr.microsoft.com/windows/servercore`, `nanoserver`, ...) exist only for Windows, so
    /// an explicit non-Windows `--platform` on them is reported. Approximate catalogue facts
    /// are not used.
    ///
    /// ## Why is this bad?
    /// The builder pulls another platform's image, which then runs under emulation or fails
    /// with `exec format error`, or the pull fails outright.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/s390x mcr.microsoft.com/windows/servercore:ltsc2022
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM --platform=windows/amd64 mcr.microsoft.com/windows/servercore:ltsc2022
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit InvalidBaseImagePlatform](https://docs.docker.com/reference/build-checks/)
    pub struct InvalidBaseImagePlatform {
        name: "invalid-base-image-platform",
        group: Correctness,
        severity: Warning,
        fix: None,
        hadolint: [],
        buildkit: Some("InvalidBaseImagePlatform"),
    }
}

impl RuleCheck for InvalidBaseImagePlatform {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let global = cx.model.global_scope();
        for s in &cx.model.stages {
            let Base::Image(img) = &s.base else { continue };
            // without image facts there is nothing to look up: skip naming the image
            let facts = (!cx.facts.images.is_empty())
                .then(|| cx.facts.images.get(&img.canonical()))
                .flatten()
                .filter(|f| !f.available_platforms.is_empty() && !f.source.is_approximate());
            let Some(facts) = facts else {
                windows_only(cx, meta, s, img, &global, out);
                continue;
            };
            let wanted = match &s.platform {
                Some(p) => global.expand(p, cx.model.escape).value,
                None => cx.model.options.target_platform.clone(),
            };
            let Ok(want) = Platform::parse(&wanted) else {
                continue;
            };
            let offered = |p: &Platform| {
                p.os.eq_ignore_ascii_case(&want.os)
                    && p.architecture.eq_ignore_ascii_case(&want.architecture)
            };
            if facts.available_platforms.iter().any(offered) {
                continue;
            }
            let list: Vec<String> = facts
                .available_platforms
                .iter()
                .map(ToString::to_string)
                .collect();
            out.push(
                Diagnostic::new(meta, s.base_range, format!("Base image {} is not published for {want}: it offers {}", s.base_resolved, list.join(", ")))
                    .note("The builder would pull another platform's image, which runs under emulation or fails. Pick a platform the image offers, or another image."),
            );
        }
    }
}

/// Windows base images that are published for Windows only.
const WINDOWS_ONLY: &[&str] = &[
    "windows",
    "windows/servercore",
    "windows/nanoserver",
    "windows/server",
    "windows/servercore/iis",
];

/// Without facts: an explicit, constant non-Windows `--platform` on a Windows base image.
fn windows_only(
    cx: &LintContext<'_>,
    meta: &'static RuleMeta,
    s: &layerwise_analysis::Stage,
    img: &ImageRef,
    global: &Scope,
    out: &mut Vec<Diagnostic>,
) {
    if img.registry != "mcr.microsoft.com" || !WINDOWS_ONLY.contains(&img.repository.as_str()) {
        return;
    }
    let Some(p) = &s.platform else { return };
    let Ok(want) = Platform::parse(&global.expand(p, cx.model.escape).value) else {
        return;
    };
    if want.os.eq_ignore_ascii_case("windows") {
        return;
    }
    out.push(
        Diagnostic::new(meta, s.base_range, format!("Base image {} is published for Windows only, not for {want}", s.base_resolved))
            .note("Windows base images exist only for windows/amd64 (and some for windows/arm64): use a Windows platform, or a Linux image."),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Facts;
    use crate::test_support::*;
    use layerwise_analysis::image_facts::{FactSource, ImageFacts};

    fn facts(image: &str, platforms: &[&str], source: FactSource) -> Facts {
        let reference = ImageRef::parse(image).expect("valid test reference");
        let f = ImageFacts {
            reference: reference.clone(),
            digest: None,
            platforms: Vec::new(),
            available_platforms: platforms
                .iter()
                .map(|p| Platform::parse(p).expect("valid test platform"))
                .collect(),
            source,
            fetched_at: None,
            fallback_reason: None,
        };
        let mut facts = Facts::default();
        facts.images.insert(reference.canonical(), f);
        facts
    }

    #[test]
    fn fires() {
        let f = facts("example.com/tool:1", &["linux/arm64"], FactSource::Registry);
        let d = findings_with(&InvalidBaseImagePlatform, "FROM example.com/tool:1\n", &f);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("linux/amd64"));
        let f = facts(
            "mcr.microsoft.com/windows/servercore:ltsc2022",
            &["windows/amd64"],
            FactSource::Registry,
        );
        assert_eq!(
            findings_with(
                &InvalidBaseImagePlatform,
                "FROM --platform=linux/s390x mcr.microsoft.com/windows/servercore:ltsc2022\n",
                &f
            )
            .len(),
            1
        );
    }

    #[test]
    fn near_miss() {
        let f = facts(
            "example.com/tool:1",
            &["linux/amd64", "linux/arm64/v8"],
            FactSource::Registry,
        );
        assert!(findings_with(
            &InvalidBaseImagePlatform,
            "FROM example.com/tool:1\nFROM --platform=linux/arm64 example.com/tool:1\n",
            &f
        )
        .is_empty());
        // approximate facts, unknown images and no platform list: quiet
        let approx = facts(
            "example.com/tool:1",
            &["linux/arm64"],
            FactSource::Catalogue {
                entry: "tool".into(),
                exact: false,
                provenance: "test".into(),
            },
        );
        assert!(findings_with(
            &InvalidBaseImagePlatform,
            "FROM example.com/tool:1\n",
            &approx
        )
        .is_empty());
        assert!(
            findings_with(&InvalidBaseImagePlatform, "FROM example.com/other:1\n", &f).is_empty()
        );
        assert!(findings_with(
            &InvalidBaseImagePlatform,
            "FROM example.com/tool:1\n",
            &facts("example.com/tool:1", &[], FactSource::Registry)
        )
        .is_empty());
        // without facts only an explicit Linux platform on a Windows image is known to be wrong
        assert!(findings(&InvalidBaseImagePlatform, "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nFROM --platform=windows/amd64 mcr.microsoft.com/windows/nanoserver:ltsc2022\nFROM --platform=linux/arm64 alpine\n").is_empty());
        assert_eq!(
            findings(
                &InvalidBaseImagePlatform,
                "FROM --platform=linux/amd64 mcr.microsoft.com/windows/nanoserver:ltsc2022\n"
            )
            .len(),
            1
        );
    }
}
