use layerwise_analysis::shell::ShellCommand;
use layerwise_syntax::{InstructionKind, TextRange};

use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::{base_chain, real_pipelines, run_scripts_with};

declare_rule! {
    /// `apt-get install` without `-y`.
    ///
    /// ## What it does
    /// Reports `apt-get` (and `apt`) `install`, `upgrade`, `dist-upgrade`, `remove`, `purge`,
    /// `autoremove` and `build-dep` without `-y`/`--yes`/`--assume-yes` (or `-qq`, which
    /// implies it). Commands fed by `yes |`, simulations (`-s`), and stages that set
    /// `APT::Get::Assume-Yes` in an apt configuration file or with `-o`, are fine.
    /// `--force-yes` does not count: it allows dangerous actions but apt still asks.
    ///
    /// ## Why is this bad?
    /// When apt needs to install more than was asked (dependencies), remove something, or
    /// upgrade, it asks "Do you want to continue? [Y/n]". A build has no one to answer, so apt
    /// aborts and the build fails — but only on the day a package gains a dependency, so the
    /// same Dockerfile builds today and fails later.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get install --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix adds `-y`. A build cannot answer the prompt, so "yes" is the only answer
    /// under which the command does what it says.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3014](https://github.com/hadolint/hadolint/wiki/DL3014)
    /// - [apt-get(8)](https://manpages.debian.org/bookworm/apt/apt-get.8.en.html)
    pub struct AptGetYes {
        name: "apt-get-yes",
        group: Reproducibility,
        severity: Warning,
        fix: Always,
        hadolint: ["DL3014"],
        buildkit: None,
    }
}

const PROMPTING: &[&str] = &[
    "install",
    "upgrade",
    "dist-upgrade",
    "full-upgrade",
    "remove",
    "purge",
    "autoremove",
    "build-dep",
];

/// Whether the arguments answer apt's prompt (or make apt only simulate, which never asks).
/// `--force-yes` does not: it only allows dangerous actions, the prompt stays.
fn assumes_yes(cmd: &ShellCommand) -> bool {
    let mut quiet = 0;
    let argv = cmd.argv();
    for (k, w) in argv.iter().enumerate().skip(1) {
        let t = w.text.as_str();
        if matches!(
            t,
            "--yes"
                | "--assume-yes"
                | "-q=2"
                | "--quiet=2"
                | "--simulate"
                | "--just-print"
                | "--dry-run"
                | "--recon"
                | "--no-act"
        ) || t.contains("Assume-Yes")
        {
            return true;
        }
        if t == "-o"
            && argv
                .get(k + 1)
                .is_some_and(|n| n.text.contains("Assume-Yes"))
        {
            return true;
        }
        if t == "--quiet" {
            quiet += 1;
        } else if t.starts_with('-') && !t.starts_with("--") {
            if t.contains('y') || t.contains('s') {
                return true;
            }
            quiet += t.matches('q').count();
        }
    }
    quiet >= 2
}

impl RuleCheck for AptGetYes {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let scripts = run_scripts_with(cx, &["apt"]);
        if scripts.is_empty() {
            return;
        }
        // RUNs that write `APT::Get::Assume-Yes` to an apt configuration file: (index, stage)
        let configurers: Vec<(usize, Option<usize>)> = cx
            .instructions()
            .filter(|i| {
                i.inst.effective().kind == InstructionKind::Run
                    && i.item.text().contains("Assume-Yes")
            })
            .map(|i| (i.index, i.stage))
            .collect();
        for script in &scripts {
            // configured earlier in this stage or the stages it is built on
            let configured = !configurers.is_empty() && {
                let chain = script
                    .inst
                    .stage
                    .map(|s| base_chain(cx, s))
                    .unwrap_or_default();
                configurers.iter().any(|(i, st)| {
                    *i < script.inst.index && st.is_some_and(|st| chain.contains(&st))
                })
            };
            if configured {
                continue;
            }
            for p in real_pipelines(cx.text, script.commands) {
                for (k, cmd) in p.iter().enumerate() {
                    if !matches!(cmd.program(), Some("apt-get" | "apt")) {
                        continue;
                    }
                    let Some(sub) = cmd.argv().iter().skip(1).find(|w| !w.text.starts_with('-'))
                    else {
                        continue;
                    };
                    if !PROMPTING.contains(&sub.text.as_str()) || assumes_yes(cmd) {
                        continue;
                    }
                    if k > 0
                        && p[..k]
                            .iter()
                            .any(|c| matches!(c.program(), Some("yes" | "echo" | "printf")))
                    {
                        continue; // the answer is piped in
                    }
                    let prog = cmd.program().unwrap_or("apt-get");
                    let range = to_range(&(cmd.range.start..sub.range.end));
                    out.push(
                        Diagnostic::new(meta, range, format!("`{prog} {}` without `-y` aborts when apt asks for confirmation", sub.text))
                            .note("A build cannot answer apt's prompt: add `-y` so it does not fail when a package gains a dependency.")
                            .fix(Fix::replace("Add `-y`", TextRange::empty(sub.range.end as u32), " -y", Applicability::Safe)),
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
    fn fires_and_fixes() {
        let t = "FROM a\nRUN apt-get update && apt-get install --no-install-recommends curl && apt-get -y purge x && apt remove y\n";
        assert_eq!(flagged(&AptGetYes, t), ["apt-get install", "apt remove"]);
        assert_eq!(fixed(&AptGetYes, t), "FROM a\nRUN apt-get update && apt-get install -y --no-install-recommends curl && apt-get -y purge x && apt remove -y y\n");
        assert!(findings(&AptGetYes, &fixed(&AptGetYes, t)).is_empty());
    }

    #[test]
    fn force_yes_does_not_answer() {
        assert_eq!(
            findings(&AptGetYes, "FROM a\nRUN apt-get install --force-yes curl\n").len(),
            1
        );
    }

    #[test]
    fn near_misses() {
        for t in [
            "FROM a\nRUN apt-get install -qq curl && apt-get -yq install git && apt-get install -q -q x && apt-get --assume-yes upgrade\n",
            "FROM a\nRUN apt-get -o APT::Get::Assume-Yes=true install curl\n",
            "FROM a\nRUN yes | apt-get install curl\n",
            "FROM a\nRUN echo 'APT::Get::Assume-Yes \"true\";' > /etc/apt/apt.conf.d/90yes\nRUN apt-get install curl\n",
            "FROM a\nRUN apt-get update && apt-cache policy curl && apt-get clean\n",
            "FROM a\nRUN if apt-get install -s \"x-jit\" > /dev/null 2>&1; then echo ok; fi\n",
        ] {
            assert!(findings(&AptGetYes, t).is_empty(), "{t}");
        }
    }
}
