//! `textDocument/definition`, `references`, `documentHighlight`, `prepareRename` and `rename`:
//! protocol glue around `layerwise_ide::navigation`. Every answer is inside the one document
//! (stage names and variables do not cross files).

use std::collections::HashMap;

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};

use crate::position::{position_to_offset, to_lsp_range};
use crate::server::Backend;
use crate::types::{
    DocumentHighlight, DocumentHighlightKind, DocumentHighlightParams, GotoDefinitionParams,
    GotoDefinitionResponse, Location, OneOf, PrepareRenameResponse, ReferenceParams, RenameOptions,
    RenameParams, ServerCapabilities, TextDocumentPositionParams, TextEdit, WorkspaceEdit,
};
use layerwise_ide::navigation::{self, Access};

pub fn capability(caps: &mut ServerCapabilities) {
    caps.definition_provider = Some(OneOf::Left(true));
    caps.references_provider = Some(OneOf::Left(true));
    caps.document_highlight_provider = Some(OneOf::Left(true));
    caps.rename_provider = Some(OneOf::Right(RenameOptions {
        prepare_provider: Some(true),
        work_done_progress_options: Default::default(),
    }));
}

pub fn definition(
    b: &Backend,
    params: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>> {
    let p = params.text_document_position_params;
    let uri = p.text_document.uri;
    b.with_doc("definition", &uri, |a, rope, enc| {
        let offset = position_to_offset(rope, p.position, enc);
        let range = navigation::definition(a, offset)?;
        Some(GotoDefinitionResponse::Scalar(Location {
            uri: uri.clone(),
            range: to_lsp_range(rope, range, enc),
        }))
    })
}

pub fn references(b: &Backend, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
    let p = params.text_document_position;
    let uri = p.text_document.uri;
    let include = params.context.include_declaration;
    b.with_doc("references", &uri, |a, rope, enc| {
        let offset = position_to_offset(rope, p.position, enc);
        let found = navigation::references(a, offset, include);
        Some(
            found
                .into_iter()
                .map(|r| Location {
                    uri: uri.clone(),
                    range: to_lsp_range(rope, r, enc),
                })
                .collect(),
        )
    })
}

pub fn highlight(
    b: &Backend,
    params: DocumentHighlightParams,
) -> Result<Option<Vec<DocumentHighlight>>> {
    let p = params.text_document_position_params;
    b.with_doc("documentHighlight", &p.text_document.uri, |a, rope, enc| {
        let offset = position_to_offset(rope, p.position, enc);
        let found = navigation::highlights(a, offset);
        Some(
            found
                .into_iter()
                .map(|o| DocumentHighlight {
                    range: to_lsp_range(rope, o.range, enc),
                    kind: Some(match o.access {
                        Access::Write => DocumentHighlightKind::WRITE,
                        Access::Read => DocumentHighlightKind::READ,
                    }),
                })
                .collect(),
        )
    })
}

pub fn prepare_rename(
    b: &Backend,
    p: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>> {
    let answer = b.with_doc("prepareRename", &p.text_document.uri, |a, rope, enc| {
        let offset = position_to_offset(rope, p.position, enc);
        Some(navigation::prepare_rename(a, offset).map(|found| {
            found.map(
                |(range, placeholder)| PrepareRenameResponse::RangeWithPlaceholder {
                    range: to_lsp_range(rope, range, enc),
                    placeholder,
                },
            )
        }))
    })?;
    match answer {
        Some(Ok(r)) => Ok(r),
        Some(Err(e)) => Err(invalid(e.0)),
        None => Ok(None),
    }
}

pub fn rename(b: &Backend, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
    let p = params.text_document_position;
    let uri = p.text_document.uri;
    let new_name = params.new_name;
    let answer = b.with_doc("rename", &uri, |a, rope, enc| {
        let offset = position_to_offset(rope, p.position, enc);
        Some(navigation::rename(a, offset, &new_name).map(|edits| {
            let edits: Vec<TextEdit> = edits
                .into_iter()
                .map(|e| TextEdit {
                    range: to_lsp_range(rope, e.range, enc),
                    new_text: e.new_text,
                })
                .collect();
            WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), edits)])),
                ..Default::default()
            }
        }))
    })?;
    match answer {
        Some(Ok(edit)) => Ok(Some(edit)),
        Some(Err(e)) => Err(invalid(e.0)),
        None => Ok(None),
    }
}

/// A rename the user asked for that cannot be done: the message is for the user.
fn invalid(message: String) -> Error {
    Error {
        code: ErrorCode::InvalidParams,
        message: message.into(),
        data: None,
    }
}
