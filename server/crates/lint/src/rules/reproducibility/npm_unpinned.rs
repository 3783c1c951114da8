use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::reproducibility::pins;

declare_rule! {
    /// `npm install <package>` without a version.
    ///
    /// ## What it does
    /// Reports each package that `npm install` (`npm i`, `npm add`) names without
    /// `@<version>`; `@latest` is not a version. Project installs (`npm install` with no
    /// package, `npm ci`), git URLs with a `#commit`, tarballs and folders are left alone.
    ///
    /// ## Why is this bad?
    /// Without a version npm installs the newest release on the day of the build: two builds
    /// of the same Dockerfile get different tools, and a major release can break the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// RUN npm install -g pm2
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// RUN npm install -g pm2@5.4.2
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which version you want is your decision.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3016](https://github.com/hadolint/hadolint/wiki/DL3016)
    pub struct NpmUnpinned {
        name: "npm-unpinned",
        group: Reproducibility,
        severity: Warning,
        fix: None,
        hadolint: ["DL3016"],
        buildkit: None,
    }
}

impl RuleCheck for NpmUnpinned {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        pins::report(
            cx,
            meta,
            out,
            pins::npm,
            "npm",
            "Pin it with `name@<version>`.",
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
                &NpmUnpinned,
                "FROM a\nRUN npm i -g npm@latest pnpm@9.1.0 typescript\n"
            ),
            ["npm@latest", "typescript"]
        );
    }

    #[test]
    fn near_misses() {
        assert!(findings(
            &NpmUnpinned,
            "FROM a\nRUN npm ci && npm install && npm install --production && npm run build\n"
        )
        .is_empty());
    }
}
