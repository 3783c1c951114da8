//! Code actions in plain terms: quick fixes (every fix a rule offers), "ignore this rule"
//! in the file's own suppression style, "fix all safe problems", the split refactoring,
//! creating a `.dockerignore`, and rewrites users expect (non-root user, slimmer base, pinning
//! a base image to its registry digest, exec form, `npm ci`, merging `apt-get update` into the
//! install).
//!
//! Where a rule already offers a fix for the same thing, its fix is the one offered and ours
//! is dropped (same edits, or a rule answering to the same hadolint/BuildKit code).
//!
//! Every action keeps the user's text: edits only replace what the action is about.

mod base;
mod dockerignore;
mod fix_all;
mod ignore;
mod pin;
mod rewrites;
mod user;

#[cfg(test)]
mod corpus;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

use layerwise_lint::{Applicability, Diagnostic, Edit};
use layerwise_syntax::{Dockerfile, EditPreview, Item, ItemKind, TextRange};

use crate::split::{self, SplitOptions};
use crate::Analysis;

pub use fix_all::{fix_all, fix_all_text};

/// What kind of action (the LSP `CodeActionKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    QuickFix,
    RefactorRewrite,
    /// A source action (`source.addDockerignore.layerwise`).
    Source,
    /// `source.fixAll.layerwise`.
    FixAll,
}

impl ActionKind {
    /// The LSP kind string.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::QuickFix => "quickfix",
            ActionKind::RefactorRewrite => "refactor.rewrite",
            ActionKind::Source => "source.addDockerignore.layerwise",
            ActionKind::FixAll => "source.fixAll.layerwise",
        }
    }
}

/// A file the action creates next to the Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    /// File name relative to the Dockerfile's folder.
    pub name: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct CodeAction {
    pub title: String,
    pub kind: ActionKind,
    /// Edits of this document (byte ranges of the analysed text).
    pub edits: Vec<Edit>,
    pub new_files: Vec<NewFile>,
    /// Indexes into `analysis.diagnostics()` the action resolves.
    pub diagnostics: Vec<usize>,
    /// The one to apply when the user just says "fix it".
    pub preferred: bool,
    pub applicability: Applicability,
}

impl CodeAction {
    fn new(title: impl Into<String>, kind: ActionKind, edits: Vec<Edit>) -> Self {
        CodeAction {
            title: title.into(),
            kind,
            edits,
            new_files: Vec::new(),
            diagnostics: Vec::new(),
            preferred: false,
            applicability: Applicability::Unsafe,
        }
    }
}

/// Diagnostics (with their indexes) whose range meets `range` (touching counts), in file
/// order. The lint sorts findings by where they start, so the walk ends at the first one that
/// starts past the range: a cursor near the top of a file with two million findings does not
/// look at them all, and nothing makes a list of every finding of a whole-file selection.
pub(crate) fn diagnostics_in(
    a: &Analysis,
    range: TextRange,
) -> impl Iterator<Item = (usize, &Diagnostic)> {
    a.diagnostics()
        .iter()
        .enumerate()
        .take_while(move |(_, d)| d.range.start <= range.end)
        .filter(move |(_, d)| range.start <= d.range.end)
}

/// How many findings of one request's range get their quick fixes and "ignore" actions: the
/// first ones from the range's start. A cursor or a real selection meets a handful; a
/// whole-file selection of a generated file can meet hundreds of thousands, each worth two
/// or three actions that carry the finding again (about 10 KB each on the way out), for a
/// menu nobody scrolls. 500 is more than any real Dockerfile has in total; the rest are
/// counted by [`findings_left_out`] so the editor can say so.
pub const MAX_FINDINGS_PER_REQUEST: usize = 500;

/// How many of the other actions (rewrites, pins, user and base suggestions), one per
/// matching instruction, one request lists: a whole-file selection of 20,000 `RUN apt-get
/// update` lines made 20,000 rewrites (a 13.6 MB answer). The first ones in file order.
pub const MAX_OTHER_ACTIONS: usize = 500;

