//! `textDocument/completion`, with image names and tags from the catalogue and the registry
//! cache (never the network: tag lists are fetched in the background for next time).

use layerwise_analysis::image_ref::ImageRef;
use layerwise_ide::completion::{
    complete_list, CompletionItem as Item, CompletionKind, ImageIndex,
};
use layerwise_registry::Registry;
use tower_lsp_server::jsonrpc::Result;

use crate::position::{position_to_offset, to_lsp_range};
use crate::server::Backend;
use crate::types::*;

pub fn capability(caps: &mut ServerCapabilities) {
    caps.completion_provider = Some(CompletionOptions {
        trigger_characters: Some(
            ["-", "=", "$", "{", ":", "/", ",", " ", "#", "["]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ),
        resolve_provider: Some(false),
        ..Default::default()
    });
}

/// Image names from the catalogue; tags from the registry cache and the catalogue. A missing
/// tag list is fetched in the background.
struct RegistryImages<'a> {
    registry: &'a Registry,
}

impl ImageIndex for RegistryImages<'_> {
    fn image_names(&self) -> Vec<String> {
        layerwise_registry::Catalogue::embedded().image_names()
    }

    fn tags(&self, image: &ImageRef) -> Vec<String> {
        let mut tags = self.registry.cached_tags(image).unwrap_or_else(|| {
            if !self.registry.settings().offline {
                let registry = self.registry.clone();
                let image = image.clone();
                tokio::spawn(async move {
                    if registry.list_tags(&image).await.is_err() {
                        tracing::info!("no tag list for {}", image.display_name());
                    }
                });
            }
            Vec::new()
        });
        for t in layerwise_registry::Catalogue::embedded().tags(image) {
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        tags.truncate(500);
        tags
    }
}

fn kind(k: CompletionKind) -> CompletionItemKind {
    match k {
        CompletionKind::Keyword => CompletionItemKind::KEYWORD,
        CompletionKind::Flag => CompletionItemKind::PROPERTY,
        CompletionKind::Value => CompletionItemKind::VALUE,
        CompletionKind::Variable => CompletionItemKind::VARIABLE,
        CompletionKind::Stage => CompletionItemKind::REFERENCE,
        CompletionKind::Image => CompletionItemKind::MODULE,
        CompletionKind::File => CompletionItemKind::FILE,
        CompletionKind::Folder => CompletionItemKind::FOLDER,
        CompletionKind::Rule => CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Directive => CompletionItemKind::KEYWORD,
    }
}

pub fn handle(b: &Backend, params: CompletionParams) -> Result<Option<CompletionResponse>> {
    let p = params.text_document_position;
    let snippets = b.state.caps().snippets;
    let registry = b.state.registry();
    b.with_doc("completion", &p.text_document.uri, |a, rope, enc| {
        let offset = position_to_offset(rope, p.position, enc);
        let images = RegistryImages {
            registry: &registry,
        };
        let found = complete_list(a, offset, snippets, &images);
        let items: Vec<CompletionItem> = found
            .items
            .into_iter()
            .map(|i| to_lsp(i, rope, enc))
            .collect();
        Some(CompletionResponse::List(CompletionList {
            // some were left out: the client asks again as the user types
            is_incomplete: found.incomplete,
            items,
        }))
    })
}

fn to_lsp(i: Item, rope: &ropey::Rope, enc: crate::position::Encoding) -> CompletionItem {
    let range = to_lsp_range(rope, i.replace, enc);
    CompletionItem {
        label: i.label,
        kind: Some(kind(i.kind)),
        detail: i.detail,
        documentation: i.documentation.map(|d| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: d,
            })
        }),
        // plain text is the protocol's default: not repeated on every item (long lists of
        // stages or files are bytes the editor must read)
        insert_text_format: i.snippet.then_some(InsertTextFormat::SNIPPET),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
            range,
            new_text: i.insert,
        })),
        sort_text: i.sort,
        command: i.retrigger.then(|| Command {
            title: "suggest".into(),
            command: "editor.action.triggerSuggest".into(),
            arguments: None,
        }),
        ..Default::default()
    }
}
