//! What completion returns, and the buffer each kind of completion adds to.

use layerwise_analysis::image_ref::ImageRef;
use layerwise_syntax::TextRange;

use crate::Analysis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Keyword,
    Flag,
    Value,
    Variable,
    Stage,
    Image,
    File,
    Folder,
    Rule,
    Directive,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
    /// Text to insert (a snippet when `snippet` is true).
    pub insert: String,
    pub snippet: bool,
    /// The range the insert replaces (the partial word under the cursor).
    pub replace: TextRange,
    pub sort: Option<String>,
    /// Typing this completion should pop up completion again (e.g. after `--from=`).
    pub retrigger: bool,
}

/// The items for one request, and whether some were left out to keep the answer small (the
/// client should ask again as the user types: the text typed so far narrows the list).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completions {
    pub items: Vec<CompletionItem>,
    pub incomplete: bool,
}

/// Image names and tags known outside the file (catalogue, registry cache).
pub trait ImageIndex {
    fn image_names(&self) -> Vec<String>;
    fn tags(&self, image: &ImageRef) -> Vec<String>;
}

/// No image knowledge (tests, or when the registry is unavailable).
pub struct NoImages;

impl ImageIndex for NoImages {
    fn image_names(&self) -> Vec<String> {
        Vec::new()
    }
    fn tags(&self, _: &ImageRef) -> Vec<String> {
        Vec::new()
    }
}

/// One request: the analysis, the cursor, and the items found so far.
pub(super) struct Ctx<'a> {
    pub a: &'a Analysis,
    pub offset: u32,
    pub snippets: bool,
    pub out: Vec<CompletionItem>,
    /// Set by a kind of completion that offered only part of what it knows.
    pub incomplete: bool,
}

impl Ctx<'_> {
    /// Adds a plain item whose label is also the text inserted.
    pub fn push(
        &mut self,
        label: impl Into<String>,
        kind: CompletionKind,
        detail: Option<String>,
        replace: TextRange,
    ) {
        let label = label.into();
        self.out.push(CompletionItem {
            insert: label.clone(),
            label,
            kind,
            detail,
            documentation: None,
            snippet: false,
            replace,
            sort: None,
            retrigger: false,
        });
    }
}
