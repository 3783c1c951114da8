use layerwise_analysis::shell::split_script;
use layerwise_syntax::{Args, InstructionKind, TextRange, Word};

use crate::context::{InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::{
    basename, final_chain, is_glibc_image, is_shell_program, pipelines, root_image, shell_before,
    words_after_assignments,
};

declare_rule! {
    /// The container's main process is a shell that does not pass signals on.
    ///
    /// ## What it does
    /// Looks at the command the final image runs when PID 1 is a shell: an exec-form
    /// `ENTRYPOINT`/`CMD` like `["sh", "-c", "..."]`, or a shell-form one under a `SHELL`
    /// instruction (shell form under the default shell is BuildKit's `JSONArgsRecommended`).
    /// It reports scripts whose last command the shell cannot hand PID 1 to: a pipeline, a
    /// background job, a `||` fallback — and, for `sh` on Debian/Ubuntu images (dash, which
    /// never hands over), any last command not started with `exec`. Scripts that `trap` the
    /// signals handle them themselves and stay quiet.
    ///
    /// ## Why is this bad?
    /// `docker stop` sends SIGTERM to PID 1. A shell as PID 1 neither handles it nor passes it
    /// to its child, so the program never hears it: Docker waits its 10 s timeout and kills
    /// everything, with no graceful shutdown (open connections dropped, buffers not flushed).
    /// `exec` replaces the shell with the program, which then gets the signal.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// CMD ["sh", "-c", "node migrate.js && node server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// CMD ["sh", "-c", "node migrate.js && exec node server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix puts `exec` before the last command when that is a simple command;
    /// nothing the script would run after it (a trap, a cleanup) runs any more.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit JSONArgsRecommended](https://docs.docker.com/reference/build-checks/json-args-recommended/)
    /// - [Docker: ENTRYPOINT, exec form and signals](https://docs.docker.com/reference/dockerfile/#entrypoint)
    pub struct ShellSwallowsSignals {
        name: "shell-swallows-signals",
        group: Nursery,
        severity: Warning,
        fix: Sometimes,
        default_enabled: false,
        hadolint: [],
        buildkit: None,
    }
}

/// The instruction that decides PID 1: the `ENTRYPOINT` in force (nearest stage of the
/// final chain first), else the `CMD` in force.
fn pid1_instruction<'a>(cx: &LintContext<'a>, insts: &[InstRef<'a>]) -> Option<InstRef<'a>> {
    for kind in [InstructionKind::Entrypoint, InstructionKind::Cmd] {
        for s in final_chain(cx) {
            if let Some(i) = insts
                .iter()
                .rev()
                .find(|i| i.stage == Some(s) && i.inst.kind == kind)
            {
                return Some(*i);
            }
        }
    }
    None
}

/// Why the shell stays PID 1 with this script, if it does.
fn stays(script: &str, dash: bool) -> Option<&'static str> {
    let cmds = split_script(script);
    let last = cmds.last()?;
    if words_after_assignments(last)
        .first()
        .is_some_and(|w| w.text == "exec")
    {
        return None;
    }
    // a script that traps the signal handles it itself
    if cmds.iter().any(|c| c.program() == Some("trap")) {
        return None;
    }
    let groups = pipelines(&cmds);
    if groups.last().is_some_and(|p| p.len() > 1) {
        return Some("the script ends in a pipeline");
    }
    if last.terminator == "&" || cmds.iter().any(|c| c.program() == Some("wait")) {
        return Some("the script runs its program in the background");
    }
    if cmds.len() >= 2 && cmds[cmds.len() - 2].terminator == "||" {
        return Some("the script ends in a `||` fallback");
    }
    dash.then_some("`sh` on this image (dash) keeps running as the parent of the last command")
}

impl RuleCheck for ShellSwallowsSignals {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let insts = cx.instruction_list();
        let Some(i) = pid1_instruction(cx, insts) else {
            return;
        };
        let debian = i
            .stage
            .and_then(|s| root_image(cx, s))
            .is_some_and(is_glibc_image);
        let (shell, script_word, exec_form): (String, &Word, bool) = match &i.inst.args {
            Args::Exec { items, .. } => {
                let Some(first) = items.first().filter(|w| is_shell_program(&w.text)) else {
                    return;
                };
                let c = items.iter().position(|w| {
                    w.text.starts_with('-') && !w.text.starts_with("--") && w.text.ends_with('c')
                });
                let Some(script) = c.and_then(|c| items.get(c + 1)) else {
                    return;
                };
                (first.text.to_string(), script, true)
            }
            Args::Text(w) => {
                // shell form: only under an explicit SHELL (else JSONArgsRecommended reports it)
                let Some(shell) = shell_before(cx, insts, i.index) else {
                    return;
                };
                let Some(first) = shell.first().filter(|s| is_shell_program(s)) else {
                    return;
                };
                (first.clone(), w, false)
            }
            _ => return,
        };
        let name = basename(&shell);
        let dash = debian && matches!(name, "sh" | "dash");
        let Some(why) = stays(&script_word.text, dash) else {
            return;
        };
        let range = i.abs(script_word.range);
        let mut d = Diagnostic::new(meta, range, format!("PID 1 is `{name}`, which does not pass SIGTERM on: {why}"))
            .note("Start the program with `exec` as the last command so it replaces the shell and receives `docker stop`'s SIGTERM.");
        if let Some(fix) = exec_fix(cx, &i, script_word, exec_form) {
            d = d.fix(fix);
        }
        out.push(d);
    }
}

