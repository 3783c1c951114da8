//! The semantic model of one Dockerfile: stages in order with their bases, the instructions
//! of each, variable definitions, and the references between stages. Built in one pass over
//! the syntax tree; ranges are file ranges.

use layerwise_syntax::{Args, Dockerfile, InstructionKind, TextRange};

use crate::directives::CheckDirective;
use crate::image_facts::Platform;
use crate::image_ref::ImageRef;
use crate::vars::{automatic_values, Scope, VarDef, VarKind, AUTOMATIC_PLATFORM_ARGS};

/// Inputs that are not in the file.
#[derive(Debug, Clone)]
pub struct ModelOptions {
    /// The platform the automatic args describe (`linux/amd64`).
    pub target_platform: String,
    /// `--build-arg` values.
    pub build_args: Vec<(String, String)>,
}

impl Default for ModelOptions {
    fn default() -> Self {
        Self {
            target_platform: "linux/amd64".into(),
            build_args: Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct InstructionInfo {
    /// Index of the item in the [`Dockerfile`].
    pub item: usize,
    /// The item's file range (continuations and heredocs included).
    pub range: TextRange,
    pub kind: InstructionKind,
    /// `None` for instructions before the first `FROM` (global `ARG`s).
    pub stage: Option<usize>,
}

/// What a stage is built on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    Scratch,
    /// An earlier stage, by index.
    Stage(usize),
    Image(ImageRef),
    /// Could not be resolved: a variable without a default, or an invalid reference.
    Unresolved {
        reason: String,
    },
}

#[derive(Debug, Clone)]
pub struct Stage {
    pub index: usize,
    /// Lower-cased `AS` name (BuildKit compares stage names case-insensitively).
    pub name: Option<String>,
    pub name_range: Option<TextRange>,
    /// The `FROM` instruction's index in [`Model::instructions`].
    pub from: usize,
    /// From the `FROM` line to the end of the stage's last item.
    pub range: TextRange,
    pub base: Base,
    /// The base as written and its range (`node:${V}-alpine`).
    pub base_text: String,
    pub base_range: TextRange,
    /// The base after ARG substitution.
    pub base_resolved: String,
    /// `--platform` as written.
    pub platform: Option<String>,
    /// Instructions after `FROM`, as indices into [`Model::instructions`].
    pub instructions: Vec<usize>,
}

impl Stage {
    /// `name` or the index, the way `COPY --from` can refer to it.
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.index.to_string())
    }

    /// Whether the `--platform` value needs expanding (the size walk counts expansions
    /// against its budget before calling [`Model::requested_platform`]).
    pub fn platform_needs_expansion(&self) -> bool {
        self.platform.as_deref().is_some_and(|p| p.contains('$'))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    CopyFrom,
    MountFrom,
    FromStage,
}

/// What a `COPY --from` / `--mount from=` (or a `FROM` of a stage) resolves to, as BuildKit
/// resolves it (see `model_builder::resolve_refs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefTarget {
    /// An earlier stage.
    Stage(usize),
    /// A stage defined further down. BuildKit resolves the name to it (its name table holds
    /// every stage), then fails as soon as it builds the referring stage: `cannot copy from
    /// stage "x", it needs to be defined before current stage` (dockerfile2llb `dispatch`,
    /// since BuildKit 0.13; before, the copy silently found nothing). A build that does not
    /// need the referring stage succeeds. If that stage needs this one, the build fails
    /// earlier with a circular dependency. (`FROM` never resolves to a later stage: it takes
    /// the name for an image.)
    LaterStage(usize),
    /// Names the stage the reference is in: a circular dependency, the build fails.
    OwnStage,
    Image(ImageRef),
    /// Not a stage and not a valid image reference, or a stage index past the last state
    /// (`invalid stage index`): the build fails.
    Invalid(String),
}

