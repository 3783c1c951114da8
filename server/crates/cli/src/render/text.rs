//! Human output: rustc-style snippets with the finding, its note and related locations.

use std::ops::Range;

use annotate_snippets::{Level, Renderer, Snippet};
use layerwise_lint::Severity;

use crate::analyze::FileReport;
use crate::line_index::LineIndex;

fn level(s: Severity) -> Level {
    match s {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Info,
        Severity::Hint => Level::Help,
    }
}

/// A span that is safe to hand to the renderer: inside the text, on character boundaries.
fn clamp(text: &str, start: u32, end: u32) -> Range<usize> {
    let mut a = (start as usize).min(text.len());
    let mut b = (end as usize).clamp(a, text.len());
    while !text.is_char_boundary(a) {
        a -= 1;
    }
    while !text.is_char_boundary(b) {
        b += 1;
    }
    a..b
}

/// The lines one snippet shows: from the start of the line holding the earliest span to the
/// end (before the `\n`) of the line holding the latest one.
///
/// Why not hand the renderer the whole file: with `fold(true)` annotate-snippets cuts the
/// source down to exactly these lines itself, but it numbers them by counting every line before
/// the first one, once per snippet, which makes thousands of findings in a long file quadratic
/// (reliability finding F17). Cutting here with the file's line index gives it the same lines
/// and the same first line number, so the output is unchanged.
struct Excerpt<'a> {
    source: &'a str,
    /// 1-based number of the first line of `source`.
    first_line: usize,
    /// Where `source` starts in the file: spans are moved back by this much.
    offset: usize,
}

impl<'a> Excerpt<'a> {
    /// `spans` must come from [`clamp`] over `text`.
    fn new(text: &'a str, idx: &LineIndex, spans: &[Range<usize>]) -> Self {
        let first = spans.iter().map(|s| s.start).min().unwrap_or(0);
        let last = spans.iter().map(|s| s.end).max().unwrap_or(text.len());
        let line = idx.line_of(first);
        let start = idx.line_start(line).unwrap_or(0).min(first);
        // The next line starts just after the `\n` that ends the last one.
        let end = idx
            .line_start(idx.line_of(last) + 1)
            .map_or(text.len(), |next| next - 1)
            .max(last)
            .min(text.len());
        Excerpt {
            source: text.get(start..end).unwrap_or(""),
            first_line: line + 1,
            offset: start,
        }
    }

    fn span(&self, r: &Range<usize>) -> Range<usize> {
        r.start.saturating_sub(self.offset)..r.end.saturating_sub(self.offset)
    }
}

/// One finding's snippet: the finding's span and its related locations, labelled.
fn snippet<'a>(
    origin: &'a str,
    excerpt: &Excerpt<'a>,
    lvl: Level,
    rule: &'a str,
    main: &Range<usize>,
    related: &[(Range<usize>, &'a str)],
) -> Snippet<'a> {
    let mut snippet = Snippet::source(excerpt.source)
        .line_start(excerpt.first_line)
        .origin(origin)
        .fold(true)
        .annotation(lvl.span(excerpt.span(main)).label(rule));
    for (range, message) in related {
        snippet = snippet.annotation(Level::Note.span(excerpt.span(range)).label(message));
    }
    snippet
}

