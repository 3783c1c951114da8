//! Helpers shared by the correctness, suspicious and style rules that mirror BuildKit's own
//! checks: "did you mean" suggestions with BuildKit's distance limit, mapping a byte range of a
//! word's text back into the file, and stage lookup the way BuildKit resolves names.

use std::ops::Range;

use layerwise_analysis::{Base, Model, RefKind, StageRef};
use layerwise_syntax::{InstructionKind, TextRange, Word};

use crate::context::InstRef;

/// Levenshtein distance on characters. Inputs here are instruction, flag and variable names,
/// so the quadratic table is small; longer inputs are cut to keep the work bounded.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    const MAX: usize = 128;
    let a: Vec<char> = a.chars().take(MAX).collect();
    let b: Vec<char> = b.chars().take(MAX).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Edit distance where swapping two neighbouring characters counts as one edit (optimal
/// string alignment): `PAHT` is one typo away from `PATH`.
pub(crate) fn typo_distance(a: &str, b: &str) -> usize {
    const MAX: usize = 128;
    let a: Vec<char> = a.chars().take(MAX).collect();
    let b: Vec<char> = b.chars().take(MAX).collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for j in 0..=b.len() {
        d[0][j] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// BuildKit's `suggest.Search`: the closest option at distance below 3, `None` on an exact
/// match (then the problem is something else) or when nothing is close. Without case
/// sensitivity the answer takes the case of `value` when that is all-lower or all-upper.
pub(crate) fn suggest<'a>(
    value: &str,
    options: impl IntoIterator<Item = &'a str>,
    case_sensitive: bool,
) -> Option<String> {
    let norm = |s: &str| {
        if case_sensitive {
            s.to_string()
        } else {
            s.to_ascii_lowercase()
        }
    };
    let v = norm(value);
    let mut best: Option<(usize, String)> = None;
    for opt in options {
        let o = norm(opt);
        if o == v {
            return None;
        }
        let d = edit_distance(&v, &o);
        if d < 3 && best.as_ref().is_none_or(|(bd, _)| d < *bd) {
            best = Some((d, o));
        }
    }
    let (_, m) = best?;
    if case_sensitive {
        return Some(m);
    }
    Some(if value == value.to_ascii_uppercase() {
        m.to_ascii_uppercase()
    } else {
        m
    })
}

/// The file range of `r` (a byte range in `word.text`). `sliced` says whether the word's text
/// is a slice of BuildKit's logical line (shell words, plain strings, `KEY=value` pieces);
/// JSON strings are decoded, so their inner offsets do not map and the whole word is used.
pub(crate) fn word_sub_range(
    i: &InstRef<'_>,
    word: &Word,
    r: &Range<usize>,
    sliced: bool,
) -> TextRange {
    if !sliced || r.end > word.text.len() || r.start >= r.end {
        return i.abs(word.range);
    }
    let a = i.item.item.source_offset(word, r.start);
    let b = i.item.item.source_offset(word, r.end - 1) + 1;
    let range = i.abs(TextRange::new(a, b.max(a)));
    if range.start < i.abs(word.range).start || range.end > i.abs(word.range).end {
        return i.abs(word.range);
    }
    range
}

/// Whether `text` refers to a variable (`$X`, `${X}`) that the builder would expand.
pub(crate) fn has_var(text: &str, escape: char) -> bool {
    text.contains('$') && !layerwise_syntax::expand::references(text, escape).is_empty()
}

/// The stage `COPY --from=<text>` / `--mount=from=<text>` resolves to in BuildKit: a stage
/// name anywhere in the file (the last definition wins, names compare case-insensitively),
/// or, for `COPY --from` only, a stage index. BuildKit builds its name table before it
/// resolves these references, so later stages are found too.
pub(crate) fn buildkit_stage_ref(model: &Model, text: &str, allow_index: bool) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    if let Some(s) = model
        .stages
        .iter()
        .rev()
        .find(|s| s.name.as_deref() == Some(lower.as_str()))
    {
        return Some(s.index);
    }
    if allow_index && !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<usize>()
            .ok()
            .filter(|&i| i < model.stages.len());
    }
    None
}

/// [`buildkit_stage_ref`] for a reference recorded in the model.
pub(crate) fn ref_target(model: &Model, r: &StageRef) -> Option<usize> {
    match r.kind {
        RefKind::FromStage => None,
        RefKind::CopyFrom => buildkit_stage_ref(model, &r.text, true),
        RefKind::MountFrom => buildkit_stage_ref(model, &r.text, false),
    }
}

/// Whether a reference sits in an instruction this build runs (not an `ONBUILD` trigger,
/// which runs in builds that use this image as their base).
pub(crate) fn ref_runs_now(model: &Model, r: &StageRef) -> bool {
    model
        .instructions
        .get(r.instruction)
        .is_some_and(|i| i.kind != InstructionKind::Onbuild)
}

/// The stages each stage needs (its base stage, `COPY --from` and `--mount from=` stages), with
/// references resolved the way BuildKit does (see [`buildkit_stage_ref`]).
pub(crate) fn stage_deps(model: &Model) -> Vec<Vec<usize>> {
    let mut deps = vec![Vec::new(); model.stages.len()];
    for s in &model.stages {
        if let Base::Stage(b) = s.base {
            deps[s.index].push(b);
        }
    }
    for r in model.refs.iter().filter(|r| ref_runs_now(model, r)) {
        if let (Some(t), Some(d)) = (ref_target(model, r), deps.get_mut(r.stage)) {
            d.push(t);
        }
    }
    deps
}

/// Whether `from` needs `to`, directly or through other stages (bounded by the stage count).
pub(crate) fn depends_on(deps: &[Vec<usize>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; deps.len()];
    let mut todo = vec![from];
    while let Some(s) = todo.pop() {
        if s == to {
            return true;
        }
        if s >= seen.len() || seen[s] {
            continue;
        }
        seen[s] = true;
        todo.extend(deps[s].iter().copied());
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_suggestions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(
            suggest("RUNN", ["RUN", "ARG"], false).as_deref(),
            Some("RUN")
        );
        assert_eq!(
            suggest("copyy", ["COPY", "CMD"], false).as_deref(),
            Some("copy")
        );
        assert_eq!(suggest("RUN", ["RUN"], false), None);
        assert_eq!(suggest("frobnicate", ["RUN"], false), None);
        assert_eq!(
            suggest("chmdo", ["chmod", "chown"], true).as_deref(),
            Some("chmod")
        );
    }

    #[test]
    fn variables() {
        assert!(has_var("a$B", '\\'));
        assert!(!has_var("a\\$B", '\\'));
        assert!(!has_var("price: 5$", '\\'));
    }
}