/// A use of a stage name (or of an external image) by `COPY --from`, `RUN --mount from=` or
/// `FROM <stage>`.
#[derive(Debug, Clone)]
pub struct StageRef {
    pub instruction: usize,
    pub stage: usize,
    pub kind: RefKind,
    /// The reference text in the file.
    pub range: TextRange,
    pub text: String,
    pub target: RefTarget,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub escape: char,
    pub options: ModelOptions,
    pub instructions: Vec<InstructionInfo>,
    pub stages: Vec<Stage>,
    pub global_args: Vec<VarDef>,
    /// In file order (so sorted by stage).
    pub refs: Vec<StageRef>,
    pub check: CheckDirective,
}

impl Model {
    pub fn build(file: &Dockerfile, options: ModelOptions) -> Self {
        crate::model_builder::build(file, options)
    }

    /// The references made by one instruction (`COPY --from`, its mounts, `FROM <stage>`),
    /// found by halving: [`Model::refs`] is in file order. A scan per instruction made a file
    /// of `COPY --from` lines quadratic.
    pub fn refs_of(&self, instruction: usize) -> &[StageRef] {
        let start = self.refs.partition_point(|r| r.instruction < instruction);
        let len = self.refs[start..].partition_point(|r| r.instruction == instruction);
        &self.refs[start..start + len]
    }

    /// The instruction index of the item at `item`.
    pub fn instruction_of_item(&self, item: usize) -> Option<usize> {
        self.instructions
            .binary_search_by_key(&item, |i| i.item)
            .ok()
    }

    /// The instruction whose range contains `offset`.
    pub fn instruction_at(&self, offset: u32) -> Option<usize> {
        let i = self
            .instructions
            .partition_point(|i| i.range.start <= offset)
            .checked_sub(1)?;
        self.instructions[i].range.touches(offset).then_some(i)
    }

    pub fn stage_at(&self, offset: u32) -> Option<&Stage> {
        let i = self
            .stages
            .partition_point(|s| s.range.start <= offset)
            .checked_sub(1)?;
        self.stages.get(i)
    }

    /// The stage named `name` (case-insensitive, the last of that name, as BuildKit's
    /// `--target` and `--from` lookups) or with that index.
    pub fn stage_by_name(&self, name: &str) -> Option<&Stage> {
        let lower = name.to_ascii_lowercase();
        self.stages
            .iter()
            .rev()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
            .or_else(|| name.parse::<usize>().ok().and_then(|i| self.stages.get(i)))
    }

    /// The stage `docker build` produces (the last one, or `target`).
    pub fn target_stage(&self, target: Option<&str>) -> Option<&Stage> {
        match target {
            Some(t) => self.stage_by_name(t),
            None => self.stages.last(),
        }
    }

    /// Stages the target needs, the target included (through bases, `COPY --from` and mounts;
    /// a reference to a later stage counts too, though BuildKit then stops with an error).
    pub fn needed_stages(&self, target: usize) -> Vec<bool> {
        let mut needed = vec![false; self.stages.len()];
        let mut todo = vec![target];
        while let Some(s) = todo.pop() {
            if s >= needed.len() || needed[s] {
                continue;
            }
            needed[s] = true;
            if let Base::Stage(b) = self.stages[s].base {
                todo.push(b);
            }
            // `ONBUILD COPY --from=x` counts too: BuildKit runs the trigger in the stages built
            // `FROM` this one, which then need `x` (dockerfile2llb `initOnBuildTriggers`).
            // `refs` are in file order, so each stage's are one run: linear overall.
            let from = self.refs.partition_point(|r| r.stage < s);
            let to = self.refs.partition_point(|r| r.stage <= s);
            for r in self.refs.get(from..to).unwrap_or_default() {
                if let RefTarget::Stage(t) | RefTarget::LaterStage(t) = r.target {
                    todo.push(t);
                }
            }
        }
        needed
    }

    /// The scope in force for `FROM` lines: global `ARG`s and the automatic platform args.
    pub fn global_scope(&self) -> Scope {
        let mut scope = Scope::default();
        for (name, _) in AUTOMATIC_PLATFORM_ARGS {
            scope.push(VarDef {
                name: (*name).into(),
                kind: VarKind::Automatic,
                name_range: TextRange::default(),
                raw_value: None,
                value_range: None,
                value: automatic_values(name, &self.options.target_platform),
                instruction: None,
            });
        }
        for d in &self.global_args {
            scope.push(d.clone());
        }
        scope
    }