pub fn render(reports: &[FileReport], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    let (mut errors, mut warnings, mut others) = (0, 0, 0);
    for r in reports {
        let origin = r.path.display().to_string();
        let text = r.text();
        let idx = LineIndex::new(text);
        for d in &r.diagnostics {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                _ => others += 1,
            }
            let lvl = level(d.severity);
            let main = clamp(text, d.range.start, d.range.end);
            let related: Vec<(Range<usize>, &str)> = d
                .related
                .iter()
                .map(|rel| {
                    (
                        clamp(text, rel.range.start, rel.range.end),
                        rel.message.as_ref(),
                    )
                })
                .collect();
            let spans: Vec<Range<usize>> = std::iter::once(main.clone())
                .chain(related.iter().map(|(r, _)| r.clone()))
                .collect();
            let excerpt = Excerpt::new(text, &idx, &spans);
            let snippet = snippet(&origin, &excerpt, lvl, d.rule.name, &main, &related);
            let mut message = lvl.title(&d.message).id(d.rule.name).snippet(snippet);
            if let Some(note) = &d.note {
                message = message.footer(Level::Note.title(note));
            }
            let fix_title;
            if let Some(fix) = d.fixes.first() {
                fix_title = format!("fix available: {} ({:?})", fix.title, fix.applicability)
                    .to_lowercase();
                message = message.footer(Level::Help.title(&fix_title));
            }
            out.push_str(&renderer.render(message).to_string());
            out.push_str("\n\n");
        }
        for note in &r.notes {
            let title = format!("{origin}: {note}");
            out.push_str(&renderer.render(Level::Note.title(&title)).to_string());
            out.push_str("\n\n");
        }
        out.push_str(&super::sizes::render(r));
    }
    let files = reports.len();
    if errors + warnings + others == 0 {
        out.push_str(&format!("{files} file(s) checked: no problems found\n"));
    } else {
        out.push_str(&format!("{files} file(s) checked: {errors} error(s), {warnings} warning(s), {others} other finding(s)\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the renderer printed before excerpts: the whole file, cut by annotate-snippets.
    fn whole_file(text: &str, main: &Range<usize>, related: &[(Range<usize>, &str)]) -> String {
        let mut snippet = Snippet::source(text)
            .line_start(1)
            .origin("Dockerfile")
            .fold(true)
            .annotation(Level::Warning.span(main.clone()).label("rule"));
        for (range, message) in related {
            snippet = snippet.annotation(Level::Note.span(range.clone()).label(message));
        }
        let message = Level::Warning.title("m").id("rule").snippet(snippet);
        Renderer::plain().render(message).to_string()
    }

    fn excerpted(text: &str, main: &Range<usize>, related: &[(Range<usize>, &str)]) -> String {
        let idx = LineIndex::new(text);
        let spans: Vec<Range<usize>> = std::iter::once(main.clone())
            .chain(related.iter().map(|(r, _)| r.clone()))
            .collect();
        let excerpt = Excerpt::new(text, &idx, &spans);
        let snippet = snippet(
            "Dockerfile",
            &excerpt,
            Level::Warning,
            "rule",
            main,
            related,
        );
        let message = Level::Warning.title("m").id("rule").snippet(snippet);
        Renderer::plain().render(message).to_string()
    }

    /// Excerpts print exactly what the whole file printed, over texts with CRLF and lone CR
    /// line ends, blank lines, multi-byte characters, no final newline, and spans that start
    /// or end on a newline, at the end of the text, or far apart (folded).
    #[test]
    fn excerpts_render_like_the_whole_file() {
        let pieces = [
            "FROM alpine:3.20\n",
            "\n",
            "RUN apk add \\\n",
            "    curl\r\n",
            "ENV A=é€𝄞\n",
            "# a lone \r carriage return\n",
            "\tCOPY . .\n",
            "CMD x",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            usize::try_from(seed % (n.max(1) as u64)).unwrap_or(0)
        };
        let mut compared = 0;
        for case in 0..400 {
            let lines = 1 + case % 30;
            let text: String = (0..lines).map(|_| pieces[next(pieces.len())]).collect();
            let n = u32::try_from(text.len() + 1).unwrap_or(u32::MAX);
            let k = next(3);
            let mut span = || {
                let a = next(n as usize) as u32;
                let b = a + next(12) as u32;
                clamp(&text, a, b)
            };
            let main = span();
            let related: Vec<(Range<usize>, &str)> = (0..k).map(|_| (span(), "related")).collect();
            assert_eq!(
                excerpted(&text, &main, &related),
                whole_file(&text, &main, &related),
                "text {text:?}, main {main:?}, related {related:?}"
            );
            compared += 1;
        }
        assert_eq!(compared, 400);
    }

    /// A finding deep in a file is shown with its own line number, in the header and the
    /// gutter, and so is a related location far above it.
    #[test]
    fn snippets_keep_their_line_numbers() {
        let mut text = String::from("FROM alpine:3.20 AS base\n");
        for i in 2..60 {
            text.push_str(&format!("# line {i}\n"));
        }
        text.push_str("RUN echo one\n");
        let at = |line: usize| {
            let idx = LineIndex::new(&text);
            idx.line_start(line - 1).unwrap_or(0)
        };
        let main = at(60)..at(60) + 3;
        let related = [(at(1)..at(1) + 4, "defined here")];
        let out = excerpted(&text, &main, &related);
        assert!(out.contains("--> Dockerfile:60:1"), "{out}");
        assert!(out.contains("60 | RUN echo one"), "{out}");
        assert!(out.contains(" 1 | FROM alpine:3.20 AS base"), "{out}");
        assert!(out.contains("..."), "the lines between are folded: {out}");
        assert!(!out.contains("line 30"), "{out}");
    }
}
