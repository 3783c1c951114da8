//! Where the cursor is, in the terms completion needs: the word being typed, a `$NAME` being
//! typed, whether a comment line is part of the file's header, whether the cursor is in a
//! here-document body.

use layerwise_syntax::ItemKind;

use crate::Analysis;

pub(super) fn word_len(before: &str) -> u32 {
    current_word(before).len() as u32
}

/// The word being typed (after the last white space).
pub(super) fn current_word(before: &str) -> &str {
    // after the last whitespace character, whatever its width (U+3000 is three bytes)
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    before.get(start..).unwrap_or("")
}

/// Only directives come before `line_start`: a comment there may still be a directive.
pub(super) fn is_header(a: &Analysis, line_start: u32) -> bool {
    a.file
        .items()
        .take_while(|r| r.start < line_start)
        .all(|r| r.item.kind == ItemKind::Directive)
}

pub(super) fn in_heredoc(a: &Analysis, offset: u32) -> bool {
    a.item_at(offset)
        .and_then(|r| r.instruction().map(|i| (r, i)))
        .is_some_and(|(r, i)| {
            i.effective()
                .heredocs
                .iter()
                .any(|h| r.abs(h.body).contains(offset))
        })
}

/// `$NAME` or `${NAME` right before the cursor: the offset (in the line) where the name starts.
pub(super) fn variable_prefix(before: &str) -> Option<usize> {
    let name_start = before.len()
        - before
            .bytes()
            .rev()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
    let head = &before[..name_start];
    if head.ends_with("${") || (head.ends_with('$') && !head.ends_with("$$")) {
        Some(name_start)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    /// A wide whitespace character before the cursor must not cut inside it (fuzz finding
    /// `analyze/completion-inside-a-character`).
    #[test]
    fn current_word_after_a_wide_space() {
        assert_eq!(super::current_word("RUN a\u{3000}bc"), "bc");
        assert_eq!(super::current_word("COPY --from=x\u{2000}"), "");
        assert_eq!(super::current_word("ab"), "ab");
    }

    #[test]
    fn variable_prefix_after_dollar_or_brace_not_after_two_dollars() {
        assert_eq!(super::variable_prefix("RUN echo $HO"), Some(10));
        assert_eq!(super::variable_prefix("RUN echo ${"), Some(11));
        assert_eq!(super::variable_prefix("RUN echo $$HO"), None);
        assert_eq!(super::variable_prefix("RUN echo HO"), None);
    }
}
