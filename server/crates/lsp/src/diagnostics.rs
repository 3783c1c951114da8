//! Diagnostics: conversion to LSP, and publishing — debounced while typing, tagged with the
//! document version, and never published for a version that is no longer current.

use std::sync::Arc;
use std::time::Duration;

use layerwise_ide::Analysis;
use layerwise_lint::{Diagnostic, Severity};
use ropey::Rope;
use tower_lsp_server::Client;

use crate::position::{to_lsp_range, Encoding};
use crate::server::Backend;
use crate::types::{self as lsp, Uri};

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// Where a rule's documentation lives on the web.
pub fn rule_url(name: &str) -> Option<Uri> {
    format!("https://github.com/layerwise/layerwise/blob/main/docs/rules/{name}.md")
        .parse()
        .ok()
}

pub fn to_lsp(uri: &Uri, rope: &Rope, enc: Encoding, d: &Diagnostic) -> lsp::Diagnostic {
    let message = match &d.note {
        Some(n) => format!("{}\n{n}", d.message),
        None => d.message.to_string(),
    };
    let related = d
        .related
        .iter()
        .take(MAX_RELATED)
        .map(|r| lsp::DiagnosticRelatedInformation {
            location: lsp::Location {
                uri: uri.clone(),
                range: to_lsp_range(rope, r.range, enc),
            },
            message: r.message.to_string(),
        })
        .collect::<Vec<_>>();
    let mut tags = Vec::new();
    if matches!(d.rule.name, "unused-stage" | "unused-suppression") {
        tags.push(lsp::DiagnosticTag::UNNECESSARY);
    }
    if d.rule.name == "maintainer-deprecated" {
        tags.push(lsp::DiagnosticTag::DEPRECATED);
    }
    lsp::Diagnostic {
        range: to_lsp_range(rope, d.range, enc),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.rule.name.to_string())),
        code_description: rule_url(d.rule.name).map(|href| lsp::CodeDescription { href }),
        source: Some("layerwise".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: (!tags.is_empty()).then_some(tags),
        data: None,
    }
}

/// At most this many related locations are published with one finding: rules list a few
/// (and count the rest, as `no-empty-continuation` does past 16); this bounds any other.
const MAX_RELATED: usize = 100;

/// At most this many findings are published for one document. A huge generated file can
/// have hundreds of thousands (one per line of junk); each costs the server about 10 KB on
/// its way out (conversion, the framework's JSON tree, the text) and the editor about as
/// much again, for a Problems list nobody reads past the first screens. 5,000 is far more
/// than any real Dockerfile has (the 1,100-file corpus peaks at a few dozen) and costs
/// about 50 MB; the rest are counted in one notice that says where to find them all.
pub const MAX_PUBLISHED: usize = 5_000;

/// The findings to publish, in file order: all of them when there are at most `cap`, else
/// the `cap` most severe (errors first, then warnings, ...; in file order within a
/// severity), and how many were left out.
pub fn bounded(diags: &[Diagnostic], cap: usize) -> (Vec<&Diagnostic>, usize) {
    if diags.len() <= cap {
        return (diags.iter().collect(), 0);
    }
    let mut order: Vec<usize> = (0..diags.len()).collect();
    // stable: equal severities keep their file order
    order.sort_by_key(|&i| std::cmp::Reverse(diags[i].severity));
    order.truncate(cap);
    order.sort_unstable();
    let kept = order.iter().map(|&i| &diags[i]).collect();
    (kept, diags.len() - cap)
}

/// The one diagnostic that stands for the findings [`bounded`] left out, at the start of
/// the file, so the editor's list says that it is not complete and how to see everything.
pub fn left_out_notice(left_out: usize, cap: usize) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: lsp::Range::default(),
        severity: Some(lsp::DiagnosticSeverity::INFORMATION),
        code: Some(lsp::NumberOrString::String("too-many-findings".into())),
        code_description: None,
        source: Some("layerwise".into()),
        message: format!(
            "{left_out} more findings are not shown: the editor gets at most {cap} per file, \
             the most severe first. `layerwise check` on this file lists them all."
        ),
        related_information: None,
        tags: None,
        data: None,
    }
}

