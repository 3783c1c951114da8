//! Which packages an install command names without a version, for the `*-unpinned` rules.
//! Each function takes one shell command and returns the unpinned package words; a command
//! that is not that kind of install returns nothing. Words with shell expansions are left out:
//! their value is unknown here.

use layerwise_analysis::shell::{ShellCommand, ShellWord};

use crate::context::{to_range, LintContext};
use crate::diagnostic::Diagnostic;
use crate::rule::RuleMeta;
use crate::rules::security::helpers::{basename, is_assignment, positionals, run_scripts_with};

/// Reports every unpinned package that `find` returns in any `RUN`. A word that is only a
/// variable (`$buildDeps`) assigned earlier in the same script (`buildDeps='gcc make'`) is
/// looked at word by word, as the shell would split it.
pub(crate) fn report(
    cx: &LintContext<'_>,
    meta: &'static RuleMeta,
    out: &mut Vec<Diagnostic>,
    find: fn(&ShellCommand) -> Vec<&ShellWord>,
    tool: &str,
    note: &'static str,
) {
    // every installer's name contains the tool's (`apt-get`, `pip3`, `python -m pip`)
    for script in run_scripts_with(cx, &[tool]) {
        let mut vars: Vec<(String, String)> = Vec::new();
        for cmd in script.commands {
            if !cmd.words.is_empty() && cmd.words.iter().all(|w| is_assignment(&w.text)) {
                for w in &cmd.words {
                    if let Some((k, v)) = w.text.split_once('=') {
                        vars.push((k.to_string(), v.to_string()));
                    }
                }
                continue;
            }
            let expanded = expand_list_vars(cx, cmd, &vars);
            for w in find(&expanded) {
                let original = cmd
                    .words
                    .iter()
                    .find(|o| o.range == w.range)
                    .map_or(w.text.as_str(), |o| o.text.as_str());
                let via = if original != w.text {
                    format!(" (from `{original}`)")
                } else {
                    String::new()
                };
                out.push(
                    Diagnostic::new(
                        meta,
                        to_range(&w.range),
                        format!(
                            "`{}`{via} is installed with {tool} without a version",
                            w.text
                        ),
                    )
                    .note(note),
                );
            }
        }
    }
}

/// The command as the shell sees its words: whole-word references to known script variables
/// replaced by the words of their values (each keeping the reference's range), and a word cut
/// at an unquoted `>` or `<`, which starts a redirection (`pip install pkg>=2` installs `pkg`
/// and writes to a file named `=2`).
fn expand_list_vars(
    cx: &LintContext<'_>,
    cmd: &ShellCommand,
    vars: &[(String, String)],
) -> ShellCommand {
    let mut out = cmd.clone();
    out.words = Vec::with_capacity(cmd.words.len());
    for w in &cmd.words {
        let name = w
            .text
            .strip_prefix("${")
            .and_then(|r| r.strip_suffix('}'))
            .or_else(|| w.text.strip_prefix('$'));
        let value = name
            .filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .and_then(|n| vars.iter().rev().find(|(k, _)| k == n));
        match value {
            Some((_, v)) if !v.contains('$') => {
                out.words.extend(v.split_whitespace().map(|part| ShellWord {
                    text: part.into(),
                    range: w.range.clone(),
                }));
            }
            _ => {
                let raw = cx.slice(to_range(&w.range));
                let cut = raw
                    .find(['>', '<'])
                    .filter(|&k| k > 0 && !raw[..k].contains(['\'', '"', '\\']));
                let text = cut.map_or_else(|| w.text.clone(), |k| raw[..k].into());
                out.words.push(ShellWord {
                    text,
                    range: w.range.clone(),
                });
            }
        }
    }
    out.words_changed();
    out
}

/// `true` for words whose value is unknown here as a whole: `$PKGS`, `${PKGS}`, `$(cat list)`.
fn unknown(w: &str) -> bool {
    w.starts_with('$') || w.starts_with('`')
}

/// Positionals after the subcommand word (`install`, `add`, ...), if the command is
/// `<program> <subcommand> ...` with one of the given subcommands.
fn after_subcommand<'c>(
    argv: &'c [ShellWord],
    subs: &[&str],
    with_value: &[&str],
) -> Option<Vec<&'c ShellWord>> {
    let mut pos = positionals(argv, with_value);
    let first = pos.next()?;
    subs.contains(&first.text.as_str()).then(|| pos.collect())
}

