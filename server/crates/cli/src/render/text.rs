//! Human output: rustc-style snippets with the finding, its note and related locations.

use annotate_snippets::{Level, Renderer, Snippet};
use layerwise_lint::Severity;

use crate::analyze::FileReport;

fn level(s: Severity) -> Level {
    match s {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Info,
        Severity::Hint => Level::Help,
    }
}

/// A span that is safe to hand to the renderer: inside the text, on character boundaries.
fn clamp(text: &str, start: u32, end: u32) -> std::ops::Range<usize> {
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
        for d in &r.diagnostics {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                _ => others += 1,
            }
            let lvl = level(d.severity);
            let mut snippet = Snippet::source(r.text())
                .line_start(1)
                .origin(&origin)
                .fold(true)
                .annotation(
                    lvl.span(clamp(r.text(), d.range.start, d.range.end))
                        .label(d.rule.name),
                );
            for rel in &d.related {
                snippet = snippet.annotation(
                    Level::Note
                        .span(clamp(r.text(), rel.range.start, rel.range.end))
                        .label(&rel.message),
                );
            }
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
