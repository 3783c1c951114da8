//! Completion, driven by where the cursor is: instruction keywords (only `FROM`/`ARG` before
//! the first `FROM`; not `FROM`/`MAINTAINER`/`ONBUILD` after `ONBUILD`), the flags of the
//! instruction and their values (stage names for `--from`, platforms, cache directories for the
//! package manager of the `RUN`...), variables after `$`/`${`, image names and tags, paths from
//! the build context, and names in directives and suppression comments.

use layerwise_analysis::image_facts::format_bytes;
use layerwise_analysis::image_ref::ImageRef;
use layerwise_analysis::shell::split_script;
use layerwise_analysis::vars::{VarKind, AUTOMATIC_PLATFORM_ARGS, PREDEFINED_ARGS};
use layerwise_analysis::Base;
use layerwise_lint::package_managers::{self, PackageManager};
use layerwise_syntax::{mount::mount_fields, InstructionKind, ItemKind, TextRange};

use crate::reference::{self, INSTRUCTIONS, PLATFORMS};
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

struct Ctx<'a> {
    a: &'a Analysis,
    offset: u32,
    snippets: bool,
    out: Vec<CompletionItem>,
}

impl Ctx<'_> {
    fn push(
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

pub fn complete(
    a: &Analysis,
    offset: u32,
    snippets: bool,
    images: &dyn ImageIndex,
) -> Vec<CompletionItem> {
    let mut offset = offset.min(a.text.len() as u32);
    while !a.text.is_char_boundary(offset as usize) {
        offset -= 1;
    }
    let mut cx = Ctx {
        a,
        offset,
        snippets,
        out: Vec::new(),
    };
    // the current line up to the cursor
    let line_start = a.text[..offset as usize]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1) as u32;
    let before = &a.text[line_start as usize..offset as usize];
    let item = a.item_at(offset);
    let kind = item.map(|r| r.item.kind);

    // comments: directives at the top, suppression codes anywhere
    if before.trim_start().starts_with('#') && !in_heredoc(a, offset) {
        comment_completion(
            &mut cx,
            before,
            kind == Some(ItemKind::Directive) || is_header(a, line_start),
        );
        return cx.out;
    }
    // variables after $ or ${
    if let Some(start) = variable_prefix(before) {
        let replace = TextRange::new(line_start + start as u32, offset);
        variables(
            &mut cx,
            replace,
            item.and_then(|r| a.model.instruction_of_item(r.index)),
        );
        return cx.out;
    }
    let Some(r) = item.filter(|r| {
        r.item.kind == ItemKind::Instruction
            && r.start < offset
            // a fresh line after the item's final line break belongs to no instruction
            && (offset < r.range().end || !r.text().ends_with('\n'))
    }) else {
        keywords(
            &mut cx,
            TextRange::new(offset - word_len(before), offset),
            false,
        );
        return cx.out;
    };
    let Some(outer) = r.instruction() else {
        return cx.out;
    };
    let kw_end = r.abs(outer.keyword.range).end;
    if offset <= kw_end {
        keywords(&mut cx, r.abs(outer.keyword.range), false);
        return cx.out;
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
        keywords(&mut cx, replace, true);
        return cx.out;
    }
    let word = current_word(before);
    let word_range = TextRange::new(offset - word.len() as u32, offset);
    let index = a.model.instruction_of_item(r.index);

    // flags and flag values
    if let Some(flag) = word.strip_prefix("--") {
        match flag.split_once('=') {
            None => flags(&mut cx, inst.kind, inst, word_range),
            Some((name, value)) => {
                let value_range = TextRange::new(offset - value.len() as u32, offset);
                flag_value(
                    &mut cx,
                    inst.kind,
                    &name.to_ascii_lowercase(),
                    value,
                    value_range,
                    index,
                    r,
                );
            }
        }
        return cx.out;
    }
    let args_started = inst.args_range.map(|ar| r.abs(ar).start < word_range.start);
    match inst.kind {
        InstructionKind::From => from_completion(&mut cx, before, word, word_range, index, images),
        InstructionKind::Copy | InstructionKind::Add => {
            if word.is_empty() && inst.args_range.is_none() {
                flags_hint(&mut cx, inst.kind, inst, word_range);
            }
            copy_paths(
                &mut cx,
                inst,
                word,
                word_range,
                index,
                args_started.unwrap_or(false),
            );
        }
        InstructionKind::Healthcheck
            if inst.args_range.is_none()
                || word_range.start <= inst.args_range.map_or(0, |ar| r.abs(ar).start) =>
        {
            for v in ["CMD", "NONE"] {
                cx.push(v, CompletionKind::Keyword, None, word_range);
            }
        }
        InstructionKind::Stopsignal => {
            for s in [
                "SIGTERM", "SIGINT", "SIGQUIT", "SIGKILL", "SIGHUP", "SIGUSR1", "SIGUSR2",
                "SIGWINCH",
            ] {
                cx.push(s, CompletionKind::Value, None, word_range);
            }
        }
        InstructionKind::Run if word.is_empty() && inst.args_range.is_none() => {
            flags_hint(&mut cx, inst.kind, inst, word_range)
        }
        _ => {}
    }
    cx.out
}

