//! Applying fixes: edits must not overlap, must leave a file that parses without new syntax
//! errors, and "fix all" must converge.
//!
//! Fixes are checked *together*, not one by one against the original: two fixes that are each
//! fine alone can break the file together (`d <<E` / `E`: fixing `d` to `add` makes the next
//! line a heredoc terminator, and fixing `E` to `ENV` then leaves the heredoc open).

use std::collections::BTreeMap;

use layerwise_syntax::Dockerfile;

use crate::diagnostic::{Applicability, Edit, Fix};

/// How many bytes the search for the fixes to leave out may parse in one [`apply_fixes`]
/// call. Fixes that keep the syntax together cost two parses (before and after) and never
/// touch it; each fix that breaks the file costs about `2 · log2(fixes)` parses to find. Past
/// the budget the fixes not yet checked are left out, so a file with thousands of broken
/// fixes costs a bounded amount of work instead of one parse per fix.
const SEARCH_BUDGET: usize = 32 << 20;

/// Applies non-overlapping edits (later ones first). Overlapping edits are skipped.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut edits: Vec<&Edit> = edits.iter().collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0usize;
    for e in edits {
        let (a, b) = (e.range.start as usize, e.range.end as usize);
        if a < pos || b > text.len() || !text.is_char_boundary(a) || !text.is_char_boundary(b) {
            continue;
        }
        out.push_str(&text[pos..a]);
        out.push_str(&e.text);
        pos = b;
    }
    out.push_str(&text[pos..]);
    out
}

/// Whether applying `fix` to `text` keeps the file free of new syntax errors.
pub fn fix_keeps_syntax(text: &str, fix: &Fix) -> bool {
    fix_keeps_syntax_with(text, Dockerfile::parse(text).errors().len(), fix)
}

/// Like [`fix_keeps_syntax`] with the original's error count already known, so checking
/// several fixes of one file parses the original once.
pub fn fix_keeps_syntax_with(text: &str, errors_before: usize, fix: &Fix) -> bool {
    errors(&apply_edits(text, &fix.edits)) <= errors_before
}

fn errors(text: &str) -> usize {
    Dockerfile::parse(text).errors().len()
}

/// Applies every fix of at least the allowed applicability, earlier fixes first (a fix whose
/// edits overlap one already taken is skipped), keeping only what leaves no more syntax errors
/// than the original. Returns the new text and how many fixes were applied.
///
/// All fixes are tried together first, which is the usual outcome. When together they add an
/// error, the group is halved and each half added on top of what was kept, down to single
/// fixes: a fix is kept only if the running result still parses without new errors. That keeps
/// at least what adding fixes one at a time would (a fix that breaks the syntax alone but is
/// repaired by another fix of the same group is kept), at the cost of a few parses per broken
/// fix instead of one per fix (bounded by [`SEARCH_BUDGET`]).
pub fn apply_fixes<'a>(
    text: &str,
    fixes: impl IntoIterator<Item = &'a Fix>,
    allow_unsafe: bool,
) -> (String, usize) {
    apply_fixes_within(text, fixes, allow_unsafe, SEARCH_BUDGET)
}

/// [`apply_fixes`] with the search budget given.
fn apply_fixes_within<'a>(
    text: &str,
    fixes: impl IntoIterator<Item = &'a Fix>,
    allow_unsafe: bool,
    search_budget: usize,
) -> (String, usize) {
    let fixes: Vec<&Fix> = fixes
        .into_iter()
        .filter(|f| match f.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => allow_unsafe,
            Applicability::DisplayOnly => false,
        })
        .collect();
    if fixes.is_empty() {
        return (text.to_string(), 0);
    }
    let mut run = Run {
        text,
        fixes: &fixes,
        errors_before: errors(text),
        taken: vec![false; fixes.len()],
        spans: BTreeMap::new(),
        budget: None,
        search_budget,
    };
    let all: Vec<usize> = (0..fixes.len()).collect();
    run.add(&all);
    let count = run.taken.iter().filter(|&&t| t).count();
    (run.render(), count)
}

