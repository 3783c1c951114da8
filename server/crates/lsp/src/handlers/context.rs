//! Walking build contexts in the background (never on a request), with `$/progress` when the
//! client supports it, and forgetting them when files change.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use layerwise_context::WalkOptions;

use crate::server::Backend;
use crate::state::ContextFacts;
use crate::types::{
    NumberOrString, ProgressToken, WorkDoneProgress, WorkDoneProgressBegin, WorkDoneProgressEnd,
};

pub fn start_walk(backend: &Backend, dir: PathBuf) {
    let backend = backend.clone();
    tokio::spawn(async move {
        let token: ProgressToken =
            NumberOrString::String(format!("layerwise/context/{}", dir.display()));
        // never waits on the client longer than the time limit: a client that does not
        // answer must not keep the context (and what it tells) unknown
        let progress = backend.state.caps().work_done_progress
            && crate::client_requests::create_progress(&backend, token.clone()).await;
        if progress {
            let begin = WorkDoneProgress::Begin(WorkDoneProgressBegin {
                title: "layerwise: reading build context".into(),
                message: Some(dir.display().to_string()),
                cancellable: Some(false),
                percentage: None,
            });
            backend
                .client
                .send_notification::<crate::types::notification::Progress>(
                    crate::types::ProgressParams {
                        token: token.clone(),
                        value: crate::types::ProgressParamsValue::WorkDone(begin),
                    },
                )
                .await;
        }
        let max = backend.state.settings().context.max_files;
        let d = dir.clone();
        let facts = tokio::task::spawn_blocking(move || walk(&d, max))
            .await
            .ok()
            .flatten();
        if let Ok(mut m) = backend.state.contexts.lock() {
            m.insert(
                dir.clone(),
                Some(facts.unwrap_or(ContextFacts {
                    context: None,
                    dockerignore: None,
                })),
            );
        }
        if progress {
            let end = WorkDoneProgress::End(WorkDoneProgressEnd { message: None });
            backend
                .client
                .send_notification::<crate::types::notification::Progress>(
                    crate::types::ProgressParams {
                        token,
                        value: crate::types::ProgressParamsValue::WorkDone(end),
                    },
                )
                .await;
        }
        backend.state.invalidate_analyses();
        crate::diagnostics::refresh_all(&backend);
        super::refresh_views(&backend);
    });
}

fn walk(dir: &Path, max_files: usize) -> Option<ContextFacts> {
    let options = WalkOptions {
        max_entries: max_files.max(1),
        ..WalkOptions::default()
    };
    let cancel = AtomicBool::new(false);
    match layerwise_context::snapshot(dir, None, &options, &cancel, &mut |_| {}) {
        Ok(ctx) => {
            let ignore = ctx.ignore().map(|i| i.ignore.clone());
            Some(ContextFacts {
                context: Some(Arc::new(ctx)),
                dockerignore: Some(ignore),
            })
        }
        Err(e) => {
            tracing::info!("build context {} not readable: {e}", dir.display());
            None
        }
    }
}

/// Drops a folder's cached context so the next analysis walks it again.
pub fn forget(backend: &Backend, dir: &Path) {
    let removed = backend
        .state
        .contexts
        .lock()
        .map(|mut m| m.remove(dir).is_some())
        .unwrap_or(false);
    if removed {
        backend.state.invalidate_analyses();
        crate::diagnostics::refresh_all(backend);
    }
}
