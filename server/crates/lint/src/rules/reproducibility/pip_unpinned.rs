use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::reproducibility::pins;

declare_rule! {
    /// `pip install` of a package without a version.
    ///
    /// ## What it does
    /// Reports each package that `pip install` (or `python -m pip install`) names without a
    /// version specifier (`==`, `>=`, `~=`, ...). Installs from requirements or constraints
    /// files, editable and local installs, wheels and VCS URLs pinned with `@` are left alone.
    /// Off by default: it is noisy.
    ///
    /// ## Why is this bad?
    /// Without a version pip installs the newest release on the day of the build, so two
    /// builds of the same Dockerfile can get different code, and a major release can break
    /// the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN pip install --no-cache-dir flask
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN pip install --no-cache-dir flask==3.0.3
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which version you want is your decision.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3013](https://github.com/hadolint/hadolint/wiki/DL3013)
    pub struct PipUnpinned {
        name: "pip-unpinned",
        group: Reproducibility,
        severity: Warning,
        fix: None,
        default_enabled: false,
        hadolint: ["DL3013"],
        buildkit: None,
    }
}

impl RuleCheck for PipUnpinned {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        pins::report(
            cx,
            meta,
            out,
            pins::pip,
            "pip",
            "Pin it (`name==<version>`) or install from a requirements file with pinned versions.",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_per_package() {
        assert_eq!(flagged(&PipUnpinned, "FROM a\nRUN pip install --no-cache-dir gunicorn 'flask>=3' && python -m pip install uvicorn\n"), ["gunicorn", "uvicorn"]);
        // unquoted `>=` is a redirection: the package is installed unpinned
        let t = "FROM a\nRUN pip install --upgrade pyodide-build>=0.25 'flask>=3'\n";
        assert_eq!(flagged(&PipUnpinned, t), ["pyodide-build"]);
    }

    #[test]
    fn near_misses() {
        assert!(findings(&PipUnpinned, "FROM a\nRUN pip install -r requirements.txt && pip install . && pip install -e ./lib\n").is_empty());
    }
}
