use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::{basename, run_scripts_with};

declare_rule! {
    /// `apt` in a script; use `apt-get`.
    ///
    /// ## What it does
    /// Reports the `apt` command in `RUN`.
    ///
    /// ## Why is this bad?
    /// `apt` is the interactive front end: its output and behaviour may change between
    /// releases ("apt does not have a stable CLI interface. Use with caution in scripts"), so
    /// the same Dockerfile can behave differently on a newer base. `apt-get` and `apt-cache`
    /// are the stable interfaces for scripts.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM ubuntu:24.04
    /// RUN apt update && apt install -y curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM ubuntu:24.04
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// ## Fix safety
    /// Safe for `install`, `update`, `remove`, `purge`, `autoremove`, `clean`, `autoclean`,
    /// `source` and `build-dep`, which do the same in `apt-get`. Not offered for `upgrade`
    /// (which in `apt` also installs new dependencies) or for `search`/`show`/`list`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3027](https://github.com/hadolint/hadolint/wiki/DL3027)
    /// - [apt(8)](https://manpages.debian.org/bookworm/apt/apt.8.en.html)
    pub struct AptNotAptGet {
        name: "apt-not-apt-get",
        group: Reproducibility,
        severity: Warning,
        fix: Sometimes,
        hadolint: ["DL3027"],
        buildkit: None,
    }
}

const SAME_IN_APT_GET: &[&str] = &[
    "install",
    "update",
    "remove",
    "purge",
    "autoremove",
    "clean",
    "autoclean",
    "source",
    "build-dep",
];

impl RuleCheck for AptNotAptGet {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for script in run_scripts_with(cx, &["apt"]) {
            for cmd in script.commands {
                let Some(prog) = cmd.argv().first() else {
                    continue;
                };
                if basename(&prog.text) != "apt" {
                    continue;
                }
                let range = to_range(&prog.range);
                let mut d = Diagnostic::new(meta, range, "`apt` is meant for people; scripts should use `apt-get`")
                    .note("`apt` has no stable command-line interface: use `apt-get` (or `apt-cache` for queries).");
                if cmd
                    .subcommand()
                    .is_some_and(|s| SAME_IN_APT_GET.contains(&s))
                    && prog.text == "apt"
                {
                    d = d.fix(Fix::replace(
                        "Use `apt-get`",
                        range,
                        "apt-get",
                        Applicability::Safe,
                    ));
                }
                out.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM a\nRUN apt update && apt install -y curl && apt upgrade -y\n";
        assert_eq!(flagged(&AptNotAptGet, t), ["apt", "apt", "apt"]);
        assert_eq!(
            fixed(&AptNotAptGet, t),
            "FROM a\nRUN apt-get update && apt-get install -y curl && apt upgrade -y\n"
        );
    }

    #[test]
    fn near_misses() {
        assert!(findings(
            &AptNotAptGet,
            "FROM a\nRUN apt-get install -y apt && apt-cache show x && echo apt\n"
        )
        .is_empty());
    }
}
