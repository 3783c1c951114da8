//! The stage being split, cut into units: an instruction together with the comment lines
//! directly above it (comments stay with their instruction wherever it moves), or a group of
//! comments that a blank line separates from what follows (they stay where they are).

use layerwise_analysis::image_ref::ImageRef;
use layerwise_analysis::shell::ShellCommand;
use layerwise_analysis::{Base, Model};
use layerwise_lint::context::{InstRef, LintContext};
use layerwise_syntax::{Instruction, InstructionKind, ItemKind, TextRange};

use super::text::Style;
use crate::Analysis;

#[derive(Debug, Clone)]
pub(crate) struct Unit {
    /// Item indexes of the comment lines attached above.
    pub comments: Vec<usize>,
    /// The instruction's item; `None` for a group of comments followed by a blank line.
    pub item: Option<usize>,
    /// Index into `model.instructions` (meaningless when `item` is `None`).
    pub inst: usize,
    pub kind: InstructionKind,
    /// A blank line came before this unit (kept when the unit stays in the builder).
    pub blank_before: bool,
}

pub(crate) struct View<'a> {
    pub a: &'a Analysis,
    pub stage: usize,
    /// Where the rewritten region starts: the comments attached to `FROM`, or `FROM` itself.
    pub region_start: u32,
    pub from_item: usize,
    pub from_comments: Vec<usize>,
    pub units: Vec<Unit>,
    /// Comment items after the last instruction (kept at the end of the file).
    pub trailing: Vec<usize>,
    pub base: ImageRef,
    pub style: Style,
    /// One lint context for the whole split: it caches each `RUN`'s commands.
    cx: Context<'a>,
}

/// The lint context a view reads `RUN` commands from: its own, or one shared by the views of
/// many stages. Building one lists every instruction of the file, so a view per stage each
/// with its own made the `.dockerignore` action quadratic in stages (issue #8).
enum Context<'a> {
    Own(LintContext<'a>),
    Shared(&'a LintContext<'a>),
}

impl<'a> Context<'a> {
    fn get(&self) -> &LintContext<'a> {
        match self {
            Context::Own(cx) => cx,
            Context::Shared(cx) => cx,
        }
    }
}

impl<'a> View<'a> {
    /// Cuts the final stage into units. `None` when the stage is not built on an image.
    pub fn new(a: &'a Analysis, stage: usize) -> Option<View<'a>> {
        Self::with_context(a, stage, None)
    }

    /// [`View::new`] reading `RUN` commands through `cx`, a context of `a` that the caller
    /// builds once for the views of many stages.
    pub fn in_context(a: &'a Analysis, stage: usize, cx: &'a LintContext<'a>) -> Option<View<'a>> {
        Self::with_context(a, stage, Some(cx))
    }

    fn with_context(
        a: &'a Analysis,
        stage: usize,
        shared: Option<&'a LintContext<'a>>,
    ) -> Option<View<'a>> {
        let model: &Model = &a.model;
        let st = model.stages.get(stage)?;
        let Base::Image(base) = &st.base else {
            return None;
        };
        let from_item = model.instructions.get(st.from)?.item;
        let mut from_comments = Vec::new();
        let mut i = from_item;
        while i > 0 {
            let Some(prev) = a.file.item(i - 1) else {
                break;
            };
            if prev.item.kind != ItemKind::Comment {
                break;
            }
            from_comments.insert(0, i - 1);
            i -= 1;
        }
        let region_start = match from_comments.first() {
            Some(&c) => a.file.item(c)?.start,
            None => a.file.item(from_item)?.start,
        };
        let mut units = Vec::new();
        let mut pending: Vec<usize> = Vec::new();
        let mut blank = false;
        let mut pending_blank = false;
        // by index: skipping through the items iterator would step over every earlier item
        for r in (from_item + 1..a.file.items().len()).filter_map(|i| a.file.item(i)) {
            match r.item.kind {
                ItemKind::Comment => {
                    if pending.is_empty() {
                        pending_blank = blank;
                        blank = false;
                    }
                    pending.push(r.index);
                }
                ItemKind::Blank | ItemKind::Directive => {
                    if !pending.is_empty() {
                        units.push(Unit {
                            comments: std::mem::take(&mut pending),
                            item: None,
                            inst: 0,
                            kind: InstructionKind::Unknown,
                            blank_before: pending_blank,
                        });
                    }
                    blank = true;
                }
                ItemKind::Instruction => {
                    let inst = model.instruction_of_item(r.index)?;
                    if model.instructions[inst].stage != Some(stage) {
                        break; // the next stage
                    }
                    let before = if pending.is_empty() {
                        blank
                    } else {
                        pending_blank
                    };
                    units.push(Unit {
                        comments: std::mem::take(&mut pending),
                        item: Some(r.index),
                        inst,
                        kind: model.instructions[inst].kind,
                        blank_before: before,
                    });
                    blank = false;
                }
            }
        }
        Some(View {
            a,
            stage,
            region_start,
            from_item,
            from_comments,
            units,
            trailing: pending,
            base: base.clone(),
            style: Style::of(&a.text),
            cx: match shared {
                Some(cx) => Context::Shared(cx),
                None => Context::Own(a.lint_context()),
            },
        })
    }

    pub fn instruction(&self, u: &Unit) -> Option<&'a Instruction> {
        self.a.file.item(u.item?)?.instruction()
    }

