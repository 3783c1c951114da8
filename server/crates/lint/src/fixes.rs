//! Applying fixes: edits must not overlap, must leave a file that parses without new syntax
//! errors, and "fix all" must converge.

use layerwise_syntax::Dockerfile;

use crate::diagnostic::{Applicability, Edit, Fix};

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
    keeps_syntax(text, Dockerfile::parse(text).errors().len(), fix)
}

/// Like [`fix_keeps_syntax`] with the original's error count already known, so a batch of
/// fixes parses the original once instead of once per fix.
fn keeps_syntax(text: &str, errors_before: usize, fix: &Fix) -> bool {
    Dockerfile::parse(&apply_edits(text, &fix.edits))
        .errors()
        .len()
        <= errors_before
}

/// Applies every fix of at least `min` applicability in one pass, skipping fixes whose edits
/// overlap an earlier one. Returns the new text and how many fixes were applied.
pub fn apply_fixes<'a>(
    text: &str,
    fixes: impl IntoIterator<Item = &'a Fix>,
    allow_unsafe: bool,
) -> (String, usize) {
    let mut errors_before: Option<usize> = None;
    let mut chosen: Vec<Edit> = Vec::new();
    let mut count = 0;
    for fix in fixes {
        let ok = match fix.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => allow_unsafe,
            Applicability::DisplayOnly => false,
        };
        if !ok
            || !keeps_syntax(
                text,
                *errors_before.get_or_insert_with(|| Dockerfile::parse(text).errors().len()),
                fix,
            )
        {
            continue;
        }
        let overlaps = fix.edits.iter().any(|e| {
            chosen.iter().any(|c| {
                e.range.start < c.range.end.max(c.range.start + 1)
                    && c.range.start < e.range.end.max(e.range.start + 1)
            })
        });
        if overlaps {
            continue;
        }
        chosen.extend(fix.edits.iter().cloned());
        count += 1;
    }
    (apply_edits(text, &chosen), count)
}
