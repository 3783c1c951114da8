use layerwise_syntax::TextRange;

use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::{
    basename, run_scripts_with, users_in_force, words_after_assignments,
};
use crate::rules::security::user_root::is_root_user;

declare_rule! {
    /// `sudo` in a `RUN` command.
    ///
    /// ## What it does
    /// Reports `sudo` used as a command in `RUN` (`ONBUILD RUN` included).
    ///
    /// ## Why is this bad?
    /// `RUN` already runs as the current `USER`. As root, `sudo` does nothing but add a
    /// package and a setuid binary to the image; as another user it needs a password-less
    /// sudoers entry, which lets any process in the container become root. Switch with
    /// `USER root` for the steps that need it, and back afterwards.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN sudo apt-get update
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update
    /// ```
    ///
    /// ## Fix safety
    /// When the command runs as root (no `USER` in force, or `USER root`), removing `sudo` is
    /// safe: the command runs exactly as before. As another user no fix is offered: use
    /// `USER root` before the command and switch back after it.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3004](https://github.com/hadolint/hadolint/wiki/DL3004)
    pub struct Sudo {
        name: "sudo-in-run",
        group: Security,
        severity: Warning,
        fix: Sometimes,
        hadolint: ["DL3004"],
        buildkit: None,
    }
}

impl RuleCheck for Sudo {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let scripts = run_scripts_with(cx, &["sudo"]);
        // the USER in force, worked out once and only when there is a `sudo` to judge
        let users = if scripts.is_empty() {
            Vec::new()
        } else {
            users_in_force(cx)
        };
        for script in scripts {
            let user = users.get(script.inst.index).cloned().flatten();
            let as_root = !script.onbuild && user.as_deref().is_none_or(is_root_user);
            for cmd in script.commands {
                let words = words_after_assignments(cmd);
                let Some(first) = words.first().filter(|w| basename(&w.text) == "sudo") else {
                    continue;
                };
                let range = to_range(&first.range);
                let mut d = Diagnostic::new(meta, range, "`sudo` in `RUN`")
                    .note("RUN already runs as the current USER: switch with `USER root` for the steps that need it instead of installing sudo.");
                let simple = words.get(1).is_some_and(|w| !w.text.starts_with('-'));
                let next_start = words.get(1).map(|w| w.range.start);
                if as_root && simple {
                    if let Some(next) = next_start {
                        let removal = TextRange::from_usize(first.range.start, next);
                        d = d.fix(Fix::replace(
                            "Remove `sudo` (the command already runs as root)",
                            removal,
                            "",
                            Applicability::Safe,
                        ));
                    }
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
    fn fires_and_fixes_as_root() {
        let t = "FROM a\nRUN sudo apt-get update && DEBIAN_FRONTEND=noninteractive sudo apt-get install -y curl\n";
        assert_eq!(flagged(&Sudo, t), ["sudo", "sudo"]);
        assert_eq!(fixed(&Sudo, t), "FROM a\nRUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y curl\n");
        assert_eq!(
            flagged(&Sudo, "FROM a\nONBUILD RUN sudo make install\n"),
            ["sudo"]
        );
    }

    #[test]
    fn no_safe_fix_as_another_user() {
        let t = "FROM a\nUSER app\nRUN sudo make install\n";
        let d = findings(&Sudo, t);
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
        let t = "FROM a\nRUN sudo -u postgres psql -c 'select 1'\n";
        assert!(
            findings(&Sudo, t)[0].fixes.is_empty(),
            "sudo -u changes the user: not removable"
        );
    }

    #[test]
    fn near_misses() {
        assert!(findings(&Sudo, "FROM a\nRUN apt-get install -y sudo && echo sudo\n").is_empty());
        assert!(findings(
            &Sudo,
            "FROM a\nRUN echo 'app ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/app\n"
        )
        .is_empty());
    }
}
