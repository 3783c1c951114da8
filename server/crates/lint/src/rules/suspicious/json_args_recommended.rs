use layerwise_analysis::Base;
use layerwise_syntax::{Args, InstructionKind};

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::suspicious::undefined_var::looks_windows;

declare_rule! {
    /// `CMD` or `ENTRYPOINT` in shell form.
    ///
    /// ## What it does
    /// Reports `CMD` and `ENTRYPOINT` written as plain text rather than a JSON array, unless
    /// the stage (or a stage it is built on) sets a `SHELL` first, which shows the shell is
    /// wanted. Windows Dockerfiles are left alone, since their base images usually set a
    /// shell.
    ///
    /// ## Why is this bad?
    /// The shell form runs `/bin/sh -c "<text>"`: the shell is PID 1 and does not pass
    /// `SIGTERM` on, so `docker stop` waits its timeout and then kills the program without a
    /// clean shutdown.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENTRYPOINT my-program start
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENTRYPOINT ["my-program", "start"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix writes the words as a JSON array, which runs the program without a
    /// shell. Offered only when the text uses no shell syntax (variables, quotes, pipes,
    /// redirections, globs, `&&`...).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit JSONArgsRecommended](https://docs.docker.com/reference/build-checks/json-args-recommended/)
    /// - [hadolint DL3025](https://github.com/hadolint/hadolint/wiki/DL3025)
    pub struct JsonArgsRecommended {
        name: "json-args-recommended",
        group: Suspicious,
        severity: Warning,
        fix: Sometimes,
        hadolint: ["DL3025"],
        buildkit: Some("JSONArgsRecommended"),
    }
}

/// Shell builtins that only make sense inside a shell.
const BUILTINS: &[&str] = &[
    "exec", "cd", "source", ".", "export", "set", "eval", "ulimit", "umask", "trap", "if", "for",
    "while", "test", "[",
];

impl RuleCheck for JsonArgsRecommended {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        if cx.file.escape() == '`' {
            return;
        }
        let insts = cx.instruction_list();
        let mut shell_at_end: Vec<bool> = Vec::with_capacity(cx.model.stages.len());
        for stage in &cx.model.stages {
            let mut shell = match stage.base {
                Base::Stage(b) => shell_at_end.get(b).copied().unwrap_or(false),
                _ => looks_windows(&stage.base_resolved),
            };
            for i in stage.instructions.iter().filter_map(|&n| insts.get(n)) {
                match i.inst.kind {
                    InstructionKind::Shell => shell = true,
                    InstructionKind::Cmd | InstructionKind::Entrypoint if !shell => {
                        if let Args::Text(w) = &i.inst.args {
                            let kw = i.inst.kind.keyword();
                            let mut d = Diagnostic::new(meta, i.keyword_range(), format!("JSON arguments recommended for {kw} to prevent unintended behavior related to OS signals"))
                                .note("In shell form /bin/sh is PID 1 and does not forward SIGTERM: write the command as a JSON array (`[\"prog\", \"arg\"]`), or use `exec` in a script.");
                            if let Some(json) = exec_form(&w.text) {
                                d = d.fix(Fix::replace(
                                    "Use the exec (JSON) form",
                                    i.abs(w.range),
                                    json,
                                    Applicability::Unsafe,
                                ));
                            }
                            out.push(d);
                        }
                    }
                    _ => {}
                }
            }
            shell_at_end.push(shell);
        }
    }
}

/// The JSON array for a command that uses no shell syntax, else `None`.
fn exec_form(text: &str) -> Option<String> {
    if text.contains(|c: char| "$`'\"\\|&;<>()*?[]{}~#\n\r".contains(c)) {
        return None;
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let first = words.first()?;
    if BUILTINS.contains(first) || first.contains('=') {
        return None;
    }
    let items: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    Some(format!("[{}]", items.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM alpine\nENTRYPOINT my-program start\nCMD echo $HOME\n";
        assert_eq!(flagged(&JsonArgsRecommended, t), ["ENTRYPOINT", "CMD"]);
        assert_eq!(
            fixed(&JsonArgsRecommended, t),
            "FROM alpine\nENTRYPOINT [\"my-program\", \"start\"]\nCMD echo $HOME\n"
        );
    }

    #[test]
    fn near_miss() {
        let ok = "FROM alpine AS base\nSHELL [\"/bin/bash\", \"-c\"]\nCMD echo hi\nFROM base\nENTRYPOINT echo hi\nFROM alpine\nCMD [\"x\"]\nONBUILD CMD echo\n";
        assert!(findings(&JsonArgsRecommended, ok).is_empty());
        assert!(findings(&JsonArgsRecommended, "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nCMD powershell -Command x\n").is_empty());
        assert!(findings(
            &JsonArgsRecommended,
            "FROM mcr.microsoft.com/powershell:lts\nCMD pwsh -Command x\n"
        )
        .is_empty());
    }
}
