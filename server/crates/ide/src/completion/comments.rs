//! Comment lines: parser directives in the file's header (`# syntax=`, `# escape=`, `# check=`)
//! and their values, and rule names in suppression comments (`# check=skip=`,
//! `# hadolint ignore=`, `# layerwise: ignore[...]`).

use layerwise_syntax::TextRange;

use super::item::{CompletionItem, CompletionKind, Ctx};
use crate::reference;

/// `before` is the line up to the cursor; `header` says only directives come before it.
pub(super) fn comment_completion(cx: &mut Ctx<'_>, before: &str, header: bool) {
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
