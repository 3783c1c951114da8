use layerwise_analysis::image_facts::Platform;
use layerwise_syntax::InstructionKind;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::util::has_var;

declare_rule! {
    /// `FROM --platform=` with a fixed platform.
    ///
    /// ## What it does
    /// Reports `FROM --platform=linux/amd64 ...` and other constant platforms, unless the
    /// stage name mentions the platform's OS or architecture (`AS build-arm64`), which marks
    /// a deliberately platform-specific stage.
    ///
    /// ## Why is this bad?
    /// A constant platform pins the stage to one architecture: the file can no longer build
    /// a multi-platform image, and on another machine it builds under emulation.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 alpine:3.20 AS base
    /// RUN apk add --no-cache git
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM --platform=$BUILDPLATFORM alpine:3.20 AS base
    /// RUN apk add --no-cache git
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: either drop the flag or use `$BUILDPLATFORM`, depending on the stage.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit FromPlatformFlagConstDisallowed](https://docs.docker.com/reference/build-checks/from-platform-flag-const-disallowed/)
    /// - [hadolint DL3029](https://github.com/hadolint/hadolint/wiki/DL3029)
    pub struct FromPlatformFlagConstDisallowed {
        name: "from-platform-flag-const",
        group: Suspicious,
        severity: Warning,
        fix: None,
        hadolint: ["DL3029"],
        buildkit: Some("FromPlatformFlagConstDisallowed"),
    }
}

impl RuleCheck for FromPlatformFlagConstDisallowed {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.of_kind(InstructionKind::From) {
            let Some(f) = i.inst.flag("platform") else {
                continue;
            };
            let Some(value) = f.value().filter(|v| !v.is_empty()) else {
                continue;
            };
            if has_var(value, cx.model.escape) {
                continue;
            }
            let Ok(p) = Platform::parse(value) else {
                continue;
            };
            let name = i
                .inst
                .from_parts()
                .and_then(|p| p.name)
                .map(|n| n.text.to_ascii_lowercase())
                .unwrap_or_default();
            if name.contains(&p.os) || name.contains(&p.architecture) {
                continue;
            }
            out.push(
                Diagnostic::new(meta, f.value_range.map_or(i.abs(f.range), |r| i.abs(r)), format!("FROM --platform flag should not use constant value {value:?}"))
                    .note("This pins the stage to one platform. Use `$BUILDPLATFORM` for build tools, drop the flag for the target, or name the stage after the platform."),
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
                &FromPlatformFlagConstDisallowed,
                "FROM --platform=linux/amd64 alpine AS base\nFROM --platform=linux/arm64 b\n"
            ),
            ["linux/amd64", "linux/arm64"]
        );
    }

    #[test]
    fn near_miss() {
        let ok = "FROM --platform=$BUILDPLATFORM a AS b\nFROM --platform=linux/amd64 a AS build_amd64\nFROM --platform=linux/arm64 a AS build-arm64\nFROM --platform=windows/amd64 a AS win-windows\nFROM a\n";
        assert!(findings(&FromPlatformFlagConstDisallowed, ok).is_empty());
    }
}
