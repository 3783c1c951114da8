//! The platform a stage's `FROM --platform=...` asks for, shared by the size walk (code lens,
//! inlay hints) and the base-image hover so they show figures for the same platform.

use layerwise_analysis::image_facts::Platform;
use layerwise_analysis::{Model, Stage};

/// `--platform` as written, expanded the way BuildKit expands `FROM` lines: with the global
/// `ARG`s and the automatic platform args (not the stage's own scope, which starts after
/// `FROM`). `None` without the flag or when the value does not name a platform; callers then
/// use the image's first (requested) figures.
pub(crate) fn requested(model: &Model, stage: &Stage) -> Option<Platform> {
    let written = stage.platform.as_deref()?;
    if written.contains('$') {
        let text = model.global_scope().expand(written, model.escape).value;
        Platform::parse(text.trim()).ok()
    } else {
        Platform::parse(written.trim()).ok()
    }
}

/// Whether `written` needs expanding (the size walk counts expansions against its budget).
pub(crate) fn needs_expansion(stage: &Stage) -> bool {
    stage.platform.as_deref().is_some_and(|p| p.contains('$'))
}
