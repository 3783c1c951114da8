//! `textDocument/foldingRange`: line spans of `layerwise_ide::folding`. Folds of a single line
//! are dropped and only the widest fold starting on a line is kept (editors use one per line).

use tower_lsp_server::jsonrpc::Result;

use super::batch_positions::Positions;
use crate::server::Backend;
use crate::types::{
    FoldingRange, FoldingRangeKind, FoldingRangeParams, FoldingRangeProviderCapability,
    ServerCapabilities,
};
use layerwise_ide::folding::{self, FoldKind};

pub fn capability(caps: &mut ServerCapabilities) {
    caps.folding_range_provider = Some(FoldingRangeProviderCapability::Simple(true));
}

pub fn handle(b: &Backend, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
    b.with_doc("foldingRange", &params.text_document.uri, |a, _, enc| {
        let folds = folding::folding_ranges(a);
        let offsets = folds
            .iter()
            .flat_map(|f| [f.range.start, f.range.end])
            .collect();
        let positions = Positions::new(&a.text, offsets, enc);
        let mut out: Vec<FoldingRange> = Vec::new();
        for f in folds {
            let start = positions.get(f.range.start).line;
            let end = positions.get(f.range.end).line;
            if end <= start {
                continue;
            }
            // sorted by start offset, widest first: a later fold on the same line is narrower
            if out.last().is_some_and(|p| p.start_line == start) {
                continue;
            }
            out.push(FoldingRange {
                start_line: start,
                start_character: None,
                end_line: end,
                end_character: None,
                kind: Some(match f.kind {
                    FoldKind::Region => FoldingRangeKind::Region,
                    FoldKind::Comment => FoldingRangeKind::Comment,
                }),
                collapsed_text: None,
            });
        }
        Some(out)
    })
}
