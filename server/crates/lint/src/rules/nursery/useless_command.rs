use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::run_scripts_with;

declare_rule! {
    /// An interactive or machine-control command in `RUN`.
    ///
    /// ## What it does
    /// Reports commands that make no sense while building an image: interactive editors and
    /// monitors (`vim`, `vi`, `nano`, `emacs`, `top`, `htop`), and commands that control the
    /// machine (`shutdown`, `reboot`, `halt`, `poweroff`). Unlike hadolint's DL3001 it leaves
    /// `service`, `ps`, `kill`, `mount`, `free` and `ssh` alone: scripts use them to start a
    /// database for a migration, stop a background job or fetch over SSH.
    ///
    /// ## Why is this bad?
    /// A build has no terminal: an editor or monitor waits forever or fails, and a container
    /// cannot shut down the machine it runs on. The command is a leftover from an interactive
    /// session, and what it was meant to do does not happen.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN vim /etc/motd
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// COPY motd /etc/motd
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: what the command was meant to achieve has to be written another way.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3001](https://github.com/hadolint/hadolint/wiki/DL3001)
    pub struct UselessCommand {
        name: "interactive-command",
        group: Nursery,
        severity: Info,
        fix: None,
        default_enabled: false,
        hadolint: ["DL3001"],
        buildkit: None,
    }
}

const POINTLESS: &[&str] = &[
    "vim", "vi", "nano", "emacs", "top", "htop", "shutdown", "reboot", "halt", "poweroff",
];

impl RuleCheck for UselessCommand {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for script in run_scripts_with(cx, POINTLESS) {
            for cmd in script.commands {
                let Some(prog) = cmd.program().filter(|p| POINTLESS.contains(p)) else {
                    continue;
                };
                let Some(word) = cmd.argv().first() else {
                    continue;
                };
                out.push(
                    Diagnostic::new(meta, to_range(&word.range), format!("`{prog}` makes no sense in a build"))
                        .note("A build has no terminal and cannot control the machine: write files with COPY or a script instead."),
                );
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
                &UselessCommand,
                "FROM a\nRUN apt-get install -y vim && vim -c q x && shutdown -h now\n"
            ),
            ["vim", "shutdown"]
        );
    }

    #[test]
    fn near_misses() {
        assert!(findings(
            &UselessCommand,
            "FROM a\nRUN service postgresql start && psql -c 'select 1' && kill %1 && ps aux\n"
        )
        .is_empty());
    }
}