/// Background work an analysis asked for (a build-context walk, registry lookups), held back
/// until the diagnostics it came with are published: started at once it competes with the
/// rules for the two cores, and its result re-analyses the file anyway.
#[derive(Default)]
pub struct Deferred {
    walks: Vec<std::path::PathBuf>,
    analysis: Option<Arc<Analysis>>,
}

impl Deferred {
    /// Starts the held-back work.
    pub fn start(self, backend: &Backend) {
        for dir in self.walks {
            crate::handlers::context::start_walk(backend, dir);
        }
        if let Some(a) = &self.analysis {
            crate::handlers::images::fetch_missing(backend, a);
        }
    }
}

/// The LSP diagnostics of a document's current version, with that version (pull requests:
/// background work starts at once).
pub fn compute(backend: &Backend, uri: &Uri) -> Option<(i32, Vec<lsp::Diagnostic>)> {
    let mut deferred = Deferred::default();
    let result = compute_with(backend, uri, false, &mut deferred);
    deferred.start(backend);
    result.map(|(a, items)| (a.version, items))
}

/// The diagnostics of the current version, with the analysis they are of; background work
/// the analysis asks for goes into `deferred`. With `current_only`, gives up between two rules
/// once the analysis is superseded (a newer version, or new facts or settings: see
/// [`State::superseded`](crate::state::State::superseded)): its diagnostics would be dropped
/// unpublished.
fn compute_with(
    backend: &Backend,
    uri: &Uri,
    current_only: bool,
    deferred: &mut Deferred,
) -> Option<(Arc<Analysis>, Vec<lsp::Diagnostic>)> {
    let started = std::time::Instant::now();
    let analysis = backend
        .state
        .analysis(uri, &mut |dir| deferred.walks.push(dir))?;
    deferred.analysis = Some(analysis.clone());
    let enc = backend.state.caps().encoding;
    let analysed = started.elapsed();
    let superseded = || current_only && backend.state.superseded(uri, &analysis);
    let Some(diags) = analysis.diagnostics_unless(&superseded) else {
        tracing::debug!(
            "diagnostics of {} v{}: superseded after {:.2?}, rules stopped",
            uri.as_str(),
            analysis.version,
            started.elapsed()
        );
        return None;
    };
    let linted = started.elapsed();
    // positions must come from the text the analysis saw, even if a newer change arrived
    let rope = {
        let docs = backend.state.docs.lock().ok()?;
        match docs.get(uri) {
            Some(doc) if doc.version == analysis.version => doc.rope.clone(),
            _ => Rope::from_str(&analysis.text),
        }
    };
    let (shown, left_out) = bounded(diags, MAX_PUBLISHED);
    let mut items: Vec<lsp::Diagnostic> =
        shown.iter().map(|d| to_lsp(uri, &rope, enc, d)).collect();
    if left_out > 0 {
        items.push(left_out_notice(left_out, MAX_PUBLISHED));
    }
    tracing::debug!(
        "diagnostics of {} v{}: {} ({left_out} left out) in {:.2?} (analysis {analysed:.2?}, \
         rules {:.2?})",
        uri.as_str(),
        analysis.version,
        items.len(),
        started.elapsed(),
        linted.saturating_sub(analysed)
    );
    Some((analysis, items))
}

