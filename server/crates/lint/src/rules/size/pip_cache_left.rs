use layerwise_analysis::shell::{ShellCommand, ShellWord};
use layerwise_syntax::TextRange;

use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::cache::mounts::cache_like_targets;
use crate::rules::size::edits::insert_arg_after;
use crate::rules::size::shipped::{inline_var, Shipped};

declare_rule! {
    /// `pip install` without `--no-cache-dir`.
    ///
    /// ## What it does
    /// Reports `pip install` (also `pip3`, `python -m pip`) in the final stage, or a stage it
    /// is built on, that keeps pip's download cache: no `--no-cache-dir`, no
    /// `PIP_NO_CACHE_DIR` in the environment, no cache mount for pip, and no removal of the
    /// cache in the same `RUN`. Builder stages that are only copied from are not reported
    /// (their cache does not reach the image).
    ///
    /// ## Why is this bad?
    /// pip keeps every wheel it downloaded under `~/.cache/pip`. In an image that cache is
    /// dead weight, often as big as the packages themselves.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY requirements.txt .
    /// RUN pip install -r requirements.txt
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY requirements.txt .
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    ///
    /// ## Fix safety
    /// Safe: adds `--no-cache-dir`; the same packages are installed.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3042](https://github.com/hadolint/hadolint/wiki/DL3042)
    /// - [pip: caching](https://pip.pypa.io/en/stable/topics/caching/)
    pub struct PipCacheLeft {
        name: "pip-cache-left",
        group: Size,
        severity: Warning,
        fix: Always,
        hadolint: ["DL3042"],
        buildkit: None,
    }
}

impl RuleCheck for PipCacheLeft {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let shipped = Shipped::collect(cx, &["pip"]);
        let mut configured = false;
        for run in &shipped.runs {
            // `pip config set global.no-cache-dir ...` applies to the RUNs after it.
            let sets_config = run.commands.iter().any(|c| {
                pip_sub(c).is_some_and(|(_, sub)| sub.text == "config")
                    && c.argv().iter().any(|w| w.text.contains("no-cache-dir"))
            });
            if configured
                || shipped.var(run, "PIP_NO_CACHE_DIR").is_some()
                || cache_like_targets(run.inst.inst)
                    .iter()
                    .any(|t| t.contains("pip") || t.trim_end_matches('/').ends_with(".cache"))
            {
                configured |= sets_config;
                continue;
            }
            configured |= sets_config;
            let removes_cache = run.commands.iter().any(|c| {
                matches!(c.program(), Some("rm"))
                    && c.argv().iter().any(|w| {
                        w.text.contains(".cache/pip")
                            || w.text.trim_end_matches('/').ends_with("/.cache")
                            || w.text == "~/.cache"
                    })
                    || pip_sub(c).is_some_and(|(_, sub)| sub.text == "cache")
                        && c.argv().iter().any(|w| w.text == "purge")
            });
            if removes_cache {
                continue;
            }
            for cmd in run.commands {
                let Some((program, sub)) = pip_sub(cmd).filter(|(_, sub)| sub.text == "install")
                else {
                    continue;
                };
                if cmd.has_arg(&["--no-cache-dir"]) || inline_var(cmd, "PIP_NO_CACHE_DIR").is_some()
                {
                    continue;
                }
                let range =
                    TextRange::new(to_range(&program.range).start, to_range(&sub.range).end);
                out.push(
                    Diagnostic::new(meta, range, "`pip install` keeps its download cache in the image")
                        .note("Add `--no-cache-dir` (or set `ENV PIP_NO_CACHE_DIR=1`); with BuildKit a `--mount=type=cache,target=/root/.cache/pip` keeps it between builds instead.")
                        .fix(Fix::safe("Add --no-cache-dir", vec![insert_arg_after(&run.inst, sub, "--no-cache-dir")])),
                );
            }
        }
    }
}

/// `pip X`, `pip3.12 X`, `python -m pip X`: the first word of the invocation and `X`.
fn pip_sub(cmd: &ShellCommand) -> Option<(&ShellWord, &ShellWord)> {
    let argv = crate::rules::size::os_packages::program_words(cmd);
    let first = argv.first()?;
    let name = first.text.rsplit('/').next().unwrap_or(&first.text);
    let is_pip = |n: &str| {
        n.strip_prefix("pip")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    let rest = if is_pip(name) {
        &argv[1..]
    } else if name.starts_with("python") || name == "py" {
        let m = argv.iter().position(|w| w.text == "-m")?;
        if !argv.get(m + 1).is_some_and(|w| is_pip(&w.text)) {
            return None;
        }
        &argv[m + 2..]
    } else {
        return None;
    };
    // Global options before the subcommand: `pip --disable-pip-version-check install`.
    let sub = rest.iter().find(|w| !w.text.starts_with('-'))?;
    Some((first, sub))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM python:3.12\nRUN pip install -r requirements.txt && python3 -m pip install gunicorn\n";
        assert_eq!(
            flagged(&PipCacheLeft, t),
            ["pip install", "python3 -m pip install"]
        );
        assert_eq!(
            fixed(&PipCacheLeft, t),
            "FROM python:3.12\nRUN pip install --no-cache-dir -r requirements.txt && python3 -m pip install --no-cache-dir gunicorn\n"
        );
        assert!(findings(&PipCacheLeft, &fixed(&PipCacheLeft, t)).is_empty());
        assert_eq!(
            flagged(
                &PipCacheLeft,
                "FROM python\nRUN /usr/bin/pip3.11 --disable-pip-version-check install x\n"
            ),
            ["/usr/bin/pip3.11 --disable-pip-version-check install"]
        );
    }

    #[test]
    fn near_misses() {
        for ok in [
            "FROM python\nRUN pip install --no-cache-dir x\n",
            "FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install x\n",
            "FROM python AS base\nENV PIP_NO_CACHE_DIR=off\nFROM base\nRUN pip install x\n",
            "FROM python\nRUN PIP_NO_CACHE_DIR=1 pip install x\n",
            "FROM python\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n",
            "FROM python\nRUN --mount=type=cache,target=/root/.cache pip install x\n",
            "FROM python\nRUN pip install x && rm -rf /root/.cache/pip\n",
            "FROM python\nRUN pip install x && pip cache purge\n",
            "FROM python\nRUN pip config set global.no-cache-dir false\nRUN pip install x\n",
            "FROM python AS build\nRUN pip install x\nFROM python:3.12-slim\nCOPY --from=build /x /x\n",
            "FROM python\nRUN pip freeze\n",
            "FROM python\nRUN python -m venv /venv\n",
        ] {
            assert!(findings(&PipCacheLeft, ok).is_empty(), "{ok}");
        }
    }
}
