use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::size::os_packages::PkgTool;

declare_rule! {
    /// `yum install` without `yum clean all` in the same `RUN`.
    ///
    /// ## What it does
    /// Reports `yum install` (and `update`/`upgrade`/`makecache`) in the final stage, or a
    /// stage it is built on, when the same `RUN` neither runs `yum clean all` nor removes
    /// `/var/cache/yum`, and the cache is not on a `--mount=type=cache`. Builder stages that are only
    /// copied from are not reported.
    ///
    /// ## Why is this bad?
    /// yum keeps repository metadata (and, when `keepcache` is on, the downloaded packages)
    /// under `/var/cache/yum`; it ships in the image and is never used by the container. Cleaning
    /// it in a later `RUN` does not make the image smaller.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install -y httpd
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install -y httpd && yum clean all
    /// ```
    ///
    /// ## Fix safety
    /// Safe: appends `&& yum clean all` to the `RUN`; the installed packages are the same. Not
    /// offered for the exec form.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3032](https://github.com/hadolint/hadolint/wiki/DL3032)
    pub struct YumCacheLeft {
        name: "yum-cache-left",
        group: Size,
        severity: Info,
        fix: Sometimes,
        hadolint: ["DL3032"],
        buildkit: None,
    }
}

impl RuleCheck for YumCacheLeft {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        crate::rules::size::rpm_clean::check(cx, meta, PkgTool::Yum, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM centos:7\nRUN yum -y install httpd\n";
        assert_eq!(flagged(&YumCacheLeft, t), ["yum -y install"]);
        assert_eq!(
            fixed(&YumCacheLeft, t),
            "FROM centos:7\nRUN yum -y install httpd && yum clean all\n"
        );
        assert!(findings(&YumCacheLeft, &fixed(&YumCacheLeft, t)).is_empty());
    }

    #[test]
    fn near_misses() {
        for ok in [
            "FROM centos:7\nRUN yum install -y httpd && yum clean all\n",
            "FROM centos:7\nRUN yum install -y httpd && rm -rf /var/cache/yum\n",
            "FROM centos:7\nRUN --mount=type=cache,target=/var/cache/yum yum install -y httpd\n",
            "FROM centos:7 AS build\nRUN yum install -y httpd\nFROM scratch\nCOPY --from=build /x /x\n",
            "FROM centos:7\nRUN dnf install -y httpd\n",
        ] {
            assert!(findings(&YumCacheLeft, ok).is_empty(), "{ok}");
        }
    }
}
