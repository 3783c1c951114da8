//! Helpers shared by the security, reproducibility and nursery rules: the shell scripts of
//! every `RUN` (`ONBUILD RUN` included, as hadolint checks those too), pipelines, the `SHELL`
//! in force, a stage's chain of base stages, the image a stage finally rests on, and simple
//! argument parsing for package-manager command lines.

use layerwise_analysis::image_ref::ImageRef;
use layerwise_analysis::shell::{ShellCommand, ShellWord};
use layerwise_analysis::Base;
use layerwise_syntax::{Args, InstructionKind, TextRange};

use crate::context::{to_range, InstRef, LintContext};

/// Bound on stage chains (`FROM a`, `FROM b` ...): a model never has cycles, but rules stay
/// bounded whatever it holds.
const MAX_CHAIN: usize = 64;

/// The commands one `RUN` executes.
pub(crate) struct Script<'a> {
    /// The `RUN` itself (for `ONBUILD RUN`, the wrapped `RUN` on the `ONBUILD` line).
    pub inst: InstRef<'a>,
    /// Shared with every other rule through the context's cache.
    pub commands: &'a [ShellCommand],
    pub onbuild: bool,
}

/// The `RUN`s whose text contains one of `needles` (all of them when `needles` is empty), with
/// their commands. Rules that look for one program pass its name: the text test is far cheaper
/// than splitting a script, which keeps big files fast.
pub(crate) fn run_scripts_with<'c>(cx: &'c LintContext<'_>, needles: &[&str]) -> Vec<Script<'c>> {
    cx.instructions()
        .filter_map(|i| {
            let eff = i.inst.effective();
            if eff.kind != InstructionKind::Run {
                return None;
            }
            if !needles.is_empty() {
                let text = i.item.text();
                if !needles.iter().any(|n| text.contains(n)) {
                    return None;
                }
            }
            Some(Script {
                commands: cx.script_commands(i.index),
                onbuild: !std::ptr::eq(eff, i.inst),
                inst: InstRef { inst: eff, ..i },
            })
        })
        .collect()
}

/// For every instruction (by index), the `USER` in force before it as written or expanded:
/// `None` for the base image's user. Computed in one pass, following `FROM <stage>`.
pub(crate) fn users_in_force(cx: &LintContext<'_>) -> Vec<Option<String>> {
    in_force(cx, InstructionKind::User, |cx, i| match &i.inst.args {
        Args::Text(w) if w.text.contains('$') => Some(
            cx.model
                .scope_before(cx.file, i.index)
                .expand(&w.text, cx.model.escape)
                .value,
        ),
        Args::Text(w) => Some(w.text.to_string()),
        _ => None,
    })
}

/// For every instruction (by index), the `SHELL` in force before it (exec-form words), `None`
/// for the default. Computed in one pass, following `FROM <stage>`.
pub(crate) fn shells_in_force(cx: &LintContext<'_>) -> Vec<Option<Vec<String>>> {
    in_force(cx, InstructionKind::Shell, |_, i| match &i.inst.args {
        Args::Exec { items, .. } => Some(items.iter().map(|w| w.text.to_string()).collect()),
        _ => None,
    })
}

/// The value of a stage-scoped setting (`USER`, `SHELL`) before each instruction: set by the
/// last instruction of `kind` in the stage, else inherited from the base stage's final value.
fn in_force<T: Clone>(
    cx: &LintContext<'_>,
    kind: InstructionKind,
    value: impl Fn(&LintContext<'_>, &InstRef<'_>) -> Option<T>,
) -> Vec<Option<T>> {
    let n = cx.model.instructions.len();
    let mut before: Vec<Option<T>> = vec![None; n];
    let mut stage_end: Vec<Option<T>> = vec![None; cx.model.stages.len()];
    let mut current: Option<T> = None;
    let mut stage: Option<usize> = None;
    for i in cx.instructions() {
        if i.stage != stage {
            if let Some(s) = stage {
                if let Some(slot) = stage_end.get_mut(s) {
                    *slot = current.clone();
                }
            }
            stage = i.stage;
            current = match stage
                .and_then(|s| cx.model.stages.get(s))
                .map(|st| &st.base)
            {
                Some(Base::Stage(b)) if Some(*b) < stage => stage_end.get(*b).cloned().flatten(),
                _ => None,
            };
        }
        if let Some(slot) = before.get_mut(i.index) {
            *slot = current.clone();
        }
        if i.inst.kind == kind {
            if let Some(v) = value(cx, &i) {
                current = Some(v);
            }
        }
    }
    before
}

