//! An open document: its text as a rope (for position conversion) and its syntax tree, both
//! updated incrementally on every change, plus the cached analysis of the current version.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use layerwise_ide::Analysis;
use layerwise_syntax::{Dockerfile, TextRange};
use ropey::Rope;

use crate::position::{from_lsp_range, Encoding};
use crate::types::TextDocumentContentChangeEvent;

/// Documents larger than this are refused with a message (the parser handles more, but an
/// editor buffer this size is not a Dockerfile: the largest of the 1,100+ real ones in the
/// corpus is 25 kB). Peak memory grows with the document (reliability finding F16); measured
/// on the release build (2026-11-22, open + diagnostics + every whole-document request):
/// lines of `RUN echo hello world` take about 310-360 MB of peak RSS per MB, so a document at
/// this cap peaks at about 1.2 GB (3.9 MB: 1,215 MB). Pathological shapes cost far more per
/// byte: 2-byte unknown instructions (`A`) about 8 GB per MB and 7-byte `FROM a` stages about
/// 4-7 GB per MB (0.25 MB: 2.0 and 1.0 GB), so at this cap they would still exceed 2 GB;
/// bounding those is for the analysis and lint side of F16, not for a smaller cap (one below
/// 3 MB would also refuse the robustness suite's 2.6 MB CI document).
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

pub struct Document {
    pub rope: Rope,
    pub tree: Dockerfile,
    pub version: i32,
    pub language_id: String,
    /// The file on disk, for `file:` URIs.
    pub path: Option<PathBuf>,
    /// The analysis of `version`, once computed.
    pub analysis: Option<(i32, Arc<Analysis>)>,
    /// The analysis being computed, keyed by (version, analysis generation): requests that
    /// arrive meanwhile wait for it instead of computing the same thing again on the other core.
    pub in_flight: Option<(AnalysisKey, InFlight)>,
    /// Held while diagnostics of this document are computed for publishing. A version whose
    /// debounce ends while an older one is still being analysed waits for it instead of
    /// starting a second analysis beside it: on a slow machine (a debug build under load)
    /// analyses started side by side for every burst of keys would take the cores from the
    /// thread reading the changes, and the queue of changes would grow without end.
    pub publishing: Arc<tokio::sync::Mutex<()>>,
}

/// Which analysis a computation is for: the document version and the state's generation
/// (bumped when settings or facts change).
pub type AnalysisKey = (i32, u64);

/// Filled once by whichever caller computes the analysis; `None` when it could not be made.
pub type InFlight = Arc<OnceLock<Option<Arc<Analysis>>>>;

impl Document {
    pub fn new(text: &str, version: i32, language_id: String, path: Option<PathBuf>) -> Self {
        Self {
            rope: Rope::from_str(text),
            tree: Dockerfile::parse(text),
            version,
            language_id,
            path,
            analysis: None,
            in_flight: None,
            publishing: Arc::default(),
        }
    }

    /// Applies LSP content changes in order. A change whose range is out of bounds is clamped
    /// (clients occasionally send stale ranges); a change without a range replaces the text.
    pub fn apply_changes(
        &mut self,
        changes: &[TextDocumentContentChangeEvent],
        version: i32,
        enc: Encoding,
    ) {
        for change in changes {
            match change.range {
                None => {
                    self.rope = Rope::from_str(&change.text);
                    self.tree = Dockerfile::parse(&change.text);
                }
                Some(range) => {
                    let r: TextRange = from_lsp_range(&self.rope, range, enc);
                    let (a, b) = (
                        self.rope.byte_to_char(r.start as usize),
                        self.rope.byte_to_char(r.end as usize),
                    );
                    self.rope.remove(a..b);
                    self.rope.insert(a, &change.text);
                    self.tree.edit(r, &change.text);
                }
            }
        }
        self.version = version;
        self.analysis = None;
        debug_assert_eq!(self.tree.len() as usize, self.rope.len_bytes());
    }

    pub fn len(&self) -> usize {
        self.rope.len_bytes()
    }

    pub fn is_empty(&self) -> bool {
        self.rope.len_bytes() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Position, Range};

    fn change(l0: u32, c0: u32, l1: u32, c1: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position {
                    line: l0,
                    character: c0,
                },
                end: Position {
                    line: l1,
                    character: c1,
                },
            }),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn incremental_changes_keep_rope_and_tree_in_step() {
        let mut d = Document::new("FROM a\nRUN b\n", 1, "dockerfile".into(), None);
        d.apply_changes(
            &[
                change(1, 5, 1, 5, " \\\n  && c"),
                change(0, 5, 0, 6, "node:20"),
            ],
            2,
            Encoding::Utf16,
        );
        let text = d.rope.to_string();
        assert_eq!(text, "FROM node:20\nRUN b \\\n  && c\n");
        assert_eq!(d.tree, Dockerfile::parse(&text));
        // out-of-range ranges clamp instead of failing
        d.apply_changes(&[change(99, 0, 120, 4, "CMD x")], 3, Encoding::Utf16);
        assert!(d.rope.to_string().ends_with("CMD x"));
        assert_eq!(d.tree, Dockerfile::parse(&d.rope.to_string()));
    }
}
