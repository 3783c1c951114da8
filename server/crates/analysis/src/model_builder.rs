//! Builds a [`Model`] in one pass: assigns instructions to stages, resolves bases and stage
//! references, records global `ARG`s.

use layerwise_syntax::{Args, Dockerfile, InstructionKind, TextRange};

use crate::directives::CheckDirective;
use crate::image_ref::ImageRef;
use crate::model::{
    pair_defs, Base, InstructionInfo, Model, ModelOptions, RefKind, RefTarget, Stage, StageRef,
};
use crate::vars::{Scope, VarDef, VarKind};

pub(crate) fn build(file: &Dockerfile, options: ModelOptions) -> Model {
    let escape = file.escape();
    let mut model = Model {
        escape,
        options,
        instructions: Vec::new(),
        stages: Vec::new(),
        global_args: Vec::new(),
        refs: Vec::new(),
        check: CheckDirective::from_file(file),
    };
    let mut global = model.global_scope();
    for (r, inst) in file.instructions() {
        let index = model.instructions.len();
        let stage = model.stages.len().checked_sub(1);
        model.instructions.push(InstructionInfo {
            item: r.index,
            range: r.range(),
            kind: inst.kind,
            stage,
        });
        match inst.kind {
            InstructionKind::From => {
                let stage = from_stage(&model, file, index, &global);
                model.stages.push(stage);
                let si = model.stages.len() - 1;
                model.instructions[index].stage = Some(si);
                if let Base::Stage(b) = model.stages[si].base {
                    let st = &model.stages[si];
                    model.refs.push(StageRef {
                        instruction: index,
                        stage: si,
                        kind: RefKind::FromStage,
                        range: st.base_range,
                        text: st.base_text.clone(),
                        target: RefTarget::Stage(b),
                    });
                }
            }
            InstructionKind::Arg if stage.is_none() => {
                for kv in pair_defs(&inst.args) {
                    let raw = kv.value.as_ref().map(|v| v.text.to_string());
                    let value = raw.as_ref().map(|v| global.expand(v, escape).value);
                    let value = build_arg(&model.options, &kv.key.text).or(value);
                    let def = VarDef {
                        name: kv.key.text.to_string(),
                        kind: VarKind::GlobalArg,
                        name_range: r.abs(kv.key.range),
                        raw_value: raw,
                        value_range: kv.value.as_ref().map(|v| r.abs(v.range)),
                        value,
                        instruction: Some(index),
                    };
                    global.push(def.clone());
                    model.global_args.push(def);
                }
            }
            _ => {
                if let Some(s) = stage {
                    model.stages[s].instructions.push(index);
                    model.stages[s].range = model.stages[s].range.cover(r.range());
                    stage_refs(&mut model, file, index, s);
                }
            }
        }
    }
    model
}

