//! `textDocument/inlayHint`: layer sizes (see `layerwise_ide::inlay_hints`), and the size
//! inputs the estimator needs that only the server has: which facts are still arriving
//! (a build-context walk, a registry lookup), and the text of lockfiles and requirements files
//! in the build context. Those files are read in the background, never on a request: the
//! first answer says "pending", and the client is asked to refresh hints and lenses when the
//! text is in.
//!
//! Tooltips are most of the work of a full pass and most of the bytes of the answer. A client
//! that can resolve them lazily (`inlayHint.resolveSupport` lists `tooltip`) gets hints without
//! them, each carrying where it is (`data`), and `inlayHint/resolve` words the one shown.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use layerwise_analysis::Base;
use layerwise_ide::inlay_hints::HintKind;
use layerwise_ide::sizes::{self, FileSizes, SizeInputs};
use layerwise_ide::Analysis;
use layerwise_syntax::TextRange;
use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::Result;

use super::images::{self, Status};
use crate::position::{offset_to_position, position_to_offset};
use crate::server::{uri_to_path, Backend};
use crate::types::{
    ClientCapabilities, InlayHint, InlayHintLabel, InlayHintOptions, InlayHintParams,
    InlayHintServerCapabilities, InlayHintTooltip, MarkupContent, MarkupKind, OneOf,
    ServerCapabilities, Uri,
};

pub fn capability(caps: &mut ServerCapabilities) {
    caps.inlay_hint_provider = Some(OneOf::Right(InlayHintServerCapabilities::Options(
        InlayHintOptions {
            resolve_provider: Some(true),
            ..Default::default()
        },
    )));
}

/// Whether the client resolves tooltips lazily (set once, from `initialize`).
static LAZY_TOOLTIPS: AtomicBool = AtomicBool::new(false);

/// Remembers whether the client can resolve a hint's tooltip later (called from `initialize`).
pub fn remember_client(caps: &ClientCapabilities) {
    let lazy = caps
        .text_document
        .as_ref()
        .and_then(|t| t.inlay_hint.as_ref())
        .and_then(|h| h.resolve_support.as_ref())
        .is_some_and(|r| r.properties.iter().any(|p| p == "tooltip"));
    LAZY_TOOLTIPS.store(lazy, Ordering::Relaxed);
}

fn kind_name(k: HintKind) -> &'static str {
    match k {
        HintKind::Base => "base",
        HintKind::Step => "step",
        HintKind::Total => "total",
    }
}

fn kind_from_name(name: &str) -> Option<HintKind> {
    match name {
        "base" => Some(HintKind::Base),
        "step" => Some(HintKind::Step),
        "total" => Some(HintKind::Total),
        _ => None,
    }
}

fn markdown(value: String) -> InlayHintTooltip {
    InlayHintTooltip::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    })
}

pub fn handle(b: &Backend, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
    if !b.state.settings().inlay_hints.enabled {
        return Ok(Some(Vec::new()));
    }
    let uri = params.text_document.uri;
    let range = params.range;
    let lazy = LAZY_TOOLTIPS.load(Ordering::Relaxed);
    b.with_doc("inlayHint", &uri, |a, rope, enc| {
        let sizes = file_sizes(b, &uri, a);
        let start = position_to_offset(rope, range.start, enc);
        let end = position_to_offset(rope, range.end, enc);
        let range = TextRange::new(start, end.max(start));
        // A whole-file range on a huge file: the first hints, then one that says where they
        // stop. The ide builds only those it returns and counts the rest.
        let capped = layerwise_ide::inlay_hints::capped_hints(
            a,
            &sizes,
            range,
            !lazy,
            super::answer_cap::MAX_ITEMS,
        );
        let mut hints = capped.hints;
        explain_failures(b, a, &sizes, &mut hints);
        let mut out: Vec<InlayHint> = hints
                .into_iter()
                .map(|h| InlayHint {
                    position: offset_to_position(rope, h.offset, enc),
                    data: lazy.then(|| {
                        json!({"uri": uri.as_str(), "version": a.version, "offset": h.offset, "kind": kind_name(h.kind)})
                    }),
                    label: InlayHintLabel::String(h.label),
                    kind: None,
                    text_edits: None,
                    tooltip: (!lazy).then(|| markdown(h.tooltip)),
                    padding_left: Some(true),
                    padding_right: None,
                })
                .collect();
        if let Some(offset) = capped.first_left_out {
            out.push(left_out_hint(
                offset_to_position(rope, offset, enc),
                capped.left_out,
            ));
        }
        Some(out)
    })
}

