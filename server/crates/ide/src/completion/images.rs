//! The arguments of `FROM`: image names (and earlier stages, and `scratch`) in the image
//! position, tags after `name:`, then `AS`.

use layerwise_analysis::image_ref::ImageRef;
use layerwise_syntax::TextRange;

use super::flags::flags_hint_from;
use super::item::{CompletionItem, CompletionKind, Ctx, ImageIndex};
use super::stages;

/// `before` is the line up to the cursor and `word` the word being typed (at `word_range`).
pub(super) fn from_completion(
    cx: &mut Ctx<'_>,
    before: &str,
    word: &str,
    word_range: TextRange,
    index: Option<usize>,
    images: &dyn ImageIndex,
) {
    // position among the FROM arguments (flags excluded)
    let args = before
        .split_whitespace()
        .skip(1)
        .filter(|w| !w.starts_with("--"))
        .count();
    let position = if word.is_empty() {
        args
    } else {
        args.saturating_sub(1)
    };
    match position {
        0 => image_position(cx, word, word_range, index, images),
        1 => cx.push("AS", CompletionKind::Keyword, None, word_range),
        _ => {}
    }
}

fn image_position(
    cx: &mut Ctx<'_>,
    word: &str,
    word_range: TextRange,
    index: Option<usize>,
    images: &dyn ImageIndex,
) {
    // the tag's colon is the last one after the last `/` (`127.0.0.1:5000/app:` has a port
    // colon first)
    let after_slash = word.rfind('/').map_or(0, |k| k + 1);
    let tag_colon = word[after_slash..].rfind(':').map(|k| after_slash + k);
    if let Some((name, tag)) = tag_colon.map(|k| (&word[..k], &word[k + 1..])) {
        if let Ok(img) = ImageRef::parse(name) {
            let tr = TextRange::new(word_range.end - tag.len() as u32, word_range.end);
            for t in images.tags(&img) {
                cx.push(t, CompletionKind::Value, Some(format!("{name} tag")), tr);
            }
        }
        return;
    }
    if word.is_empty() && cx.out.is_empty() {
        flags_hint_from(cx, word_range);
    }
    // earlier stages are valid bases too
    for st in stages::nearest_earlier(cx, index, word, true) {
        if let Some(n) = &st.name {
            cx.push(
                n.clone(),
                CompletionKind::Stage,
                Some(format!("stage from {}", st.base_resolved)),
                word_range,
            );
        }
    }
    cx.push(
        "scratch",
        CompletionKind::Image,
        Some("empty image".into()),
        word_range,
    );
    for name in images.image_names() {
        cx.out.push(CompletionItem {
            label: name.clone(),
            kind: CompletionKind::Image,
            detail: Some("image".into()),
            documentation: None,
            insert: name,
            snippet: false,
            replace: word_range,
            sort: None,
            retrigger: false,
        });
    }
}
