//! Paths in `COPY`/`ADD`: the stage's `WORKDIR` as a destination, and files and folders of the
//! build context (those `.dockerignore` lets through) as sources.

use layerwise_analysis::image_facts::format_bytes;
use layerwise_syntax::{Instruction, TextRange};

use super::item::{CompletionItem, CompletionKind, Ctx};

/// `word` is the path being typed (at `word_range`); `args_started` says a source was already
/// written, so a destination may be next.
pub(super) fn copy_paths(
    cx: &mut Ctx<'_>,
    inst: &Instruction,
    word: &str,
    word_range: TextRange,
    index: Option<usize>,
    args_started: bool,
) {
    let from_context = inst.flag("from").is_none();
    // destination candidates: WORKDIRs of this stage
    if args_started && (word.starts_with('/') || word.is_empty()) {
        if let Some(i) = index {
            let wd = cx.a.model.workdir_before(&cx.a.file, i);
            if wd != "/" {
                cx.push(
                    format!("{}/", wd.trim_end_matches('/')),
                    CompletionKind::Folder,
                    Some("WORKDIR".into()),
                    word_range,
                );
            }
            cx.push(
                "./",
                CompletionKind::Folder,
                Some(format!("WORKDIR ({wd})")),
                word_range,
            );
        }
    }
    if !from_context || word.starts_with('/') {
        return;
    }
    let Some(ctx) = cx.a.facts.context.as_ref() else {
        return;
    };
    let clean = word.trim_start_matches("./");
    let (dir, _) = clean.rsplit_once('/').map_or(("", clean), |(d, f)| (d, f));
    let prefix_len = word.len() - clean.len() + if dir.is_empty() { 0 } else { dir.len() + 1 };
    let replace = TextRange::new(word_range.start + prefix_len as u32, word_range.end);
    for e in ctx.children(dir) {
        if !e.is_sent() {
            continue;
        }
        let name = e.name().to_string();
        let (label, kind) = if e.is_dir() {
            (format!("{name}/"), CompletionKind::Folder)
        } else {
            (name, CompletionKind::File)
        };
        let detail = (!e.is_dir()).then(|| format_bytes(e.size));
        cx.out.push(CompletionItem {
            label: label.clone(),
            kind,
            detail,
            documentation: None,
            insert: label,
            snippet: false,
            replace,
            sort: None,
            retrigger: kind == CompletionKind::Folder,
        });
    }
}