/// The hint where a cut answer stops: how many hints after it are not shown, and why.
fn left_out_hint(position: crate::types::Position, left_out: usize) -> InlayHint {
    InlayHint {
        position,
        label: InlayHintLabel::String(format!("{left_out} more hints not shown")),
        kind: None,
        text_edits: None,
        tooltip: Some(markdown(format!(
            "One answer shows at most {} size hints; scroll here to see the ones that follow.",
            super::answer_cap::MAX_ITEMS
        ))),
        padding_left: Some(true),
        padding_right: None,
        data: None,
    }
}

/// `inlayHint/resolve`: the tooltip of a hint sent without one. A hint of an older version of
/// the document (or not ours) comes back as it was.
pub fn resolve(b: &Backend, mut hint: InlayHint) -> Result<InlayHint> {
    let Some(data) = hint.data.as_ref() else {
        return Ok(hint);
    };
    let field = |k: &str| data.get(k).cloned().unwrap_or(Value::Null);
    let (Some(uri), Some(version), Some(offset), Some(kind)) = (
        field("uri").as_str().and_then(|u| u.parse::<Uri>().ok()),
        field("version").as_i64(),
        field("offset").as_u64().and_then(|o| u32::try_from(o).ok()),
        field("kind").as_str().and_then(kind_from_name),
    ) else {
        return Ok(hint);
    };
    let tooltip = b.with_doc("inlayHint/resolve", &uri, |a, _, _| {
        if i64::from(a.version) != version {
            return None;
        }
        let sizes = file_sizes(b, &uri, a);
        let mut text = layerwise_ide::inlay_hints::tooltip_at(a, &sizes, offset, kind)?;
        if kind == HintKind::Base {
            if let Some((f, _)) = base_failure(b, a, &sizes, offset) {
                text = format!("{}\n\n{text}", images::failure_markdown(&f));
            }
        }
        Some(text)
    })?;
    if let Some(t) = tooltip {
        hint.tooltip = Some(markdown(t));
    }
    Ok(hint)
}

/// The size estimates of a document with everything the server knows: pending walks and
/// lookups, and the context files read so far (reads of the others are started). Cached per
/// document until its analysis or any of those inputs change, so scrolling (a hint request per
/// visible range) and lenses do not estimate again.
pub fn file_sizes(b: &Backend, uri: &Uri, a: &Analysis) -> Arc<FileSizes> {
    let mut inputs = SizeInputs::default();
    let dir = uri_to_path(uri).and_then(|p| p.parent().map(Path::to_path_buf));
    if let Some(dir) = &dir {
        if a.facts.context.is_none() && b.state.settings().context.enabled {
            // A walk running, or one that finished after this analysis was made (the
            // refresh that follows will bring the new analysis).
            inputs.context_pending = b
                .state
                .contexts
                .lock()
                .map(|m| match m.get(dir) {
                    Some(None) => true,
                    Some(Some(c)) => c.context.is_some(),
                    None => false,
                })
                .unwrap_or(false);
        }
    }
    inputs.images_pending = pending_images(b, a);
    // The Arc of this analysis, to recognise it next time (`a` is the current version's).
    let current = b
        .analysis(uri)
        .filter(|arc| std::ptr::eq(Arc::as_ptr(arc), a));
    let mut pending: Vec<&String> = inputs.images_pending.iter().collect();
    pending.sort();
    let cheap_key = format!("{}|{:?}", inputs.context_pending, pending);
    if let Some(current) = &current {
        if let Some(hit) = cached_sizes(b, uri, current, &cheap_key, a, dir.as_deref()) {
            return hit;
        }
    }
    let first = sizes::estimate(a, &inputs);
    let wanted = first.wanted_files.clone();
    // The state of each wanted file as used for this estimate (not re-read afterwards: a read
    // finishing meanwhile must make the next request estimate again).
    let mut states = Vec::new();
    let sizes = match &dir {
        Some(dir) if !wanted.is_empty() => {
            // Freed before estimating again: on a huge file two estimates at once doubled
            // this request's peak.
            drop(first);
            let mut loading = false;
            for rel in &wanted {
                let state = context_file(b, a, dir, rel);
                states.push(signature_part(rel, &state));
                match state {
                    Cached::Text(t) => {
                        inputs.files.insert(rel.clone(), t);
                    }
                    Cached::Loading => loading = true,
                    Cached::Unreadable => {}
                }
            }
            inputs.files_pending = loading;
            sizes::estimate(a, &inputs)
        }
        _ => first,
    };
    let sizes = Arc::new(sizes);
    if let (Some(current), Some(_)) = (current, &dir) {
        let signature = states.join("|");
        if let Ok(mut cache) = sizes_cache().lock() {
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            cache.insert(
                uri.clone(),
                CachedSizes {
                    analysis: Arc::downgrade(&current),
                    key: cheap_key,
                    wanted,
                    signature,
                    sizes: sizes.clone(),
                },
            );
        }
    }
    sizes
}

