//! Selection ranges ("expand selection"): from the word under the cursor outwards to the
//! `key=value` field of a flag, the whole flag or argument, the instruction, its stage and the
//! file. Built from the item's tokens, so it costs one item, not the file.

use layerwise_syntax::{TextRange, TokenKind};

use crate::Analysis;

/// The ranges around `offset`, innermost first, each strictly containing the one before.
pub fn selection_ranges(a: &Analysis, offset: u32) -> Vec<TextRange> {
    let mut steps: Vec<TextRange> = Vec::new();
    if let Some(r) = a.item_at(offset) {
        let rel = r.rel(offset);
        let token = r
            .item
            .tokens()
            .iter()
            .filter(|t| {
                !matches!(
                    t.kind,
                    TokenKind::Whitespace | TokenKind::Newline | TokenKind::Bom
                )
            })
            .find(|t| t.range.touches(rel) && !t.range.is_empty());
        if let Some(t) = token {
            let text = r.slice(t.range);
            let at = (rel - t.range.start) as usize;
            let abs = r.abs(t.range);
            let mut word = run_around(text, at, is_word_char);
            // `--no-cache`: the name first, then the flag with its dashes
            let dashes =
                text[word.as_usize()].len() - text[word.as_usize()].trim_start_matches('-').len();
            if word.start as usize + dashes <= at {
                word.start += dashes as u32;
            }
            steps.push(word.shifted(abs.start));
            if t.kind == TokenKind::Flag {
                steps.push(run_around(text, at, |c| c != ',').shifted(abs.start));
            }
            steps.push(run_around(text, at, |c| !c.is_whitespace()).shifted(abs.start));
            steps.push(abs);
        }
        steps.push(trim(a, r.range()));
    }
    if let Some(stage) = a.model.stage_at(offset).filter(|s| s.range.touches(offset)) {
        steps.push(trim(a, stage.range));
    }
    steps.push(TextRange::new(0, a.text.len() as u32));
    let mut out: Vec<TextRange> = Vec::new();
    for s in steps {
        if s.is_empty() && !out.is_empty() {
            continue;
        }
        match out.last() {
            Some(last) if *last == s || !s.contains_range(*last) => {}
            _ => out.push(s),
        }
    }
    out
}

/// Characters of a name, a path or a version: what a double click would select.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '@' | '+' | '~' | '%')
}

/// The run of characters satisfying `keep` around byte `at` of `text` (relative range).
fn run_around(text: &str, at: usize, keep: impl Fn(char) -> bool) -> TextRange {
    let at = at.min(text.len());
    let at = (0..=at)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let start = text[..at]
        .char_indices()
        .rev()
        .take_while(|(_, c)| keep(*c))
        .last()
        .map_or(at, |(i, _)| i);
    let end = text[at..]
        .char_indices()
        .find(|(_, c)| !keep(*c))
        .map_or(text.len(), |(i, _)| at + i);
    TextRange::from_usize(start, end)
}

/// `range` without trailing white space and line breaks.
fn trim(a: &Analysis, range: TextRange) -> TextRange {
    let kept = a.slice(range).trim_end().len() as u32;
    TextRange::new(range.start, range.start + kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(text: &str) -> Vec<String> {
        let offset = text.find("$0").expect("cursor") as u32;
        let a = Analysis::from_text(&text.replacen("$0", "", 1));
        selection_ranges(&a, offset)
            .into_iter()
            .map(|r| a.slice(r).to_string())
            .collect()
    }

    #[test]
    fn expands_from_a_mount_field_to_the_file() {
        let text =
            "FROM python:3.12 AS app\nRUN --mount=type=cache,tar$0get=/root/.cache pip install x\n";
        let clean = text.replacen("$0", "", 1);
        assert_eq!(
            steps(text),
            [
                "target",
                "target=/root/.cache",
                "--mount=type=cache,target=/root/.cache",
                "RUN --mount=type=cache,target=/root/.cache pip install x",
                clean.trim_end(),
                &clean,
            ]
        );
    }

    #[test]
    fn shell_words_then_the_command_line() {
        let text =
            "FROM alpine:3.20\nFROM alpine:3.20\nRUN apk add --no-ca$0che curl \\\n    git\n";
        let s = steps(text);
        assert_eq!(s[0], "no-cache");
        assert_eq!(s[1], "--no-cache");
        assert_eq!(s[2], "apk add --no-cache curl ");
        assert_eq!(s[3], "RUN apk add --no-cache curl \\\n    git");
        assert_eq!(
            s[4],
            "FROM alpine:3.20\nRUN apk add --no-cache curl \\\n    git"
        );
        assert_eq!(s.len(), 6);
    }

    #[test]
    fn image_words_and_comments() {
        assert_eq!(
            steps("FROM node:2$00-alpine\n")[..3],
            ["20-alpine", "node:20-alpine", "FROM node:20-alpine"]
        );
        let s = steps("# hello wor$0ld\nFROM a\n");
        assert_eq!(s[..2], ["world", "# hello world"]);
    }

    #[test]
    fn every_step_contains_the_one_before() {
        let text = "ARG V=1\nFROM a:${V} AS b\nCOPY --chown=1:1 [\"a b\", \"/c\"]\nRUN <<EOF\necho hé\nEOF\n";
        let a = Analysis::from_text(text);
        for o in 0..=text.len() as u32 {
            let s = selection_ranges(&a, o);
            assert!(!s.is_empty());
            assert!(s[0].touches(o) || s[0].start <= o, "{o}: {s:?}");
            for w in s.windows(2) {
                assert!(w[1].contains_range(w[0]) && w[1] != w[0], "{o}: {s:?}");
            }
        }
    }
}
