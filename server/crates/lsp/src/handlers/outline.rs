//! `textDocument/documentSymbol` (stages containing their instructions, global `ARG`s at the
//! top) and `workspace/symbol` (stages of every open Dockerfile).

use tower_lsp_server::jsonrpc::Result;

use super::answer_cap;
use super::batch_positions::Positions;
use crate::position::to_lsp_range;
use crate::server::Backend;
use crate::types::{
    DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, Location, OneOf,
    ServerCapabilities, SymbolKind, Uri, WorkspaceSymbol, WorkspaceSymbolParams,
    WorkspaceSymbolResponse,
};
use layerwise_ide::outline::{self, OutlineKind, OutlineSymbol};
use layerwise_syntax::InstructionKind;

/// Enough for any realistic set of open Dockerfiles; bounds the answer for absurd ones.
const MAX_WORKSPACE_SYMBOLS: usize = 1000;

pub fn capability(caps: &mut ServerCapabilities) {
    caps.document_symbol_provider = Some(OneOf::Left(true));
    caps.workspace_symbol_provider = Some(OneOf::Left(true));
}

pub fn document_symbols(
    b: &Backend,
    params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>> {
    b.with_doc("documentSymbol", &params.text_document.uri, |a, _, enc| {
        // the first symbols and one counting the rest; the ide names only those it returns
        let capped = outline::capped_symbols(a, answer_cap::MAX_ITEMS);
        let mut syms = capped.symbols;
        if let Some(from) = capped.first_left_out {
            syms.push(left_out_symbol(capped.left_out, from, a.text.len() as u32));
        }
        let mut offsets = Vec::new();
        collect_offsets(&syms, &mut offsets);
        let positions = Positions::new(&a.text, offsets, enc);
        let convert = |s: OutlineSymbol| to_lsp(s, &|r| positions.range(r));
        Some(DocumentSymbolResponse::Nested(
            syms.into_iter().map(convert).collect(),
        ))
    })
}

/// The symbol that ends a cut outline: it says how many symbols are left out and covers the
/// rest of the file, from the first symbol left out.
fn left_out_symbol(left_out: usize, from: u32, end: u32) -> OutlineSymbol {
    let rest = layerwise_syntax::TextRange::new(from.min(end), end);
    OutlineSymbol {
        name: format!("{left_out} more symbols not listed"),
        detail: Some(format!(
            "the outline lists the first {} symbols of a file",
            answer_cap::MAX_ITEMS
        )),
        kind: OutlineKind::Variable,
        range: rest,
        selection: layerwise_syntax::TextRange::empty(rest.start),
        children: Vec::new(),
    }
}

pub fn workspace_symbols(
    b: &Backend,
    params: WorkspaceSymbolParams,
) -> Result<Option<WorkspaceSymbolResponse>> {
    let uris: Vec<Uri> = match b.state.docs.lock() {
        Ok(docs) => docs.keys().cloned().collect(),
        Err(_) => return Ok(None),
    };
    let mut out = Vec::new();
    for uri in uris {
        if out.len() >= MAX_WORKSPACE_SYMBOLS {
            break;
        }
        let file = uri
            .path()
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        let found = b.with_doc("workspaceSymbol", &uri, |a, rope, enc| {
            Some(
                outline::stage_symbols(a, &params.query)
                    .into_iter()
                    .map(|s| WorkspaceSymbol {
                        name: s.name,
                        kind: symbol_kind(s.kind),
                        tags: None,
                        container_name: Some(file.clone()),
                        location: OneOf::Left(Location {
                            uri: uri.clone(),
                            range: to_lsp_range(rope, s.selection, enc),
                        }),
                        data: None,
                    })
                    .collect::<Vec<_>>(),
            )
        })?;
        out.extend(found.unwrap_or_default());
    }
    out.truncate(MAX_WORKSPACE_SYMBOLS);
    Ok(Some(WorkspaceSymbolResponse::Nested(out)))
}

fn collect_offsets(syms: &[OutlineSymbol], out: &mut Vec<u32>) {
    for s in syms {
        out.extend([
            s.range.start,
            s.range.end,
            s.selection.start,
            s.selection.end,
        ]);
        collect_offsets(&s.children, out);
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be named to build one
fn to_lsp(
    s: OutlineSymbol,
    range: &dyn Fn(layerwise_syntax::TextRange) -> crate::types::Range,
) -> DocumentSymbol {
    DocumentSymbol {
        name: s.name,
        detail: s.detail,
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range: range(s.range),
        selection_range: range(s.selection),
        children: (!s.children.is_empty())
            .then(|| s.children.into_iter().map(|c| to_lsp(c, range)).collect()),
    }
}

fn symbol_kind(kind: OutlineKind) -> SymbolKind {
    use InstructionKind as I;
    match kind {
        OutlineKind::Stage { named: true } => SymbolKind::CLASS,
        OutlineKind::Stage { named: false } => SymbolKind::MODULE,
        OutlineKind::Variable => SymbolKind::VARIABLE,
        OutlineKind::Instruction(k) => match k {
            I::Run | I::Cmd | I::Entrypoint | I::Healthcheck | I::Shell => SymbolKind::FUNCTION,
            I::Copy | I::Add => SymbolKind::FILE,
            I::Label | I::Maintainer => SymbolKind::PROPERTY,
            I::Expose => SymbolKind::INTERFACE,
            I::Workdir | I::Volume => SymbolKind::PACKAGE,
            I::User => SymbolKind::KEY,
            I::Stopsignal => SymbolKind::EVENT,
            I::Onbuild => SymbolKind::EVENT,
            I::Arg | I::Env => SymbolKind::VARIABLE,
            I::From => SymbolKind::CLASS,
            I::Unknown => SymbolKind::NULL,
        },
    }
}