/// The state of one [`apply_fixes`] call.
struct Run<'t, 'f> {
    text: &'t str,
    fixes: &'f [&'f Fix],
    errors_before: usize,
    /// Which fixes are kept so far.
    taken: Vec<bool>,
    /// The stretches the kept fixes edit (`start -> (end, fix)`), disjoint, so whether a new
    /// edit overlaps one is a single look-up. Insertions count as one byte wide: two
    /// insertions at the same place, or one at the start of a replaced range, conflict.
    spans: BTreeMap<u32, (u32, usize)>,
    /// Bytes the search may still parse; `None` until the first (free) check is done.
    budget: Option<usize>,
    /// What the search may parse in all.
    search_budget: usize,
}

impl Run<'_, '_> {
    /// Adds the fixes of `group` (indexes, in order) on top of what is kept, keeping as many
    /// as the syntax allows.
    fn add(&mut self, group: &[usize]) {
        if group.is_empty() || self.budget == Some(0) {
            return;
        }
        let added: Vec<usize> = group.iter().copied().filter(|&k| self.take(k)).collect();
        if added.is_empty() {
            return;
        }
        let out = self.render();
        let affordable = match self.budget {
            None => true,
            Some(left) => out.len() <= left,
        };
        if affordable {
            let left = self
                .budget
                .map_or(self.search_budget, |b| b.saturating_sub(out.len()));
            self.budget = Some(left);
            if errors(&out) <= self.errors_before {
                return;
            }
        } else {
            // out of budget: leave the rest out (their result was never checked)
            self.budget = Some(0);
        }
        for &k in &added {
            self.untake(k);
        }
        if self.budget == Some(0) {
            return;
        }
        match added.as_slice() {
            // this fix breaks the file on top of what is kept: drop it, and try the others
            // of the group, which may have been skipped only because they overlapped it
            [bad] => {
                let rest: Vec<usize> = group.iter().copied().filter(|k| k != bad).collect();
                self.add(&rest);
            }
            _ => {
                let (first, second) = group.split_at(group.len() / 2);
                self.add(first);
                self.add(second);
            }
        }
    }

    /// Keeps fix `k` unless one of its edits overlaps a kept fix's.
    fn take(&mut self, k: usize) -> bool {
        let Some(fix) = self.fixes.get(k) else {
            return false;
        };
        let own = merged_spans(&fix.edits);
        let clash = own.iter().any(|&(start, end)| {
            self.spans
                .range(..end)
                .next_back()
                .is_some_and(|(_, &(e, _))| e > start)
        });
        if clash {
            return false;
        }
        for (start, end) in own {
            self.spans.insert(start, (end, k));
        }
        self.taken[k] = true;
        true
    }

    fn untake(&mut self, k: usize) {
        if let Some(fix) = self.fixes.get(k) {
            for (start, _) in merged_spans(&fix.edits) {
                self.spans.remove(&start);
            }
        }
        self.taken[k] = false;
    }

    /// The text with the kept fixes applied.
    fn render(&self) -> String {
        let edits: Vec<Edit> = self
            .fixes
            .iter()
            .zip(&self.taken)
            .filter(|(_, &t)| t)
            .flat_map(|(f, _)| f.edits.iter().cloned())
            .collect();
        apply_edits(self.text, &edits)
    }
}

