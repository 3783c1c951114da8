use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::size::os_packages::PkgTool;

declare_rule! {
    /// `dnf install` without `dnf clean all` in the same `RUN`.
    ///
    /// ## What it does
    /// Reports `dnf install` (and `update`/`upgrade`/`makecache`) in the final stage, or a
    /// stage it is built on, when the same `RUN` neither runs `dnf clean all` nor removes
    /// `/var/cache/dnf`, and the cache is not on a `--mount=type=cache`. Builder stages that are only
    /// copied from are not reported. `microdnf` and `tdnf` count as dnf.
    ///
    /// ## Why is this bad?
    /// dnf keeps repository metadata, often over a hundred megabytes, under `/var/cache/dnf`;
    /// it ships in the image and is never used by the container. Cleaning it in a later `RUN`
    /// does not make the image smaller.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd && dnf clean all
    /// ```
    ///
    /// ## Fix safety
    /// Safe: appends `&& dnf clean all` to the `RUN`; the installed packages are the same. Not
    /// offered for the exec form.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3040](https://github.com/hadolint/hadolint/wiki/DL3040)
    pub struct DnfCacheLeft {
        name: "dnf-cache-left",
        group: Size,
        severity: Info,
        fix: Sometimes,
        hadolint: ["DL3040"],
        buildkit: None,
    }
}

impl RuleCheck for DnfCacheLeft {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        crate::rules::size::rpm_clean::check(cx, meta, PkgTool::Dnf, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM fedora:40\nRUN dnf -y install httpd\n";
        assert_eq!(flagged(&DnfCacheLeft, t), ["dnf -y install"]);
        assert_eq!(
            fixed(&DnfCacheLeft, t),
            "FROM fedora:40\nRUN dnf -y install httpd && dnf clean all\n"
        );
        assert!(findings(&DnfCacheLeft, &fixed(&DnfCacheLeft, t)).is_empty());
    }

    #[test]
    fn near_misses() {
        for ok in [
            "FROM fedora:40\nRUN dnf install -y httpd && dnf clean all\n",
            "FROM fedora:40\nRUN dnf install -y httpd && rm -rf /var/cache/dnf\n",
            "FROM fedora:40\nRUN --mount=type=cache,target=/var/cache/dnf dnf install -y httpd\n",
            "FROM fedora:40 AS build\nRUN dnf install -y httpd\nFROM scratch\nCOPY --from=build /x /x\n",
            "FROM fedora:40\nRUN yum install -y httpd\n",
        ] {
            assert!(findings(&DnfCacheLeft, ok).is_empty(), "{ok}");
        }
    }
}
