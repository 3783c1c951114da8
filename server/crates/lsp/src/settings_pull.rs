//! Getting settings from the client: pulled with `workspace/configuration` (through the
//! one-at-a-time gate of [`crate::client_requests`], so a client that never answers costs a
//! bounded number of requests) or pushed with `didChangeConfiguration`.
//!
//! Every pull takes a ticket when it is sent: an answer is applied only if no answer to a
//! later pull (or a later pushed `didChangeConfiguration`) was applied before it, so an old,
//! slow answer never overwrites a newer one. An answer to an earlier pull that arrives while a
//! later one is still out is applied: it is the newest the server has.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::Value;

use crate::client_requests::{request, OneAtATime};
use crate::server::Backend;
use crate::types::ConfigurationItem;

/// Tickets of settings pulls and pushes, in the order they were asked for, and the gate of
/// the pulls.
#[derive(Debug, Default)]
pub struct SettingsPulls {
    issued: AtomicU64,
    /// The ticket of the settings in effect; held while they are applied, so that checking
    /// and applying are one step.
    applied: tokio::sync::Mutex<u64>,
    pull: Arc<OneAtATime>,
}

impl SettingsPulls {
    fn ticket(&self) -> u64 {
        self.issued.fetch_add(1, Ordering::SeqCst) + 1
    }
}

/// Asks the client for the `layerwise` section in the background, if it can be asked.
pub fn spawn_pull(backend: &Backend) {
    if !backend.state.caps().configuration || backend.state.is_shutting_down() {
        return;
    }
    let b = backend.clone();
    request(
        &backend.settings_pulls.pull,
        "workspace/configuration",
        "keeping the current settings",
        move || {
            let b = b.clone();
            async move {
                let ticket = b.settings_pulls.ticket();
                let items = vec![ConfigurationItem {
                    scope_uri: None,
                    section: Some("layerwise".into()),
                }];
                match b.client.configuration(items).await {
                    Ok(values) => {
                        if let Some(v) = values.first() {
                            apply(&b, ticket, v).await;
                        }
                    }
                    Err(e) => tracing::info!("client did not answer workspace/configuration: {e}"),
                }
            }
        },
    );
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
