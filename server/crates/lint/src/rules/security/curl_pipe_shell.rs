use layerwise_analysis::shell::ShellCommand;

use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::{
    basename, is_shell_program, real_pipelines, run_scripts_with, span,
};

declare_rule! {
    /// A downloaded script is piped straight into a shell.
    ///
    /// ## What it does
    /// Reports `curl ... | sh`, `wget -O- ... | bash` and the like (also into `python`,
    /// `perl`, `ruby`, `node` reading the script from standard input), and
    /// `sh -c "$(curl ...)"`.
    ///
    /// ## Why is this bad?
    /// Whatever the server sends runs as root in the build: a compromised or hijacked server, or
    /// a script that changed since you read it, changes the image without any change to the
    /// Dockerfile. A connection cut halfway can even run half a script. Download to a file,
    /// check its checksum, then run it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN curl -fsSL https://example.com/install.sh | sh
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// ARG INSTALL_SHA256=4f5d0c0c1b1e2f2c8f6f5a3e0f0d4e3b2a1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e
    /// RUN curl -fsSLo /tmp/install.sh https://example.com/install.sh \
    ///  && echo "$INSTALL_SHA256  /tmp/install.sh" | sha256sum -c - \
    ///  && sh /tmp/install.sh && rm /tmp/install.sh
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the checksum to verify against has to come from you.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker build best practices: RUN](https://docs.docker.com/build/building/best-practices/#run)
    pub struct CurlPipeShell {
        name: "curl-pipe-shell",
        group: Security,
        severity: Warning,
        fix: None,
        hadolint: [],
        buildkit: None,
    }
}

fn is_download(cmd: &ShellCommand) -> bool {
    match cmd.program() {
        Some("curl") => true,
        // wget writes to a file unless told `-O -` / `-O-` / `-qO-` / `--output-document=-`
        Some("wget") => {
            let argv = cmd.argv();
            argv.iter().enumerate().any(|(k, w)| {
                let t = w.text.as_str();
                let short = t.starts_with('-') && !t.starts_with("--");
                let next_is_dash = argv.get(k + 1).is_some_and(|n| n.text == "-");
                t == "--output-document=-"
                    || short && t.ends_with("O-")
                    || (t == "--output-document" || short && t.ends_with('O')) && next_is_dash
            })
        }
        _ => false,
    }
}

/// A command that runs a script read from standard input.
fn runs_stdin(cmd: &ShellCommand) -> bool {
    let Some(prog) = cmd.program() else {
        return false;
    };
    let args: Vec<&str> = cmd.argv().iter().skip(1).map(|w| w.text.as_str()).collect();
    // `sh -s -- args` and `bash -` read stdin; `sh script.sh` does not
    let script_file = args
        .iter()
        .find(|a| !a.starts_with('-') && !a.starts_with('+'));
    let interpreter =
        is_shell_program(prog) || matches!(prog, "python" | "python3" | "perl" | "ruby" | "node");
    interpreter && !args.iter().any(|a| *a == "-c" || *a == "-e") && script_file.is_none()
}

impl RuleCheck for CurlPipeShell {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for script in run_scripts_with(cx, &["curl", "wget"]) {
            for p in real_pipelines(cx.text, script.commands) {
                let Some(dl) = p.iter().position(is_download) else {
                    continue;
                };
                if let Some(sh) = p[dl + 1..].iter().find(|c| runs_stdin(c)) {
                    let tool = p[dl].program().unwrap_or("curl");
                    let runner = sh.program().unwrap_or("sh");
                    out.push(
                        Diagnostic::new(meta, span(p), format!("A script downloaded with `{tool}` is piped into `{runner}`"))
                            .note("Download it to a file, verify its checksum (`sha256sum -c`), then run it."),
                    );
                }
            }
            for cmd in script.commands {
                let Some(prog) = cmd.program() else { continue };
                if !is_shell_program(prog) {
                    continue;
                }
                let hit = cmd.argv().iter().skip(1).find(|w| {
                    ["$(curl", "$(wget", "<(curl", "<(wget", "`curl", "`wget"]
                        .iter()
                        .any(|p| w.text.contains(p))
                });
                if let Some(w) = hit {
                    out.push(
                        Diagnostic::new(meta, to_range(&w.range), format!("A downloaded script is run by `{}`", basename(prog)))
                            .note("Download it to a file, verify its checksum (`sha256sum -c`), then run it."),
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
                &CurlPipeShell,
                "FROM a\nRUN curl -fsSL https://x/setup | bash -\n"
            ),
            ["curl -fsSL https://x/setup | bash -"]
        );
        assert_eq!(
            flagged(
                &CurlPipeShell,
                "FROM a\nRUN wget -qO- https://x/i.sh | sh -s -- -y\n"
            )
            .len(),
            1
        );
        assert_eq!(
            flagged(
                &CurlPipeShell,
                "FROM a\nRUN wget -O - https://x/i.py | python3\n"
            )
            .len(),
            1
        );
        assert_eq!(
            flagged(
                &CurlPipeShell,
                "FROM a\nRUN sh -c \"$(curl -fsSL https://x/i.sh)\"\n"
            ),
            ["\"$(curl -fsSL https://x/i.sh)\""]
        );
    }

    #[test]
    fn near_misses() {
        for t in [
            "FROM a\nRUN curl -fsSL https://x/key.gpg | gpg --dearmor -o /usr/share/keyrings/x.gpg\n",
            "FROM a\nRUN curl -fsSL https://x/a.tgz | tar -xz -C /opt\n",
            "FROM a\nRUN wget https://x/i.sh && sh i.sh\n",
            "FROM a\nRUN wget -q https://x/i.sh | sh\n",
            "FROM a\nRUN curl -o i.sh https://x && bash i.sh\n",
            "FROM a\nRUN echo hi | sh\n",
            "FROM a\nRUN curl https://x/data | python3 -c 'import sys; print(len(sys.stdin.read()))'\n",
        ] {
            assert!(findings(&CurlPipeShell, t).is_empty(), "{t}");
        }
    }
}