/// A cached estimate for this very analysis, if nothing it depended on has changed.
fn cached_sizes(
    b: &Backend,
    uri: &Uri,
    current: &Arc<Analysis>,
    key: &str,
    a: &Analysis,
    dir: Option<&Path>,
) -> Option<Arc<FileSizes>> {
    let (wanted, signature, sizes) = {
        let cache = sizes_cache().lock().ok()?;
        let c = cache.get(uri)?;
        // The cached Weak keeps the allocation, so an equal pointer is this same analysis.
        if !std::ptr::eq(c.analysis.as_ptr(), Arc::as_ptr(current)) || c.key != key {
            return None;
        }
        (c.wanted.clone(), c.signature.clone(), c.sizes.clone())
    };
    let dir = dir?;
    (files_signature(b, a, dir, &wanted) == signature).then_some(sizes)
}

/// Which of the wanted files are read, loading or unreadable now (starts reads as needed).
fn files_signature(b: &Backend, a: &Analysis, dir: &Path, wanted: &[String]) -> String {
    wanted
        .iter()
        .map(|rel| signature_part(rel, &context_file(b, a, dir, rel)))
        .collect::<Vec<_>>()
        .join("|")
}

fn signature_part(rel: &str, state: &Cached) -> String {
    match state {
        Cached::Text(t) => format!("{rel}:{}", t.len()),
        Cached::Loading => format!("{rel}:loading"),
        Cached::Unreadable => format!("{rel}:none"),
    }
}

fn context_file(b: &Backend, a: &Analysis, dir: &Path, rel: &str) -> Cached {
    match a.facts.context.as_ref().and_then(|c| c.entry(rel)) {
        Some(entry) => cached_text(b, &dir.join(rel), entry.size),
        None => Cached::Unreadable,
    }
}

struct CachedSizes {
    analysis: Weak<Analysis>,
    key: String,
    wanted: Vec<String>,
    signature: String,
    sizes: Arc<FileSizes>,
}