/// How many findings in `range` [`code_actions`] leaves out (past
/// [`MAX_FINDINGS_PER_REQUEST`]): their fixes are in "fix all" and on a smaller selection.
pub fn findings_left_out(a: &Analysis, range: TextRange) -> usize {
    diagnostics_in(a, range)
        .count()
        .saturating_sub(MAX_FINDINGS_PER_REQUEST)
}

/// Every action available for `range` (a cursor is an empty range), except fix-all, which
/// re-lints the file several times and is computed only when asked for ([`fix_all`]). The
/// quick fixes are those of the first [`MAX_FINDINGS_PER_REQUEST`] findings in the range.
pub fn code_actions(a: &Analysis, range: TextRange) -> Vec<CodeAction> {
    let mut out = Vec::new();
    let here: Vec<(usize, &Diagnostic)> = diagnostics_in(a, range)
        .take(MAX_FINDINGS_PER_REQUEST)
        .collect();
    // rule fixes first: they are what the squiggle is about
    let mut check = SyntaxCheck::new(a);
    for (i, d) in &here {
        for (k, fix) in d.fixes.iter().enumerate() {
            if !check.keeps_syntax(fix) {
                continue;
            }
            let mut act =
                CodeAction::new(fix.title.clone(), ActionKind::QuickFix, fix.edits.to_vec());
            act.diagnostics = vec![*i];
            act.applicability = fix.applicability;
            act.preferred = k == 0 && fix.applicability == Applicability::Safe;
            out.push(act);
        }
    }
    let mut ours: Vec<CodeAction> = [
        rewrites::actions(a, range),
        user::actions(a, range),
        base::actions(a, range),
        pin::actions(a, range),
        dockerignore::actions(a, range),
    ]
    .concat();
    // one per matching instruction: bounded like the quick fixes, for the same reason
    ours.truncate(MAX_OTHER_ACTIONS);
    let rule_fixes = fix_signatures(&here);
    for act in ours {
        if act.edits.is_empty() || !rule_fixes.contains(&signature(&act.edits)) {
            out.push(act);
        }
    }
    if let Some(act) = split_action(a, range, &SplitOptions::default()) {
        out.push(act);
    }
    out.extend(ignore::actions(a, &here));
    out
}

/// How much text the syntax check of quick fixes may re-lex for one request: a cursor asks
/// for a handful of fixes, but a selection of a whole large file can ask for thousands, and a
/// fix inside one huge item (a `RUN` of 30,000 continued lines) re-lexes all of it. The first
/// check is always made, so a large file still gets the fix at the cursor.
const FIX_CHECK_BUDGET: usize = 16 << 20;

/// The check "fix all" and `check --fix` make ([`layerwise_lint::fixes::apply_fixes`]) made
/// for each quick fix too: a fix that would add a syntax error is not offered. Rules aim
/// never to offer one, but a rule sees one instruction while a fix can change how the rest
/// of the file reads (a keyword that starts taking heredocs, a flag that is not one), so the
/// fix is applied to the file's tree and its errors counted.
///
/// The tree is neither parsed again nor copied: a full parse of a file at the server's 4 MB
/// cap built a second tree of up to a gigabyte for each checked fix (reliability finding
/// F16), and a copy is a pass over up to two million items. A fix's edits are joined into one
/// (the text between them kept) and previewed ([`Dockerfile::preview_edit`]): the errors of
/// the items it re-lexes replace those of the items they replace. (Applying a fix's edits one
/// by one re-lexed the item once per edit: 100,000 edits in one `RUN` took 90 s.)
struct SyntaxCheck<'a> {
    a: &'a Analysis,
    before: Option<ErrorCount>,
    budget: usize,
}