fn build_arg(options: &ModelOptions, name: &str) -> Option<String> {
    options
        .build_args
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

fn from_stage(model: &Model, file: &Dockerfile, index: usize, global: &Scope) -> Stage {
    let info = &model.instructions[index];
    let Some(r) = file.item(info.item) else {
        return empty_stage(model, index, info.range);
    };
    let Some(inst) = r.instruction() else {
        return empty_stage(model, index, info.range);
    };
    let Some(parts) = inst.from_parts() else {
        return empty_stage(model, index, info.range);
    };
    let expanded = global.expand(&parts.image.text, model.escape);
    let resolved = expanded.value;
    let lower = resolved.to_ascii_lowercase();
    let base = if !expanded.unset.is_empty() && resolved.is_empty() {
        Base::Unresolved {
            reason: format!("${} has no default value", expanded.unset[0]),
        }
    } else if lower == "scratch" {
        Base::Scratch
    } else if let Some(s) = model
        .stages
        .iter()
        .find(|s| s.name.as_deref() == Some(lower.as_str()))
    {
        Base::Stage(s.index)
    } else {
        match ImageRef::parse(&resolved) {
            Ok(r) => Base::Image(r),
            Err(e) => Base::Unresolved {
                reason: format!("{e}"),
            },
        }
    };
    Stage {
        index: model.stages.len(),
        name: parts.name.map(|n| n.text.to_ascii_lowercase()),
        name_range: parts.name.map(|n| r.abs(n.range)),
        from: index,
        range: info.range,
        base,
        base_text: parts.image.text.to_string(),
        base_range: r.abs(parts.image.range),
        base_resolved: resolved,
        platform: inst
            .flag("platform")
            .and_then(|f| f.value())
            .map(str::to_string),
        instructions: Vec::new(),
    }
}

fn empty_stage(model: &Model, index: usize, range: TextRange) -> Stage {
    Stage {
        index: model.stages.len(),
        name: None,
        name_range: None,
        from: index,
        range,
        base: Base::Unresolved {
            reason: "FROM needs an image".into(),
        },
        base_text: String::new(),
        base_range: TextRange::empty(range.end),
        base_resolved: String::new(),
        platform: None,
        instructions: Vec::new(),
    }
}

/// Records `COPY --from=` and `RUN --mount=...,from=` references of one instruction.
fn stage_refs(model: &mut Model, file: &Dockerfile, index: usize, stage: usize) {
    let Some(r) = file.item(model.instructions[index].item) else {
        return;
    };
    let Some(inst) = r.instruction() else { return };
    let inst = inst.effective();
    let mut found: Vec<(RefKind, TextRange, String)> = Vec::new();
    if matches!(inst.kind, InstructionKind::Copy | InstructionKind::Add) {
        if let Some(f) = inst.flag("from") {
            if let (Some(v), Some(vr)) = (f.value(), f.value_range) {
                found.push((RefKind::CopyFrom, r.abs(vr), v.to_string()));
            }
        }
    }
    if inst.kind == InstructionKind::Run {
        for f in inst
            .flags
            .iter()
            .filter(|f| f.name().eq_ignore_ascii_case("mount"))
        {
            let (Some(v), Some(vr)) = (f.value(), f.value_range) else {
                continue;
            };
            let raw = r.slice(vr);
            for field in layerwise_syntax::mount::mount_fields(v) {
                if field.key.eq_ignore_ascii_case("from") {
                    if let Some(val) = field.value {
                        // locate the value in the raw flag text (quotes may shift it)
                        let at =
                            raw.find(&format!("from={val}")).map(|i| i + 5).unwrap_or(0) as u32;
                        let range = TextRange::new(
                            r.abs(vr).start + at,
                            r.abs(vr).start + at + val.len() as u32,
                        );
                        found.push((RefKind::MountFrom, range, val));
                    }
                }
            }
        }
    }
    for (kind, range, text) in found {
        let target = resolve_ref(model, stage, &text);
        model.refs.push(StageRef {
            instruction: index,
            stage,
            kind,
            range,
            text,
            target,
        });
    }
}

/// BuildKit's `--from` resolution: an earlier stage by name or index, else an image.
fn resolve_ref(model: &Model, current: usize, text: &str) -> RefTarget {
    let lower = text.to_ascii_lowercase();
    let by_name = model
        .stages
        .iter()
        .position(|s| s.name.as_deref() == Some(lower.as_str()));
    let by_index = text
        .parse::<usize>()
        .ok()
        .filter(|_| text.bytes().all(|b| b.is_ascii_digit()));
    match (by_name, by_index) {
        (Some(i), _) | (None, Some(i)) if i < current => RefTarget::Stage(i),
        (Some(i), _) | (None, Some(i)) if i == current => RefTarget::OwnStage,
        (None, Some(i)) if i < model.stages.len() + 1000 => RefTarget::LaterStage(i),
        _ => match ImageRef::parse(text) {
            Ok(img) => RefTarget::Image(img),
            Err(e) => RefTarget::Invalid(e.to_string()),
        },
    }
}

/// Adds the ARG/ENV definitions of instruction `i` to `scope`.
pub(crate) fn apply_definitions(model: &Model, file: &Dockerfile, i: usize, scope: &mut Scope) {
    let info = &model.instructions[i];
    if !matches!(info.kind, InstructionKind::Arg | InstructionKind::Env) {
        return;
    }
    let Some(r) = file.item(info.item) else {
        return;
    };
    let Some(inst) = r.instruction() else { return };
    for kv in pair_defs(&inst.args) {
        let name = kv.key.text.to_string();
        let raw = kv.value.as_ref().map(|v| v.text.to_string());
        let mut value = raw.as_ref().map(|v| scope.expand(v, model.escape).value);
        let kind = if info.kind == InstructionKind::Env {
            VarKind::Env
        } else {
            VarKind::Arg
        };
        if kind == VarKind::Env && value.is_none() {
            value = Some(String::new());
        }
        if kind == VarKind::Arg {
            let from_build_arg = build_arg(&model.options, &name);
            let global = model
                .global_args
                .iter()
                .rev()
                .find(|g| g.name == name)
                .and_then(|g| g.value.clone());
            let automatic = crate::vars::automatic_values(&name, &model.options.target_platform);
            value = from_build_arg.or(value).or(global).or(automatic);
        }
        scope.push(VarDef {
            name,
            kind,
            name_range: r.abs(kv.key.range),
            raw_value: raw,
            value_range: kv.value.as_ref().map(|v| r.abs(v.range)),
            value,
            instruction: Some(i),
        });
    }
}

/// The string argument of `WORKDIR`/`USER` (logical text).
pub(crate) fn text_arg(file: &Dockerfile, info: &InstructionInfo) -> Option<String> {
    let inst = file.item(info.item)?.instruction()?;
    match &inst.args {
        Args::Text(w) => Some(w.text.to_string()),
        _ => None,
    }
}
