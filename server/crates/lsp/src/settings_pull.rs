//! Getting settings from the client without ever waiting on it.
//!
//! A `workspace/configuration` request is answered by the client whenever it likes, or never.
//! Awaited inside a notification handler with no time limit, each unanswered pull held one of
//! the framework's few concurrent handler slots for good, and after a few the server answered
//! nothing at all. So a pull runs in its own task, gives up after [`pull_timeout`] (keeping
//! the current settings), and takes a ticket when it is asked: an answer is applied only if no
//! answer to a later pull (or a later pushed `didChangeConfiguration`) was applied before it,
//! so an old, slow answer never overwrites a newer one. An answer to an earlier pull that
//! arrives while a later one is still out is applied: it is the newest the server has.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

use crate::server::Backend;
use crate::types::ConfigurationItem;

/// How long a request to the client (a settings pull, a registration) waits for its answer:
/// 5 s, or `LAYERWISE_CLIENT_TIMEOUT_MS` (the end-to-end tests shorten it to see a timeout
/// quickly, and lengthen it where an answer must not time out on a slow machine).
pub fn pull_timeout() -> Duration {
    static TIMEOUT: OnceLock<Duration> = OnceLock::new();
    *TIMEOUT.get_or_init(|| {
        let ms = std::env::var("LAYERWISE_CLIENT_TIMEOUT_MS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(5_000);
        Duration::from_millis(ms.clamp(1, 3_600_000))
    })
}

/// Tickets of settings pulls and pushes, in the order they were asked for.
#[derive(Debug, Default)]
pub struct SettingsPulls {
    issued: AtomicU64,
    /// The ticket of the settings in effect; held while they are applied, so that checking
    /// and applying are one step.
    applied: tokio::sync::Mutex<u64>,
}

impl SettingsPulls {
    fn ticket(&self) -> u64 {
        self.issued.fetch_add(1, Ordering::SeqCst) + 1
    }
}

/// Asks the client for the `layerwise` section in the background, if it can be asked.
pub fn spawn_pull(backend: &Backend) {
    if !backend.state.caps().configuration {
        return;
    }
    let ticket = backend.settings_pulls.ticket();
    let b = backend.clone();
    tokio::spawn(async move {
        let items = vec![ConfigurationItem {
            scope_uri: None,
            section: Some("layerwise".into()),
        }];
        match tokio::time::timeout(pull_timeout(), b.client.configuration(items)).await {
            Ok(Ok(values)) => {
                if let Some(v) = values.first() {
                    apply(&b, ticket, v).await;
                }
            }
            Ok(Err(e)) => tracing::info!("client did not answer workspace/configuration: {e}"),
            Err(_) => tracing::warn!(
                "no answer to workspace/configuration within {} ms; keeping the current settings",
                pull_timeout().as_millis()
            ),
        }
    });
}

/// Applies settings the client pushed with `didChangeConfiguration`.
pub async fn push(backend: &Backend, value: &Value) {
    let ticket = backend.settings_pulls.ticket();
    apply(backend, ticket, value).await;
}

async fn apply(backend: &Backend, ticket: u64, value: &Value) {
    let mut applied = backend.settings_pulls.applied.lock().await;
    if ticket < *applied {
        tracing::info!(
            "settings answer {ticket} dropped: answer {} is newer",
            *applied
        );
        return;
    }
    *applied = ticket;
    backend.apply_settings(value).await;
    tracing::info!("settings answer {ticket} applied");
}
