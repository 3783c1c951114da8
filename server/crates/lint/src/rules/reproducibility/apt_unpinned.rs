use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::reproducibility::pins;

declare_rule! {
    /// `apt-get install` of a package without a version.
    ///
    /// ## What it does
    /// Reports each package that `apt-get install` (or `apt install`) names without
    /// `=<version>`. Packages chosen by release (`nginx/bookworm-backports`), local `.deb`
    /// files and packages in variables are left alone. Off by default: it is noisy, and pins
    /// have a cost (see below).
    ///
    /// ## Why is this bad?
    /// Without a version the package is whatever the archive has on the day of the build, so
    /// two builds of the same Dockerfile can differ. Pinning makes the build repeatable, but
    /// Debian and Ubuntu drop superseded versions from their archives, so pinned builds fail
    /// once a pin is outdated: pin when you also rebuild and bump regularly (or build from a
    /// dated snapshot archive).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the version to pin depends on the archive on the day you pin.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3008](https://github.com/hadolint/hadolint/wiki/DL3008)
    pub struct AptUnpinned {
        name: "apt-unpinned",
        group: Reproducibility,
        severity: Warning,
        fix: None,
        default_enabled: false,
        hadolint: ["DL3008"],
        buildkit: None,
    }
}

impl RuleCheck for AptUnpinned {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        pins::report(
            cx,
            meta,
            out,
            pins::apt,
            "apt",
            "Pin it with `name=<version>` (and rebuild regularly: the archive drops old versions).",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_per_package() {
        assert_eq!(flagged(&AptUnpinned, "FROM a\nRUN apt-get update && apt-get install -y curl git=1:2.39.5-0+deb12u1 ca-certificates\n"), ["curl", "ca-certificates"]);
        assert_eq!(
            flagged(
                &AptUnpinned,
                "FROM a\nONBUILD RUN apt-get install -y make\n"
            ),
            ["make"]
        );
        // a package list in a script variable, and a package name with a variable in it
        let t = "FROM a\nRUN deps='gcc make=4.3-4.1' && apt-get install -y $deps postgresql-${PG_MAJOR}\n";
        assert_eq!(
            flagged(&AptUnpinned, t),
            ["$deps", "postgresql-${PG_MAJOR}"]
        );
        assert!(findings(&AptUnpinned, t)[0]
            .message
            .contains("`gcc` (from `$deps`)"));
    }

    #[test]
    fn near_misses() {
        assert!(findings(&AptUnpinned, "FROM a\nRUN apt-get install -y -t bookworm-backports nginx/bookworm-backports ./pkg.deb \"$PKGS\"\n").is_empty());
        assert!(findings(
            &AptUnpinned,
            "FROM a\nRUN apt-get update && apt-get upgrade -y && echo apt-get install curl\n"
        )
        .is_empty());
    }
}