/// What [`syntax_errors`] adds up, kept apart so that an edit's items can be swapped in.
#[derive(Clone, Copy)]
struct ErrorCount {
    /// Errors of the items.
    items: usize,
    /// Instruction items (a file without any has one error more).
    instructions: usize,
}

impl ErrorCount {
    fn of<'i>(items: impl Iterator<Item = &'i Item>) -> Self {
        items.fold(
            ErrorCount {
                items: 0,
                instructions: 0,
            },
            |c, item| ErrorCount {
                items: c.items + item.errors().len(),
                instructions: c.instructions + usize::from(item.kind == ItemKind::Instruction),
            },
        )
    }

    fn total(self) -> usize {
        self.items + usize::from(self.instructions == 0)
    }
}

impl<'a> SyntaxCheck<'a> {
    fn new(a: &'a Analysis) -> Self {
        SyntaxCheck {
            a,
            before: None,
            budget: FIX_CHECK_BUDGET,
        }
    }

    fn keeps_syntax(&mut self, fix: &layerwise_lint::Fix) -> bool {
        let a = self.a;
        if self.budget == 0 {
            return false; // an unchecked fix could break the file
        }
        let before = *self
            .before
            .get_or_insert_with(|| ErrorCount::of(a.file.items().map(|r| r.item)));
        let Some(edit) = joined(a, &fix.edits) else {
            return true; // every edit is skipped, as `apply` skips it: nothing changes
        };
        let (after, relexed) = errors_after_edit(a, &edit, before);
        self.budget = self.budget.saturating_sub(relexed.max(1));
        after <= before.total()
    }
}

/// A fix's edits as one edit from the first one's start to the last one's end, with the text
/// between them kept: the same new text as applying them as [`with_edits`] does (an edit
/// overlapping an earlier one, out of bounds or off a character boundary is skipped). `None`
/// when none is left.
fn joined(a: &Analysis, edits: &[Edit]) -> Option<Edit> {
    let kept = applicable(a, edits);
    let (first, last) = (kept.first()?, kept.last()?);
    if kept.len() == 1 {
        return Some((*first).clone());
    }
    let mut text = String::new();
    for (k, e) in kept.iter().enumerate() {
        text.push_str(&e.text);
        if let Some(next) = kept.get(k + 1) {
            text.push_str(a.slice(TextRange::new(e.range.end, next.range.start)));
        }
    }
    Some(Edit {
        range: TextRange::new(first.range.start, last.range.end),
        text: text.into(),
    })
}

/// The edits [`with_edits`] and [`apply`] apply, in order: sorted, without those that overlap
/// an earlier one, fall outside the text or off a character boundary.
fn applicable<'e>(a: &Analysis, edits: &'e [Edit]) -> Vec<&'e Edit> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut kept = Vec::with_capacity(sorted.len());
    let mut pos = 0usize;
    for e in sorted {
        let (start, end) = (e.range.start as usize, e.range.end as usize);
        if start < pos
            || end > a.text.len()
            || !a.text.is_char_boundary(start)
            || !a.text.is_char_boundary(end)
        {
            continue;
        }
        kept.push(e);
        pos = end;
    }
    kept
}

/// [`syntax_errors`] of `a`'s file with `edit` applied (an edit [`applicable`] keeps), from
/// the items the edit re-lexes, and how many bytes that re-lexed: `before` is the count of
/// the file as it is.
fn errors_after_edit(a: &Analysis, edit: &Edit, before: ErrorCount) -> (usize, usize) {
    let (start, end) = (edit.range.start as usize, edit.range.end as usize);
    if end > a.text.len() || !a.text.is_char_boundary(start) || !a.text.is_char_boundary(end) {
        return (before.total(), 0); // skipped, as `with_edits` skips it
    }
    match a.file.preview_edit(edit.range, &edit.text) {
        EditPreview::Whole(file) => (syntax_errors(&file), file.len() as usize),
        EditPreview::Items { old, new, .. } => {
            let relexed = old.iter().map(|i| i.len() as usize).sum::<usize>() + edit.text.len();
            let (old, new) = (
                ErrorCount::of(old.iter().map(|i| &**i)),
                ErrorCount::of(new.iter().map(|i| &**i)),
            );
            let after = ErrorCount {
                items: before.items - old.items + new.items,
                instructions: before.instructions - old.instructions + new.instructions,
            };
            (after.total(), relexed)
        }
    }
}