fn word_len(before: &str) -> u32 {
    current_word(before).len() as u32
}

/// The word being typed (after the last white space).
fn current_word(before: &str) -> &str {
    // after the last whitespace character, whatever its width (U+3000 is three bytes)
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    before.get(start..).unwrap_or("")
}

fn is_header(a: &Analysis, line_start: u32) -> bool {
    a.file
        .items()
        .take_while(|r| r.start < line_start)
        .all(|r| r.item.kind == ItemKind::Directive)
}

fn in_heredoc(a: &Analysis, offset: u32) -> bool {
    a.item_at(offset)
        .and_then(|r| r.instruction().map(|i| (r, i)))
        .is_some_and(|(r, i)| {
            i.effective()
                .heredocs
                .iter()
                .any(|h| r.abs(h.body).contains(offset))
        })
}

/// `$NAME` or `${NAME` right before the cursor: the offset (in the line) where the name starts.
fn variable_prefix(before: &str) -> Option<usize> {
    let name_start = before.len()
        - before
            .bytes()
            .rev()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
    let head = &before[..name_start];
    if head.ends_with("${") || (head.ends_with('$') && !head.ends_with("$$")) {
        Some(name_start)
    } else {
        None
    }
}

fn keywords(cx: &mut Ctx<'_>, replace: TextRange, after_onbuild: bool) {
    let before_first_from =
        cx.a.model
            .stages
            .first()
            .is_none_or(|s| cx.a.model.instructions[s.from].range.start >= cx.offset);
    for doc in INSTRUCTIONS {
        let k = doc.kind;
        if before_first_from && !matches!(k, InstructionKind::From | InstructionKind::Arg) {
            continue;
        }
        if after_onbuild
            && matches!(
                k,
                InstructionKind::From | InstructionKind::Maintainer | InstructionKind::Onbuild
            )
        {
            continue;
        }
        let (insert, snippet) = if cx.snippets {
            (doc.snippet.to_string(), true)
        } else {
            (format!("{} ", k.keyword()), false)
        };
        cx.out.push(CompletionItem {
            label: k.keyword().to_string(),
            kind: CompletionKind::Keyword,
            detail: Some(doc.forms[0].to_string()),
            documentation: Some(format!(
                "{}\n\n[Reference]({})",
                doc.summary,
                reference::url(k)
            )),
            insert,
            snippet,
            replace,
            sort: Some(format!(
                "{:02}",
                if k == InstructionKind::Maintainer {
                    99
                } else {
                    INSTRUCTIONS.iter().position(|d| d.kind == k).unwrap_or(50)
                }
            )),
            retrigger: false,
        });
    }
}