    /// The scope just before instruction `inst` runs (for a `FROM`: the global scope).
    pub fn scope_before(&self, file: &Dockerfile, inst: usize) -> Scope {
        let Some(stage) = self.instructions.get(inst).and_then(|i| i.stage) else {
            // global ARGs: those defined before this one
            let mut scope = self.global_scope();
            scope_retain_before(&mut scope, inst);
            return scope;
        };
        let mut scope = self.stage_entry_scope(file, stage, 0);
        for &i in &self.stages[stage].instructions {
            if i >= inst {
                break;
            }
            crate::model_builder::apply_definitions(self, file, i, &mut scope);
        }
        scope
    }

    /// The scope just after instruction `inst` ran (its own ARG/ENV definitions included).
    pub fn scope_after(&self, file: &Dockerfile, inst: usize) -> Scope {
        if self
            .instructions
            .get(inst)
            .is_some_and(|i| i.stage.is_none())
        {
            let mut scope = self.global_scope();
            scope_retain_before(&mut scope, inst + 1);
            return scope;
        }
        let mut scope = self.scope_before(file, inst);
        crate::model_builder::apply_definitions(self, file, inst, &mut scope);
        scope
    }

    /// The scope at the end of a stage (what a stage built `FROM` it inherits).
    pub fn scope_after_stage(&self, file: &Dockerfile, stage: usize) -> Scope {
        self.scope_after_stage_at(file, stage, 0)
    }

    fn scope_after_stage_at(&self, file: &Dockerfile, stage: usize, depth: usize) -> Scope {
        let mut scope = self.stage_entry_scope(file, stage, depth);
        for &i in &self.stages[stage].instructions {
            crate::model_builder::apply_definitions(self, file, i, &mut scope);
        }
        scope
    }

    /// What a stage built on another stage starts with: everything that stage ended with.
    /// BuildKit's child stage takes over its base's build state (dockerfile2llb
    /// `dispatchState.init`: `ds.state = ds.base.state`, `ds.buildArgs = append(...,
    /// ds.base.buildArgs...)`), so the base's `ARG`s stay declared and keep their values,
    /// not only its `ENV`.
    fn stage_entry_scope(&self, file: &Dockerfile, stage: usize, depth: usize) -> Scope {
        match self.stages[stage].base {
            Base::Stage(b) if b < stage && depth < 64 => {
                self.scope_after_stage_at(file, b, depth + 1)
            }
            _ => Scope::default(),
        }
    }

    /// The effective `WORKDIR` before instruction `inst` (`/` by default; relative paths join).
    pub fn workdir_before(&self, file: &Dockerfile, inst: usize) -> String {
        self.stage_state_before(file, inst, InstructionKind::Workdir)
            .unwrap_or_else(|| "/".into())
    }

    /// The effective `USER` before `inst` (`None`: the base image's user, usually root).
    pub fn user_before(&self, file: &Dockerfile, inst: usize) -> Option<String> {
        self.stage_state_before(file, inst, InstructionKind::User)
    }

    fn stage_state_before(
        &self,
        file: &Dockerfile,
        inst: usize,
        kind: InstructionKind,
    ) -> Option<String> {
        let stage = self.instructions.get(inst)?.stage?;
        self.stage_state_until(file, stage, Some(inst), kind, 0)
    }

    fn stage_state_until(
        &self,
        file: &Dockerfile,
        stage: usize,
        until: Option<usize>,
        kind: InstructionKind,
        depth: usize,
    ) -> Option<String> {
        let mut value = match self.stages[stage].base {
            Base::Stage(b) if b < stage && depth < 64 => {
                self.stage_state_until(file, b, None, kind, depth + 1)
            }
            _ => None,
        };
        let mut scope = self.stage_entry_scope(file, stage, depth);
        for &i in &self.stages[stage].instructions {
            if until.is_some_and(|u| i >= u) {
                break;
            }
            if self.instructions[i].kind == kind {
                if let Some(arg) = crate::model_builder::text_arg(file, &self.instructions[i]) {
                    let v = scope.expand(&arg, self.escape).value;
                    value = Some(if kind == InstructionKind::Workdir {
                        join_workdir(value.as_deref(), &v)
                    } else {
                        v
                    });
                }
            }
            crate::model_builder::apply_definitions(self, file, i, &mut scope);
        }
        value
    }