/// The commands of `cmds` grouped into pipelines (`a | b | c` is one group of three), in
/// order. An iterator over slices of `cmds`: rules ask this for every `RUN`, and a list per
/// script was an allocation per `RUN` per rule.
pub(crate) fn pipelines(cmds: &[ShellCommand]) -> impl Iterator<Item = &[ShellCommand]> {
    let mut rest = cmds;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        // a pipeline ends at the first command not followed by `|` (or at the end)
        let end = rest
            .iter()
            .position(|c| c.terminator != "|")
            .map_or(rest.len(), |k| k + 1);
        let (group, after) = rest.split_at(end);
        rest = after;
        Some(group)
    })
}

/// The pipelines of a `RUN`'s commands (file ranges), without `case` pattern lists: the
/// splitter cuts `case "$a" in x86_64|aarch64) ...` at the `|` as if it were a pipe. A group
/// of one-word commands followed by `)` in the file, after `case ... in`, `;;` or another
/// pattern, is such a list.
pub(crate) fn real_pipelines<'c>(
    text: &'c str,
    cmds: &'c [ShellCommand],
) -> impl Iterator<Item = &'c [ShellCommand]> {
    pipelines(cmds).filter(move |p| {
        if p.len() < 2 {
            return true;
        }
        let after = p
            .last()
            .map_or("", |c| text.get(c.range.end..).unwrap_or(""))
            .trim_start_matches([' ', '\t', '\\', '\n', '\r']);
        let pattern_words = |c: &ShellCommand, first: bool| {
            let words = if first && c.words.first().is_some_and(|w| w.text == "case") {
                c.words
                    .iter()
                    .position(|w| w.text == "in")
                    .map_or(&c.words[..], |k| &c.words[k + 1..])
            } else {
                &c.words[..]
            };
            words.len() == 1
        };
        !(after.starts_with(')') && p.iter().enumerate().all(|(k, c)| pattern_words(c, k == 0)))
    })
}

/// The file range from the first to the last command of a group.
pub(crate) fn span(cmds: &[ShellCommand]) -> TextRange {
    match (cmds.first(), cmds.last()) {
        (Some(a), Some(b)) => to_range(&(a.range.start..b.range.end.max(a.range.start))),
        _ => TextRange::default(),
    }
}

pub(crate) use layerwise_analysis::shell::is_assignment;

/// The words of a command after leading `NAME=value` assignments (wrappers such as `sudo`
/// kept, unlike [`ShellCommand::argv`]).
pub(crate) fn words_after_assignments(cmd: &ShellCommand) -> &[ShellWord] {
    let n = cmd
        .words
        .iter()
        .take_while(|w| is_assignment(&w.text))
        .count();
    &cmd.words[n..]
}

/// The last path segment of a program word (`/usr/bin/apt` -> `apt`).
pub(crate) fn basename(w: &str) -> &str {
    w.rsplit('/').next().unwrap_or(w)
}

/// Positional arguments of a command line after the program, skipping flags and the values
/// of the flags in `with_value` (given with their dashes, e.g. `["-t", "--target-release"]`).
/// `--` ends the flags. An iterator, so that a rule that wants the first one or a few makes
/// no list.
pub(crate) fn positionals<'c, 'v>(
    argv: &'c [ShellWord],
    with_value: &'v [&'v str],
) -> impl Iterator<Item = &'c ShellWord> + use<'c, 'v> {
    let mut i = 1;
    let mut flags_done = false;
    std::iter::from_fn(move || {
        while let Some(word) = argv.get(i) {
            let w = word.text.as_str();
            i += 1;
            if flags_done || !w.starts_with('-') || w == "-" {
                return Some(word);
            } else if w == "--" {
                flags_done = true;
            } else if with_value.contains(&w) {
                i += 1;
            }
        }
        None
    })
}

