//! Instruction keywords, and the keyword-like first arguments of `HEALTHCHECK` and
//! `STOPSIGNAL`.

use layerwise_syntax::{InstructionKind, TextRange};

use super::item::{CompletionItem, CompletionKind, Ctx};
use crate::reference::{self, INSTRUCTIONS};

/// Instruction keywords: only `FROM`/`ARG` before the first `FROM`; not `FROM`, `MAINTAINER`
/// or `ONBUILD` after `ONBUILD`.
pub(super) fn keywords(cx: &mut Ctx<'_>, replace: TextRange, after_onbuild: bool) {
    let before_first_from =
        cx.a.model
            .stages
            .first()
            .is_none_or(|s| cx.a.model.instructions[s.from].range.start >= cx.offset);
    for (position, doc) in INSTRUCTIONS.iter().enumerate() {
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
        // the reference's order (most used first); the deprecated MAINTAINER last
        let rank = if k == InstructionKind::Maintainer {
            99
        } else {
            position
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
            sort: Some(format!("{rank:02}")),
            retrigger: false,
        });
    }
}

/// `HEALTHCHECK CMD ...` or `HEALTHCHECK NONE`.
pub(super) fn healthcheck(cx: &mut Ctx<'_>, replace: TextRange) {
    for v in ["CMD", "NONE"] {
        cx.push(v, CompletionKind::Keyword, None, replace);
    }
}

/// The signals a container is usually stopped with.
pub(super) fn stop_signals(cx: &mut Ctx<'_>, replace: TextRange) {
    for s in [
        "SIGTERM", "SIGINT", "SIGQUIT", "SIGKILL", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH",
    ] {
        cx.push(s, CompletionKind::Value, None, replace);
    }
}
