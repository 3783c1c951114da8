//! `--format json`: every finding with its rule, upstream codes, range, message and fixes, and
//! the notes about each file's surroundings (e.g. a build context not read in full).

use layerwise_lint::Diagnostic;
use layerwise_syntax::TextRange;
use serde_json::{json, Value};

use crate::analyze::FileReport;
use crate::line_index::LineIndex;

pub fn range_json(text: &str, idx: &LineIndex, r: TextRange) -> Value {
    let (sl, sc) = idx.position(text, r.start);
    let (el, ec) = idx.position(text, r.end);
    json!({ "start": { "line": sl, "column": sc }, "end": { "line": el, "column": ec }, "byte_start": r.start, "byte_end": r.end })
}

pub fn finding(r: &FileReport, idx: &LineIndex, d: &Diagnostic) -> Value {
    json!({
        "file": r.path.display().to_string(),
        "rule": d.rule.name,
        "group": d.rule.group.as_str(),
        "severity": d.severity.as_str(),
        "hadolint": d.rule.hadolint,
        "buildkit": d.rule.buildkit,
        "message": d.message,
        "note": d.note,
        "range": range_json(r.text(), idx, d.range),
        "related": d.related.iter().map(|rel| json!({ "message": rel.message, "range": range_json(r.text(), idx, rel.range) })).collect::<Vec<_>>(),
        "fixes": d.fixes.iter().map(|f| json!({
            "title": f.title,
            "applicability": f.applicability,
            "edits": f.edits.iter().map(|e| json!({ "range": range_json(r.text(), idx, e.range), "text": e.text })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

pub fn render(reports: &[FileReport]) -> String {
    let mut findings = Vec::new();
    for r in reports {
        let idx = LineIndex::new(r.text());
        findings.extend(r.diagnostics.iter().map(|d| finding(r, &idx, d)));
    }
    let doc = json!({
        "version": env!("CARGO_PKG_VERSION"),
        "files": reports.iter().map(|r| r.path.display().to_string()).collect::<Vec<_>>(),
        "findings": findings,
        "notes": reports.iter().flat_map(|r| r.notes.iter().map(|n| json!({ "file": r.path.display().to_string(), "message": n }))).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
