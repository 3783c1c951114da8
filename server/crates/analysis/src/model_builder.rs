//! Builds a [`Model`]: one pass assigns instructions to stages, resolves bases and records
//! global `ARG`s and stage references; a second pass resolves `COPY --from` / `--mount from=`,
//! which (unlike `FROM`) can name stages defined further down.

use foldhash::HashMap;

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
        // one allocation instead of a doubling (and a copy) per power of two
        instructions: Vec::with_capacity(file.instructions().count()),
        stages: Vec::new(),
        global_args: Vec::new(),
        refs: Vec::new(),
        check: CheckDirective::from_file(file),
    };
    let mut global = model.global_scope();
    let mut mounts_without_from: Vec<(usize, usize)> = Vec::new();
    // stage names defined so far (lower-cased) -> the last stage with that name: a `FROM`
    // looks its base up here instead of scanning every earlier stage (700 stages made that
    // scan quadratic)
    let mut names: HashMap<String, usize> = HashMap::default();
    let mut bases = BaseCache::default();
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
                let stage = from_stage(&model, file, index, &global, &names, &mut bases);
                if let Some(n) = &stage.name {
                    names.insert(n.clone(), stage.index);
                }
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
                    let bare_mounts = stage_refs(&mut model, file, index, s);
                    if bare_mounts > 0 {
                        mounts_without_from.push((index, bare_mounts));
                    }
                }
            }
        }
    }
    resolve_refs(&mut model, &mounts_without_from);
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