/// `apt-get install` / `apt install` packages without `=version` (a `/release` or a `.deb`
/// path counts as chosen).
pub(crate) fn apt(cmd: &ShellCommand) -> Vec<&ShellWord> {
    if !matches!(cmd.program(), Some("apt-get" | "apt")) {
        return Vec::new();
    }
    let with_value = [
        "-t",
        "--target-release",
        "--default-release",
        "-o",
        "--option",
        "-c",
        "--config-file",
    ];
    let Some(pkgs) = after_subcommand(cmd.argv(), &["install"], &with_value) else {
        return Vec::new();
    };
    pkgs.into_iter()
        .filter(|w| !unknown(&w.text) && !w.text.contains(['=', '/']) && !w.text.ends_with(".deb"))
        .collect()
}

/// `apk add` packages without a version constraint (`=`, `~`, `>`, `<`) or `.apk` file.
pub(crate) fn apk(cmd: &ShellCommand) -> Vec<&ShellWord> {
    if cmd.program() != Some("apk") {
        return Vec::new();
    }
    let with_value = [
        "-t",
        "--virtual",
        "-X",
        "--repository",
        "-p",
        "--root",
        "--arch",
        "--keys-dir",
        "--cache-dir",
        "--repositories-file",
    ];
    let Some(pkgs) = after_subcommand(cmd.argv(), &["add"], &with_value) else {
        return Vec::new();
    };
    pkgs.into_iter()
        .filter(|w| {
            !unknown(&w.text) && !w.text.contains(['=', '~', '>', '<']) && !w.text.ends_with(".apk")
        })
        .collect()
}

/// The pip argv of `pip install`, `pip3.12 install`, `python -m pip install`.
fn pip_argv(cmd: &ShellCommand) -> Option<&[ShellWord]> {
    let argv = cmd.argv();
    let prog = basename(&argv.first()?.text);
    if prog.starts_with("pip") && !prog.starts_with("pipenv") && !prog.starts_with("pipx") {
        return Some(argv);
    }
    if prog.starts_with("python")
        && argv.get(1).is_some_and(|w| w.text == "-m")
        && argv.get(2).is_some_and(|w| w.text == "pip")
    {
        return argv.get(2..);
    }
    None
}

/// `pip install` packages without a version specifier. Requirements files, constraints
/// files, editable and local installs are left alone.
pub(crate) fn pip(cmd: &ShellCommand) -> Vec<&ShellWord> {
    let Some(argv) = pip_argv(cmd) else {
        return Vec::new();
    };
    let skip_all = [
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-e",
        "--editable",
    ];
    if argv.iter().any(|w| {
        skip_all.contains(&w.text.as_str())
            || w.text.starts_with("--requirement=")
            || w.text.starts_with("--constraint=")
    }) {
        return Vec::new();
    }
    let with_value = [
        "-b",
        "--build",
        "-f",
        "--find-links",
        "-i",
        "--index-url",
        "--extra-index-url",
        "--implementation",
        "--no-binary",
        "--only-binary",
        "--platform",
        "--prefix",
        "--progress-bar",
        "--proxy",
        "--python",
        "--python-version",
        "--root",
        "--root-user-action",
        "--src",
        "-t",
        "--target",
        "--trusted-host",
        "--upgrade-strategy",
        "--abi",
        "--cache-dir",
        "--log",
        "--timeout",
        "--retries",
        "--config-settings",
        "-C",
        "--global-option",
    ];
    let Some(pkgs) = after_subcommand(argv, &["install"], &with_value) else {
        return Vec::new();
    };
    let ops = ["==", ">=", "<=", ">", "<", "!=", "~=", "==="];
    pkgs.into_iter()
        .filter(|w| {
            let t = w.text.as_str();
            let vcs = ["git+", "hg+", "svn+", "bzr+"]
                .iter()
                .any(|p| t.starts_with(p));
            let pinned = ops.iter().any(|o| t.contains(o))
                || vcs && t.contains('@')
                || !vcs && (t.contains('/') || t == "." || t.starts_with("./"))
                || [".whl", ".tar.gz", ".zip", ".tgz"]
                    .iter()
                    .any(|s| t.ends_with(s));
            !pinned && !unknown(t)
        })
        .collect()
}

