//! Where a stage is named: its `AS name`, and every `COPY --from=`, `RUN --mount=...,from=`
//! and `FROM <stage>` that names it (by name, case-insensitively as BuildKit compares them, or
//! by index). A reference that uses the name before the stage is defined is included too: it is
//! the same word, and renaming must keep it in step (lint reports it separately).

use layerwise_analysis::RefTarget;
use layerwise_syntax::TextRange;

use crate::Analysis;

/// One place a stage is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StageOccurrence {
    pub range: TextRange,
    pub is_definition: bool,
    /// The text is the stage's name (not its index, not a `${VAR}`), so rename may edit it.
    pub by_name: bool,
}

/// The stage a reference or base image under `offset` names, with the range under the cursor.
pub(crate) fn stage_at(a: &Analysis, offset: u32) -> Option<(TextRange, usize)> {
    for st in &a.model.stages {
        if let Some(nr) = st.name_range.filter(|r| r.touches(offset)) {
            return Some((nr, st.index));
        }
    }
    for rf in a.model.refs.iter().filter(|r| r.range.touches(offset)) {
        let target = match rf.target {
            RefTarget::Stage(i) | RefTarget::LaterStage(i) => Some(i),
            RefTarget::OwnStage => Some(rf.stage),
            _ => by_name(a, &rf.text),
        };
        if let Some(t) = target {
            return Some((rf.range, t));
        }
    }
    for st in &a.model.stages {
        if !st.base_range.is_empty() && st.base_range.touches(offset) {
            if let Some(t) = by_name(a, &st.base_text) {
                return Some((st.base_range, t));
            }
        }
    }
    None
}

fn by_name(a: &Analysis, text: &str) -> Option<usize> {
    a.model
        .stages
        .iter()
        .find(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(text))
        })
        .map(|s| s.index)
}

/// Every occurrence of stage `index`, in file order.
pub(crate) fn occurrences(a: &Analysis, index: usize) -> Vec<StageOccurrence> {
    let Some(stage) = a.model.stages.get(index) else {
        return Vec::new();
    };
    let name = stage.name.as_deref();
    let names_it = |text: &str| name.is_some_and(|n| n.eq_ignore_ascii_case(text));
    let mut out = Vec::new();
    if let Some(r) = stage.name_range {
        out.push(StageOccurrence {
            range: r,
            is_definition: true,
            by_name: true,
        });
    }
    for rf in &a.model.refs {
        let targets = match rf.target {
            RefTarget::Stage(i) | RefTarget::LaterStage(i) => i == index,
            RefTarget::OwnStage => rf.stage == index,
            _ => false,
        };
        if targets || names_it(&rf.text) {
            out.push(StageOccurrence {
                range: rf.range,
                is_definition: false,
                by_name: names_it(&rf.text),
            });
        }
    }
    // `FROM name` where the name is not (yet) a stage is an image reference in the model
    for st in &a.model.stages {
        if names_it(&st.base_text) && !out.iter().any(|o| o.range == st.base_range) {
            out.push(StageOccurrence {
                range: st.base_range,
                is_definition: false,
                by_name: true,
            });
        }
    }
    out.sort_by_key(|o| (o.range.start, o.range.end));
    out.dedup_by_key(|o| o.range);
    out
}

/// Where "go to definition" on a stage lands: its `AS name`, or for an unnamed stage (named by
/// index) its base image on the `FROM` line.
pub(crate) fn definition(a: &Analysis, index: usize) -> Option<TextRange> {
    let st = a.model.stages.get(index)?;
    st.name_range
        .or_else(|| (!st.base_range.is_empty()).then_some(st.base_range))
        .or(Some(st.range))
}

/// The part of `range` to replace when renaming `old` (quotes around a `--from="x"` value
/// stay where they are).
pub(crate) fn name_part(a: &Analysis, range: TextRange, old: &str) -> Option<TextRange> {
    let text = a.slice(range);
    if text.eq_ignore_ascii_case(old) {
        return Some(range);
    }
    let lower = text.to_ascii_lowercase();
    let at = lower.find(&old.to_ascii_lowercase())?;
    let start = range.start + at as u32;
    Some(TextRange::new(start, start + old.len() as u32))
}