const REPEATABLE: &[&str] = &["mount", "exclude"];

fn flags(
    cx: &mut Ctx<'_>,
    kind: InstructionKind,
    inst: &layerwise_syntax::Instruction,
    replace: TextRange,
) {
    let Some(doc) = reference::instruction(kind) else {
        return;
    };
    for f in doc.flags {
        // a flag already given (with a value) is not offered again, unless it may repeat
        if !REPEATABLE.contains(&f.name) && inst.flag(f.name).is_some_and(|x| x.value().is_some()) {
            continue;
        }
        cx.out.push(CompletionItem {
            label: format!("--{}", f.name),
            kind: CompletionKind::Flag,
            detail: Some(kind.keyword().to_string()),
            documentation: Some(f.summary.to_string()),
            insert: format!("--{}=", f.name),
            snippet: false,
            replace,
            sort: None,
            retrigger: true,
        });
    }
}

/// Offers flags with a low rank when the user has typed nothing yet after the keyword.
fn flags_hint(
    cx: &mut Ctx<'_>,
    kind: InstructionKind,
    inst: &layerwise_syntax::Instruction,
    replace: TextRange,
) {
    let start = cx.out.len();
    flags(cx, kind, inst, replace);
    for i in &mut cx.out[start..] {
        i.sort = Some(format!("z{}", i.label));
    }
}

fn flag_value(
    cx: &mut Ctx<'_>,
    kind: InstructionKind,
    name: &str,
    value: &str,
    replace: TextRange,
    index: Option<usize>,
    r: layerwise_syntax::ItemRef<'_>,
) {
    match name {
        "from" if matches!(kind, InstructionKind::Copy | InstructionKind::Add) => {
            stages(cx, index, replace)
        }
        "platform" => {
            for p in PLATFORMS {
                cx.push(*p, CompletionKind::Value, None, replace);
            }
        }
        "mount" => mount_value(cx, value, replace, index, r),
        _ => {
            if let Some(f) = reference::flag(kind, name) {
                for v in f.values {
                    cx.push(*v, CompletionKind::Value, None, replace);
                }
            }
        }
    }
}

/// Earlier stages, by name (or index), each with its base image and size.
fn stages(cx: &mut Ctx<'_>, index: Option<usize>, replace: TextRange) {
    let current = index
        .and_then(|i| cx.a.model.instructions.get(i))
        .and_then(|i| i.stage);
    for st in cx.a.model.stages.iter() {
        if current.is_some_and(|c| st.index >= c) {
            break;
        }
        let size = match &st.base {
            Base::Image(img) => {
                cx.a.facts
                    .images
                    .get(&img.canonical())
                    .and_then(|f| f.compressed_size())
                    .map(|s| format!(", {}", format_bytes(s)))
            }
            _ => None,
        };
        let label = st.name.clone().unwrap_or_else(|| st.index.to_string());
        cx.out.push(CompletionItem {
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
        });
    }
}

