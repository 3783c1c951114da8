//! `--format sarif`: SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure).
//!
//! The notes about a file's surroundings (e.g. a build context not read in full) are not
//! findings, so they go where SARIF puts what a tool says about its own run: one `invocation`
//! (§3.20) whose `toolExecutionNotifications` (§3.20.21) hold one `notification` (§3.58) per
//! note, at level `note`, located at the file it is about.

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
    let uri = sarif_uri(&r.path);
    let message = match &d.note {
        Some(n) => format!("{} ({n})", d.message),
        None => d.message.to_string(),
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

/// The run's one invocation. `executionSuccessful` is the only property SARIF requires of it:
/// `false` when some files could not be read or checked (`unchecked`, also on stderr with exit
/// status 2), each then an `error` notification at its file, so a dashboard that only reads the
/// SARIF file still learns that the scan was incomplete.
fn invocation(reports: &[FileReport], unchecked: &[(String, String)]) -> Value {
    let notification = |level: &str, uri: &str, text: &str| {
        json!({
            "level": level,
            "message": { "text": text },
            "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri } } }],
        })
    };
    let mut notifications = Vec::new();
    for r in reports {
        let uri = sarif_uri(&r.path);
        for n in &r.notes {
            notifications.push(notification("note", &uri, n));
        }
    }
    for (path, error) in unchecked {
        notifications.push(notification("error", &path.replace('\\', "/"), error));
    }
    json!({
        "executionSuccessful": unchecked.is_empty(),
        "toolExecutionNotifications": notifications,
    })
}

fn sarif_uri(path: &std::path::Path) -> String {
    path.display().to_string().replace('\\', "/")
}

/// `unchecked`: (path, error) of the files that could not be read or checked.
pub fn render(reports: &[FileReport], unchecked: &[(String, String)]) -> String {
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
            "invocations": [invocation(reports, unchecked)],
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use layerwise_ide::Analysis;

    use super::*;

    fn report(path: &str, notes: &[&str]) -> FileReport {
        FileReport {
            path: PathBuf::from(path),
            analysis: Analysis::from_text("FROM alpine:3.20\n"),
            diagnostics: Vec::new(),
            warnings: Vec::new(),
            notes: notes.iter().map(|n| n.to_string()).collect(),
            failure_threshold: None,
        }
    }

    fn parse(reports: &[FileReport]) -> Value {
        serde_json::from_str(&render(reports, &[])).expect("valid JSON")
    }

    #[test]
    fn notes_become_tool_execution_notifications_at_their_file() {
        let doc = parse(&[
            report(
                "a/Dockerfile",
                &["the build context `.` was not read in full"],
            ),
            report("b\\Dockerfile", &[]),
            report("c.Dockerfile", &["first", "second"]),
        ]);
        let invocations = doc["runs"][0]["invocations"]
            .as_array()
            .expect("invocations");
        assert_eq!(invocations.len(), 1, "{doc}");
        assert_eq!(invocations[0]["executionSuccessful"], true);
        let n = invocations[0]["toolExecutionNotifications"]
            .as_array()
            .expect("array");
        let seen: Vec<(&str, &str, &str)> = n
            .iter()
            .map(|n| {
                (
                    n["level"].as_str().unwrap_or_default(),
                    n["message"]["text"].as_str().unwrap_or_default(),
                    n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "note",
                    "the build context `.` was not read in full",
                    "a/Dockerfile"
                ),
                ("note", "first", "c.Dockerfile"),
                ("note", "second", "c.Dockerfile"),
            ]
        );
    }

    #[test]
    fn a_run_without_notes_has_an_empty_notification_list() {
        let doc = parse(&[report("Dockerfile", &[])]);
        let invocation = &doc["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], true);
        assert_eq!(invocation["toolExecutionNotifications"], json!([]));
    }

    #[test]
    fn files_that_could_not_be_checked_make_the_run_unsuccessful() {
        let unchecked = [(
            "dir\\Dockerfile.bad".to_string(),
            "stream did not contain valid UTF-8".to_string(),
        )];
        let doc: Value =
            serde_json::from_str(&render(&[report("Dockerfile", &["a note"])], &unchecked))
                .expect("valid JSON");
        let invocation = &doc["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false, "{doc}");
        let n = &invocation["toolExecutionNotifications"];
        assert_eq!(n[0]["level"], "note");
        assert_eq!(n[1]["level"], "error");
        assert_eq!(
            n[1]["message"]["text"],
            "stream did not contain valid UTF-8"
        );
        assert_eq!(
            n[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "dir/Dockerfile.bad"
        );
    }
}
