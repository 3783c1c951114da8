//! What a rule sees: the syntax tree, the model, the text, and facts from outside the file
//! (build context, `.dockerignore`, image sizes), plus helpers rules share.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use layerwise_analysis::build_context::BuildContext;
use layerwise_analysis::dockerignore::DockerIgnore;
use layerwise_analysis::image_facts::{ImageFacts, VariantSize};
use layerwise_analysis::shell::{is_leading_keyword, split_script, ShellCommand, ShellWord};
use layerwise_analysis::Model;
use layerwise_syntax::{Args, Dockerfile, Instruction, InstructionKind, ItemRef, TextRange};

use crate::rules::correctness::stage_graph::StageGraph;

/// Facts about the world outside the Dockerfile. Everything is optional: without facts the
/// rules that need them stay quiet.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    /// The build context (files and sizes), when known. Shared: a context can hold up to the
    /// walk's limit of entries, and every analysis of every open file in it uses the same one.
    pub context: Option<std::sync::Arc<BuildContext>>,
    /// The `.dockerignore` in force, when the context is known: `Some(None)` means "known to
    /// be absent".
    pub dockerignore: Option<Option<DockerIgnore>>,
    /// Image facts keyed by canonical reference (`docker.io/library/node:20`).
    pub images: HashMap<String, ImageFacts>,
    /// Slimmer variants of those images, with their sizes (same keys as `images`).
    pub variants: HashMap<String, Vec<VariantSize>>,
    /// hadolint's `trustedRegistries`.
    pub trusted_registries: Vec<String>,
}

pub struct LintContext<'a> {
    pub file: &'a Dockerfile,
    pub text: &'a str,
    pub model: &'a Model,
    pub facts: &'a Facts,
    /// Every instruction with its model position, listed once: rules walk this slice instead
    /// of re-walking the file's items (88 rules over 10,000 lines made that walk show up).
    insts: Vec<InstRef<'a>>,
    /// The indices (into `insts`) of the instructions that run a shell (`RUN`, `ONBUILD RUN`),
    /// ascending: `runs` and `scripts` have a slot for these only. A slot for every
    /// instruction cost 64 bytes for each line of a file of 500,000 lines that are no `RUN`
    /// (F16); looking one up is a binary search.
    run_insts: Vec<usize>,
    /// The shell commands of each `RUN`, split once and shared by every rule.
    runs: Vec<OnceLock<Vec<ShellCommand>>>,
    /// The commands of each effective `RUN` (the one inside `ONBUILD RUN` too) with leading
    /// shell keywords dropped, as the security and reproducibility rules read them; computed
    /// once per `RUN`.
    scripts: Vec<OnceLock<Vec<ShellCommand>>>,
    /// Which stages need which, built once for the rules that ask (two did, each its own).
    stage_graph: OnceLock<StageGraph>,
}

/// An instruction with its position in the model.
#[derive(Clone, Copy)]
pub struct InstRef<'a> {
    /// Index into `model.instructions`.
    pub index: usize,
    pub stage: Option<usize>,
    pub item: ItemRef<'a>,
    pub inst: &'a Instruction,
}

impl InstRef<'_> {
    pub fn abs(&self, r: TextRange) -> TextRange {
        self.item.abs(r)
    }
    pub fn range(&self) -> TextRange {
        self.item.range()
    }
    /// The first line of the instruction (keyword to end of its first line), a good default
    /// range for whole-instruction findings.
    pub fn head_range(&self) -> TextRange {
        let text = self.item.text();
        let start = self.inst.keyword.range.start as usize;
        let end = text[start..]
            .find(['\n', '\r'])
            .map_or(text.len(), |i| start + i);
        self.item.abs(TextRange::from_usize(start, end.max(start)))
    }
    pub fn keyword_range(&self) -> TextRange {
        self.item.abs(self.inst.keyword.range)
    }
}

