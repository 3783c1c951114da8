//! Flags of the instruction under the cursor (`--from=`, `--mount=`, ...) and their values.

use layerwise_syntax::{Instruction, InstructionKind, ItemRef, TextRange};

use super::item::{CompletionItem, CompletionKind, Ctx};
use super::{mounts, stages};
use crate::reference::{self, PLATFORMS};

/// Flags that may be given more than once, so they are offered again.
const REPEATABLE: &[&str] = &["mount", "exclude"];

pub(super) fn flags(
    cx: &mut Ctx<'_>,
    kind: InstructionKind,
    inst: &Instruction,
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
pub(super) fn flags_hint(
    cx: &mut Ctx<'_>,
    kind: InstructionKind,
    inst: &Instruction,
    replace: TextRange,
) {
    let start = cx.out.len();
    flags(cx, kind, inst, replace);
    for i in &mut cx.out[start..] {
        i.sort = Some(format!("z{}", i.label));
    }
}

/// `FROM`'s one flag, ranked after the images.
pub(super) fn flags_hint_from(cx: &mut Ctx<'_>, replace: TextRange) {
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

/// The value after `--name=`: `value` is what is typed of it so far.
pub(super) fn flag_value(
    cx: &mut Ctx<'_>,
    kind: InstructionKind,
    name: &str,
    value: &str,
    replace: TextRange,
    index: Option<usize>,
    r: ItemRef<'_>,
) {
    match name {
        "from" if matches!(kind, InstructionKind::Copy | InstructionKind::Add) => {
            stages::stages(cx, index, value, replace)
        }
        "platform" => {
            for p in PLATFORMS {
                cx.push(*p, CompletionKind::Value, None, replace);
            }
        }
        "mount" => mounts::mount_value(cx, value, replace, index, r),
        _ => {
            if let Some(f) = reference::flag(kind, name) {
                for v in f.values {
                    cx.push(*v, CompletionKind::Value, None, replace);
                }
            }
        }
    }
}