/// `true` if a word is (or contains) a shell expansion whose value is unknown here.
pub(crate) fn has_expansion(w: &str) -> bool {
    w.contains('$') || w.contains('`')
}

/// The stage and the stages it is built `FROM`, nearest first (bounded).
pub(crate) fn base_chain(cx: &LintContext<'_>, stage: usize) -> Vec<usize> {
    let mut out = vec![stage];
    let mut s = stage;
    while out.len() < MAX_CHAIN {
        match cx.model.stages.get(s).map(|st| &st.base) {
            Some(Base::Stage(b)) if *b < s => {
                out.push(*b);
                s = *b;
            }
            _ => break,
        }
    }
    out
}

/// What the stage's chain finally rests on: an image, `scratch`, or unknown.
pub(crate) fn root_base<'m>(cx: &LintContext<'m>, stage: usize) -> Option<&'m Base> {
    let chain = base_chain(cx, stage);
    let last = *chain.last()?;
    cx.model.stages.get(last).map(|s| &s.base)
}

/// The image a stage rests on, if it is a known image (not scratch, not unresolved).
pub(crate) fn root_image<'m>(cx: &LintContext<'m>, stage: usize) -> Option<&'m ImageRef> {
    match root_base(cx, stage)? {
        Base::Image(i) if !i.is_scratch() => Some(i),
        _ => None,
    }
}

/// Windows base images: their shell is `cmd` or PowerShell, and users work differently. The
/// one answer lives in [`crate::windows_image`]; rules import it from here with the other
/// helpers.
pub(crate) use crate::windows_image::is_windows_image;

/// `true` if the stage's base image is Alpine-based (musl libc), judged from its name and tag.
pub(crate) fn is_musl_image(image: &ImageRef) -> bool {
    let repo = image.repository.rsplit('/').next().unwrap_or("");
    let tag = image.tag.as_deref().unwrap_or("");
    repo == "alpine"
        || tag.split(['-', '.']).any(|p| p.starts_with("alpine"))
        || repo.ends_with("-alpine")
}

/// `true` if the image is very likely glibc-based (Debian, Ubuntu, and the official
/// language images in their default and `-slim`/`-bookworm` variants).
pub(crate) fn is_glibc_image(image: &ImageRef) -> bool {
    if is_musl_image(image) {
        return false;
    }
    let repo = image.repository.rsplit('/').next().unwrap_or("");
    const GLIBC: &[&str] = &[
        "debian",
        "ubuntu",
        "node",
        "python",
        "ruby",
        "golang",
        "rust",
        "openjdk",
        "eclipse-temurin",
        "amazoncorretto",
        "php",
        "perl",
        "buildpack-deps",
        "maven",
        "gradle",
        "elixir",
        "erlang",
        "haskell",
        "julia",
        "r-base",
        "swift",
        "dart",
        "fedora",
        "centos",
        "rockylinux",
        "almalinux",
        "amazonlinux",
        "oraclelinux",
        "ubi",
        "ubi-minimal",
        "ubi8",
        "ubi9",
    ];
    image.is_docker_hub() && GLIBC.contains(&repo) || repo.starts_with("ubi")
}

/// The instructions of a stage in order, as [`InstRef`]s (from a pre-collected list).
pub(crate) fn stage_insts<'a, 'b>(
    insts: &'b [InstRef<'a>],
    stage: usize,
) -> impl Iterator<Item = &'b InstRef<'a>> + 'b {
    insts.iter().filter(move |i| i.stage == Some(stage))
}