pub fn to_range(r: &Range<usize>) -> TextRange {
    TextRange::from_usize(r.start, r.end)
}

impl<'a> LintContext<'a> {
    pub fn new(file: &'a Dockerfile, text: &'a str, model: &'a Model, facts: &'a Facts) -> Self {
        // The model lists every instruction, so its count sizes the list at once (the file's
        // iterator does not know its length: collecting grew the list a dozen times, copying
        // 900 KB on 10,000 lines). A model of another file only makes the guess wrong.
        let mut insts: Vec<InstRef<'a>> = Vec::with_capacity(model.instructions.len());
        insts.extend(
            file.instructions()
                .enumerate()
                .map(|(index, (item, inst))| InstRef {
                    index,
                    stage: model.instructions.get(index).and_then(|i| i.stage),
                    item,
                    inst,
                }),
        );
        let run_insts: Vec<usize> = insts
            .iter()
            .filter(|i| i.inst.effective().kind == InstructionKind::Run)
            .map(|i| i.index)
            .collect();
        let cells = || (0..run_insts.len()).map(|_| OnceLock::new()).collect();
        Self {
            file,
            text,
            model,
            facts,
            runs: cells(),
            scripts: cells(),
            run_insts,
            insts,
            stage_graph: OnceLock::new(),
        }
    }

