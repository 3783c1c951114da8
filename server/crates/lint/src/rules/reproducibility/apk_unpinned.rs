use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::reproducibility::pins;

declare_rule! {
    /// `apk add` of a package without a version.
    ///
    /// ## What it does
    /// Reports each package that `apk add` names without a version constraint (`=`, `~`, `>`,
    /// `<`). The `--virtual` name, `.apk` files and packages in variables are left alone. Off
    /// by default: it is noisy, and pins have a cost (see below).
    ///
    /// ## Why is this bad?
    /// Without a version the package is whatever the repository has on the day of the build.
    /// Alpine keeps only the newest build of each package in a branch, so exact pins
    /// (`=1.2.3-r0`) break when a fix is released; a fuzzy pin (`~1.2`) keeps the minor
    /// version while accepting security fixes.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl~8
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the version to pin depends on the repository on the day you pin.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3018](https://github.com/hadolint/hadolint/wiki/DL3018)
    pub struct ApkUnpinned {
        name: "apk-unpinned",
        group: Reproducibility,
        severity: Warning,
        fix: None,
        default_enabled: false,
        hadolint: ["DL3018"],
        buildkit: None,
    }
}

impl RuleCheck for ApkUnpinned {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        pins::report(
            cx,
            meta,
            out,
            pins::apk,
            "apk",
            "Pin it with `name~<major.minor>` (keeps fixes) or `name=<version>`.",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_per_package() {
        assert_eq!(
            flagged(
                &ApkUnpinned,
                "FROM a\nRUN apk add --no-cache --virtual .deps gcc musl-dev~1.2 make\n"
            ),
            ["gcc", "make"]
        );
    }

    #[test]
    fn near_misses() {
        assert!(findings(
            &ApkUnpinned,
            "FROM a\nRUN apk add --no-cache 'curl>8' x.apk $PKGS && apk del .deps && apk update\n"
        )
        .is_empty());
    }
}
