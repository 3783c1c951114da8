//! Small rewrites of one instruction: `CMD`/`ENTRYPOINT` to exec form, `npm install` →
//! `npm ci`, and merging a lone `RUN apt-get update` into the install that follows.

use std::collections::VecDeque;
use std::rc::Rc;

use layerwise_analysis::shell::ShellCommand;
use layerwise_lint::context::{InstRef, LintContext};
use layerwise_lint::{Applicability, Edit};
use layerwise_syntax::{Args, InstructionKind, TextRange};

use super::{meets, rule_fix_ranges, ActionKind, CodeAction};
use crate::Analysis;

pub(super) fn actions(a: &Analysis, range: TextRange) -> Vec<CodeAction> {
    let cx = a.lint_context();
    // borrowed, not collected: a copy was 48 bytes per instruction of the file (96 MB at the
    // document cap) for each code-action request
    let insts = cx.instruction_list();
    let mut out = Vec::new();
    let mut merged: std::collections::HashSet<u32> = std::collections::HashSet::new();
    let json_fixes = rule_fix_ranges(a, &["JSONArgsRecommended", "DL3025"], range);
    let mut runs = RecentRuns {
        cx: &cx,
        recent: VecDeque::new(),
    };
    for (k, i) in insts.iter().enumerate() {
        let r = i.range();
        if !meets(r, range) {
            continue;
        }
        let rule_has_it = json_fixes.iter().any(|d| meets(*d, r));
        if let Some(act) = exec_form(a, i, rule_has_it) {
            out.push(act);
        }
        out.extend(npm_ci(a, &cx, &mut runs, i));
        if let Some((update, act)) = merge_apt_update(&mut runs, insts, k) {
            // offered from either instruction of the pair: once
            if merged.insert(update) {
                out.push(act);
            }
        }
    }
    out
}

/// The commands of the last few `RUN`s the walk read: each rewrite looks at an instruction
/// and its neighbours, so three are enough, and the context's own cache would keep every
/// `RUN`'s commands of the file until the request ends.
struct RecentRuns<'c, 'a> {
    cx: &'c LintContext<'a>,
    recent: VecDeque<(usize, Rc<[ShellCommand]>)>,
}

impl RecentRuns<'_, '_> {
    fn commands(&mut self, i: &InstRef<'_>) -> Rc<[ShellCommand]> {
        if let Some((_, hit)) = self.recent.iter().find(|(k, _)| *k == i.index) {
            return hit.clone();
        }
        let commands: Rc<[ShellCommand]> = self.cx.fresh_run_commands(i).into();
        if self.recent.len() == 3 {
            self.recent.pop_front();
        }
        self.recent.push_back((i.index, commands.clone()));
        commands
    }
}

/// Characters that make a shell command more than a list of words.
fn needs_shell(text: &str) -> bool {
    text.contains([
        '$', '`', '*', '?', '[', '>', '<', '(', ')', '{', '}', '~', '#', '&', '|', ';', '\\', '\n',
        '\'', '"', '=',
    ])
}

/// `CMD npm start` → `CMD ["npm", "start"]`: the program runs as PID 1 and gets the stop
/// signal (a shell in between does not pass it on). Only for plain words, where the meaning
/// cannot change.
fn exec_form(a: &Analysis, i: &InstRef<'_>, rule_has_it: bool) -> Option<CodeAction> {
    if !matches!(
        i.inst.kind,
        InstructionKind::Cmd | InstructionKind::Entrypoint
    ) {
        return None;
    }
    let Args::Text(w) = &i.inst.args else {
        return None;
    };
    let args = i.abs(i.inst.args_range?);
    let text = a.slice(args);
    if needs_shell(text) || text.trim().is_empty() {
        return None;
    }
    if rule_has_it {
        return None;
    }
    let words: Vec<String> = w.text.split_whitespace().map(str::to_string).collect();
    let mut act = CodeAction::new(
        format!("Convert {} to exec form", i.inst.kind.keyword()),
        ActionKind::RefactorRewrite,
        vec![Edit {
            range: args,
            text: crate::split::exec_form_text(&words).into(),
        }],
    );
    act.applicability = Applicability::Safe;
    Some(act)
}

