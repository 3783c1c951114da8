//! Completion, driven by where the cursor is: instruction keywords (only `FROM`/`ARG` before
//! the first `FROM`; not `FROM`/`MAINTAINER`/`ONBUILD` after `ONBUILD`), the flags of the
//! instruction and their values (stage names for `--from`, platforms, cache directories for the
//! package manager of the `RUN`...), variables after `$`/`${`, image names and tags, paths from
//! the build context, and names in directives and suppression comments.
//!
//! This module only works out where the cursor is and hands over to the module of that kind
//! of completion; each adds its items to one [`Ctx`].

mod comments;
mod cursor;
mod flags;
mod images;
mod item;
mod keywords;
mod mounts;
mod paths;
mod stages;
mod variables;

#[cfg(test)]
mod tests;

use layerwise_syntax::{InstructionKind, ItemKind, TextRange};

pub use item::{CompletionItem, CompletionKind, Completions, ImageIndex, NoImages};

use crate::Analysis;
use cursor::{current_word, in_heredoc, is_header, variable_prefix, word_len};
use item::Ctx;

/// The most items one answer carries, whatever their kind (a build-context folder can hold
/// thousands of files); past it the items that do not match the typed text go first, then the
/// rest is cut and the answer is marked incomplete.
pub const MAX_ITEMS: usize = 1000;

/// The completion items at byte `offset` (snapped back to a character boundary).
pub fn complete(
    a: &Analysis,
    offset: u32,
    snippets: bool,
    images: &dyn ImageIndex,
) -> Vec<CompletionItem> {
    complete_list(a, offset, snippets, images).items
}

/// [`complete`], also saying whether items were left out (ask again as the user types).
pub fn complete_list(
    a: &Analysis,
    offset: u32,
    snippets: bool,
    images: &dyn ImageIndex,
) -> Completions {
    let mut offset = offset.min(a.text.len() as u32);
    while !a.text.is_char_boundary(offset as usize) {
        offset -= 1;
    }
    let mut cx = Ctx {
        a,
        offset,
        snippets,
        out: Vec::new(),
        incomplete: false,
    };
    dispatch(&mut cx, images);
    bound(a, &mut cx);
    Completions {
        items: cx.out,
        incomplete: cx.incomplete,
    }
}

/// Works out what the cursor is in and lets that kind of completion add its items.
fn dispatch(cx: &mut Ctx<'_>, images: &dyn ImageIndex) {
    let (a, offset) = (cx.a, cx.offset);
    // the current line up to the cursor
    let line_start = a.text[..offset as usize]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1) as u32;
    let before = &a.text[line_start as usize..offset as usize];
    let item = a.item_at(offset);
    let kind = item.map(|r| r.item.kind);

    // comments: directives at the top, suppression codes anywhere
    if before.trim_start().starts_with('#') && !in_heredoc(a, offset) {
        let header = kind == Some(ItemKind::Directive) || is_header(a, line_start);
        comments::comment_completion(cx, before, header);
        return;
    }
    // variables after $ or ${
    if let Some(start) = variable_prefix(before) {
        let replace = TextRange::new(line_start + start as u32, offset);
        let index = item.and_then(|r| a.model.instruction_of_item(r.index));
        variables::variables(cx, replace, index);
        return;
    }
    let Some(r) = item.filter(|r| {
        r.item.kind == ItemKind::Instruction
            && r.start < offset
            // a fresh line after the item's final line break belongs to no instruction
            && (offset < r.range().end || !r.text().ends_with('\n'))
    }) else {
        let replace = TextRange::new(offset - word_len(before), offset);
        keywords::keywords(cx, replace, false);
        return;
    };
    let Some(outer) = r.instruction() else {
        return;
    };
    let kw_end = r.abs(outer.keyword.range).end;
    if offset <= kw_end {
        keywords::keywords(cx, r.abs(outer.keyword.range), false);
        return;
    }
    // ONBUILD <instruction>
    let inst = outer.effective();
    if outer.kind == InstructionKind::Onbuild
        && offset <= r.abs(inst.keyword.range).end.max(kw_end + 1)
    {
        let replace = if inst.keyword.range.is_empty() || std::ptr::eq(inst, outer) {
            TextRange::new(offset - word_len(before), offset)
        } else {
            r.abs(inst.keyword.range)
        };
        keywords::keywords(cx, replace, true);
        return;
    }
    let word = current_word(before);
    let word_range = TextRange::new(offset - word.len() as u32, offset);
    let index = a.model.instruction_of_item(r.index);

    // flags and flag values
    if let Some(flag) = word.strip_prefix("--") {
        match flag.split_once('=') {
            None => flags::flags(cx, inst.kind, inst, word_range),
            Some((name, value)) => {
                let value_range = TextRange::new(offset - value.len() as u32, offset);
                let name = name.to_ascii_lowercase();
                flags::flag_value(cx, inst.kind, &name, value, value_range, index, r);
            }
        }
        return;
    }
    let args_started = inst.args_range.map(|ar| r.abs(ar).start < word_range.start);
    match inst.kind {
        InstructionKind::From => {
            images::from_completion(cx, before, word, word_range, index, images)
        }
        InstructionKind::Copy | InstructionKind::Add => {
            if word.is_empty() && inst.args_range.is_none() {
                flags::flags_hint(cx, inst.kind, inst, word_range);
            }
            let started = args_started.unwrap_or(false);
            paths::copy_paths(cx, inst, word, word_range, index, started);
        }
        InstructionKind::Healthcheck
            if inst.args_range.is_none()
                || word_range.start <= inst.args_range.map_or(0, |ar| r.abs(ar).start) =>
        {
            keywords::healthcheck(cx, word_range)
        }
        InstructionKind::Stopsignal => keywords::stop_signals(cx, word_range),
        InstructionKind::Run if word.is_empty() && inst.args_range.is_none() => {
            flags::flags_hint(cx, inst.kind, inst, word_range)
        }
        _ => {}
    }
}

/// Keeps the answer under [`MAX_ITEMS`]: items whose label does not match the text they
/// replace (the editor would hide them) go first, then the rest is cut.
fn bound(a: &Analysis, cx: &mut Ctx<'_>) {
    if cx.out.len() <= MAX_ITEMS {
        return;
    }
    cx.out
        .retain(|i| stages::fuzzy_match(&i.label, a.slice(i.replace)));
    if cx.out.len() > MAX_ITEMS {
        cx.out.truncate(MAX_ITEMS);
        cx.incomplete = true;
    }
}