/// Publishes diagnostics for `version` after the debounce delay, unless a newer version
/// arrived meanwhile. Pull-mode clients are asked to refresh instead.
pub fn schedule(backend: &Backend, uri: Uri, version: i32, immediate: bool) {
    let backend = backend.clone();
    tokio::spawn(async move {
        if !immediate {
            let delay = backend.state.settings().diagnostics.debounce_ms.min(5_000);
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        if backend.state.version(&uri) != Some(version) || backend.state.is_shutting_down() {
            return;
        }
        if backend.state.caps().pull_diagnostics {
            return; // the client pulls; `refresh_all` tells it when facts change
        }
        // One analysis for publishing per document at a time (see `Document::publishing`);
        // the one running stops between two rules once it sees this newer version.
        let Some(publishing) = backend.state.publishing(&uri) else {
            return;
        };
        let _one_at_a_time = publishing.lock_owned().await;
        if backend.state.version(&uri) != Some(version) || backend.state.is_shutting_down() {
            return;
        }
        let b = backend.clone();
        let u = uri.clone();
        let result = tokio::task::spawn_blocking(move || {
            let mut deferred = Deferred::default();
            let r =
                crate::guard::guard("diagnostics", || compute_with(&b, &u, true, &mut deferred));
            (r, deferred)
        })
        .await;
        let Ok((result, deferred)) = result else {
            return;
        };
        if let Ok(Some((analysis, diags))) = result {
            // not a stale one: a newer analysis is scheduled and publishes
            if analysis.version == version && !backend.state.superseded(&uri, &analysis) {
                publish(&backend.client, uri, diags, version).await;
            }
            if analysis.text.len() >= crate::server::BIG_DOCUMENT {
                // the lint's working memory is freed by now
                crate::release_freed_memory();
            }
        }
        deferred.start(&backend);
    });
}

async fn publish(client: &Client, uri: Uri, diags: Vec<lsp::Diagnostic>, version: i32) {
    client.publish_diagnostics(uri, diags, Some(version)).await;
}

/// Re-publishes (push clients) or asks for a refresh (pull clients) for every open document,
/// after settings or facts changed.
pub fn refresh_all(backend: &Backend) {
    let docs: Vec<(Uri, i32)> = backend
        .state
        .docs
        .lock()
        .map(|d| d.iter().map(|(u, d)| (u.clone(), d.version)).collect())
        .unwrap_or_default();
    let caps = backend.state.caps();
    if caps.pull_diagnostics {
        if caps.diagnostic_refresh {
            crate::client_requests::refresh_diagnostics(backend);
        }
        return;
    }
    for (uri, version) in docs {
        schedule(backend, uri, version, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Warnings for each `FROM a` (untagged, unused stage) and one error (an unknown
    /// instruction) after them all.
    fn many_warnings_then_an_error() -> layerwise_ide::Analysis {
        let text = format!("{}BOGUS x\nFROM a\n", "FROM a\n".repeat(10));
        layerwise_ide::Analysis::from_text(&text)
    }

    #[test]
    fn under_the_cap_everything_is_published_in_order() {
        let a = many_warnings_then_an_error();
        let all = a.diagnostics();
        let (shown, left_out) = bounded(all, all.len());
        assert_eq!(left_out, 0);
        assert!(shown.iter().zip(all).all(|(s, d)| std::ptr::eq(*s, d)));
    }

    #[test]
    fn past_the_cap_the_most_severe_are_kept_in_file_order() {
        let a = many_warnings_then_an_error();
        let all = a.diagnostics();
        assert!(all.len() > 12, "{all:?}");
        let last_error = all.iter().rposition(|d| d.severity == Severity::Error);
        assert!(last_error.is_some_and(|i| i > 5), "{all:?}");
        let (shown, left_out) = bounded(all, 5);
        assert_eq!((shown.len(), left_out), (5, all.len() - 5));
        // the error comes last in the file, yet it is kept
        assert!(shown.iter().any(|d| d.severity == Severity::Error));
        assert!(shown
            .windows(2)
            .all(|w| w[0].range.start <= w[1].range.start));
        // the rest are the first warnings of the file
        let warnings: Vec<_> = shown
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .collect();
        let first: Vec<_> = all
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .take(warnings.len())
            .collect();
        assert!(warnings
            .iter()
            .zip(&first)
            .all(|(s, f)| std::ptr::eq(**s, *f)));
    }

    #[test]
    fn the_notice_counts_what_was_left_out() {
        let n = left_out_notice(1234, MAX_PUBLISHED);
        assert!(
            n.message.starts_with("1234 more findings are not shown"),
            "{}",
            n.message
        );
        assert!(n.message.contains("5000") && n.message.contains("layerwise check"));
        assert_eq!(n.severity, Some(lsp::DiagnosticSeverity::INFORMATION));
    }
}
