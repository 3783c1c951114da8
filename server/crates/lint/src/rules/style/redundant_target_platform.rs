use layerwise_syntax::expand::references;
use layerwise_syntax::{InstructionKind, TextRange};

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// `FROM --platform=$TARGETPLATFORM`, which is the default.
    ///
    /// ## What it does
    /// Reports a `--platform` on `FROM` whose only variable is `TARGETPLATFORM` and that
    /// expands to just its value.
    ///
    /// ## Why is this bad?
    /// Base images are pulled for the target platform anyway; the flag adds noise and
    /// suggests that something special happens.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=$TARGETPLATFORM alpine:3.20 AS builder
    /// RUN apk add --no-cache git
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20 AS builder
    /// RUN apk add --no-cache git
    /// ```
    ///
    /// ## Fix safety
    /// Safe: without the flag the same platform is used.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit RedundantTargetPlatform](https://docs.docker.com/reference/build-checks/redundant-target-platform/)
    pub struct RedundantTargetPlatform {
        name: "redundant-target-platform",
        group: Style,
        severity: Warning,
        fix: Always,
        hadolint: [],
        buildkit: Some("RedundantTargetPlatform"),
    }
}

impl RuleCheck for RedundantTargetPlatform {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let global = cx.model.global_scope();
        let target = global.value("TARGETPLATFORM");
        for i in cx.of_kind(InstructionKind::From) {
            let Some(f) = i.inst.flag("platform") else {
                continue;
            };
            let Some(value) = f.value() else { continue };
            let refs = references(value, cx.model.escape);
            if refs.is_empty() || refs.iter().any(|r| r.name != "TARGETPLATFORM") {
                continue;
            }
            if global.expand(value, cx.model.escape).value.as_str()
                != target.as_deref().unwrap_or_default()
            {
                continue;
            }
            let flag = i.abs(f.range);
            let rest = &cx.text[flag.end as usize..];
            let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            let removal = TextRange::new(flag.start, flag.end + spaces as u32);
            out.push(
                Diagnostic::new(meta, flag, format!("Setting platform to predefined {value} in FROM is redundant as this is the default behavior"))
                    .note("Base images are pulled for the target platform by default.")
                    .fix(Fix::replace("Remove the --platform flag", removal, "", Applicability::Safe)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM --platform=$TARGETPLATFORM alpine AS a\nFROM --platform=${TARGETPLATFORM} alpine\n";
        assert_eq!(
            flagged(&RedundantTargetPlatform, t),
            ["--platform=$TARGETPLATFORM", "--platform=${TARGETPLATFORM}"]
        );
        assert_eq!(
            fixed(&RedundantTargetPlatform, t),
            "FROM alpine AS a\nFROM alpine\n"
        );
    }

    #[test]
    fn near_miss() {
        let ok = "FROM --platform=$BUILDPLATFORM a\nFROM --platform=linux/amd64 b\nFROM --platform=${TARGETPLATFORM:-linux/arm64}/x c\nFROM --platform=$TARGETOS/$TARGETARCH d\n";
        assert!(findings(&RedundantTargetPlatform, ok).is_empty());
    }
}
