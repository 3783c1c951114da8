//! `textDocument/codeLens`: a lens per stage (base, estimated size, role, users) and one for
//! the file (final image size, builders discarded). Each carries `layerwise.imageSize` for the
//! stage's base image when there is one (harmless: it answers with the image's facts), else a
//! command with an empty id, which clients show as plain text.

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;

use crate::position::to_lsp_range;
use crate::server::Backend;
use crate::types::{CodeLens, CodeLensOptions, CodeLensParams, Command, ServerCapabilities};

pub fn capability(caps: &mut ServerCapabilities) {
    caps.code_lens_provider = Some(CodeLensOptions {
        resolve_provider: Some(false),
    });
}

pub fn handle(b: &Backend, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
    if !b.state.settings().code_lens.enabled {
        return Ok(Some(Vec::new()));
    }
    let uri = params.text_document.uri;
    b.with_doc("codeLens", &uri, |a, rope, enc| {
        let sizes = super::inlay_hints::file_sizes(b, &uri, a);
        // one per stage: a file of 80,000 stages gets the first ones and a lens saying so; the
        // ide words only those and counts the rest
        let capped =
            layerwise_ide::code_lens::capped_lenses(a, &sizes, super::answer_cap::MAX_ITEMS);
        let (lenses, cut, left_out) = (capped.lenses, capped.first_left_out, capped.left_out);
        let mut out: Vec<CodeLens> = lenses
            .into_iter()
            .map(|l| {
                let (command, arguments) = match l.image {
                    Some(image) => (
                        super::commands::IMAGE_SIZE.to_string(),
                        Some(vec![Value::String(image)]),
                    ),
                    None => (String::new(), None),
                };
                CodeLens {
                    range: to_lsp_range(rope, l.range, enc),
                    command: Some(Command {
                        title: l.title,
                        command,
                        arguments,
                    }),
                    data: None,
                }
            })
            .collect();
        if let Some(range) = cut {
            out.push(CodeLens {
                range: to_lsp_range(rope, range, enc),
                command: Some(Command {
                    title: format!(
                        "{left_out} more lenses not shown (at most {} per file)",
                        super::answer_cap::MAX_ITEMS
                    ),
                    command: String::new(),
                    arguments: None,
                }),
                data: None,
            });
        }
        Some(out)
    })
}