fn sizes_cache() -> &'static Mutex<HashMap<Uri, CachedSizes>> {
    static SIZES: OnceLock<Mutex<HashMap<Uri, CachedSizes>>> = OnceLock::new();
    SIZES.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Base images whose first registry lookup is running: their figures are "pending" (or, for
/// catalogue figures, carry a note that exact ones are on the way). A lookup that failed is
/// not pending: the hint says why instead (see [`explain_failures`]).
fn pending_images(b: &Backend, a: &Analysis) -> HashSet<String> {
    let mut out = HashSet::new();
    if b.state.registry().settings().offline {
        return out;
    }
    // Each image once, by its text (no allocation for the 99,999 repeats of a 100,000-stage file).
    let mut seen = HashSet::new();
    for stage in &a.model.stages {
        let Base::Image(r) = &stage.base else {
            continue;
        };
        if !seen.insert(stage.base_resolved.as_str()) {
            continue;
        }
        let key = r.canonical();
        if matches!(images::status(b, &key), Some(Status::Running)) {
            out.insert(key);
        }
    }
    out
}

/// Base-image hints of images whose last registry lookup failed: without figures the label
/// says why in a few words (`base ? (not found)`); with fallback figures (a stale cache
/// entry, the catalogue) the label keeps them. Either way a tooltip (when sent) starts with
/// the whole message and when layerwise asks again.
fn explain_failures(
    b: &Backend,
    a: &Analysis,
    sizes: &FileSizes,
    hints: &mut [layerwise_ide::inlay_hints::InlayHint],
) {
    // One pass over the stages, one status per image (a file may have 100,000 stages).
    let wanted: HashSet<u32> = hints
        .iter()
        .filter(|h| h.kind == HintKind::Base)
        .map(|h| h.offset)
        .collect();
    if wanted.is_empty() {
        return;
    }
    let mut by_image: HashMap<String, Option<images::Failure>> = HashMap::new();
    let mut failed: HashMap<u32, (images::Failure, bool)> = HashMap::new();
    for stage in sizes
        .stages
        .iter()
        .filter(|s| wanted.contains(&s.from.range.end))
    {
        let Some(Base::Image(r)) = a.model.stages.get(stage.index).map(|s| &s.base) else {
            continue;
        };
        let key = r.canonical();
        let has_figures = a.facts.images.contains_key(&key);
        let failure = by_image
            .entry(key)
            .or_insert_with_key(|k| match images::status(b, k) {
                Some(Status::Failed(f)) => Some(f),
                _ => None,
            });
        if let Some(f) = failure {
            failed.insert(stage.from.range.end, (f.clone(), has_figures));
        }
    }
    for h in hints.iter_mut().filter(|h| h.kind == HintKind::Base) {
        let Some((f, has_figures)) = failed.get(&h.offset) else {
            continue;
        };
        if !has_figures {
            h.label = format!("base ? ({})", f.short);
        }
        if !h.tooltip.is_empty() {
            h.tooltip = format!("{}\n\n{}", images::failure_markdown(f), h.tooltip);
        }
    }
}

/// The failed lookup of the base image whose hint is at `offset`, and whether the analysis
/// has (fallback) figures for it anyway.
fn base_failure(
    b: &Backend,
    a: &Analysis,
    sizes: &FileSizes,
    offset: u32,
) -> Option<(images::Failure, bool)> {
    let stage = sizes.stages.iter().find(|s| s.from.range.end == offset)?;
    let Base::Image(r) = &a.model.stages.get(stage.index)?.base else {
        return None;
    };
    let key = r.canonical();
    match images::status(b, &key)? {
        Status::Failed(f) => Some((f, a.facts.images.contains_key(&key))),
        Status::Running => None,
    }
}

/// Files larger than this are not read for estimates.
const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;
/// Cached files kept at most (the cache is cleared when it grows past this).
const MAX_CACHED: usize = 256;

enum Cached {
    Text(Arc<str>),
    Loading,
    Unreadable,
}

struct CachedFile {
    /// The size the build-context snapshot gave when the file was read: a different size in a
    /// newer snapshot means the file changed, so it is read again.
    size: u64,
    text: Option<Arc<str>>,
    loading: bool,
}

fn cache() -> &'static Mutex<HashMap<PathBuf, CachedFile>> {
    static FILES: OnceLock<Mutex<HashMap<PathBuf, CachedFile>>> = OnceLock::new();
    FILES.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The text of a context file if read already; otherwise starts reading it in the background.
fn cached_text(b: &Backend, path: &Path, size: u64) -> Cached {
    if size > MAX_FILE_BYTES {
        return Cached::Unreadable;
    }
    let Ok(mut files) = cache().lock() else {
        return Cached::Unreadable;
    };
    if let Some(f) = files.get(path) {
        if f.loading {
            return Cached::Loading;
        }
        if f.size == size {
            return f.text.clone().map_or(Cached::Unreadable, Cached::Text);
        }
    }
    if files.len() >= MAX_CACHED {
        files.retain(|_, f| f.loading);
    }
    files.insert(
        path.to_path_buf(),
        CachedFile {
            size,
            text: None,
            loading: true,
        },
    );
    drop(files);
    let backend = b.clone();
    let path = path.to_path_buf();
    tokio::spawn(async move {
        let p = path.clone();
        let text = tokio::task::spawn_blocking(move || read_capped(&p))
            .await
            .ok()
            .flatten();
        if let Ok(mut files) = cache().lock() {
            files.insert(
                path,
                CachedFile {
                    size,
                    text: text.map(Arc::from),
                    loading: false,
                },
            );
        }
        super::refresh_views(&backend);
    });
    Cached::Loading
}

fn read_capped(path: &Path) -> Option<String> {
    use std::io::Read;
    let f = std::fs::File::open(path).ok()?;
    let mut buf = Vec::new();
    f.take(MAX_FILE_BYTES + 1).read_to_end(&mut buf).ok()?;
    if buf.len() as u64 > MAX_FILE_BYTES {
        return None;
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}
