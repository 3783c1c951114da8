//! `textDocument/selectionRange`: for each position, the chain from the word under it out to
//! the whole file (`layerwise_ide::selection_ranges`).

use tower_lsp_server::jsonrpc::Result;

use crate::position::{position_to_offset, to_lsp_range};
use crate::server::Backend;
use crate::types::{
    SelectionRange, SelectionRangeParams, SelectionRangeProviderCapability, ServerCapabilities,
};

/// Bounds the work of one request (a client asks for a handful of cursors).
const MAX_POSITIONS: usize = 1000;

pub fn capability(caps: &mut ServerCapabilities) {
    caps.selection_range_provider = Some(SelectionRangeProviderCapability::Simple(true));
}

pub fn handle(b: &Backend, params: SelectionRangeParams) -> Result<Option<Vec<SelectionRange>>> {
    b.with_doc(
        "selectionRange",
        &params.text_document.uri,
        |a, rope, enc| {
            Some(
                params
                    .positions
                    .iter()
                    .take(MAX_POSITIONS)
                    .map(|p| {
                        let offset = position_to_offset(rope, *p, enc);
                        let steps = layerwise_ide::selection_ranges::selection_ranges(a, offset);
                        let mut chain: Option<SelectionRange> = None;
                        for r in steps.into_iter().rev() {
                            chain = Some(SelectionRange {
                                range: to_lsp_range(rope, r, enc),
                                parent: chain.map(Box::new),
                            });
                        }
                        chain.unwrap_or_else(|| SelectionRange {
                            range: to_lsp_range(
                                rope,
                                layerwise_syntax::TextRange::empty(offset),
                                enc,
                            ),
                            parent: None,
                        })
                    })
                    .collect(),
            )
        },
    )
}
