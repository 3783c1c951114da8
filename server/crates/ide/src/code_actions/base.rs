//! "Switch to <slimmer variant>" on the final stage's base image, with the size saved in the
//! title, from the slimmer variants the registry facts list for that image.

use layerwise_analysis::image_facts::VariantSize;
use layerwise_analysis::image_ref::ImageRef;
use layerwise_analysis::Base;
use layerwise_lint::{Applicability, Edit};
use layerwise_syntax::TextRange;

use super::{ActionKind, CodeAction};
use crate::Analysis;

pub(super) fn actions(a: &Analysis, range: TextRange) -> Vec<CodeAction> {
    let Some(stage) = a.model.stages.last() else {
        return Vec::new();
    };
    let Some(from) = a.model.instructions.get(stage.from) else {
        return Vec::new();
    };
    if !(from.range.start <= range.end && range.start <= from.range.end) {
        return Vec::new();
    }
    let Base::Image(image) = &stage.base else {
        return Vec::new();
    };
    let written = &stage.base_text;
    if written.contains('$') || image.digest.is_some() {
        return Vec::new();
    }
    let Some(variants) = a.facts.variants.get(&image.canonical()) else {
        return Vec::new();
    };
    let Ok((_, spans)) = ImageRef::parse_spanned(written) else {
        return Vec::new();
    };
    let current = a
        .facts
        .images
        .get(&image.canonical())
        .and_then(|f| f.primary());
    let mut out = Vec::new();
    for v in variants {
        let Some(tag) = ImageRef::parse(&v.reference).ok().and_then(|r| r.tag) else {
            continue;
        };
        let base = stage.base_range.start;
        let edit = match &spans.tag {
            Some(t) => Edit {
                range: TextRange::from_usize(base as usize + t.start, base as usize + t.end),
                text: tag.clone(),
            },
            None => Edit {
                range: TextRange::empty(base + spans.name.end as u32),
                text: format!(":{tag}"),
            },
        };
        let shown = format!("{}:{tag}", image.familiar_name());
        let title = match current.map(|c| saved(c.compressed_size, c.unpacked_size, v)) {
            Some(Some(s)) => format!("Switch to {shown} (saves ≈{})", approx(s)),
            _ => format!(
                "Switch to {shown} (≈{})",
                approx(v.unpacked_size.unwrap_or(v.compressed_size))
            ),
        };
        let mut act = CodeAction::new(title, ActionKind::RefactorRewrite, vec![edit]);
        act.applicability = Applicability::Unsafe;
        out.push(act);
    }
    out
}

/// Bytes saved, in the measure both figures have (unpacked when both know it).
fn saved(compressed: u64, unpacked: Option<u64>, v: &VariantSize) -> Option<u64> {
    match (unpacked, v.unpacked_size) {
        (Some(a), Some(b)) => a.checked_sub(b),
        _ => compressed.checked_sub(v.compressed_size),
    }
}

fn approx(bytes: u64) -> String {
    crate::split::approx_size(bytes)
}
