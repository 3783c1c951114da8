//! `textDocument/signatureHelp`: instruction forms and flag shapes from
//! `layerwise_ide::signature_help`, with parameter offsets converted to UTF-16 (what the
//! protocol counts in labels).

use tower_lsp_server::jsonrpc::Result;

use crate::position::position_to_offset;
use crate::server::Backend;
use crate::types::{
    Documentation, MarkupContent, MarkupKind, ParameterInformation, ParameterLabel,
    ServerCapabilities, SignatureHelp, SignatureHelpOptions, SignatureHelpParams,
    SignatureInformation,
};

pub fn capability(caps: &mut ServerCapabilities) {
    caps.signature_help_provider = Some(SignatureHelpOptions {
        trigger_characters: Some(vec![" ".into(), "=".into(), ",".into()]),
        retrigger_characters: Some(vec![",".into()]),
        work_done_progress_options: Default::default(),
    });
}

pub fn handle(b: &Backend, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
    let p = params.text_document_position_params;
    b.with_doc("signatureHelp", &p.text_document.uri, |a, rope, enc| {
        let offset = position_to_offset(rope, p.position, enc);
        let help = layerwise_ide::signature_help::signature_help(a, offset)?;
        Some(SignatureHelp {
            signatures: help
                .signatures
                .into_iter()
                .map(|s| {
                    let utf16 = |byte: usize| {
                        s.label.get(..byte).map_or(0, |p| p.encode_utf16().count()) as u32
                    };
                    SignatureInformation {
                        parameters: Some(
                            s.parameters
                                .iter()
                                .map(|&(from, to)| ParameterInformation {
                                    label: ParameterLabel::LabelOffsets([utf16(from), utf16(to)]),
                                    documentation: None,
                                })
                                .collect(),
                        ),
                        documentation: Some(Documentation::MarkupContent(MarkupContent {
                            kind: MarkupKind::Markdown,
                            value: s.documentation,
                        })),
                        label: s.label,
                        active_parameter: None,
                    }
                })
                .collect(),
            active_signature: Some(help.active_signature as u32),
            active_parameter: help.active_parameter.map(|p| p as u32),
        })
    })
}
