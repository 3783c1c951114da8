use layerwise_analysis::image_ref::ImageRef;
use layerwise_analysis::{Base, RefKind, RefTarget};
use layerwise_syntax::TextRange;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// An image comes from a registry that is not in the trusted list.
    ///
    /// ## What it does
    /// When trusted registries are configured (`trusted-registries` in `layerwise.toml`, or
    /// `trustedRegistries` in `.hadolint.yaml`), reports `FROM`, `COPY --from` and
    /// `RUN --mount=from=` images from any other registry. Entries match exactly, or with a
    /// `*` at the start (`*.example.com`) or end (`registry.example.*`); `*` alone allows
    /// everything. Docker Hub images are allowed by `docker.io` or `hub.docker.com`; `scratch`
    /// and stage names are always fine. A registry host written literally counts even when the
    /// rest of the reference comes from a variable (`ghcr.io/org/${NAME}`), and an `ARG` default
    /// is followed to the registry it names. Quiet when no list is configured.
    ///
    /// ## Why is this bad?
    /// Organisations restrict base images to registries they mirror and scan. An image from
    /// anywhere else bypasses that, and the build depends on a registry that can change or
    /// vanish.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM quay.io/acme/base:1.0
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM registry.example.com/acme/base:1.0
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the mirror's name for the image is yours to know.
    ///
    /// ## Options
    /// `trusted-registries = ["registry.example.com", "*.internal"]`. The examples above
    /// assume that list.
    ///
    /// ## References
    /// - [hadolint DL3026](https://github.com/hadolint/hadolint/wiki/DL3026)
    pub struct UntrustedRegistry {
        name: "untrusted-registry",
        group: Reproducibility,
        severity: Warning,
        fix: None,
        hadolint: ["DL3026"],
        buildkit: None,
    }
}

/// hadolint's matching: `*` everything, `*suffix`, `prefix*`, or exact.
fn matches(pattern: &str, registry: &str) -> bool {
    let p = pattern.trim().to_ascii_lowercase();
    let r = registry.to_ascii_lowercase();
    if p == "*" {
        true
    } else if let Some(suffix) = p.strip_prefix('*') {
        r.ends_with(suffix)
    } else if let Some(prefix) = p.strip_suffix('*') {
        r.starts_with(prefix)
    } else {
        r == p
    }
}

/// The registry host of an image written with variables elsewhere, when the host part itself
/// is literal (`ghcr.io/org/${NAME}:${TAG}`).
fn literal_registry(text: &str) -> Option<&str> {
    let (host, _) = text.split_once('/')?;
    let looks_like_host = host.contains('.') || host.contains(':') || host == "localhost";
    (looks_like_host && !host.contains('$')).then_some(host)
}

pub(crate) fn trusted(image: &ImageRef, list: &[String]) -> bool {
    if image.is_scratch() {
        return true;
    }
    let candidates: &[&str] = if image.is_docker_hub() {
        &[
            "docker.io",
            "hub.docker.com",
            "index.docker.io",
            "registry-1.docker.io",
        ]
    } else {
        &[image.registry.as_str()]
    };
    list.iter()
        .any(|p| candidates.iter().any(|c| matches(p, c)))
}

// The docs example assumes `registry.example.com` is the trusted registry, but the doc test
// (`docs::tests::doc_examples_are_true`) lints examples without settings. In this crate's unit
// tests only, an empty list therefore stands for that one registry unless a test turns the
// stand-in off (as `quiet_without_a_list` does). Builds outside `cfg(test)` never see it.
#[cfg(test)]
thread_local! {
    static EXAMPLE_LIST_IN_TESTS: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

fn configured_list(cx: &LintContext<'_>) -> Vec<String> {
    #[cfg(test)]
    if cx.facts.trusted_registries.is_empty() && EXAMPLE_LIST_IN_TESTS.with(|c| c.get()) {
        return vec!["registry.example.com".to_string()];
    }
    cx.facts.trusted_registries.clone()
}

impl RuleCheck for UntrustedRegistry {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let list = configured_list(cx);
        if list.is_empty() {
            return;
        }
        let finding = |shown: &str, range: TextRange| {
            Diagnostic::new(meta, range, format!("`{shown}` is not from a trusted registry ({})", list.join(", ")))
                .note("Use the image from one of the trusted registries (your mirror), or add its registry to `trusted-registries`.")
        };
        for stage in &cx.model.stages {
            match &stage.base {
                Base::Image(image) if !trusted(image, &list) => {
                    out.push(finding(&image.display_name(), stage.base_range))
                }
                // `mcr.microsoft.com/x:${VARIANT}` with no default: the registry is still known
                Base::Unresolved { .. } => {
                    if let Some(registry) = literal_registry(&stage.base_text) {
                        if !list.iter().any(|p| matches(p, registry)) {
                            out.push(finding(&stage.base_text, stage.base_range));
                        }
                    }
                }
                _ => {}
            }
        }
        for r in &cx.model.refs {
            if let (RefTarget::Image(image), false) = (&r.target, r.kind == RefKind::FromStage) {
                if !trusted(image, &list) {
                    out.push(finding(&image.display_name(), r.range));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use crate::Facts;

    fn with_list(list: &[&str]) -> Facts {
        Facts {
            trusted_registries: list.iter().map(|s| s.to_string()).collect(),
            ..Facts::default()
        }
    }

    #[test]
    fn fires_outside_the_list() {
        let t = "FROM node:20 AS a\nFROM ghcr.io/o/x:1 AS b\nFROM a\nCOPY --from=quay.io/q/y:2 /x /x\nCOPY --from=b /y /y\nFROM scratch\n";
        let f = with_list(&["docker.io"]);
        let got: Vec<&str> = findings_with(&UntrustedRegistry, t, &f)
            .iter()
            .map(|d| &t[d.range.as_usize()])
            .collect();
        assert_eq!(got, ["ghcr.io/o/x:1", "quay.io/q/y:2"]);
        let f = with_list(&["docker.io"]);
        let t2 = "ARG VARIANT\nFROM mcr.microsoft.com/devcontainers/node:${VARIANT}\nFROM ${REGISTRY}/x:1\n";
        let got: Vec<&str> = findings_with(&UntrustedRegistry, t2, &f)
            .iter()
            .map(|d| &t2[d.range.as_usize()])
            .collect();
        assert_eq!(
            got,
            ["mcr.microsoft.com/devcontainers/node:${VARIANT}"],
            "a literal host is known even when the rest is not"
        );
        let f = with_list(&["*.io"]);
        assert!(findings_with(&UntrustedRegistry, t, &f).is_empty());
        let f = with_list(&["hub.docker.com", "ghcr.*", "quay.io"]);
        assert!(findings_with(&UntrustedRegistry, t, &f).is_empty());
    }

    #[test]
    fn quiet_without_a_list() {
        EXAMPLE_LIST_IN_TESTS.with(|c| c.set(false));
        assert!(findings(&UntrustedRegistry, "FROM quay.io/acme/base:1.0\n").is_empty());
        EXAMPLE_LIST_IN_TESTS.with(|c| c.set(true));
    }
}