/// The `SHELL` in force before instruction `index` (in its stage, else inherited from base
/// stages), as its exec-form words. `None`: the default `/bin/sh -c` or the base image's.
pub(crate) fn shell_before(
    cx: &LintContext<'_>,
    insts: &[InstRef<'_>],
    index: usize,
) -> Option<Vec<String>> {
    let stage = insts.get(index)?.stage?;
    for (n, s) in base_chain(cx, stage).into_iter().enumerate() {
        let found = stage_insts(insts, s)
            .filter(|i| n > 0 || i.index < index)
            .filter(|i| i.inst.kind == InstructionKind::Shell)
            .last()
            .and_then(|i| match &i.inst.args {
                Args::Exec { items, .. } => {
                    Some(items.iter().map(|w| w.text.to_string()).collect())
                }
                _ => None,
            });
        if found.is_some() {
            return found;
        }
    }
    None
}

/// `true` when the shell words name a shell that is not POSIX (PowerShell, cmd).
pub(crate) fn is_non_posix_shell(shell: &[String]) -> bool {
    shell.first().is_some_and(|s| {
        let b = basename(&s.replace('\\', "/")).to_ascii_lowercase();
        b.starts_with("pwsh") || b.starts_with("powershell") || b == "cmd" || b == "cmd.exe"
    })
}

/// Whether `word` names a POSIX shell (`sh`, `/bin/bash`, ...).
pub(crate) fn is_shell_program(word: &str) -> bool {
    matches!(
        basename(word),
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "mksh" | "busybox"
    )
}

/// Stages whose contents end up in the final image: the final stage and the stages it is
/// built `FROM` (not the ones it only copies files from).
pub(crate) fn final_chain(cx: &LintContext<'_>) -> Vec<usize> {
    cx.final_stage()
        .map(|f| base_chain(cx, f))
        .unwrap_or_default()
}

/// Whether the final image runs a program of its own (not a bare shell, REPL, build tool or
/// keep-alive): one answer with the size rules, from Docker's real `CMD`/`ENTRYPOINT`
/// semantics and with wrappers looked through (see `size::shipped::runs_an_app`).
pub(crate) fn runs_a_program(cx: &LintContext<'_>) -> bool {
    crate::rules::size::shipped::runs_an_app(cx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use layerwise_analysis::shell::split_script;

    #[test]
    fn pipelines_group_piped_commands() {
        let c = split_script("a | b && c; d | e | f");
        let p: Vec<usize> = pipelines(&c).map(|p| p.len()).collect();
        assert_eq!(p, [2, 1, 3]);
        // a pipe at the very end still closes its group; nothing gives no group
        let c = split_script("a | b |");
        assert_eq!(
            pipelines(&c).map(|p| p.len()).collect::<Vec<_>>(),
            [c.len()]
        );
        assert_eq!(pipelines(&[]).count(), 0);
    }

    #[test]
    fn case_patterns_are_not_pipes() {
        let text = "case \"$arch\" in x86_64|aarch64) a ;; arm|armhf) b ;; esac; curl x | tar -x";
        let c = split_script(text);
        let p: Vec<usize> = real_pipelines(text, &c)
            .filter(|p| p.len() > 1)
            .map(|p| p.len())
            .collect();
        assert_eq!(p, [2], "only `curl x | tar -x` is a pipeline");
    }

    #[test]
    fn positionals_skip_flags_and_values() {
        let c = split_script(
            "apt-get install -y -t bookworm-backports curl --no-install-recommends -- -weird",
        );
        let argv = c[0].argv();
        let p: Vec<&str> = positionals(argv, &["-t"])
            .map(|w| w.text.as_str())
            .collect();
        assert_eq!(p, ["install", "curl", "-weird"]);
        // a flag that takes a value, last: nothing after it
        let c = split_script("cp -t");
        assert_eq!(positionals(c[0].argv(), &["-t"]).count(), 0);
    }

    #[test]
    fn libc_families() {
        let i = |s: &str| ImageRef::parse(s).unwrap();
        assert!(is_musl_image(&i("node:20-alpine")));
        assert!(is_musl_image(&i("alpine:3.20")));
        assert!(is_musl_image(&i("python:3.12-alpine3.20")));
        assert!(!is_musl_image(&i("node:20-slim")));
        assert!(is_glibc_image(&i("node:20-slim")));
        assert!(is_glibc_image(&i("python")));
        assert!(!is_glibc_image(&i("ghcr.io/acme/node:20")));
        assert!(!is_glibc_image(&i("node:20-alpine")));
    }
}