    pub fn slice(&self, r: TextRange) -> &'a str {
        self.text.get(r.as_usize()).unwrap_or("")
    }

    pub fn instructions(&self) -> impl DoubleEndedIterator<Item = InstRef<'a>> + '_ {
        self.insts.iter().copied()
    }

    /// Every instruction, indexed like `model.instructions`: for rules that look back or ahead
    /// by position. A borrowed slice, so that such a rule need not collect its own copy (on
    /// 10,000 lines a copy is a 400 KB allocation, per rule).
    pub fn instruction_list(&self) -> &[InstRef<'a>] {
        &self.insts
    }

    /// The instruction at `index` (an index into `model.instructions`).
    pub fn instruction(&self, index: usize) -> Option<InstRef<'a>> {
        self.insts.get(index).copied()
    }

    /// Instructions of one kind (the effective kind: `ONBUILD RUN` is not a `RUN`).
    pub fn of_kind(&self, kind: InstructionKind) -> impl Iterator<Item = InstRef<'a>> + '_ {
        self.instructions().filter(move |i| i.inst.kind == kind)
    }

    pub fn final_stage(&self) -> Option<usize> {
        self.model.stages.len().checked_sub(1)
    }

    pub fn is_final_stage(&self, stage: Option<usize>) -> bool {
        stage.is_some() && stage == self.final_stage()
    }

    /// Cycles among the stages and what the default build needs, built on first use.
    pub(crate) fn stage_graph(&self) -> &StageGraph {
        self.stage_graph.get_or_init(|| StageGraph::new(self.model))
    }

    /// The shell commands a `RUN` executes, with file ranges: the shell form, the exec form
    /// as one command, or heredoc bodies that the shell runs as scripts.
    /// Empty for anything but a `RUN`; for the `RUN` inside an `ONBUILD`, pass that inner
    /// instruction (`inst.effective()`) with the `ONBUILD`'s index.
    pub fn run_commands(&self, i: &InstRef<'_>) -> &[ShellCommand] {
        let Some(listed) = self.insts.get(i.index) else {
            return &[];
        };
        let is_listed = std::ptr::eq(listed.inst, i.inst);
        let is_inner = !is_listed && std::ptr::eq(listed.inst.effective(), i.inst);
        if (is_listed && listed.inst.kind == InstructionKind::Run) || is_inner {
            self.effective_run(i.index)
        } else {
            &[]
        }
    }

    /// [`LintContext::run_commands`] of an instruction of this context's list, worked out
    /// afresh and not kept: for a walk that reads each `RUN` once or twice (the code-action
    /// rewrites over a selection), where keeping every `RUN`'s commands until the walk ends
    /// cost more than the split (a 4 MB file of `RUN a` lines: +390 MB per request).
    pub fn fresh_run_commands(&self, i: &InstRef<'_>) -> Vec<ShellCommand> {
        match self.insts.get(i.index) {
            Some(listed)
                if std::ptr::eq(listed.inst, i.inst)
                    && listed.inst.kind == InstructionKind::Run =>
            {
                self.split_run(listed)
            }
            _ => Vec::new(),
        }
    }

    /// The commands of the `RUN` that instruction `index` runs, `ONBUILD RUN` included.
    fn effective_run(&self, index: usize) -> &[ShellCommand] {
        let Some(slot) = self.run_slot(index) else {
            return &[];
        };
        let (Some(cell), Some(i)) = (self.runs.get(slot), self.insts.get(index)) else {
            return &[];
        };
        cell.get_or_init(|| {
            self.split_run(&InstRef {
                inst: i.inst.effective(),
                ..*i
            })
        })
    }

    /// The commands of the `RUN` that instruction `index` runs (`ONBUILD RUN` included) with
    /// leading shell keywords (`then`, `do`, `!`...) dropped, so that `if x; then apt-get
    /// install y; fi` yields `apt-get install y` as a command.
    pub fn script_commands(&self, index: usize) -> &[ShellCommand] {
        let run = self.effective_run(index);
        // most scripts have no keyword to drop: share the split commands as they are
        if !run.iter().any(|c| leading_keywords(c) > 0) {
            return run;
        }
        let Some(cell) = self.run_slot(index).and_then(|slot| self.scripts.get(slot)) else {
            return &[];
        };
        cell.get_or_init(|| {
            let mut commands = run.to_vec();
            commands.iter_mut().for_each(strip_keywords);
            commands
        })
    }

    /// The slot in `runs` / `scripts` of instruction `index`; `None` when it runs no shell.
    fn run_slot(&self, index: usize) -> Option<usize> {
        self.run_insts.binary_search(&index).ok()
    }

    fn split_run(&self, i: &InstRef<'_>) -> Vec<ShellCommand> {
        let inst = i.inst;
        if inst.kind != InstructionKind::Run {
            return Vec::new();
        }
        let mut out = Vec::new();
        match &inst.args {
            Args::Text(w) => {
                let heredoc_only = !inst.heredocs.is_empty() && {
                    let rest: Vec<&str> = w
                        .text
                        .split_whitespace()
                        .filter(|t| !t.contains("<<"))
                        .collect();
                    rest.is_empty()
                        || matches!(
                            rest.as_slice(),
                            ["sh" | "bash" | "/bin/sh" | "/bin/bash"]
                                | ["sh" | "bash", "-e" | "-ex" | "-eux" | "-xe"]
                        )
                };
                if !heredoc_only {
                    let mut commands = split_script(&w.text);
                    // A script written on one line is its source as it is: its offsets need no
                    // lookup through the line's continuations.
                    let verbatim = i.item.slice(w.range) == &*w.text;
                    let source_offset = |k: usize| {
                        if verbatim {
                            w.range.start + k as u32
                        } else {
                            i.item.item.source_offset(w, k)
                        }
                    };
                    for c in &mut commands {
                        let map = |r: &Range<usize>| {
                            let a = i.item.start + source_offset(r.start);
                            let b = i.item.start + source_offset(r.end.saturating_sub(1)) + 1;
                            a as usize..b.max(a) as usize
                        };
                        for word in &mut c.words {
                            word.range = map(&word.range);
                        }
                        c.range = map(&c.range);
                    }
                    append(&mut out, commands);
                }
                for h in &inst.heredocs {
                    if !heredoc_only {
                        continue;
                    }
                    let body = i.abs(h.body);
                    let mut commands = split_script(self.slice(body));
                    for c in &mut commands {
                        let base = body.start as usize;
                        for word in &mut c.words {
                            word.range = word.range.start + base..word.range.end + base;
                        }
                        c.range = c.range.start + base..c.range.end + base;
                    }
                    append(&mut out, commands);
                }
            }
            Args::Exec { items, .. } => {
                let words: Vec<ShellWord> = items
                    .iter()
                    .map(|w| ShellWord {
                        text: (*w.text).into(),
                        range: i.abs(w.range).as_usize(),
                    })
                    .collect();
                if let Some(range) = words
                    .first()
                    .map(|f| f.range.start..words.last().map_or(f.range.end, |l| l.range.end))
                {
                    out.push(ShellCommand::new(words, range, ""));
                }
            }
            _ => {}
        }
        out
    }
}

