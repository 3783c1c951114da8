//! Earlier stages, for `COPY --from=` and `RUN --mount=from=`: by name (or index), each with
//! its base image and, when known, its size.
//!
//! A generated or machine-written file can have hundreds of stages, and every item costs the
//! editor bytes to read and sort. So only the stages whose name matches what is typed are
//! considered, and of those only the [`MAX_STAGES`] nearest before the cursor (the likeliest
//! to be meant) are formatted and offered; the answer is then marked incomplete so the editor
//! asks again as the user types, which narrows the list to the stage wanted.

use layerwise_analysis::image_facts::format_bytes;
use layerwise_analysis::model::Stage;
use layerwise_analysis::Base;
use layerwise_syntax::TextRange;

use super::item::{CompletionItem, CompletionKind, Ctx};
use crate::Analysis;

/// The most stages one answer offers.
pub(super) const MAX_STAGES: usize = 100;

/// `index` is the instruction under the cursor (its stage and later ones are not offered);
/// `typed` is the part of the value already typed.
pub(super) fn stages(cx: &mut Ctx<'_>, index: Option<usize>, typed: &str, replace: TextRange) {
    let a = cx.a;
    for st in nearest_earlier(cx, index, typed, false) {
        let item = stage_item(a, st, replace);
        cx.out.push(item);
    }
}

/// The stages before the one of instruction `index` (all of them outside a stage) whose label
/// matches `typed` (only named ones if `named_only`), at most [`MAX_STAGES`] of them, the
/// nearest before the cursor, in file order. Marks the answer incomplete if some are left out.
pub(super) fn nearest_earlier<'a>(
    cx: &mut Ctx<'a>,
    index: Option<usize>,
    typed: &str,
    named_only: bool,
) -> Vec<&'a Stage> {
    let a: &'a Analysis = cx.a;
    let model = &a.model;
    let current = index
        .and_then(|i| model.instructions.get(i))
        .and_then(|i| i.stage);
    let earlier = model
        .stages
        .partition_point(|st| current.is_none_or(|c| st.index < c));
    let mut shown: Vec<&Stage> = model.stages[..earlier]
        .iter()
        .rev()
        .filter(|st| !named_only || st.name.is_some())
        .filter(|st| typed.is_empty() || fuzzy_match(&st.label(), typed))
        .take(MAX_STAGES + 1)
        .collect();
    if shown.len() > MAX_STAGES {
        shown.truncate(MAX_STAGES);
        cx.incomplete = true;
    }
    shown.reverse();
    shown
}

fn stage_item(a: &Analysis, st: &Stage, replace: TextRange) -> CompletionItem {
    let images = &a.facts.images;
    let size = match &st.base {
        // the canonical form is built only when there are sizes to look it up in
        Base::Image(img) if !images.is_empty() => images
            .get(&img.canonical())
            .and_then(|f| {
                // the stage's `FROM --platform`, as hover and code lens show it
                f.for_platform_or_primary(a.model.requested_platform(st).as_ref())
            })
            .map(|p| p.compressed_size)
            .map(|s| format!(", {}", format_bytes(s))),
        _ => None,
    };
    let label = st.label();
    CompletionItem {
        label: label.clone(),
        kind: CompletionKind::Stage,
        detail: Some(format!(
            "stage {} from {}{}",
            st.index,
            st.base_resolved,
            size.unwrap_or_default()
        )),
        documentation: None,
        insert: label,
        snippet: false,
        replace,
        sort: Some(format!("{:04}", st.index)),
        retrigger: false,
    }
}

/// The characters of `typed` appear in `label` in order, ignoring ASCII case: a superset of
/// what editors' fuzzy filters keep, so nothing an editor would show is left out.
pub(super) fn fuzzy_match(label: &str, typed: &str) -> bool {
    let mut rest = label.chars();
    typed
        .chars()
        .all(|t| rest.by_ref().any(|c| c.eq_ignore_ascii_case(&t)))
}
