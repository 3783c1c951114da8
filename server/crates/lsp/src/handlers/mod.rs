//! One module per LSP feature. Each converts between protocol types and the plain results of
//! `layerwise_ide`, and declares its own capability in [`capabilities`].

pub mod answer_cap;
pub mod batch_positions;
pub mod code_actions;
pub mod code_lens;
pub mod commands;
pub mod completion;
pub mod context;
pub mod document_links;
pub mod folding;
pub mod formatting;
pub mod hover;
pub mod images;
pub mod inlay_hints;
pub mod navigation;
pub mod outline;
pub mod selection_ranges;
pub mod semantic_tokens;
pub mod signature_help;
pub mod watch;

use crate::server::Backend;
use crate::types::ServerCapabilities;

/// Fills in the capabilities of every feature module.
pub fn capabilities(caps: &mut ServerCapabilities) {
    hover::capability(caps);
    completion::capability(caps);
    commands::capability(caps);
    inlay_hints::capability(caps);
    code_lens::capability(caps);
    navigation::capability(caps);
    outline::capability(caps);
    folding::capability(caps);
    selection_ranges::capability(caps);
    semantic_tokens::capability(caps);
    formatting::capability(caps);
    document_links::capability(caps);
    signature_help::capability(caps);
    code_actions::capability(caps);
}

/// Asks the client to re-request views that depend on facts (sizes, settings): inlay hints,
/// code lenses, semantic tokens. Each only if the client said it supports the refresh, and
/// each with at most one request out (`client_requests::refresh`): a client that never answers
/// must not leave a task and a pending request behind per refresh.
pub fn refresh_views(backend: &Backend) {
    use crate::client_requests::refresh;
    let caps = backend.state.caps();
    let gates = &backend.client_requests;
    if caps.inlay_hint_refresh {
        let gate = &gates.inlay_hint_refresh;
        refresh(
            backend,
            gate,
            "workspace/inlayHint/refresh",
            |c| async move {
                let _ = c.inlay_hint_refresh().await;
            },
        );
    }
    if caps.code_lens_refresh {
        let gate = &gates.code_lens_refresh;
        refresh(
            backend,
            gate,
            "workspace/codeLens/refresh",
            |c| async move {
                let _ = c.code_lens_refresh().await;
            },
        );
    }
    if caps.semantic_tokens_refresh {
        let gate = &gates.semantic_tokens_refresh;
        refresh(
            backend,
            gate,
            "workspace/semanticTokens/refresh",
            |c| async move {
                let _ = c.semantic_tokens_refresh().await;
            },
        );
    }
}