/// Adds `more` after `out`; the first list is taken as it is (most `RUN`s have one script).
fn append(out: &mut Vec<ShellCommand>, mut more: Vec<ShellCommand>) {
    if out.is_empty() {
        *out = more;
    } else {
        out.append(&mut more);
    }
}

/// Drops leading shell keywords from a command (the splitter cuts at `;`, not at keywords).
fn strip_keywords(cmd: &mut ShellCommand) {
    let n = leading_keywords(cmd);
    if n > 0 {
        cmd.words.drain(..n);
        cmd.words_changed();
        cmd.range.start = cmd.words[0].range.start;
    }
}

/// How many leading words [`strip_keywords`] drops: the keywords before the command, none
/// when the command is nothing but keywords.
fn leading_keywords(cmd: &ShellCommand) -> usize {
    let n = cmd
        .words
        .iter()
        .take_while(|w| is_leading_keyword(&w.text))
        .count();
    if n < cmd.words.len() {
        n
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use layerwise_analysis::shell::split_script;

    /// The uncached split is the cached one, for every listed instruction.
    #[test]
    fn fresh_run_commands_are_the_cached_ones() {
        let text = "FROM a\nRUN apt-get update && apt-get install -y x \\\n  && rm -rf /l\nONBUILD RUN npm i\nRUN <<EOF\nnpm ci\nif true; then make; fi\nEOF\nRUN [\"npm\", \"i\"]\nCMD x\nRUN --mount=type=cache,target=/c \"n\"pm install\n";
        let file = Dockerfile::parse(text);
        let model = Model::build(&file, Default::default());
        let facts = Facts::default();
        let cx = LintContext::new(&file, text, &model, &facts);
        let mut runs = 0;
        for i in cx.instructions() {
            let cached = cx.run_commands(&i);
            runs += usize::from(!cached.is_empty());
            assert_eq!(cx.fresh_run_commands(&i), cached, "{}", i.item.text());
        }
        assert_eq!(runs, 4, "every RUN (not the ONBUILD one, asked as listed)");
    }

    #[test]
    fn keywords_before_commands_are_dropped() {
        let mut c = split_script("if [ -x /x ]; then sudo make install; else exit 1; fi");
        c.iter_mut().for_each(strip_keywords);
        let programs: Vec<&str> = c
            .iter()
            .filter_map(|c| c.words.first().map(|w| w.text.as_str()))
            .collect();
        assert_eq!(programs, ["[", "sudo", "exit", "fi"]);
    }

    #[test]
    fn wrappers_stay_and_keyword_only_commands_are_kept_whole() {
        let mut c = split_script("! grep -q x f; { time make; }; do");
        c.iter_mut().for_each(strip_keywords);
        let firsts: Vec<&str> = c
            .iter()
            .filter_map(|c| c.words.first().map(|w| w.text.as_str()))
            .collect();
        // `time` is a wrapper: kept in `words`, skipped by `argv`; a lone `do` is not dropped
        // (the splitter ends the group at `}` without a word for it)
        assert_eq!(firsts, ["grep", "time", "do"]);
        assert_eq!(c[1].program(), Some("make"));
    }
}
