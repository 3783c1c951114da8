use layerwise_analysis::shell::{split_script, ShellCommand};
use layerwise_syntax::TextRange;

use crate::context::{to_range, InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::{
    is_assignment, is_glibc_image, is_musl_image, is_non_posix_shell, is_windows_image, pipelines,
    real_pipelines, root_image, run_scripts_with, shells_in_force, span,
};

declare_rule! {
    /// A `RUN` pipes commands without `pipefail`, so a failure on the left is ignored.
    ///
    /// ## What it does
    /// Reports pipelines (`a | b`) in `RUN` when neither the `SHELL` in force (in the stage or
    /// inherited from the stage it is built `FROM`) nor the script itself (`set -o pipefail`
    /// before the pipe) enables `pipefail`. Pipelines fed by commands that cannot fail in a
    /// way that matters (`echo`, `printf`, `yes`, `true`) are fine, and so are non-POSIX
    /// shells (PowerShell, cmd) and Windows images. A pipeline inside `$(...)` counts where it
    /// decides a plain assignment's status (`v="$(curl ... | grep ...)"`), not where that status
    /// is dropped anyway (`export V="$(...)"`, an argument of another command).
    ///
    /// ## Why is this bad?
    /// A pipeline's status is that of its last command. If `curl` fails in
    /// `curl -fsSL $URL | tar -xz`, `tar` may still succeed on empty input and the build goes
    /// on without the files: the image silently differs from what the Dockerfile says, and
    /// only breaks when it runs.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix inserts `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the `RUN`
    /// on Debian/Ubuntu-based images (whose `/bin/sh`, dash, has no `pipefail`), and
    /// `SHELL ["/bin/ash", "-eo", "pipefail", "-c"]` on Alpine; later `RUN`s of the stage then
    /// run in that shell too. Not offered when the base image's family is unknown.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL4006](https://github.com/hadolint/hadolint/wiki/DL4006)
    /// - [Docker: SHELL](https://docs.docker.com/reference/dockerfile/#shell)
    pub struct Pipefail {
        name: "pipefail",
        group: Reproducibility,
        severity: Warning,
        fix: Sometimes,
        hadolint: ["DL4006"],
        buildkit: None,
    }
}

/// `set -o pipefail`, `set -euo pipefail`, `set -eux -o pipefail`.
fn sets_pipefail(cmd: &ShellCommand) -> bool {
    // the program first: most commands are not `set`
    if cmd.program() != Some("set") {
        return false;
    }
    let argv = cmd.argv();
    argv.iter().any(|w| w.text == "pipefail")
        && argv
            .iter()
            .any(|w| w.text.starts_with('-') && w.text.contains('o'))
}

/// Whether the `SHELL` words enable pipefail (`-o pipefail`, `-eo pipefail`, ...).
fn shell_has_pipefail(shell: &[String]) -> bool {
    shell.iter().any(|w| w.contains("pipefail"))
}

/// Whether a pipeline would hide a failure: two or more commands, and one before the last
/// that can fail in a way that matters.
fn masks_failure(p: &[ShellCommand]) -> bool {
    p.len() >= 2 && !p[..p.len() - 1].iter().all(cannot_fail)
}

/// The bodies of the top-level `$( ... )` substitutions in a word (not `$(( ... ))`).
fn substitution_bodies(word: &str) -> Vec<&str> {
    let b = word.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'$' && b[i + 1] == b'(' && b.get(i + 2) != Some(&b'(') {
            let start = i + 2;
            let mut depth = 1;
            let mut j = start;
            while j < b.len() && depth > 0 {
                match b[j] {
                    b'(' => depth += 1,
                    b')' => depth -= 1,
                    _ => {}
                }
                j += 1;
            }
            out.push(&word[start..j.saturating_sub(1).max(start)]);
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Commands whose failure in a pipe does not matter.
fn cannot_fail(cmd: &ShellCommand) -> bool {
    matches!(
        cmd.program(),
        Some("echo" | "printf" | "yes" | "true" | ":")
    )
}

impl RuleCheck for Pipefail {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let scripts = run_scripts_with(cx, &["|"]);
        // the SHELL in force, worked out once and only when there is a pipe to judge
        let shells = if scripts.is_empty() {
            Vec::new()
        } else {
            shells_in_force(cx)
        };
        // one SHELL fix per stage: it covers every later RUN of the stage
        let mut fixed_stages: Vec<usize> = Vec::new();
        for script in scripts {
            // Windows images run `cmd` or PowerShell, where pipefail means nothing
            if script
                .inst
                .stage
                .and_then(|s| root_image(cx, s))
                .is_some_and(is_windows_image)
            {
                continue;
            }
            if !script.onbuild {
                if let Some(Some(shell)) = shells.get(script.inst.index) {
                    if shell_has_pipefail(shell) || is_non_posix_shell(shell) {
                        continue;
                    }
                }
            }
            let mut enabled = false;
            let mut masked: Vec<TextRange> = Vec::new();
            for p in real_pipelines(cx.text, script.commands) {
                if p.iter().any(sets_pipefail) {
                    enabled = true;
                }
                if enabled {
                    continue;
                }
                if masks_failure(p) {
                    masked.push(span(p));
                } else if let [only] = p {
                    // `x="$(curl ... | tar ...)"`: the assignment's status is the pipeline's
                    if !only.words.is_empty() && only.words.iter().all(|w| is_assignment(&w.text)) {
                        for w in only.words.iter().filter(|w| {
                            substitution_bodies(&w.text)
                                .iter()
                                .any(|b| pipelines(&split_script(b)).any(masks_failure))
                        }) {
                            masked.push(to_range(&w.range));
                        }
                    }
                }
            }
            for range in masked {
                let mut d = Diagnostic::new(meta, range, "A failure before the last `|` is ignored: this RUN has no `pipefail`")
                    .note("Set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` (`/bin/ash` on Alpine) before this RUN so any failing command fails the build.");
                if let Some(stage) = script
                    .inst
                    .stage
                    .filter(|s| !script.onbuild && !fixed_stages.contains(s))
                {
                    if let Some(fix) = shell_fix(cx, &script.inst) {
                        d = d.fix(fix);
                        fixed_stages.push(stage);
                    }
                }
                out.push(d);
            }
        }
    }
}

/// Inserts a `SHELL` with pipefail before the `RUN`, when the image family tells which shell
/// exists.
fn shell_fix(cx: &LintContext<'_>, run: &InstRef<'_>) -> Option<Fix> {
    let image = root_image(cx, run.stage?)?;
    let shell = if is_musl_image(image) {
        "SHELL [\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]"
    } else if is_glibc_image(image) {
        "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]"
    } else {
        return None;
    };
    let at = run.range().start;
    let line_start = cx.text[..at as usize].rfind('\n').map_or(0, |k| k + 1);
    let indent = &cx.text[line_start..at as usize];
    let indent = if indent.trim().is_empty() { indent } else { "" };
    Some(Fix {
        title: format!("Insert `{shell}` before this RUN").into(),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            range: TextRange::empty(at),
            text: format!("{shell}\n{indent}").into(),
        }]
        .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM debian:12\nRUN curl -fsSL https://x/a.tgz | tar -xz && wget -qO- https://x/k | gpg --dearmor > /k.gpg\n";
        assert_eq!(flagged(&Pipefail, t).len(), 2);
        let fixed_text = fixed(&Pipefail, t);
        assert_eq!(fixed_text, "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://x/a.tgz | tar -xz && wget -qO- https://x/k | gpg --dearmor > /k.gpg\n");
        assert!(findings(&Pipefail, &fixed_text).is_empty());
        assert!(fixed(&Pipefail, "FROM alpine:3.20\nRUN a | b\n").contains("/bin/ash"));
        assert!(
            findings(&Pipefail, "FROM acme/x:1\nRUN a | b\n")[0]
                .fixes
                .is_empty(),
            "unknown image family: no fix"
        );
        // a plain assignment takes the substitution's status
        let t =
            "FROM a\nRUN set -e; v=\"$(curl -fsSL https://x/latest | grep tag)\"; echo \"$v\"\n";
        assert_eq!(
            flagged(&Pipefail, t),
            ["v=\"$(curl -fsSL https://x/latest | grep tag)\""]
        );
    }

    #[test]
    fn near_misses() {
        for t in [
            "FROM a\nSHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN a | b\n",
            "FROM a AS base\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nFROM base\nRUN a | b\n",
            "FROM a\nRUN set -euxo pipefail; curl x | tar -x\n",
            "FROM a\nRUN echo \"$SUM  f\" | sha256sum -c - && printf 'x' | tee /f\n",
            "FROM a\nSHELL [\"powershell\", \"-Command\"]\nRUN a | b\n",
            "FROM a\nRUN a || b && c\n",
            "FROM a\nRUN export V=\"$(curl -s https://x | grep tag)\" && echo \"$(a | b)\"\n",
            "FROM a\nRUN n=$((1 + 2)) && v=\"$(echo x | tr x y)\"\n",
            "FROM a\nRUN case \"$arch\" in x86_64|aarch64) a ;; *) b ;; esac\n",
            "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nRUN powershell -Command Get-Item x | Remove-Item\n",
        ] {
            assert!(findings(&Pipefail, t).is_empty(), "{t}");
        }
    }

    #[test]
    fn shell_in_a_builder_does_not_carry_over() {
        let t = "FROM a AS build\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nFROM b\nRUN a | b\n";
        assert_eq!(findings(&Pipefail, t).len(), 1);
    }
}