fn mount_value(
    cx: &mut Ctx<'_>,
    value: &str,
    replace_value: TextRange,
    index: Option<usize>,
    r: layerwise_syntax::ItemRef<'_>,
) {
    let field_start = value.rfind(',').map_or(0, |i| i + 1);
    let field = &value[field_start..];
    let field_range = TextRange::new(replace_value.start + field_start as u32, replace_value.end);
    let fields = mount_fields(value);
    let mount_type = layerwise_syntax::mount::MountField::get(&fields, "type")
        .unwrap_or("bind")
        .to_ascii_lowercase();
    match field.split_once('=') {
        None => {
            let keys: &[&str] = match mount_type.as_str() {
                "cache" => &[
                    "type", "target", "id", "sharing", "from", "source", "mode", "uid", "gid",
                    "readonly",
                ],
                "secret" => &[
                    "type", "id", "target", "env", "required", "mode", "uid", "gid",
                ],
                "ssh" => &["type", "id", "target", "required", "mode", "uid", "gid"],
                "tmpfs" => &["type", "target", "size"],
                _ => &["type", "target", "source", "from", "readonly", "rw"],
            };
            for k in keys {
                if fields.iter().any(|f| f.key.eq_ignore_ascii_case(k)) && *k != "type" {
                    continue;
                }
                cx.out.push(CompletionItem {
                    label: format!("{k}="),
                    kind: CompletionKind::Flag,
                    detail: Some(format!("--mount {mount_type}")),
                    documentation: None,
                    insert: format!("{k}="),
                    snippet: false,
                    replace: field_range,
                    sort: None,
                    retrigger: true,
                });
            }
        }
        Some((key, v)) => {
            let vr = TextRange::new(field_range.end - v.len() as u32, field_range.end);
            match key.to_ascii_lowercase().as_str() {
                "type" => {
                    for t in ["cache", "bind", "secret", "ssh", "tmpfs"] {
                        cx.push(t, CompletionKind::Value, None, vr);
                    }
                }
                "from" => stages(cx, index, vr),
                "sharing" => {
                    for t in ["shared", "private", "locked"] {
                        cx.push(t, CompletionKind::Value, None, vr);
                    }
                }
                "target" | "dst" | "destination" if mount_type == "cache" => {
                    for pm in cache_dirs_for(r) {
                        cx.push(
                            pm.cache_dir,
                            CompletionKind::Value,
                            Some(format!("{} cache", pm.name)),
                            vr,
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

/// Package managers this `RUN` uses first, then the others.
fn cache_dirs_for(r: layerwise_syntax::ItemRef<'_>) -> Vec<PackageManager> {
    let mut used = Vec::new();
    if let Some(layerwise_syntax::Args::Text(w)) = r.instruction().map(|i| &i.effective().args) {
        for c in split_script(&w.text) {
            if let Some(pm) = package_managers::any_manager(&c) {
                if !used.contains(&pm) {
                    used.push(pm);
                }
            }
        }
    }
    let rest: Vec<PackageManager> = package_managers::ALL
        .iter()
        .copied()
        .filter(|p| !used.contains(p))
        .collect();
    used.into_iter().chain(rest).collect()
}

fn variables(cx: &mut Ctx<'_>, replace: TextRange, index: Option<usize>) {
    let in_from = index.is_some_and(|i| cx.a.model.instructions[i].kind == InstructionKind::From);
    let scope = match index {
        Some(i) if !in_from => cx.a.model.scope_before(&cx.a.file, i),
        _ => cx.a.model.global_scope(),
    };
    for d in scope.visible() {
        let kind = match d.kind {
            VarKind::Env => "ENV",
            VarKind::Arg => "ARG",
            VarKind::GlobalArg => "global ARG",
            VarKind::Automatic => "automatic",
        };
        let detail = match &d.value {
            Some(v) => format!("{kind} = {v}"),
            None => format!("{kind} (no default)"),
        };
        let doc = AUTOMATIC_PLATFORM_ARGS
            .iter()
            .find(|(n, _)| *n == d.name)
            .map(|(_, doc)| doc.to_string());
        cx.out.push(CompletionItem {
            label: d.name.clone(),
            kind: CompletionKind::Variable,
            detail: Some(detail),
            documentation: doc,
            insert: d.name.clone(),
            snippet: false,
            replace,
            sort: None,
            retrigger: false,
        });
    }
    if !in_from && index.is_some_and(|i| cx.a.model.instructions[i].kind == InstructionKind::Run) {
        for p in PREDEFINED_ARGS
            .iter()
            .filter(|p| p.ends_with("PROXY") || p.ends_with("proxy"))
        {
            cx.push(
                *p,
                CompletionKind::Variable,
                Some("predefined build argument".into()),
                replace,
            );
        }
    }
}

fn from_completion(
    cx: &mut Ctx<'_>,
    before: &str,
    word: &str,
    word_range: TextRange,
    index: Option<usize>,
    images: &dyn ImageIndex,
) {
    // position among the FROM arguments (flags excluded)
    let args: Vec<&str> = before
        .split_whitespace()
        .skip(1)
        .filter(|w| !w.starts_with("--"))
        .collect();
    let position = if word.is_empty() {
        args.len()
    } else {
        args.len().saturating_sub(1)
    };
    match position {
        0 => {
            // the tag's colon is the last one after the last `/` (`127.0.0.1:5000/app:` has
            // a port colon first)
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
            let current = index.map(|i| cx.a.model.instructions[i].stage);
            for st in &cx.a.model.stages {
                if current.flatten().is_some_and(|c| st.index >= c) {
                    break;
                }
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
        1 => cx.push("AS", CompletionKind::Keyword, None, word_range),
        _ => {}
    }
}

fn flags_hint_from(cx: &mut Ctx<'_>, replace: TextRange) {
    cx.out.push(CompletionItem {
        label: "--platform".into(),
        kind: CompletionKind::Flag,
        detail: Some("FROM".into()),
        documentation: None,
        insert: "--platform=".into(),
        snippet: false,
        replace,
        sort: Some("z".into()),
        retrigger: true,
    });
}

fn copy_paths(
    cx: &mut Ctx<'_>,
    inst: &layerwise_syntax::Instruction,
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

fn comment_completion(cx: &mut Ctx<'_>, before: &str, header: bool) {
    let body = before.trim_start().trim_start_matches('#').trim_start();
    let offset = cx.offset;
    let word = before
        .rsplit([',', '=', '[', ' ', ';'])
        .next()
        .unwrap_or("");
    let replace = TextRange::new(offset - word.len() as u32, offset);
    if header && !body.contains('=') {
        for (name, example, doc) in reference::DIRECTIVES {
            cx.out.push(CompletionItem {
                label: format!("{name}="),
                kind: CompletionKind::Directive,
                detail: Some(format!("# {name}={example}")),
                documentation: Some(doc.to_string()),
                insert: format!("{name}="),
                snippet: false,
                replace,
                sort: None,
                retrigger: true,
            });
        }
        return;
    }
    let rules = layerwise_lint::docs::all_rules();
    if body.starts_with("check=skip=") || body.starts_with("check=") && body.contains("skip=") {
        for r in &rules {
            if let Some(b) = r.meta().buildkit {
                cx.push(
                    b,
                    CompletionKind::Rule,
                    Some(r.meta().summary().to_string()),
                    replace,
                );
            }
        }
    } else if body.starts_with("hadolint ignore=") || body.starts_with("hadolint global ignore=") {
        for r in &rules {
            for code in r.meta().hadolint {
                cx.push(
                    *code,
                    CompletionKind::Rule,
                    Some(r.meta().summary().to_string()),
                    replace,
                );
            }
        }
    } else if body.starts_with("layerwise:") && body.contains('[') {
        for r in &rules {
            cx.push(
                r.meta().name,
                CompletionKind::Rule,
                Some(r.meta().summary().to_string()),
                replace,
            );
        }
    } else if body.starts_with("syntax=") {
        cx.push("docker/dockerfile:1", CompletionKind::Value, None, replace);
    } else if body.starts_with("escape=") {
        cx.push("`", CompletionKind::Value, None, replace);
        cx.push("\\", CompletionKind::Value, None, replace);
    }
}

#[cfg(test)]
mod word_tests {
    /// A wide whitespace character before the cursor must not cut inside it (fuzz finding
    /// `analyze/completion-inside-a-character`).
    #[test]
    fn current_word_after_a_wide_space() {
        assert_eq!(super::current_word("RUN a\u{3000}bc"), "bc");
        assert_eq!(super::current_word("COPY --from=x\u{2000}"), "");
        assert_eq!(super::current_word("ab"), "ab");
    }
}
