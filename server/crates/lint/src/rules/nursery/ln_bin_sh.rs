use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::{positionals, run_scripts_with};

declare_rule! {
    /// `/bin/sh` is replaced with a link to another shell; use `SHELL`.
    ///
    /// ## What it does
    /// Reports `ln` commands whose target is `/bin/sh` (`ln -sf /bin/bash /bin/sh`).
    ///
    /// ## Why is this bad?
    /// Relinking `/bin/sh` changes the shell of every program in the image that runs shell
    /// scripts — package maintainer scripts, the app's own `system()` calls — not only of the
    /// `RUN` lines that needed bash. `SHELL ["/bin/bash", "-c"]` changes the shell of the
    /// following `RUN`s and nothing else.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN ln -sf /bin/bash /bin/sh
    /// RUN source /etc/profile && make
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// SHELL ["/bin/bash", "-c"]
    /// RUN source /etc/profile && make
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: whether the image needs the link for other reasons is yours to judge.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL4005](https://github.com/hadolint/hadolint/wiki/DL4005)
    /// - [Docker: SHELL](https://docs.docker.com/reference/dockerfile/#shell)
    pub struct LnBinSh {
        name: "relinked-bin-sh",
        group: Nursery,
        severity: Warning,
        fix: None,
        default_enabled: false,
        hadolint: ["DL4005"],
        buildkit: None,
    }
}

impl RuleCheck for LnBinSh {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for script in run_scripts_with(cx, &["/bin/sh"]) {
            for cmd in script.commands {
                if cmd.program() != Some("ln") {
                    continue;
                }
                let pos: Vec<_> =
                    positionals(cmd.argv(), &["-t", "--target-directory", "-S", "--suffix"])
                        .collect();
                if pos.len() >= 2 && pos.last().is_some_and(|w| w.text == "/bin/sh") {
                    out.push(
                        Diagnostic::new(meta, to_range(&cmd.range), "`/bin/sh` is relinked to another shell")
                            .note("Use `SHELL [\"/bin/bash\", \"-c\"]` to change the shell of the following RUN instructions only."),
                    );
                }
            }
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
                &LnBinSh,
                "FROM a\nRUN rm /bin/sh && ln -s /bin/bash /bin/sh\n"
            ),
            ["ln -s /bin/bash /bin/sh"]
        );
    }

    #[test]
    fn near_misses() {
        assert!(findings(&LnBinSh, "FROM a\nRUN ln -s /bin/sh /usr/local/bin/sh && ln -sf /usr/bin/python3 /usr/bin/python\n").is_empty());
    }
}