/// `npm install <pkg>` packages without `@version` (`@latest` is not a version), not from a
/// git commit, tarball or folder.
pub(crate) fn npm(cmd: &ShellCommand) -> Vec<&ShellWord> {
    if cmd.program() != Some("npm") {
        return Vec::new();
    }
    let with_value = [
        "--registry",
        "--loglevel",
        "--prefix",
        "--cache",
        "-w",
        "--workspace",
        "--userconfig",
        "--omit",
        "--include",
        "--tag",
    ];
    let Some(pkgs) = after_subcommand(
        cmd.argv(),
        &["install", "i", "add", "isntall", "in"],
        &with_value,
    ) else {
        return Vec::new();
    };
    pkgs.into_iter()
        .filter(|w| {
            let t = w.text.as_str();
            if unknown(t) {
                return false;
            }
            if [
                "git:",
                "git+",
                "github:",
                "gitlab:",
                "bitbucket:",
                "http://",
                "https://",
            ]
            .iter()
            .any(|p| t.starts_with(p))
            {
                return !t.contains('#') && !t.ends_with(".tgz") && !t.ends_with(".tar.gz");
            }
            if [".tar", ".tar.gz", ".tgz"].iter().any(|s| t.ends_with(s))
                || ["/", "./", "../", "~/", "file:"]
                    .iter()
                    .any(|p| t.starts_with(p))
            {
                return false;
            }
            let unscoped = if t.starts_with('@') {
                t.split_once('/').map_or("", |(_, rest)| rest)
            } else {
                t
            };
            match unscoped.split_once('@') {
                Some((_, v)) => v.is_empty() || v == "latest" || v == "*",
                None => !unscoped.contains('#'),
            }
        })
        .collect()
}

/// `gem install <gem>` without `gem:version` or `-v`.
pub(crate) fn gem(cmd: &ShellCommand) -> Vec<&ShellWord> {
    if cmd.program() != Some("gem") {
        return Vec::new();
    }
    let argv = cmd.argv();
    if argv
        .iter()
        .any(|w| w.text == "-v" || w.text == "--version" || w.text.starts_with("--version="))
    {
        return Vec::new();
    }
    let with_value = [
        "-i",
        "--install-dir",
        "-n",
        "--bindir",
        "-s",
        "--source",
        "-P",
        "--trust-policy",
        "--platform",
        "-g",
        "--file",
        "--build-root",
    ];
    let Some(pkgs) = after_subcommand(argv, &["install", "i"], &with_value) else {
        return Vec::new();
    };
    pkgs.into_iter()
        .filter(|w| !unknown(&w.text) && !w.text.contains(':') && !w.text.ends_with(".gem"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use layerwise_analysis::shell::split_script;

    fn names(f: fn(&ShellCommand) -> Vec<&ShellWord>, script: &str) -> Vec<String> {
        split_script(script)
            .iter()
            .flat_map(|c| {
                f(c).into_iter()
                    .map(|w| w.text.to_string())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn apt_packages() {
        assert_eq!(names(apt, "apt-get -y install --no-install-recommends -t bookworm-backports curl git=1:2.39 ./x.deb nginx/bookworm $PKGS"), ["curl"]);
        assert!(names(apt, "apt-get update && apt-get -y upgrade").is_empty());
    }

    #[test]
    fn apk_packages() {
        assert_eq!(
            names(
                apk,
                "apk add --no-cache --virtual .build-deps gcc musl-dev=1.2.4-r2 'bash>5' curl~8"
            ),
            ["gcc"]
        );
        assert_eq!(names(apk, "apk --update add --virtual=.x git"), ["git"]);
    }

    #[test]
    fn pip_packages() {
        assert_eq!(names(pip, "pip install --no-cache-dir -U pip flask==3.0 'uvicorn[standard]>=0.30' ./pkg x.whl git+https://g/x@v1 git+https://g/y"), ["pip", "git+https://g/y"]);
        assert_eq!(
            names(pip, "python3 -m pip install --index-url https://x requests"),
            ["requests"]
        );
        assert!(names(pip, "pip install -r requirements.txt extra").is_empty());
        assert!(names(pip, "pipenv install requests").is_empty());
    }

    #[test]
    fn npm_packages() {
        assert_eq!(names(npm, "npm install -g pm2 @scope/a@1.2.3 @scope/b npm@latest yarn@1.22.19 ./local x.tgz git+https://g/x.git#v1 user/repo"), ["pm2", "@scope/b", "npm@latest", "user/repo"]);
        assert!(names(npm, "npm ci && npm install && npm install --omit=dev").is_empty());
    }

    #[test]
    fn gem_packages() {
        assert_eq!(
            names(gem, "gem install --no-document bundler rails:7.1 local.gem"),
            ["bundler"]
        );
        assert!(names(gem, "gem install bundler -v 2.5.0").is_empty());
    }
}
