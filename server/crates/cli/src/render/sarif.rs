//! `--format sarif`: SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure).

use std::collections::BTreeMap;

use layerwise_lint::{Diagnostic, Severity};
use layerwise_syntax::TextRange;
use serde_json::{json, Value};

use crate::analyze::FileReport;
use crate::line_index::LineIndex;

fn region(text: &str, idx: &LineIndex, r: TextRange) -> Value {
    let (sl, sc) = idx.position(text, r.start);
    let (el, ec) = idx.position(text, r.end);
    json!({ "startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

fn location(uri: &str, text: &str, idx: &LineIndex, r: TextRange) -> Value {
    json!({ "physicalLocation": { "artifactLocation": { "uri": uri }, "region": region(text, idx, r) } })
}

fn result(r: &FileReport, idx: &LineIndex, d: &Diagnostic) -> Value {
    let uri = r.path.display().to_string().replace('\\', "/");
    let message = match &d.note {
        Some(n) => format!("{} ({n})", d.message),
        None => d.message.clone(),
    };
    json!({
        "ruleId": d.rule.name,
        "level": level(d.severity),
        "message": { "text": message },
        "locations": [location(&uri, r.text(), idx, d.range)],
        "relatedLocations": d.related.iter().enumerate().map(|(i, rel)| {
            let mut l = location(&uri, r.text(), idx, rel.range);
            l["id"] = json!(i);
            l["message"] = json!({ "text": rel.message });
            l
        }).collect::<Vec<_>>(),
        "fixes": d.fixes.iter().map(|f| json!({
            "description": { "text": f.title },
            "artifactChanges": [{
                "artifactLocation": { "uri": uri },
                "replacements": f.edits.iter().map(|e| json!({
                    "deletedRegion": region(r.text(), idx, e.range),
                    "insertedContent": { "text": e.text },
                })).collect::<Vec<_>>(),
            }],
        })).collect::<Vec<_>>(),
        "properties": { "hadolint": d.rule.hadolint, "buildkit": d.rule.buildkit, "group": d.rule.group.as_str() },
    })
}

pub fn render(reports: &[FileReport]) -> String {
    let mut rules = BTreeMap::new();
    let mut results = Vec::new();
    for r in reports {
        let idx = LineIndex::new(r.text());
        for d in &r.diagnostics {
            rules.entry(d.rule.name).or_insert_with(|| {
                json!({
                    "id": d.rule.name,
                    "shortDescription": { "text": d.rule.summary() },
                    "fullDescription": { "text": layerwise_lint::docs::docs_text(d.rule) },
                    "defaultConfiguration": { "level": level(d.rule.severity) },
                    "properties": { "group": d.rule.group.as_str(), "hadolint": d.rule.hadolint, "buildkit": d.rule.buildkit },
                })
            });
            results.push(result(r, &idx, d));
        }
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "layerwise",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
