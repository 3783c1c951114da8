//! Folding ranges: each stage, each instruction that spans lines, each here-document, and each
//! block of two or more comment lines. Ranges end at the last character (never on the line
//! break), so `lsp` can turn them into line spans directly; it also drops folds of one line
//! and keeps one fold per start line, as editors expect.

use layerwise_syntax::{ItemKind, TextRange};

use crate::Analysis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoldKind {
    /// Code: a stage, an instruction, a here-document.
    Region,
    Comment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    pub range: TextRange,
    pub kind: FoldKind,
}

pub fn folding_ranges(a: &Analysis) -> Vec<Fold> {
    let mut out = Vec::new();
    let region = |range| Fold {
        range,
        kind: FoldKind::Region,
    };
    for stage in &a.model.stages {
        out.push(region(trim(a, stage.range)));
    }
    let mut comments: Option<(TextRange, usize)> = None;
    let flush = |c: &mut Option<(TextRange, usize)>, out: &mut Vec<Fold>| {
        if let Some((range, lines)) = c.take() {
            if lines > 1 {
                out.push(Fold {
                    range: trim(a, range),
                    kind: FoldKind::Comment,
                });
            }
        }
    };
    for r in a.file.items() {
        if r.item.kind == ItemKind::Comment {
            comments = Some(match comments {
                Some((range, n)) => (range.cover(r.range()), n + 1),
                None => (r.range(), 1),
            });
            continue;
        }
        flush(&mut comments, &mut out);
        let Some(inst) = r.instruction() else {
            continue;
        };
        if r.item.newlines() > 1 || !r.text().ends_with('\n') && r.item.newlines() > 0 {
            out.push(region(trim(a, r.range())));
        }
        for h in &inst.effective().heredocs {
            let end = h.terminator.unwrap_or(h.body).end;
            out.push(region(trim(a, r.abs(TextRange::new(h.opener.start, end)))));
        }
    }
    flush(&mut comments, &mut out);
    out.retain(|f| !f.range.is_empty());
    out.sort_by_key(|f| (f.range.start, std::cmp::Reverse(f.range.end)));
    out.dedup();
    out
}

/// `range` without trailing white space and line breaks.
fn trim(a: &Analysis, range: TextRange) -> TextRange {
    let kept = a.slice(range).trim_end().len() as u32;
    TextRange::new(range.start, range.start + kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(first line, last line, kind)` of each fold, 1-based.
    fn lines(text: &str) -> Vec<(usize, usize, FoldKind)> {
        let a = Analysis::from_text(text);
        let line = |o: u32| text[..o as usize].matches('\n').count() + 1;
        folding_ranges(&a)
            .into_iter()
            .map(|f| (line(f.range.start), line(f.range.end), f.kind))
            .collect()
    }

    use FoldKind::{Comment, Region};

    #[test]
    fn stages_instructions_heredocs_and_comment_blocks() {
        let text = "# one\n# two\nFROM alpine:3.20 AS a\nRUN apk add \\\n    curl\n\n# single\nFROM a\nRUN <<EOF\necho hi\nEOF\nCMD x\n";
        assert_eq!(
            lines(text),
            [
                (1, 2, Comment),
                (3, 5, Region),
                (4, 5, Region),
                (8, 12, Region),
                (9, 11, Region),
                (9, 11, Region),
            ]
        );
    }

    #[test]
    fn crlf_files_and_a_last_line_without_break() {
        let text = "FROM alpine:3.20\r\nRUN a \\\r\n  b\r\nRUN c \\\n  d";
        assert_eq!(
            lines(text),
            [(1, 5, Region), (2, 3, Region), (4, 5, Region)]
        );
    }

    #[test]
    fn unterminated_heredoc_folds_to_the_end() {
        let text = "FROM alpine:3.20\nRUN <<EOF\necho\nmore\n";
        let folds = lines(text);
        assert!(folds.contains(&(2, 4, Region)), "{folds:?}");
    }

    #[test]
    fn odd_files_do_not_panic() {
        for t in [
            "",
            "#",
            "# a\n# b",
            "RUN <<",
            "FROM a\\",
            "\u{feff}# x\n# y\n",
        ] {
            let _ = lines(t);
        }
    }
}
