//! Variables after `$` or `${`: the ARGs and ENVs in scope at the cursor (global ARGs in
//! `FROM`), with their values, and the proxy build arguments inside `RUN`.

use layerwise_analysis::vars::{VarKind, AUTOMATIC_PLATFORM_ARGS, PREDEFINED_ARGS};
use layerwise_syntax::{InstructionKind, TextRange};

use super::item::{CompletionItem, CompletionKind, Ctx};

/// `index` is the instruction under the cursor, if any.
pub(super) fn variables(cx: &mut Ctx<'_>, replace: TextRange, index: Option<usize>) {
    let kind_of = |i: usize| cx.a.model.instructions.get(i).map(|x| x.kind);
    let in_from = index.is_some_and(|i| kind_of(i) == Some(InstructionKind::From));
    let in_run = !in_from && index.is_some_and(|i| kind_of(i) == Some(InstructionKind::Run));
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
    if in_run {
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
