//! What a rule sees: the syntax tree, the model, the text, and facts from outside the file
//! (build context, `.dockerignore`, image sizes), plus helpers rules share.

use std::collections::HashMap;
use std::ops::Range;

use layerwise_analysis::build_context::BuildContext;
use layerwise_analysis::dockerignore::DockerIgnore;
use layerwise_analysis::image_facts::{ImageFacts, VariantSize};
use layerwise_analysis::shell::{split_script, ShellCommand, ShellWord};
use layerwise_analysis::Model;
use layerwise_syntax::{Args, Dockerfile, Instruction, InstructionKind, ItemRef, TextRange};

/// Facts about the world outside the Dockerfile. Everything is optional: without facts the
/// rules that need them stay quiet.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    /// The build context (files and sizes), when known.
    pub context: Option<BuildContext>,
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
    /// The shell commands of each instruction, split once and shared by every rule.
    runs: Vec<std::sync::OnceLock<Vec<ShellCommand>>>,
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
        let runs = (0..model.instructions.len())
            .map(|_| std::sync::OnceLock::new())
            .collect();
        Self {
            file,
            text,
            model,
            facts,
            runs,
        }
    }

    pub fn slice(&self, r: TextRange) -> &'a str {
        self.text.get(r.as_usize()).unwrap_or("")
    }

    pub fn instructions(&self) -> impl Iterator<Item = InstRef<'a>> + '_ {
        let model = self.model;
        self.file
            .instructions()
            .enumerate()
            .map(move |(index, (item, inst))| InstRef {
                index,
                stage: model.instructions.get(index).and_then(|i| i.stage),
                item,
                inst,
            })
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

    /// The shell commands a `RUN` executes, with file ranges: the shell form, the exec form
    /// as one command, or heredoc bodies that the shell runs as scripts.
    pub fn run_commands(&self, i: &InstRef<'_>) -> Vec<ShellCommand> {
        match self.runs.get(i.index) {
            Some(cell) => cell.get_or_init(|| self.split_run(i)).clone(),
            None => self.split_run(i),
        }
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
                    for mut c in split_script(&w.text) {
                        let map = |r: &Range<usize>| {
                            let a = i.item.start + i.item.item.source_offset(w, r.start);
                            let b = i.item.start
                                + i.item.item.source_offset(w, r.end.saturating_sub(1))
                                + 1;
                            a as usize..b.max(a) as usize
                        };
                        for word in &mut c.words {
                            word.range = map(&word.range);
                        }
                        c.range = map(&c.range);
                        out.push(c);
                    }
                }
                for h in &inst.heredocs {
                    if !heredoc_only {
                        continue;
                    }
                    let body = i.abs(h.body);
                    for mut c in split_script(self.slice(body)) {
                        let base = body.start as usize;
                        for word in &mut c.words {
                            word.range = word.range.start + base..word.range.end + base;
                        }
                        c.range = c.range.start + base..c.range.end + base;
                        out.push(c);
                    }
                }
            }
            Args::Exec { items, .. } => {
                let words: Vec<ShellWord> = items
                    .iter()
                    .map(|w| ShellWord {
                        text: w.text.to_string(),
                        range: i.abs(w.range).as_usize(),
                    })
                    .collect();
                if let Some(range) = words
                    .first()
                    .map(|f| f.range.start..words.last().map_or(f.range.end, |l| l.range.end))
                {
                    out.push(ShellCommand {
                        words,
                        range,
                        terminator: "",
                    });
                }
            }
            _ => {}
        }
        out
    }
}
