//! Code actions in plain terms: quick fixes (every fix a rule offers), "ignore this rule"
//! in the file's own suppression style, "fix all safe problems", the split refactoring,
//! creating a `.dockerignore`, and rewrites users expect (non-root user, slimmer base, exec
//! form, `npm ci`, merging `apt-get update` into the install).
//!
//! Where a rule already offers a fix for the same thing, its fix is the one offered and ours
//! is dropped (same edits, or a rule answering to the same hadolint/BuildKit code).
//!
//! Every action keeps the user's text: edits only replace what the action is about.

mod base;
mod dockerignore;
mod fix_all;
mod ignore;
mod rewrites;
mod user;

#[cfg(test)]
mod corpus;
#[cfg(test)]
mod tests;

use layerwise_lint::{Applicability, Diagnostic, Edit};
use layerwise_syntax::TextRange;

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

/// Diagnostics (with their indexes) whose range meets `range` (touching counts).
pub(crate) fn diagnostics_in(a: &Analysis, range: TextRange) -> Vec<(usize, &Diagnostic)> {
    a.diagnostics()
        .iter()
        .enumerate()
        .filter(|(_, d)| d.range.start <= range.end && range.start <= d.range.end)
        .collect()
}

/// Every action available for `range` (a cursor is an empty range).
pub fn code_actions(a: &Analysis, range: TextRange) -> Vec<CodeAction> {
    let mut out = Vec::new();
    let here = diagnostics_in(a, range);
    // rule fixes first: they are what the squiggle is about
    for (i, d) in &here {
        for (k, fix) in d.fixes.iter().enumerate() {
            let mut act =
                CodeAction::new(fix.title.clone(), ActionKind::QuickFix, fix.edits.clone());
            act.diagnostics = vec![*i];
            act.applicability = fix.applicability;
            act.preferred = k == 0 && fix.applicability == Applicability::Safe;
            out.push(act);
        }
    }
    let ours: Vec<CodeAction> = [
        rewrites::actions(a, range),
        user::actions(a, range),
        base::actions(a, range),
        dockerignore::actions(a, range),
    ]
    .concat();
    for act in ours {
        if !duplicates_a_rule_fix(&here, &act) {
            out.push(act);
        }
    }
    if let Some(act) = split_action(a, range, &SplitOptions::default()) {
        out.push(act);
    }
    out.extend(ignore::actions(a, &here));
    if let Some(act) = fix_all(a) {
        out.push(act);
    }
    out
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

/// Whether a rule fix offered for the same range has exactly our edits.
fn duplicates_a_rule_fix(here: &[(usize, &Diagnostic)], act: &CodeAction) -> bool {
    let mut ours: Vec<(TextRange, &str)> = act
        .edits
        .iter()
        .map(|e| (e.range, e.text.as_str()))
        .collect();
    ours.sort();
    here.iter().any(|(_, d)| {
        d.fixes.iter().any(|f| {
            let mut theirs: Vec<(TextRange, &str)> =
                f.edits.iter().map(|e| (e.range, e.text.as_str())).collect();
            theirs.sort();
            theirs == ours && !act.edits.is_empty()
        })
    })
}

/// Whether a diagnostic of a rule answering to one of `codes` (our name, hadolint code or
/// BuildKit check) with a fix lies in `within` and is offered for the request `range`: then
/// the rule's fix is offered instead of ours.
pub(crate) fn rule_fix_covers(
    a: &Analysis,
    codes: &[&str],
    within: TextRange,
    range: TextRange,
) -> bool {
    let meets = |x: TextRange, y: TextRange| x.start <= y.end && y.start <= x.end;
    a.diagnostics().iter().any(|d| {
        !d.fixes.is_empty()
            && codes.iter().any(|c| d.rule.answers_to(c))
            && meets(d.range, within)
            && meets(d.range, range)
    })
}

/// The text of `a` with `edits` applied (for tests and fix-all).
pub fn apply(a: &Analysis, edits: &[Edit]) -> String {
    layerwise_lint::fixes::apply_edits(&a.text, edits)
}
