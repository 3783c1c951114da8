//! Helpers shared by the correctness, suspicious and style rules that mirror BuildKit's own
//! checks: "did you mean" suggestions with BuildKit's distance limit and mapping a byte range
//! of a word's text back into the file.

use std::ops::Range;

use layerwise_syntax::{TextRange, Word};

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
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
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
    let norm = |s: &'a str| -> std::borrow::Cow<'a, str> {
        if case_sensitive || !s.bytes().any(|b| b.is_ascii_uppercase()) {
            s.into()
        } else {
            s.to_ascii_lowercase().into()
        }
    };
    let v = if case_sensitive {
        value.to_string()
    } else {
        value.to_ascii_lowercase()
    };
    let mut best: Option<(usize, std::borrow::Cow<'a, str>)> = None;
    for opt in options {
        let o = norm(opt);
        if *o == *v {
            return None;
        }
        // the distance is at least the difference in length: most options end here
        if o.len().abs_diff(v.len()) >= 3 && o.chars().count().abs_diff(v.chars().count()) >= 3 {
            continue;
        }
        let d = edit_distance(&v, &o);
        if d < 3 && best.as_ref().is_none_or(|(bd, _)| d < *bd) {
            best = Some((d, o));
        }
    }
    let m = best?.1.into_owned();
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
    if !text.contains('$') {
        return false;
    }
    // Fast path for the common case, no quotes and no escapes: then `$NAME` is always a
    // reference. Anything else goes through the real lexer.
    let plain = !text.contains(['\'', '"', escape]);
    if plain {
        let b = text.as_bytes();
        let name_start = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_');
        let simple_ref = (0..b.len()).any(|k| {
            b[k] == b'$'
                && (name_start(b.get(k + 1))
                    || (b.get(k + 1) == Some(&b'{')
                        && name_start(b.get(k + 2))
                        && b[k + 2..].contains(&b'}')))
        });
        if simple_ref {
            return true;
        }
    }
    !layerwise_syntax::expand::references(text, escape).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path agrees with the lexer.
    #[test]
    fn has_var_agrees_with_the_lexer() {
        let texts = [
            "a$B",
            "$_x",
            "${A}",
            "${A:-b}",
            "$1",
            "$$",
            "$",
            "a$",
            "$-",
            "'$A'",
            "\"$A\"",
            "\\$A",
            "`$A",
            "$(cmd)",
            "x${",
            "${A",
            "${A-b}",
            "${A:?}",
            "${A.b}",
            "${A}x${B",
            "cost 5$ each",
            "$é",
            "a $b c",
            "$A$B",
        ];
        for t in texts {
            for escape in ['\\', '`'] {
                let lexer = !layerwise_syntax::expand::references(t, escape).is_empty();
                assert_eq!(has_var(t, escape), lexer, "{t:?} with escape {escape:?}");
            }
        }
    }

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
        assert!(has_var("golang:${GO_VERSION}-alpine", '\\'));
        assert!(has_var("x:$V", '`'));
        assert!(!has_var("a`$B", '`'));
        assert!(!has_var("a\\$B", '\\'));
        assert!(!has_var("price: 5$", '\\'));
    }
}