fn from_stage(
    model: &Model,
    file: &Dockerfile,
    index: usize,
    global: &Scope,
    names: &HashMap<String, usize>,
    bases: &mut BaseCache,
) -> Stage {
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
    // BuildKit (dockerfile2llb `dispatchStates.addState`) looks the expanded base up, as
    // written, in its table of the stages added so far, keyed by lower-cased name with later
    // definitions replacing earlier ones. So `FROM Builder` is no stage (it is parsed as an
    // image name, which upper case makes invalid), a stage defined further down is no stage
    // either (it is pulled as an image), and a stage named `scratch` wins over the empty image.
    let base = if !expanded.unset.is_empty() && resolved.is_empty() {
        Base::Unresolved {
            reason: format!("${} has no default value", expanded.unset[0]),
        }
    } else if let Some(&s) = names.get(resolved.as_str()) {
        Base::Stage(s)
    } else if resolved == "scratch" {
        Base::Scratch
    } else {
        bases.base(&resolved)
    };
    Stage {
        index: model.stages.len(),
        name: parts.name.map(|n| n.text.as_str().to_ascii_lowercase()),
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

/// Parsed base images by their expanded text. Big generated files repeat a handful of bases
/// over hundreds of stages (the 10,000-line benchmark: 10 over 700), and parsing an image
/// reference costs a few thousand instructions where a clone costs a few hundred.
#[derive(Default)]
struct BaseCache {
    parsed: HashMap<String, Base>,
}

impl BaseCache {
    /// The base `resolved` names, as `ImageRef::parse` sees it (an image, or why it is none).
    fn base(&mut self, resolved: &str) -> Base {
        if let Some(b) = self.parsed.get(resolved) {
            return b.clone();
        }
        let b = match ImageRef::parse(resolved) {
            Ok(r) => Base::Image(r),
            Err(e) => Base::Unresolved {
                reason: format!("{e}"),
            },
        };
        // bounded by the number of stages, which the document cap bounds
        self.parsed.insert(resolved.to_string(), b.clone());
        b
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

/// Records `COPY --from=` and `RUN --mount=...,from=` references of one instruction, with a
/// placeholder target that [`resolve_refs`] fills in once every stage is known. Returns how
/// many `--mount`s of a `RUN` have no `from` (BuildKit gives each a source state too).
fn stage_refs(model: &mut Model, file: &Dockerfile, index: usize, stage: usize) -> usize {
    let Some(r) = file.item(model.instructions[index].item) else {
        return 0;
    };
    let Some(inst) = r.instruction() else {
        return 0;
    };
    let onbuild = inst.kind == InstructionKind::Onbuild;
    let inst = inst.effective();
    let mut found: Vec<(RefKind, TextRange, String)> = Vec::new();
    let mut bare_mounts = 0;
    if matches!(inst.kind, InstructionKind::Copy | InstructionKind::Add) {
        if let Some(f) = inst.flag("from") {
            // `--from=` (empty) copies from the build context, as without the flag
            if let (Some(v), Some(vr)) = (f.value().filter(|v| !v.is_empty()), f.value_range) {
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
                bare_mounts += 1;
                continue;
            };
            let raw = r.slice(vr);
            let mut has_from = false;
            for field in layerwise_syntax::mount::mount_fields(v) {
                if field.key.eq_ignore_ascii_case("from") {
                    if let Some(val) = field.value.filter(|v| !v.is_empty()) {
                        has_from = true;
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
            if !has_from {
                bare_mounts += 1;
            }
        }
    }
    for (kind, range, text) in found {
        model.refs.push(StageRef {
            instruction: index,
            stage,
            kind,
            range,
            text,
            target: RefTarget::Invalid(String::new()),
        });
    }
    if onbuild {
        0
    } else {
        bare_mounts
    }
}

/// Resolves every `COPY --from` / `--mount from=` the way BuildKit's dockerfile2llb does
/// (`toCommand`, `detectRunMount`, `dispatchStates.findStateByIndex`), after all stages are
/// known:
/// - `COPY --from` text that Go's `strconv.Atoi` reads is an index into BuildKit's list of
///   states: every stage, in order, then one unnamed state per source that was no stage,
///   appended as earlier instructions were seen (a `--from` image, a `--mount` without
///   `from`). An index past that list fails the build (`invalid stage index`);
/// - otherwise the text is a stage name compared without case, searched in the whole file
///   (the last definition wins), so a stage defined further down is found (and the build
///   then stops when it reaches the referring stage: see [`RefTarget::LaterStage`]);
/// - otherwise it is an image. `--mount from=` takes no index: `from=0` is an image named `0`.
///
/// `ONBUILD` triggers are resolved the same way but add no states: they run in other builds.
fn resolve_refs(model: &mut Model, mounts_without_from: &[(usize, usize)]) {
    let mut by_name: HashMap<&str, usize> = HashMap::default();
    for s in &model.stages {
        if let Some(n) = s.name.as_deref() {
            by_name.insert(n, s.index);
        }
    }
    let stages = model.stages.len();
    let scratch_is_stage = by_name.contains_key("scratch");
    // BuildKit's states past the stages, in the order it creates them.
    let mut unnamed: Vec<RefTarget> = Vec::new();
    let mut bare = mounts_without_from.iter().peekable();
    let position = |i: usize, current: usize| match i.cmp(&current) {
        std::cmp::Ordering::Less => RefTarget::Stage(i),
        std::cmp::Ordering::Equal => RefTarget::OwnStage,
        std::cmp::Ordering::Greater => RefTarget::LaterStage(i),
    };
    let mut targets = Vec::with_capacity(model.refs.len());
    for r in &model.refs {
        let runs_now = model
            .instructions
            .get(r.instruction)
            .is_some_and(|i| i.kind != InstructionKind::Onbuild);
        // the states of the bare mounts of earlier instructions
        while let Some(&&(i, n)) = bare.peek() {
            if i >= r.instruction {
                break;
            }
            if !scratch_is_stage {
                unnamed.extend(std::iter::repeat_n(scratch(), n));
            }
            bare.next();
        }
        let target = match r.kind {
            RefKind::FromStage => r.target.clone(),
            RefKind::CopyFrom => match go_atoi(&r.text) {
                Some(i) => match usize::try_from(i) {
                    Ok(i) if i < stages => position(i, r.stage),
                    Ok(i) if i - stages < unnamed.len() => unnamed[i - stages].clone(),
                    _ => RefTarget::Invalid(format!(
                        "invalid stage index {}: the file has {stages} stage(s)",
                        r.text
                    )),
                },
                None => match by_name.get(r.text.to_ascii_lowercase().as_str()) {
                    Some(&i) => position(i, r.stage),
                    None => image(&r.text),
                },
            },
            RefKind::MountFrom => match by_name.get(r.text.to_ascii_lowercase().as_str()) {
                Some(&i) => position(i, r.stage),
                None => image(&r.text),
            },
        };
        let adds_state = runs_now
            && r.kind != RefKind::FromStage
            && !matches!(
                target,
                RefTarget::Stage(_) | RefTarget::LaterStage(_) | RefTarget::OwnStage
            )
            && !(r.kind == RefKind::CopyFrom && go_atoi(&r.text).is_some());
        if adds_state {
            unnamed.push(target.clone());
        }
        targets.push(target);
    }
    for (r, t) in model.refs.iter_mut().zip(targets) {
        r.target = t;
    }
}

fn image(text: &str) -> RefTarget {
    match ImageRef::parse(text) {
        Ok(img) => RefTarget::Image(img),
        Err(e) => RefTarget::Invalid(e.to_string()),
    }
}

fn scratch() -> RefTarget {
    image("scratch")
}

/// Go's `strconv.Atoi` on a 64-bit platform: an optional sign and decimal digits that fit.
pub(crate) fn go_atoi(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.strip_prefix('+').unwrap_or(text).parse::<i64>().ok()
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
            // An `ARG` with no value from anywhere leaves the build state as it was
            // (dockerfile2llb `dispatchArg` only calls `AddEnv` for a value), so a value set
            // earlier, or inherited from a base stage, stays in force.
            value = from_build_arg
                .or(value)
                .or(global)
                .or(automatic)
                .or_else(|| scope.value(&name));
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