/// The stretches one fix's edits cover (an insertion counts as one byte), merged where they
/// meet, sorted.
fn merged_spans(edits: &[Edit]) -> Vec<(u32, u32)> {
    let mut spans: Vec<(u32, u32)> = edits
        .iter()
        .map(|e| {
            let start = e.range.start;
            (start, e.range.end.max(start.saturating_add(1)))
        })
        .collect();
    spans.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match out.last_mut() {
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use layerwise_syntax::TextRange;

    fn fix(start: u32, end: u32, text: &str) -> Fix {
        Fix {
            title: format!("{start}..{end} -> {text}").into(),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                range: TextRange::new(start, end),
                text: text.to_string().into(),
            }]
            .into(),
        }
    }

    #[test]
    fn two_fixes_fine_alone_but_not_together_keep_the_first() {
        // `d` -> `add` turns the next line into the heredoc's terminator; `E` -> `ENV` alone
        // is fine too, but together the heredoc loses its terminator
        let text = "d <<E\nE";
        let (a, b) = (fix(0, 1, "add"), fix(6, 7, "ENV"));
        assert!(fix_keeps_syntax(text, &a) && fix_keeps_syntax(text, &b));
        assert!(errors("add <<E\nENV") > errors(text));
        let (out, n) = apply_fixes(text, [&a, &b], true);
        assert_eq!((out.as_str(), n), ("add <<E\nE", 1));
        // in the other order the other one is kept
        let (out, n) = apply_fixes(text, [&b, &a], true);
        assert_eq!((out.as_str(), n), ("d <<E\nENV", 1));
    }

    #[test]
    fn good_fixes_around_a_broken_one_are_all_kept() {
        // ten harmless fixes and one that opens a heredoc nothing closes
        let mut text = String::new();
        for k in 0..11 {
            text.push_str(&format!("FROM a{k}\n"));
        }
        let line = |k: u32| k * 8;
        let mut fixes: Vec<Fix> = (0..11).map(|k| fix(line(k), line(k) + 4, "from")).collect();
        fixes[5] = fix(line(5) + 5, line(5) + 7, "a5\nRUN <<EOF");
        let (out, n) = apply_fixes(&text, &fixes, false);
        assert_eq!(n, 10, "{out}");
        assert_eq!(out.matches("from a").count(), 10);
        assert!(!out.contains("EOF"));
        assert_eq!(errors(&out), 0);
    }

    #[test]
    fn overlapping_fixes_keep_the_earlier_and_a_rejected_fix_frees_its_place() {
        let text = "FROM a\nRUN x\n";
        let first = fix(7, 10, "RUN y &&");
        let second = fix(7, 10, "run");
        let (out, n) = apply_fixes(text, [&first, &second], false);
        assert_eq!((out.as_str(), n), ("FROM a\nRUN y && x\n", 1));
        // an insertion at the same place as another conflicts too
        let (out, n) = apply_fixes(text, [&fix(7, 7, "# a\n"), &fix(7, 7, "# b\n")], false);
        assert_eq!((out.as_str(), n), ("FROM a\n# a\nRUN x\n", 1));
        // the earlier fix breaks the file (a heredoc left open): the later one takes its place
        let broken = fix(7, 10, "RUN <<EOF");
        let (out, n) = apply_fixes(text, [&broken, &second], false);
        assert_eq!((out.as_str(), n), ("FROM a\nrun x\n", 1));
    }

    #[test]
    fn applicability_and_empty_input() {
        let text = "FROM a\n";
        let mut unsafe_fix = fix(0, 4, "from");
        unsafe_fix.applicability = Applicability::Unsafe;
        assert_eq!(apply_fixes(text, [&unsafe_fix], false).1, 0);
        assert_eq!(apply_fixes(text, [&unsafe_fix], true).1, 1);
        let mut shown = fix(0, 4, "from");
        shown.applicability = Applicability::DisplayOnly;
        assert_eq!(apply_fixes(text, [&shown], true).1, 0);
        assert_eq!(apply_fixes("", [], true), (String::new(), 0));
    }

    #[test]
    fn thousands_of_broken_fixes_stay_within_the_budget() {
        // every fix but the first opens a heredoc nobody closes: checking them one by one
        // would parse the file 3,000 times; the search stops when its budget (here twenty
        // parses) is spent, having kept nothing broken
        let text = "FROM a\nRUN x\n".repeat(3000);
        let mut fixes: Vec<Fix> = (0..3000u32)
            .map(|k| fix(k * 13 + 11, k * 13 + 12, "<<EOF x"))
            .collect();
        fixes[0] = fix(7, 10, "run");
        let (out, n) = apply_fixes_within(&text, &fixes, false, 20 * text.len());
        assert_eq!(errors(&out), 0);
        // finding the good fix takes a parse per halving (about 13), within the budget
        assert_eq!(n, 1);
        assert!(out.starts_with("FROM a\nrun x\nFROM a\nRUN x\n"));
        // with the budget to finish, exactly the good one is kept
        let (out, n) = apply_fixes(&text[..13 * 40], &fixes[..40], false);
        assert_eq!(n, 1);
        assert!(out.starts_with("FROM a\nrun x\nFROM a\nRUN x\n"));
    }
}