    pub fn inst_ref(&self, u: &Unit) -> Option<InstRef<'a>> {
        let item = self.a.file.item(u.item?)?;
        Some(InstRef {
            index: u.inst,
            stage: Some(self.stage),
            item,
            inst: item.instruction()?,
        })
    }

    /// The shell commands of a `RUN` unit, with file ranges.
    pub fn commands(&self, u: &Unit) -> Vec<ShellCommand> {
        match self.inst_ref(u) {
            Some(i) if u.kind == InstructionKind::Run => self.cx.get().run_commands(&i).to_vec(),
            _ => Vec::new(),
        }
    }

    /// The instruction's item text (continuations and heredocs included).
    pub fn item_text(&self, item: usize) -> &'a str {
        self.a.file.item(item).map_or("", |r| r.text())
    }

    pub fn item_range(&self, item: usize) -> TextRange {
        self.a
            .file
            .item(item)
            .map_or(TextRange::default(), |r| r.range())
    }

    /// The unit as written: its comments, then the instruction.
    pub fn unit_text(&self, u: &Unit) -> String {
        let mut s = String::new();
        for &c in &u.comments {
            push_line(&mut s, self.item_text(c), self.style);
        }
        if let Some(i) = u.item {
            push_line(&mut s, self.item_text(i), self.style);
        }
        s
    }

    /// The effective WORKDIR before the unit runs (`/` when none is set).
    pub fn workdir_before(&self, u: &Unit) -> String {
        self.a.model.workdir_before(&self.a.file, u.inst)
    }

    /// The WORKDIR in force at the end of the stage.
    pub fn final_workdir(&self) -> String {
        match self.units.iter().rev().find(|u| u.item.is_some()) {
            Some(last) => {
                let before = self.workdir_before(last);
                match (last.kind, self.instruction(last)) {
                    (InstructionKind::Workdir, Some(i)) => {
                        let scope = self.a.model.scope_before(&self.a.file, last.inst);
                        let arg = i.arg_words().first().map_or("", |w| &w.text);
                        let v = scope.expand(arg, self.a.model.escape).value;
                        layerwise_analysis::model::join_workdir(Some(&before), &v)
                    }
                    _ => before,
                }
            }
            None => "/".into(),
        }
    }

    /// Whether a file exists in the build context: `None` when the context is not known.
    pub fn context_has(&self, path: &str) -> Option<bool> {
        self.a.facts.context.as_ref().map(|c| c.is_sent(path))
    }

    /// Whether any sent file in the context matches `pred` on its path (`None`: unknown).
    pub fn context_any(&self, pred: &dyn Fn(&str) -> bool) -> Option<bool> {
        self.a.facts.context.as_ref().map(|c| {
            c.entries()
                .iter()
                .any(|e| e.is_sent() && !e.is_dir() && pred(&e.path))
        })
    }

    /// Every shell command of every `RUN` in the stage, in order.
    pub fn all_commands(&self) -> Vec<ShellCommand> {
        self.units.iter().flat_map(|u| self.commands(u)).collect()
    }

    /// The text of a file range.
    pub fn slice(&self, r: TextRange) -> &'a str {
        self.a.slice(r)
    }
}

/// Appends `line`, adding a line break if it has none (the last line of a file).
pub(crate) fn push_line(s: &mut String, line: &str, style: Style) {
    s.push_str(line);
    if !line.ends_with('\n') {
        s.push_str(style.nl());
    }
}
