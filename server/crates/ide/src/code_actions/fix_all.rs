//! "Fix all safe problems" (`source.fixAll.layerwise`): every safe fix of every rule, applied
//! in rounds (a fix can make another one possible) until nothing changes, bounded.

use layerwise_lint::fixes::{apply_edits, apply_fixes};
use layerwise_lint::{Applicability, Edit, Fix};
use layerwise_syntax::{Dockerfile, TextRange};

use super::{ActionKind, CodeAction};
use crate::Analysis;

/// Rounds of fixing: fixes that unlock others converge in two or three.
const MAX_ROUNDS: usize = 5;

/// How many bytes the per-fix syntax checks of [`apply_fixes`] may parse in one round (it
/// parses the whole file twice per fix); beyond that the fixes are applied together and
/// checked once, which gives the same result unless a fix breaks the syntax.
const CHECK_BUDGET: usize = 32 << 20;

/// The text after applying every safe fix, and how many fixes were applied.
pub fn fix_all_text(a: &Analysis) -> (String, usize) {
    let mut text = a.text.clone();
    let mut total = 0;
    let mut current: Option<Analysis> = None;
    for _ in 0..MAX_ROUNDS {
        let analysis = current.as_ref().unwrap_or(a);
        let fixes: Vec<&Fix> = analysis
            .diagnostics()
            .iter()
            .filter_map(|d| d.fixes.first())
            .filter(|f| f.applicability == Applicability::Safe)
            .collect();
        let cost = fixes.len().saturating_mul(text.len()).saturating_mul(2);
        let (next, n) = if cost <= CHECK_BUDGET {
            apply_fixes(&text, fixes.iter().copied(), false)
        } else {
            apply_together(&text, &fixes)
        };
        if n == 0 || next == text {
            break;
        }
        total += n;
        text = next;
        current = Some(Analysis::new(
            text.clone(),
            Dockerfile::parse(&text),
            a.model.options.clone(),
            a.facts.clone(),
            a.config.clone(),
        ));
    }
    (text, total)
}

/// Applies non-overlapping fixes (in order) in one go, and keeps the result only if it
/// has no new syntax errors; otherwise falls back to checking each fix, within the budget.
fn apply_together(text: &str, fixes: &[&Fix]) -> (String, usize) {
    let mut chosen: Vec<Edit> = Vec::new();
    let mut count = 0;
    for fix in fixes {
        let overlaps = fix.edits.iter().any(|e| {
            chosen.iter().any(|c| {
                e.range.start < c.range.end.max(c.range.start + 1)
                    && c.range.start < e.range.end.max(e.range.start + 1)
            })
        });
        if !overlaps {
            chosen.extend(fix.edits.iter().cloned());
            count += 1;
        }
    }
    let out = apply_edits(text, &chosen);
    if Dockerfile::parse(&out).errors().len() <= Dockerfile::parse(text).errors().len() {
        return (out, count);
    }
    // some fix breaks the syntax: check them one by one, as many as the budget allows
    let n = (CHECK_BUDGET / text.len().max(1) / 2).max(1);
    apply_fixes(text, fixes.iter().take(n).copied(), false)
}

/// The fix-all action, when there is anything safe to fix. Its edit replaces only the part
/// of the file that changes, so the editor keeps the cursor and folds elsewhere.
pub fn fix_all(a: &Analysis) -> Option<CodeAction> {
    if !a.diagnostics().iter().any(|d| {
        d.fixes
            .first()
            .is_some_and(|f| f.applicability == Applicability::Safe)
    }) {
        return None;
    }
    let (text, n) = fix_all_text(a);
    if n == 0 || text == a.text {
        return None;
    }
    let edit = minimal_edit(&a.text, &text);
    let title = if n == 1 {
        "Fix all safe problems (1 fix)".to_string()
    } else {
        format!("Fix all safe problems ({n} fixes)")
    };
    let mut act = CodeAction::new(title, ActionKind::FixAll, vec![edit]);
    act.applicability = Applicability::Safe;
    act.diagnostics = a
        .diagnostics()
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            d.fixes
                .first()
                .is_some_and(|f| f.applicability == Applicability::Safe)
        })
        .map(|(i, _)| i)
        .collect();
    Some(act)
}

/// One edit turning `old` into `new`: the differing middle, after the common prefix and
/// suffix (on character boundaries).
pub(crate) fn minimal_edit(old: &str, new: &str) -> Edit {
    let mut start = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(start) || !new.is_char_boundary(start) {
        start -= 1;
    }
    let max_suffix = old.len().min(new.len()) - start;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    Edit {
        range: TextRange::from_usize(start, old.len() - suffix),
        text: new[start..new.len() - suffix].to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_edits_keep_common_ends() {
        for (a, b) in [
            ("abcdef", "abXdef"),
            ("abc", "abc"),
            ("", "x"),
            ("aaa", "aa"),
            ("é1é", "é2é"),
            ("xé", "xè"),
        ] {
            let e = minimal_edit(a, b);
            let mut s = a.to_string();
            s.replace_range(e.range.as_usize(), &e.text);
            assert_eq!(s, b, "{a} -> {b}: {e:?}");
        }
        assert_eq!(minimal_edit("abcdef", "abXdef").range, TextRange::new(2, 3));
    }
}
