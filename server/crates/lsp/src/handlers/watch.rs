//! Watching the files that change what we know: settings files and `.dockerignore` (dropped
//! caches), anything else in a build context (sizes). Registration is dynamic and optional:
//! a client that refuses it only loses live updates.

use crate::server::{uri_to_path, Backend};
use crate::types::{
    DidChangeWatchedFilesParams, DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher,
    GlobPattern, Registration,
};

pub async fn register(backend: &Backend) {
    if !backend.state.caps().dynamic_watchers {
        return;
    }
    let watchers = [
        "**/layerwise.toml",
        "**/.hadolint.yaml",
        "**/.hadolint.yml",
        "**/.dockerignore",
        "**/*.dockerignore",
    ]
    .into_iter()
    .map(|g| FileSystemWatcher {
        glob_pattern: GlobPattern::String(g.into()),
        kind: None,
    })
    .collect();
    let options = DidChangeWatchedFilesRegistrationOptions { watchers };
    let reg = Registration {
        id: "layerwise-watch".into(),
        method: "workspace/didChangeWatchedFiles".into(),
        register_options: serde_json::to_value(options).ok(),
    };
    if let Err(e) = backend.client.register_capability(vec![reg]).await {
        tracing::info!(
            "client refused file watching ({e}); settings files are read when documents open"
        );
    }
}

pub fn changed(backend: &Backend, params: DidChangeWatchedFilesParams) {
    let mut any = false;
    for ev in params.changes {
        let Some(path) = uri_to_path(&ev.uri) else {
            continue;
        };
        let Some(dir) = path.parent() else { continue };
        if let Ok(mut c) = backend.state.configs.lock() {
            // settings apply to every folder below theirs
            c.retain(|k, _| !k.starts_with(dir));
        }
        if let Ok(mut c) = backend.state.contexts.lock() {
            c.retain(|k, _| !k.starts_with(dir) && !dir.starts_with(k));
        }
        any = true;
    }
    if any {
        backend.state.invalidate_analyses();
        crate::diagnostics::refresh_all(backend);
    }
}