    /// Whether `stage` is the final stage (or, with `target`, that stage).
    pub fn is_final(&self, stage: usize) -> bool {
        stage + 1 == self.stages.len()
    }

    /// The platform `stage`'s `FROM --platform=...` asks for, expanded the way BuildKit
    /// expands `FROM` lines: with the global `ARG`s and the automatic platform args (not the
    /// stage's own scope, which starts after `FROM`). `None` without the flag or when the
    /// value names no platform; callers then use the image's first (requested) figures.
    ///
    /// Here rather than in the editor crate so that everything quoting an image's size for a
    /// stage (hover, code lens, inlay hints, the toolchain-final-image rule and its fix, the
    /// slimmer-variant action) speaks of the same platform.
    pub fn requested_platform(&self, stage: &Stage) -> Option<Platform> {
        let written = stage.platform.as_deref()?;
        if stage.platform_needs_expansion() {
            let text = self.global_scope().expand(written, self.escape).value;
            Platform::parse(text.trim()).ok()
        } else {
            Platform::parse(written.trim()).ok()
        }
    }
}

fn scope_retain_before(scope: &mut Scope, inst: usize) {
    let kept: Vec<VarDef> = scope
        .defs()
        .iter()
        .filter(|d| d.instruction.is_none_or(|i| i < inst))
        .cloned()
        .collect();
    *scope = Scope::default();
    for d in kept {
        scope.push(d);
    }
}

/// The stage index a `COPY --from=<text>` names, if BuildKit reads the text as one (Go's
/// `strconv.Atoi`: an optional sign and decimal digits that fit in 64 bits). Such text is
/// never a stage name nor an image; out of range it fails the build.
pub fn copy_from_index(text: &str) -> Option<i64> {
    crate::model_builder::go_atoi(text)
}

/// `WORKDIR` semantics: absolute paths replace, relative ones join the previous one.
pub fn join_workdir(prev: Option<&str>, next: &str) -> String {
    if next.starts_with('/')
        || next.contains(":\\")
        || prev.is_none() && !next.starts_with('/') && next.contains(':')
    {
        return next.to_string();
    }
    let base = prev.unwrap_or("/");
    if base.ends_with('/') {
        format!("{base}{next}")
    } else {
        format!("{base}/{next}")
    }
}

/// The key/value args of an instruction as `(name, name_range, raw value, value range)`.
pub(crate) fn pair_defs(args: &Args) -> impl Iterator<Item = &layerwise_syntax::KeyValue> {
    let pairs: &[layerwise_syntax::KeyValue] = match args {
        Args::Pairs { pairs, .. } => pairs,
        _ => &[],
    };
    pairs.iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requested(text: &str, stage: usize) -> Option<String> {
        let file = Dockerfile::parse(text);
        let model = Model::build(&file, ModelOptions::default());
        model
            .requested_platform(&model.stages[stage])
            .map(|p| p.to_string())
    }

    #[test]
    fn the_requested_platform_is_expanded_like_buildkit_expands_from() {
        assert_eq!(requested("FROM node:20\n", 0), None);
        assert_eq!(
            requested("FROM --platform=linux/arm64 node:20\n", 0).as_deref(),
            Some("linux/arm64")
        );
        // global ARGs and the automatic args, not the stage's own ARGs (they come after FROM)
        let text = "ARG P=linux/arm64\nFROM --platform=$P node:20\nARG Q=linux/s390x\nFROM --platform=$Q x\nFROM --platform=$BUILDPLATFORM y\n";
        assert_eq!(requested(text, 0).as_deref(), Some("linux/arm64"));
        assert_eq!(requested(text, 1), None);
        assert_eq!(requested(text, 2).as_deref(), Some("linux/amd64"));
        assert_eq!(requested("FROM --platform=not/a/plat/form x\n", 0), None);
    }
}
