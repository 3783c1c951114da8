//! `textDocument/hover`. On a base image whose registry lookup is running or failed, the
//! hover also says so: "asking the registry" while it runs, and after a failure the
//! registry's message and when layerwise asks again (the figures shown, if any, are then a
//! stale cache entry or the catalogue's).

use layerwise_analysis::Base;
use layerwise_ide::Analysis;
use layerwise_syntax::TextRange;
use tower_lsp_server::jsonrpc::Result;

use super::images::{self, Status};
use crate::position::{position_to_offset, to_lsp_range};
use crate::server::Backend;
use crate::types::{
    Hover, HoverContents, HoverParams, HoverProviderCapability, MarkupContent, MarkupKind,
    ServerCapabilities,
};

pub fn capability(caps: &mut ServerCapabilities) {
    caps.hover_provider = Some(HoverProviderCapability::Simple(true));
}

pub fn handle(b: &Backend, params: HoverParams) -> Result<Option<Hover>> {
    let p = params.text_document_position_params;
    b.with_doc("hover", &p.text_document.uri, |a, rope, enc| {
        let offset = position_to_offset(rope, p.position, enc);
        let h = layerwise_ide::hover::hover(a, offset)?;
        let mut markdown = h.markdown;
        if let Some(note) = lookup_note(b, a, h.range) {
            markdown.push_str("\n\n");
            markdown.push_str(&note);
        }
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: markdown,
            }),
            range: Some(to_lsp_range(rope, h.range, enc)),
        })
    })
}

/// What to add to a hover over a stage's base image about its registry lookup.
fn lookup_note(b: &Backend, a: &Analysis, range: TextRange) -> Option<String> {
    let stage = a.model.stages.iter().find(|s| {
        s.base_range.start <= range.start
            && range.end <= s.base_range.end
            && !s.base_range.is_empty()
    })?;
    let Base::Image(image) = &stage.base else {
        return None;
    };
    let key = image.canonical();
    match images::status(b, &key)? {
        Status::Failed(f) => Some(images::failure_markdown(&f)),
        Status::Running if !a.facts.images.contains_key(&key) => Some(
            "_Asking the registry now; hints and lenses are refreshed when it answers._".into(),
        ),
        Status::Running => None,
    }
}
