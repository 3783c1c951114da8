//! `textDocument/documentLink`: base images to their registry page, `COPY`/`ADD` sources to
//! the files in the build context (resolved next to the Dockerfile, whose folder is the
//! context the server walks).

use tower_lsp_server::jsonrpc::Result;

use super::answer_cap::MAX_ITEMS;
use crate::position::to_lsp_range;
use crate::server::Backend;
use crate::types::{
    DocumentLink, DocumentLinkOptions, DocumentLinkParams, ServerCapabilities, Uri,
};
use layerwise_ide::document_links::{self, LinkTarget};

pub fn capability(caps: &mut ServerCapabilities) {
    caps.document_link_provider = Some(DocumentLinkOptions {
        resolve_provider: Some(false),
        work_done_progress_options: Default::default(),
    });
}

pub fn handle(b: &Backend, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
    let uri = params.text_document.uri;
    b.with_doc("documentLink", &uri, |a, rope, enc| {
        let capped = document_links::capped_links(a, MAX_ITEMS);
        if capped.left_out > 0 {
            // A link has to sit on text, so there is no item to say so in the answer itself.
            tracing::info!(
                "documentLink: {} links listed, {} more left out",
                capped.links.len(),
                capped.left_out
            );
        }
        Some(
            capped
                .links
                .into_iter()
                .filter_map(|l| {
                    let target: Uri = match &l.target {
                        LinkTarget::Url(u) => u.parse().ok()?,
                        LinkTarget::ContextFile(rel) => sibling(&uri, rel)?,
                    };
                    Some(DocumentLink {
                        range: to_lsp_range(rope, l.range, enc),
                        target: Some(target),
                        tooltip: Some(l.tooltip),
                        data: None,
                    })
                })
                .collect(),
        )
    })
}

/// The URI of `rel` (a `/`-separated path) in the folder of the `file:` document `doc`.
fn sibling(doc: &Uri, rel: &str) -> Option<Uri> {
    let s = doc.as_str();
    if !s.starts_with("file:") {
        return None;
    }
    let dir = &s[..s.rfind('/')? + 1];
    let encoded: Vec<String> = rel.split('/').map(encode_segment).collect();
    format!("{dir}{}", encoded.join("/")).parse().ok()
}

fn encode_segment(seg: &str) -> String {
    let mut out = String::new();
    for b in seg.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_files_resolve_next_to_the_dockerfile() {
        let doc: Uri = "file:///work/my%20app/Dockerfile".parse().unwrap();
        let u = sibling(&doc, "src/a b#1.json").unwrap();
        assert_eq!(u.as_str(), "file:///work/my%20app/src/a%20b%231.json");
        let untitled: Uri = "untitled:Untitled-1".parse().unwrap();
        assert!(sibling(&untitled, "a").is_none());
    }
}
