//! `textDocument/hover`.

use tower_lsp_server::jsonrpc::Result;

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
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: h.markdown,
            }),
            range: Some(to_lsp_range(rope, h.range, enc)),
        })
    })
}
