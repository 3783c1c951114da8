use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::size::os_packages::PkgTool;

declare_rule! {
    /// `zypper install` without `zypper clean --all` in the same `RUN`.
    ///
    /// ## What it does
    /// Reports `zypper install` (and `update`/`upgrade`/`makecache`) in the final stage, or a
    /// stage it is built on, when the same `RUN` neither runs `zypper clean --all` nor removes
    /// `/var/cache/zypp`, and the cache is not on a `--mount=type=cache`. Builder stages that are only
    /// copied from are not reported.
    ///
    /// ## Why is this bad?
    /// zypper keeps repository metadata and packages under `/var/cache/zypp`; it ships in the
    /// image and is never used by the container. Cleaning it in a later `RUN` does not make
    /// the image smaller.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper install -y curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper install -y curl && zypper clean --all
    /// ```
    ///
    /// ## Fix safety
    /// Safe: appends `&& zypper clean --all` to the `RUN`; the installed packages are the same. Not
    /// offered for the exec form.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3036](https://github.com/hadolint/hadolint/wiki/DL3036)
    pub struct ZypperCacheLeft {
        name: "zypper-cache-left",
        group: Size,
        severity: Info,
        fix: Sometimes,
        hadolint: ["DL3036"],
        buildkit: None,
    }
}

impl RuleCheck for ZypperCacheLeft {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        crate::rules::size::rpm_clean::check(cx, meta, PkgTool::Zypper, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM opensuse/leap:15.6\nRUN zypper -y install curl\n";
        assert_eq!(flagged(&ZypperCacheLeft, t), ["zypper -y install"]);
        assert_eq!(
            fixed(&ZypperCacheLeft, t),
            "FROM opensuse/leap:15.6\nRUN zypper -y install curl && zypper clean --all\n"
        );
        assert!(findings(&ZypperCacheLeft, &fixed(&ZypperCacheLeft, t)).is_empty());
        // an unclosed quote would swallow the clean-up: reported, not fixed
        let t = "FROM opensuse/leap:15.6\nRUN zypper install -y \"curl\n";
        let d = findings(&ZypperCacheLeft, t);
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
    }

    #[test]
    fn near_misses() {
        for ok in [
            "FROM opensuse/leap:15.6\nRUN zypper install -y curl && zypper clean --all\n",
            "FROM opensuse/leap:15.6\nRUN zypper install -y curl && rm -rf /var/cache/zypp\n",
            "FROM opensuse/leap:15.6\nRUN --mount=type=cache,target=/var/cache/zypp zypper install -y curl\n",
            "FROM opensuse/leap:15.6 AS build\nRUN zypper install -y curl\nFROM scratch\nCOPY --from=build /x /x\n",
            "FROM opensuse/leap:15.6\nRUN dnf install -y curl\n",
        ] {
            assert!(findings(&ZypperCacheLeft, ok).is_empty(), "{ok}");
        }
    }
}
