//! Diagnostics: conversion to LSP, and publishing — debounced while typing, tagged with the
//! document version, and never published for a version that is no longer current.

use std::time::Duration;

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
        None => d.message.clone(),
    };
    let related = d
        .related
        .iter()
        .map(|r| lsp::DiagnosticRelatedInformation {
            location: lsp::Location {
                uri: uri.clone(),
                range: to_lsp_range(rope, r.range, enc),
            },
            message: r.message.clone(),
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

/// Background work an analysis asked for (a build-context walk, registry lookups), held back
/// until the diagnostics it came with are published: started at once it competes with the
/// rules for the two cores, and its result re-analyses the file anyway.
#[derive(Default)]
pub struct Deferred {
    walks: Vec<std::path::PathBuf>,
    analysis: Option<std::sync::Arc<layerwise_ide::Analysis>>,
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
    result
}

/// The diagnostics of the current version; background work the analysis asks for goes into
/// `deferred`. With `current_only`, gives up before running the rules when a newer version
/// arrived while the analysis was built (its diagnostics would be dropped unpublished).
fn compute_with(
    backend: &Backend,
    uri: &Uri,
    current_only: bool,
    deferred: &mut Deferred,
) -> Option<(i32, Vec<lsp::Diagnostic>)> {
    let started = std::time::Instant::now();
    let analysis = backend
        .state
        .analysis(uri, &mut |dir| deferred.walks.push(dir))?;
    deferred.analysis = Some(analysis.clone());
    let enc = backend.state.caps().encoding;
    let analysed = started.elapsed();
    let superseded = || current_only && backend.state.version(uri) != Some(analysis.version);
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
    let items: Vec<lsp::Diagnostic> = diags.iter().map(|d| to_lsp(uri, &rope, enc, d)).collect();
    tracing::debug!(
        "diagnostics of {} v{}: {} in {:.2?} (analysis {analysed:.2?}, rules {:.2?})",
        uri.as_str(),
        analysis.version,
        items.len(),
        started.elapsed(),
        linted.saturating_sub(analysed)
    );
    Some((analysis.version, items))
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
        if let Ok(Some((v, diags))) = result {
            if v == version && backend.state.version(&uri) == Some(version) {
                publish(&backend.client, uri, diags, version).await;
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
            crate::settings_pull::refresh_diagnostics(backend);
        }
        return;
    }
    for (uri, version) in docs {
        schedule(backend, uri, version, true);
    }
}