/// Whether the build context or the stage's `COPY`s show a lockfile `npm ci` needs.
fn has_npm_lock(a: &Analysis, cx: &LintContext<'_>, i: &InstRef<'_>) -> bool {
    if let Some(c) = &a.facts.context {
        return c.is_sent("package-lock.json") || c.is_sent("npm-shrinkwrap.json");
    }
    cx.instructions().any(|c| {
        c.stage == i.stage
            && c.inst.kind == InstructionKind::Copy
            && c.inst.copy_parts().is_some_and(|(sources, _)| {
                sources.iter().any(|s| {
                    s.text.ends_with("package-lock.json") || s.text.ends_with("npm-shrinkwrap.json")
                })
            })
    })
}

/// `npm install` → `npm ci`: installs exactly the lockfile, fails when it disagrees with
/// `package.json`, and is faster. Offered when a lockfile is known to be there.
fn npm_ci(
    a: &Analysis,
    cx: &LintContext<'_>,
    runs: &mut RecentRuns<'_, '_>,
    i: &InstRef<'_>,
) -> Vec<CodeAction> {
    if i.inst.kind != InstructionKind::Run {
        return Vec::new();
    }
    let mut out = Vec::new();
    for c in runs.commands(i).iter() {
        if c.program() != Some("npm") || c.positional().nth(1).is_some() {
            continue;
        }
        let Some(w) = c.argv().iter().skip(1).find(|w| !w.text.starts_with('-')) else {
            continue;
        };
        if !matches!(w.text.as_str(), "install" | "i") || !has_npm_lock(a, cx, i) {
            continue;
        }
        let mut act = CodeAction::new(
            "Use `npm ci` instead of `npm install`",
            ActionKind::RefactorRewrite,
            vec![Edit {
                range: TextRange::from_usize(w.range.start, w.range.end),
                text: "ci".into(),
            }],
        );
        act.applicability = Applicability::Unsafe;
        out.push(act);
    }
    out
}

fn is_apt(c: &ShellCommand, sub: &str) -> bool {
    matches!(c.program(), Some("apt-get" | "apt")) && c.subcommand() == Some(sub)
}

/// A `RUN apt-get update` alone, followed by a `RUN apt-get install`: the update layer is
/// cached forever and the install later uses stale package lists. Merges them, adds
/// `--no-install-recommends` and removes the lists in the same layer.
fn merge_apt_update(
    runs: &mut RecentRuns<'_, '_>,
    insts: &[InstRef<'_>],
    k: usize,
) -> Option<(u32, CodeAction)> {
    let here = &insts[k];
    // the cursor may be on either of the two
    let (update, install) = match runs.commands(here).first() {
        Some(c) if is_apt(c, "update") => (here, insts.get(k + 1)?),
        Some(c) if is_apt(c, "install") && k > 0 => (&insts[k - 1], here),
        _ => return None,
    };
    if update.stage != install.stage
        || update.inst.kind != InstructionKind::Run
        || install.inst.kind != InstructionKind::Run
        || !update.inst.heredocs.is_empty()
        || !install.inst.heredocs.is_empty()
        || !update.inst.flags.is_empty()
        || !matches!(install.inst.args, Args::Text(_))
    {
        return None;
    }
    let up = runs.commands(update);
    if up.is_empty() || !up.iter().all(|c| is_apt(c, "update")) {
        return None;
    }
    let cmds = runs.commands(install);
    let first = cmds.first().filter(|c| is_apt(c, "install"))?;
    let last = cmds.last()?;
    let mut edits = vec![
        Edit {
            range: update.range(),
            text: "".into(),
        },
        Edit {
            range: TextRange::empty(first.range.start as u32),
            text: "apt-get update && ".into(),
        },
    ];
    if !first.has_arg(&["--no-install-recommends"]) {
        let w = first.argv().iter().skip(1).find(|w| w.text == "install")?;
        edits.push(Edit {
            range: TextRange::empty(w.range.end as u32),
            text: " --no-install-recommends".into(),
        });
    }
    let cleans = cmds.iter().any(|c| {
        c.program() == Some("rm")
            && c.words
                .iter()
                .any(|w| w.text.contains("/var/lib/apt/lists"))
    });
    let cache_mount = install
        .inst
        .flags
        .iter()
        .any(|f| f.value().is_some_and(|v| v.contains("/var/lib/apt")));
    if !cleans && !cache_mount {
        edits.push(Edit {
            range: TextRange::empty(last.range.end as u32),
            text: " && rm -rf /var/lib/apt/lists/*".into(),
        });
    }
    let mut act = CodeAction::new(
        "Merge `apt-get update` into the install",
        ActionKind::RefactorRewrite,
        edits,
    );
    act.applicability = Applicability::Safe;
    Some((update.range().start, act))
}