/// The tree of `a`'s text with `edits` applied as [`apply`] applies them (an edit overlapping
/// an earlier one, out of bounds or off a character boundary is skipped), edited in place of a
/// copy: the copy shares every item, and the edits re-parse only the items they touch. Equal
/// to `Dockerfile::parse(&apply(a, edits))` (the syntax crate's incremental reparse equals a
/// full parse).
pub(crate) fn with_edits(a: &Analysis, edits: &[Edit]) -> Dockerfile {
    let kept = applicable(a, edits);
    let mut file = a.file.clone();
    // the last first, so the ranges of the others still point at the same text
    for e in kept.iter().rev() {
        file.edit(e.range, &e.text);
    }
    file
}

/// How many syntax errors `file` has: `file.errors().len()` without making the list (a
/// file of junk can have millions, each with its message copied).
pub(crate) fn syntax_errors(file: &Dockerfile) -> usize {
    ErrorCount::of(file.items().map(|r| r.item)).total()
}

/// The split refactoring, when the range touches the stage it applies to.
pub fn split_action(a: &Analysis, range: TextRange, opts: &SplitOptions) -> Option<CodeAction> {
    let stage = split::applicable(a).ok()?;
    let st = a.model.stages.get(stage)?;
    // anywhere in the stage it splits (in a one-stage file, anywhere at all)
    if range.end < st.range.start && a.model.stages.len() > 1 {
        return None;
    }
    let s = split::split(a, opts).ok()?;
    Some(CodeAction::new(
        s.title(),
        ActionKind::RefactorRewrite,
        vec![s.edit],
    ))
}

/// A set of edits in a comparable form (sorted ranges and texts).
fn signature(edits: &[Edit]) -> Vec<(TextRange, String)> {
    let mut v: Vec<(TextRange, String)> = edits
        .iter()
        .map(|e| (e.range, e.text.to_string()))
        .collect();
    v.sort();
    v
}

/// The edits of every rule fix offered for the range: an action of ours with exactly the
/// same edits is a duplicate.
fn fix_signatures(here: &[(usize, &Diagnostic)]) -> HashSet<Vec<(TextRange, String)>> {
    here.iter()
        .flat_map(|(_, d)| d.fixes.iter().map(|f| signature(&f.edits)))
        .collect()
}

/// Ranges of the findings with a fix from rules answering to one of `codes` (our name,
/// hadolint code or BuildKit check) that are offered for the request `range`: an action of
/// ours about the same thing inside one of them is left to the rule.
pub(crate) fn rule_fix_ranges(a: &Analysis, codes: &[&str], range: TextRange) -> Vec<TextRange> {
    a.diagnostics()
        .iter()
        .filter(|d| {
            !d.fixes.is_empty()
                && meets(d.range, range)
                && codes.iter().any(|c| d.rule.answers_to(c))
        })
        .map(|d| d.range)
        .collect()
}

/// Ranges that meet (touching counts).
pub(crate) fn meets(x: TextRange, y: TextRange) -> bool {
    x.start <= y.end && y.start <= x.end
}

/// The line break the file uses (its first one decides; CRLF files stay CRLF).
pub(crate) fn line_break(text: &str) -> &'static str {
    crate::split::line_break(text)
}

/// The text of `a` with `edits` applied (for tests and fix-all).
pub fn apply(a: &Analysis, edits: &[Edit]) -> String {
    layerwise_lint::fixes::apply_edits(&a.text, edits)
}
