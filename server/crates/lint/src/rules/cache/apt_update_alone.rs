use layerwise_analysis::shell::ShellCommand;
use layerwise_syntax::{Args, InstructionKind, TextRange};

use crate::context::{to_range, InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::size::os_packages::{PkgCommand, PkgTool};

declare_rule! {
    /// `apt-get update` in a different `RUN` than the install that needs it.
    ///
    /// ## What it does
    /// Reports an `apt-get update` (or `apt update`) whose `RUN` installs nothing after it,
    /// when a later `RUN` of the same stage runs `apt-get install` without updating first.
    ///
    /// ## Why is this bad?
    /// The update's layer is cached on its own. When the install line changes months later,
    /// Docker reuses the old package lists and the install fails (the versions they name are
    /// gone from the mirror) or installs outdated packages. Updating in the same `RUN` as the
    /// install keeps the two in step.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update
    /// RUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: removes the update's `RUN` and starts the install's `RUN` with
    /// `apt-get update &&`; anything between the two that changes apt's sources now comes
    /// before the update. Offered when the update's `RUN` does nothing else and the install's
    /// `RUN` is in shell form.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker: apt-get best practices](https://docs.docker.com/build/building/best-practices/#apt-get)
    pub struct AptUpdateAlone {
        name: "apt-update-alone",
        group: Cache,
        severity: Warning,
        fix: Sometimes,
        hadolint: [],
        buildkit: None,
    }
}

/// The first apt command of a `RUN` and whether it is an install.
fn first_apt<'c>(
    commands: &'c [layerwise_analysis::shell::ShellCommand],
) -> Option<(&'c layerwise_analysis::shell::ShellCommand, PkgCommand<'c>)> {
    commands.iter().find_map(|c| {
        PkgCommand::parse(c)
            .filter(|p| p.tool == PkgTool::Apt)
            .map(|p| (c, p))
    })
}

/// Where the command proper starts: past `then`/`do`/`else`/`!` that the splitter keeps in
/// front of it (its assignments, like `DEBIAN_FRONTEND=noninteractive`, are kept).
fn command_start(cmd: &ShellCommand) -> u32 {
    let first = cmd
        .words
        .iter()
        .find(|w| !matches!(w.text.as_str(), "then" | "else" | "do" | "!"));
    first.map_or(to_range(&cmd.range).start, |w| to_range(&w.range).start)
}

impl RuleCheck for AptUpdateAlone {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let runs: Vec<(InstRef<'_>, &[_])> = cx
            .of_kind(InstructionKind::Run)
            // Splitting shell text is the expensive part: only `RUN`s that mention apt.
            .filter(|i| cx.slice(i.range()).contains("apt"))
            .map(|i| (i, cx.run_commands(&i)))
            .collect();
        for (pos, (run, commands)) in runs.iter().enumerate() {
            let apt: Vec<(usize, PkgCommand<'_>)> = commands
                .iter()
                .enumerate()
                .filter_map(|(k, c)| {
                    PkgCommand::parse(c)
                        .filter(|p| p.tool == PkgTool::Apt)
                        .map(|p| (k, p))
                })
                .collect();
            // An update with no install after it in this RUN: the lists are for a later RUN.
            let Some(last_update) = apt.iter().rposition(|(_, p)| p.sub() == "update") else {
                continue;
            };
            if apt[last_update..].iter().any(|(_, p)| p.is_install()) {
                continue;
            }
            let update_at = &apt[last_update].0;
            let update = &commands[*update_at];
            // A stage's instructions are contiguous: look no further than its end.
            let Some((install_run, install_cmds)) = runs[pos + 1..]
                .iter()
                .take_while(|(r, _)| r.stage == run.stage)
                .find(|(_, cmds)| first_apt(cmds).is_some())
            else {
                continue;
            };
            let Some((install_cmd, install)) =
                first_apt(install_cmds).filter(|(_, p)| p.is_install())
            else {
                continue;
            };
            let mut d = Diagnostic::new(meta, to_range(&update.range), "`apt-get update` runs in its own layer: a later install will reuse stale lists from the cache")
                .note("Update in the same `RUN` as the install: `apt-get update && apt-get install ...`.")
                .related(TextRange::new(command_start(install_cmd), to_range(&install.sub.range).end), "the install that relies on it");
            let update_only = commands.iter().all(|c| {
                PkgCommand::parse(c).is_some_and(|p| p.tool == PkgTool::Apt && p.sub() == "update")
            });
            if update_only
                && matches!(run.inst.args, Args::Text(_))
                && run.inst.heredocs.is_empty()
                && matches!(install_run.inst.args, Args::Text(_))
                && install_run.inst.heredocs.is_empty()
                && run.inst.flags.is_empty()
            {
                let update_text = cx.slice(to_range(&update.range)).replace(['\\', '\n'], " ");
                let update_text = update_text.split_whitespace().collect::<Vec<_>>().join(" ");
                d = d.fix(Fix {
                    title: "Merge apt-get update into the install's RUN".into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![
                        Edit {
                            range: run.range(),
                            text: "".into(),
                        },
                        Edit {
                            range: TextRange::empty(command_start(install_cmd)),
                            text: format!("{update_text} && ").into(),
                        },
                    ]
                    .into(),
                });
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM debian\nRUN apt-get update -qq\nCOPY x /x\nRUN DEBIAN_FRONTEND=noninteractive apt-get install -y curl\n";
        let d = findings(&AptUpdateAlone, t);
        assert_eq!(d.len(), 1);
        assert_eq!(&t[d[0].range.as_usize()], "apt-get update -qq");
        assert_eq!(
            &t[d[0].related[0].range.as_usize()],
            "DEBIAN_FRONTEND=noninteractive apt-get install"
        );
        assert_eq!(fixed(&AptUpdateAlone, t), "FROM debian\nCOPY x /x\nRUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y curl\n");
        assert!(findings(&AptUpdateAlone, &fixed(&AptUpdateAlone, t)).is_empty());
        // an install inside `if ...; then ...; fi` gets the update right before it
        let t = "FROM debian\nRUN apt-get update\nRUN if [ -n \"$X\" ]; then apt-get install -y x; fi\n";
        assert_eq!(
            fixed(&AptUpdateAlone, t),
            "FROM debian\nRUN if [ -n \"$X\" ]; then apt-get update && apt-get install -y x; fi\n"
        );
        // an update with other work: reported, not rewritten
        let t =
            "FROM debian\nRUN apt-get update && apt-get upgrade -y\nRUN apt-get install -y curl\n";
        let d = findings(&AptUpdateAlone, t);
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
    }

    #[test]
    fn near_misses() {
        for ok in [
            "FROM debian\nRUN apt-get update && apt-get install -y curl\n",
            // the later RUN updates for itself
            "FROM debian\nRUN apt-get update\nRUN apt-get update && apt-get install -y curl\n",
            // different stage
            "FROM debian AS a\nRUN apt-get update\nFROM debian\nRUN apt-get install -y curl\n",
            // nothing installs afterwards
            "FROM debian\nRUN apt-get update\nRUN echo hi\n",
        ] {
            assert!(findings(&AptUpdateAlone, ok).is_empty(), "{ok}");
        }
    }
}