/// `exec ` before the last command, when it is a simple command and the script's text maps
/// one to one onto the source (no JSON escapes, no line continuations).
fn exec_fix(cx: &LintContext<'_>, i: &InstRef<'_>, word: &Word, exec_form: bool) -> Option<Fix> {
    let cmds = split_script(&word.text);
    let last = cmds.last()?;
    let simple = last.terminator.is_empty()
        && pipelines(&cmds).last().is_some_and(|p| p.len() == 1)
        && cmds
            .iter()
            .rev()
            .nth(1)
            .is_none_or(|c| matches!(c.terminator, "&&" | ";" | "\n"));
    if !simple {
        return None;
    }
    let source = cx.slice(i.abs(word.range));
    let inner = if exec_form {
        source.strip_prefix('"')?.strip_suffix('"')?
    } else {
        source
    };
    if inner != &*word.text {
        return None;
    }
    let at = i.abs(word.range).start + u32::from(exec_form) + last.range.start as u32;
    Some(Fix::replace(
        "Start the last command with `exec`",
        TextRange::empty(at),
        "exec ",
        Applicability::Unsafe,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM debian:12\nCMD [\"sh\", \"-c\", \"./migrate && ./server\"]\n";
        assert_eq!(
            flagged(&ShellSwallowsSignals, t),
            ["\"./migrate && ./server\""]
        );
        assert_eq!(
            fixed(&ShellSwallowsSignals, t),
            "FROM debian:12\nCMD [\"sh\", \"-c\", \"./migrate && exec ./server\"]\n"
        );
        assert!(findings(&ShellSwallowsSignals, &fixed(&ShellSwallowsSignals, t)).is_empty());
        // bash hands over simple commands, but not a pipeline
        let t = "FROM debian:12\nENTRYPOINT [\"/bin/bash\", \"-ec\", \"./server | tee /log\"]\n";
        let d = findings(&ShellSwallowsSignals, t);
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
        // shell form under SHELL
        let t = "FROM alpine:3.20\nSHELL [\"/bin/sh\", \"-c\"]\nCMD ./server || sleep 5\n";
        assert_eq!(flagged(&ShellSwallowsSignals, t), ["./server || sleep 5"]);
    }

    #[test]
    fn near_misses() {
        for t in [
            "FROM debian:12\nCMD [\"sh\", \"-c\", \"exec ./server\"]\n",
            "FROM debian:12\nCMD [\"sh\", \"-c\", \"trap exit INT TERM; sleep infinity & wait\"]\n",
            "FROM debian:12\nCMD [\"bash\", \"-c\", \"./migrate && ./server\"]\n",
            "FROM alpine:3.20\nCMD [\"sh\", \"-c\", \"./server\"]\n",
            "FROM debian:12\nCMD ./server\n",
            "FROM debian:12\nCMD [\"./server\"]\n",
            "FROM debian:12 AS b\nCMD [\"sh\", \"-c\", \"a | b\"]\nFROM b\nENTRYPOINT [\"./server\"]\n",
            "FROM debian:12\nCMD [\"sh\", \"-c\", \"a | b\"]\nFROM debian:12\nCMD [\"./server\"]\n",
        ] {
            assert!(findings(&ShellSwallowsSignals, t).is_empty(), "{t}");
        }
    }
}
