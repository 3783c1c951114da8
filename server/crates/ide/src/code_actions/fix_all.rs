//! "Fix all safe problems" (`source.fixAll.layerwise`): every safe fix of every rule, applied
//! in rounds (a fix can make another one possible) until nothing changes, bounded.

use layerwise_lint::fixes::apply_fixes;
use layerwise_lint::{Applicability, Edit, Fix};
use layerwise_syntax::{Dockerfile, TextRange};

use super::{ActionKind, CodeAction};
use crate::Analysis;

/// Rounds of fixing: fixes that unlock others converge in two or three.
const MAX_ROUNDS: usize = 5;

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
        // `apply_fixes` checks the fixes together and bounds its own search for broken ones
        let (next, n) = apply_fixes(&text, fixes.iter().copied(), false);
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
    // the findings it resolves, for the editor to match with its list: the first ones only,
    // as for the quick fixes (a 4 MB file of safe fixes listed 300,000, a 130 MB answer)
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
        .take(super::MAX_FINDINGS_PER_REQUEST)
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
        text: new[start..new.len() - suffix].to_string().into(),
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
