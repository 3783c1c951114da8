//! `textDocument/formatting`, `rangeFormatting` and `onTypeFormatting` (after a line break
//! that follows a continuation). The rules live in `layerwise_ide::formatting`; the client's
//! tab settings are not used because the indent follows the file (see there).

use tower_lsp_server::jsonrpc::Result;

use super::batch_positions::Positions;
use crate::position::{from_lsp_range, position_to_offset};
use crate::server::Backend;
use crate::types::{
    DocumentFormattingParams, DocumentOnTypeFormattingOptions, DocumentOnTypeFormattingParams,
    DocumentRangeFormattingParams, OneOf, ServerCapabilities, TextEdit,
};
use layerwise_ide::formatting;
use layerwise_ide::navigation::Edit;

pub fn capability(caps: &mut ServerCapabilities) {
    caps.document_formatting_provider = Some(OneOf::Left(true));
    caps.document_range_formatting_provider = Some(OneOf::Left(true));
    caps.document_on_type_formatting_provider = Some(DocumentOnTypeFormattingOptions {
        first_trigger_character: "\n".into(),
        more_trigger_character: None,
    });
}

fn convert(text: &str, enc: crate::position::Encoding, edits: Vec<Edit>) -> Vec<TextEdit> {
    let offsets = edits
        .iter()
        .flat_map(|e| [e.range.start, e.range.end])
        .collect();
    let positions = Positions::new(text, offsets, enc);
    edits
        .into_iter()
        .map(|e| TextEdit {
            range: positions.range(e.range),
            new_text: e.new_text,
        })
        .collect()
}

pub fn document(b: &Backend, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
    b.with_doc("formatting", &params.text_document.uri, |a, _, enc| {
        Some(convert(&a.text, enc, formatting::format_document(a)))
    })
}

pub fn range(b: &Backend, params: DocumentRangeFormattingParams) -> Result<Option<Vec<TextEdit>>> {
    b.with_doc(
        "rangeFormatting",
        &params.text_document.uri,
        |a, rope, enc| {
            let range = from_lsp_range(rope, params.range, enc);
            Some(convert(&a.text, enc, formatting::format_range(a, range)))
        },
    )
}

pub fn on_type(
    b: &Backend,
    params: DocumentOnTypeFormattingParams,
) -> Result<Option<Vec<TextEdit>>> {
    if params.ch != "\n" {
        return Ok(None);
    }
    let p = params.text_document_position;
    b.with_doc("onTypeFormatting", &p.text_document.uri, |a, rope, enc| {
        let offset = position_to_offset(rope, p.position, enc);
        Some(convert(&a.text, enc, formatting::format_on_type(a, offset)))
    })
}
