//! The walk over stages and instructions that produces [`FileSizes`]: each stage starts from
//! its base (an image's facts, or an earlier stage's state and total), each instruction adds its
//! estimate, and the roles of the stages decide what reaches the final image.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use layerwise_analysis::image_facts::{format_bytes, FactSource, ImageFacts, Platform};
use layerwise_analysis::{Base, Model, RefKind, RefTarget};
use layerwise_lint::context::{InstRef, LintContext};
use layerwise_syntax::{Args, InstructionKind, TextRange};

use super::apk::ApkState;
use super::apt::{base_for_image, AptBase};
use super::copy::{self, resolve, Origin, Produced};
use super::npm::{node_arch, PackageCount};
use super::run::{estimate_run, Installed, RunEnv};
use super::{
    Amount, FileSizes, SizeEstimate, SizeInputs, SizeSource, StageRole, StageSizes, Step, Total,
};
use crate::Analysis;

/// Variable expansions (each walks its stage's definitions) allowed per file, so a huge file
/// full of `$` stays linear; past it, words are used as written.
const MAX_EXPANSIONS: usize = 2_000;

/// Records of where files landed kept per stage (the newest win; older ones are forgotten),
/// so `COPY --from` lookups stay bounded on huge files.
const MAX_PRODUCED: usize = 1_024;
/// Working directories of unknown steps kept per stage.
const MAX_UNKNOWN_WRITES: usize = 256;

/// Distinct notes shared per walk (see [`Notes`]); past it, notes are kept as made.
const MAX_SHARED_NOTES: usize = 4_096;

/// Unpacked images typically take 2–3.5× their compressed (gzip) size: used only when a
/// registry gave the compressed size and nothing knows the unpacked one.
const UNPACK_RATIO_LOW_TENTHS: u64 = 20;
const UNPACK_RATIO_HIGH_TENTHS: u64 = 35;

/// What a stage's filesystem is known to hold at the end of the stage, for stages built on it
/// and `COPY --from` out of it.
#[derive(Debug, Clone)]
struct StageState {
    workdir: String,
    produced: Vec<Produced>,
    installed: Installed,
    /// Working directories of steps whose size is unknown (they may have written there).
    unknown_writes: Vec<String>,
}

struct Walker<'a> {
    a: &'a Analysis,
    /// One lint context for the whole walk: it lists the instructions and caches each `RUN`'s
    /// split commands, so building one per `RUN` made the walk quadratic.
    cx: LintContext<'a>,
    inputs: &'a SizeInputs,
    expansions: usize,
    wanted: Vec<String>,
    lock_counts: RefCell<HashMap<String, Option<PackageCount>>>,
    notes: Notes,
    /// Each base image's fact source once, shared by every stage on it.
    sources: HashMap<String, Arc<FactSource>>,
}

/// Equal notes share one allocation: a file's steps repeat a few sentences (every `ENV` says
/// "changes only the image config", every stage on an unknown image says the same), and the
/// estimate is kept for as long as the document is open. Bounded by [`MAX_SHARED_NOTES`].
#[derive(Default)]
struct Notes(HashSet<Arc<str>>);

impl Notes {
    fn share(&mut self, note: Arc<str>) -> Arc<str> {
        if let Some(same) = self.0.get(&*note) {
            return same.clone();
        }
        if self.0.len() < MAX_SHARED_NOTES {
            self.0.insert(note.clone());
        }
        note
    }

    fn shared(&mut self, mut e: SizeEstimate) -> SizeEstimate {
        e.note = self.share(e.note);
        e
    }
}

pub(super) fn estimate(a: &Analysis, inputs: &SizeInputs) -> FileSizes {
    let cx = a.lint_context();
    let mut w = Walker {
        a,
        cx,
        inputs,
        expansions: 0,
        wanted: Vec::new(),
        lock_counts: RefCell::new(HashMap::new()),
        notes: Notes::default(),
        sources: HashMap::new(),
    };
    let model = &a.model;
    let target = model.stages.len().checked_sub(1);
    let roles = roles(model, target);
    let mut users = users(model);
    let read_later = read_later(model);
    // A stage's end state, kept only while a later stage may read it (`read_later`): on a file
    // of unused stages each one's package flags and paths are freed as soon as it ends.
    let mut states: Vec<Option<Box<StageState>>> = Vec::with_capacity(model.stages.len());
    let mut stages: Vec<StageSizes> = Vec::with_capacity(model.stages.len());
    for stage in &model.stages {
        let (from_estimate, mut state) = match &stage.base {
            Base::Stage(b) if *b < stages.len() => {
                let base = &stages[*b];
                let label = model.stages[*b].label();
                let e = SizeEstimate::from_total(
                    &base.total,
                    SizeSource::Stage(*b),
                    format!("everything in stage `{label}`"),
                );
                // `read_later` keeps every stage a `FROM` names; the fallback is never taken.
                let state = states
                    .get(*b)
                    .and_then(Option::as_deref)
                    .cloned()
                    .unwrap_or_else(|| fresh_state(&Base::Stage(*b), ""));
                (e, state)
            }
            other => (
                {
                    let platform = w.stage_platform(stage);
                    w.base_estimate(other, &stage.base_resolved, platform.as_ref())
                },
                fresh_state(other, &stage.base_resolved),
            ),
        };
        let from = Step {
            instruction: stage.from,
            range: w.range_of(stage.from),
            estimate: w.notes.shared(from_estimate),
            adds_files: true,
        };
        let mut steps = Vec::with_capacity(stage.instructions.len());
        let mut added = Total::default();
        for &i in &stage.instructions {
            let (estimate, adds_files) = w.step(i, &mut state, &states);
            if state.produced.len() > MAX_PRODUCED {
                state.produced.drain(..MAX_PRODUCED / 2);
            }
            if adds_files {
                added.add_total(&estimate.to_total());
            }
            steps.push(Step {
                instruction: i,
                range: w.range_of(i),
                estimate: w.notes.shared(estimate),
                adds_files,
            });
        }
        let mut total = from.estimate.to_total();
        total.add_total(&added);
        let used_by = users
            .get_mut(stage.index)
            .map(std::mem::take)
            .unwrap_or_default()
            .into_boxed_slice();
        stages.push(StageSizes {
            index: stage.index,
            from,
            steps: steps.into_boxed_slice(),
            added,
            total,
            role: roles.get(stage.index).copied().unwrap_or(StageRole::Unused),
            used_by,
        });
        let keep = read_later.get(stage.index).copied().unwrap_or(true);
        states.push(keep.then(|| Box::new(state)));
    }
    let image = target
        .and_then(|t| stages.get(t))
        .map(|s| s.total)
        .unwrap_or_default();
    // A builder that another builder is built on is inside that one's total already.
    let mut builder_bases = vec![false; stages.len()];
    for s in stages.iter().filter(|s| s.role == StageRole::Builder) {
        if let Some(Base::Stage(b)) = model.stages.get(s.index).map(|m| &m.base) {
            if let Some(flag) = builder_bases.get_mut(*b) {
                *flag = true;
            }
        }
    }
    let mut discarded = Total::default();
    for s in stages.iter().filter(|s| s.role == StageRole::Builder) {
        if !builder_bases.get(s.index).copied().unwrap_or(false) {
            discarded.add_total(&s.total);
        }
    }
    FileSizes {
        stages,
        target,
        image,
        discarded,
        wanted_files: w.wanted,
    }
}

/// The role of every stage with respect to `target`.
fn roles(model: &Model, target: Option<usize>) -> Vec<StageRole> {
    let n = model.stages.len();
    let Some(target) = target.filter(|t| *t < n) else {
        return vec![StageRole::Unused; n];
    };
    let needed = model.needed_stages(target);
    let mut roles: Vec<StageRole> = needed
        .iter()
        .map(|&n| {
            if n {
                StageRole::Builder
            } else {
                StageRole::Unused
            }
        })
        .collect();
    roles[target] = StageRole::Final;
    let mut s = target;
    let mut hops = 0;
    while let Base::Stage(b) = model.stages[s].base {
        if b >= n || hops > n {
            break;
        }
        roles[b] = StageRole::Inherited;
        s = b;
        hops += 1;
    }
    roles
}

/// For every stage, whether a later stage reads its end state: one built `FROM` it, or one
/// whose `COPY --from` names it (the only two reads of `states` in the walk).
fn read_later(model: &Model) -> Vec<bool> {
    let mut out = vec![false; model.stages.len()];
    for stage in &model.stages {
        if let Base::Stage(b) = stage.base {
            if let Some(flag) = out.get_mut(b) {
                *flag = true;
            }
        }
    }
    for r in model.refs.iter().filter(|r| r.kind == RefKind::CopyFrom) {
        if let RefTarget::Stage(s) = r.target {
            if let Some(flag) = out.get_mut(s) {
                *flag = true;
            }
        }
    }
    out
}

/// For every stage, the stages that build on it or copy from it (one pass over the refs).
fn users(model: &Model) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); model.stages.len()];
    for r in &model.refs {
        if let RefTarget::Stage(t) = r.target {
            if t != r.stage {
                if let Some(list) = out.get_mut(t) {
                    list.push(r.stage);
                }
            }
        }
    }
    for list in &mut out {
        list.sort_unstable();
        list.dedup();
    }
    out
}

fn fresh_state(base: &Base, resolved: &str) -> StageState {
    let (apt_base, label) = match base {
        Base::Image(r) => (
            base_for_image(r),
            r.familiar_name() + &r.tag.as_ref().map(|t| format!(":{t}")).unwrap_or_default(),
        ),
        _ => (
            AptBase {
                set: "minbase",
                known: false,
            },
            resolved.to_string(),
        ),
    };
    StageState {
        workdir: "/".to_string(),
        produced: Vec::new(),
        installed: Installed {
            apt: None,
            apt_base,
            base_label: label,
            apk: ApkState::default(),
            pip: Vec::new(),
        },
        unknown_writes: Vec::new(),
    }
}

impl<'a> Walker<'a> {
    /// The instruction's text range without its trailing line break and blanks.
    fn range_of(&self, i: usize) -> TextRange {
        let Some(info) = self.a.model.instructions.get(i) else {
            return TextRange::default();
        };
        let text = self.a.slice(info.range);
        let trimmed = text.trim_end().len();
        TextRange::from_usize(
            info.range.start as usize,
            info.range.start as usize + trimmed,
        )
    }

    /// `text` with variables expanded as the builder would at instruction `i` (within budget).
    fn expand(&mut self, i: usize, text: &str) -> String {
        if !text.contains('$') || self.expansions >= MAX_EXPANSIONS {
            return text.to_string();
        }
        self.expansions += 1;
        self.a
            .model
            .scope_before(&self.a.file, i)
            .expand(text, self.a.model.escape)
            .value
    }

    /// The value of a variable before instruction `i` (within budget).
    fn var(&mut self, i: usize, name: &str) -> Option<String> {
        if self.expansions >= MAX_EXPANSIONS {
            return None;
        }
        self.expansions += 1;
        self.a.model.scope_before(&self.a.file, i).value(name)
    }

    /// The platform a stage's `FROM --platform=...` asks for (`Model::requested_platform`),
    /// an expansion counted against the walk's budget.
    fn stage_platform(&mut self, stage: &layerwise_analysis::Stage) -> Option<Platform> {
        if stage.platform_needs_expansion() {
            if self.expansions >= MAX_EXPANSIONS {
                return None;
            }
            self.expansions += 1;
        }
        self.a.model.requested_platform(stage)
    }

    fn base_estimate(
        &mut self,
        base: &Base,
        resolved: &str,
        platform: Option<&Platform>,
    ) -> SizeEstimate {
        match base {
            Base::Scratch => {
                SizeEstimate::zero(SizeSource::Scratch, "scratch: an empty filesystem")
            }
            Base::Unresolved { reason } => SizeEstimate::unknown(
                SizeSource::NoImageFacts,
                format!("base image not resolved: {reason}"),
            ),
            Base::Stage(b) => {
                SizeEstimate::unknown(SizeSource::Stage(*b), "built on a later or invalid stage")
            }
            Base::Image(r) => {
                let key = r.canonical();
                let pending = self.inputs.images_pending.contains(&key);
                match self.a.facts.images.get(&key) {
                    Some(f) => {
                        let source = self
                            .sources
                            .entry(key)
                            .or_insert_with(|| Arc::new(f.source.clone()))
                            .clone();
                        image_estimate(f, source, resolved, platform, pending)
                    }
                    None if r.is_scratch() => {
                        SizeEstimate::zero(SizeSource::Scratch, "scratch: an empty filesystem")
                    }
                    None if pending => SizeEstimate::pending(
                        SizeSource::NoImageFacts,
                        format!("{resolved}: asking the registry"),
                    ),
                    None => SizeEstimate::unknown(
                        SizeSource::NoImageFacts,
                        format!("{resolved}: no registry answer and not in the offline catalogue"),
                    ),
                }
            }
        }
    }

    /// What instruction `i` adds, and whether it can add files at all.
    fn step(
        &mut self,
        i: usize,
        state: &mut StageState,
        states: &[Option<Box<StageState>>],
    ) -> (SizeEstimate, bool) {
        let Some(inst_ref) = self.cx.instruction(i) else {
            return (SizeEstimate::zero(SizeSource::Metadata, ""), false);
        };
        let inst = inst_ref.inst;
        match inst.kind {
            InstructionKind::Workdir => {
                if let Some(w) = inst.arg_words().first() {
                    let v = self.expand(i, &w.text);
                    state.workdir = resolve(&state.workdir, &v);
                }
                (
                    SizeEstimate::zero(SizeSource::Metadata, "creates a directory"),
                    false,
                )
            }
            InstructionKind::Copy | InstructionKind::Add => {
                (self.copy_step(i, inst_ref, state, states), true)
            }
            InstructionKind::Run => (self.run_step(i, inst_ref, state), true),
            _ => (
                SizeEstimate::zero(SizeSource::Metadata, "changes only the image config"),
                false,
            ),
        }
    }

    fn copy_step(
        &mut self,
        i: usize,
        inst_ref: InstRef<'_>,
        state: &mut StageState,
        states: &[Option<Box<StageState>>],
    ) -> SizeEstimate {
        let inst = inst_ref.inst;
        let is_add = inst.kind == InstructionKind::Add;
        let Some((source_words, dest_word)) = inst.copy_parts() else {
            return SizeEstimate::unknown(SizeSource::NotEstimated, "no sources");
        };
        let Some(dest_word) = dest_word else {
            return SizeEstimate::unknown(SizeSource::NotEstimated, "no destination");
        };
        let dest_text = self.expand(i, &dest_word.text);
        let dest = resolve(&state.workdir, &dest_text);
        // `.`, a trailing slash, several sources or the WORKDIR itself: into a directory.
        let dest_is_dir = dest_text.ends_with('/')
            || dest_text == "."
            || dest_text.ends_with("/.")
            || dest == state.workdir
            || source_words.len() > 1;
        // Here-documents are sources too: their text is the file.
        let mut heredoc_bytes = 0u64;
        let mut sources: Vec<String> = Vec::new();
        for w in source_words {
            if w.text.starts_with("<<") {
                if let Some(h) = inst.heredocs.iter().find(|h| w.text.contains(&*h.name)) {
                    heredoc_bytes += u64::from(h.body.len());
                }
                continue;
            }
            sources.push(self.expand(i, &w.text));
        }
        if sources.is_empty() {
            return SizeEstimate::new(
                Amount::Bytes(heredoc_bytes),
                false,
                SizeSource::Heredoc,
                "the here-document's text",
            );
        }
        if inst.flag("from").is_some() {
            let target = self
                .a
                .model
                .refs_of(i)
                .iter()
                .find(|r| r.kind == RefKind::CopyFrom)
                .map(|r| r.target.clone());
            let e = match target {
                Some(RefTarget::Stage(s)) if s < states.len() => {
                    let label = self.a.model.stages[s].label();
                    let abs: Vec<String> = sources.iter().map(|s| resolve("/", s)).collect();
                    // `read_later` keeps every stage a `COPY --from` names.
                    let (produced, unknown_writes) = match states.get(s).and_then(Option::as_deref)
                    {
                        Some(st) => (&st.produced[..], &st.unknown_writes[..]),
                        None => (&[][..], &[][..]),
                    };
                    copy::from_stage(
                        self.a.facts.context.as_deref(),
                        s,
                        &label,
                        &abs,
                        produced,
                        unknown_writes,
                    )
                }
                Some(RefTarget::Image(r)) => SizeEstimate::unknown(
                    SizeSource::ExternalImage,
                    format!("files of image {}: not known", r.display_name()),
                ),
                _ => SizeEstimate::unknown(
                    SizeSource::NotEstimated,
                    "the --from target is not a stage or image",
                ),
            };
            state.produced.push(Produced {
                at: dest.clone(),
                origin: Origin::Estimate(e.clone()),
            });
            return e;
        }
        let (remote, local): (Vec<String>, Vec<String>) =
            sources.into_iter().partition(|s| is_add && is_remote(s));
        if local.is_empty() {
            return SizeEstimate::unknown(
                SizeSource::Remote,
                "ADD fetches this at build time: its size is not known",
            );
        }
        let mut e = match self.a.facts.context.as_ref() {
            Some(ctx) => {
                copy::from_context(ctx, &local, &dest, dest_is_dir, is_add, &mut state.produced)
            }
            None if self.inputs.context_pending => {
                SizeEstimate::pending(SizeSource::BuildContext, "reading the build context")
            }
            None => {
                SizeEstimate::unknown(SizeSource::BuildContext, "the build context is not known")
            }
        };
        if heredoc_bytes > 0 && e.amount.is_known() {
            if let Some((lo, hi)) = e.amount.bounds() {
                e.amount = Amount::range(lo + heredoc_bytes, hi + heredoc_bytes);
            }
        }
        if !remote.is_empty() {
            e.plus_unknown = true;
            e.note = format!("{}; plus what ADD fetches at build time", e.note).into();
        }
        e
    }

    fn run_step(
        &mut self,
        i: usize,
        inst_ref: InstRef<'_>,
        state: &mut StageState,
    ) -> SizeEstimate {
        let inst = inst_ref.inst;
        let mut cache_mounts = Vec::new();
        for f in inst
            .flags
            .iter()
            .filter(|f| f.name().eq_ignore_ascii_case("mount"))
        {
            let fields = layerwise_syntax::mount::mount_fields(f.value().unwrap_or(""));
            let kind = fields
                .iter()
                .find(|x| x.key.eq_ignore_ascii_case("type"))
                .and_then(|x| x.value.clone())
                .unwrap_or_default();
            if kind == "cache" || kind == "tmpfs" {
                if let Some(t) = fields.iter().find(|x| {
                    matches!(
                        x.key.to_ascii_lowercase().as_str(),
                        "target" | "dst" | "destination"
                    )
                }) {
                    cache_mounts.push(resolve(&state.workdir, t.value.as_deref().unwrap_or("")));
                }
            }
        }
        let text = match &inst.args {
            Args::Text(w) => &*w.text,
            _ => "",
        };
        let needs_env = ["npm", "yarn", "pnpm", "pip"]
            .iter()
            .any(|p| text.contains(p));
        let (node_production, pip_no_cache) = if needs_env {
            let node = self.var(i, "NODE_ENV").is_some_and(|v| v == "production");
            let pip = self
                .var(i, "PIP_NO_CACHE_DIR")
                .is_some_and(|v| !matches!(v.as_str(), "" | "0" | "false" | "off"));
            (node, pip)
        } else {
            (false, false)
        };
        let arch = node_arch(&self.a.model.options.target_platform);
        let env = RunEnv {
            inputs: self.inputs,
            workdir: &state.workdir,
            node_production,
            pip_no_cache,
            cache_mounts: &cache_mounts,
            node_arch: arch,
            context_known: self.a.facts.context.is_some(),
            lock_counts: &self.lock_counts,
        };
        // Borrowed from the lint context's cache, not copied: the other fields the estimate
        // needs are disjoint from it.
        let commands = self.cx.run_commands(&inst_ref);
        let e = estimate_run(
            commands,
            &env,
            &mut state.installed,
            &mut state.produced,
            &mut self.wanted,
        );
        if (e.amount == Amount::Unknown || e.plus_unknown)
            && state.unknown_writes.len() < MAX_UNKNOWN_WRITES
            && !state.unknown_writes.contains(&state.workdir)
        {
            state.unknown_writes.push(state.workdir.clone());
        }
        e
    }
}

fn is_remote(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    ["http://", "https://", "git@", "git://", "ssh://"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// A base image's size on disk from its facts, for the stage's `--platform` when it has one.
/// Facts are kept per image, not per platform, so they may have been fetched for another
/// platform (another stage's, or the default): then the first figures stand in, marked
/// approximate, and the note says whose they are.
fn image_estimate(
    f: &ImageFacts,
    source: Arc<FactSource>,
    shown: &str,
    platform: Option<&Platform>,
    pending: bool,
) -> SizeEstimate {
    let (p, stand_in) = match platform {
        Some(wanted) => match f.for_platform(wanted) {
            Some(p) => (Some(p), None),
            None => (f.primary(), Some(wanted)),
        },
        None => (f.primary(), None),
    };
    let Some(p) = p else {
        return SizeEstimate::unknown(
            SizeSource::Image(source),
            format!("{shown}: no figures for this platform"),
        );
    };
    let approximate = f.source.is_approximate() || stand_in.is_some();
    let (amount, mut note) = match p.unpacked_size {
        Some(u) => (
            Amount::Bytes(u),
            format!(
                "{shown} ({}): {} unpacked, {} compressed download",
                p.platform,
                format_bytes(u),
                format_bytes(p.compressed_size)
            ),
        ),
        None => {
            let c = p.compressed_size;
            let low = c.saturating_mul(UNPACK_RATIO_LOW_TENTHS) / 10;
            let high = c.saturating_mul(UNPACK_RATIO_HIGH_TENTHS) / 10;
            (
                Amount::range(low, high),
                format!(
                    "{shown} ({}): {} compressed; registries do not give the unpacked size, which is typically 2–3.5× that",
                    p.platform,
                    format_bytes(c)
                ),
            )
        }
    };
    if let Some(wanted) = stand_in {
        note.push_str(&format!(
            "; no figures for {wanted}, these are for {}",
            p.platform
        ));
    }
    note.push_str(&format!("; source: {}", f.source.label()));
    if let Some(why) = &f.fallback_reason {
        note.push_str(&format!(" ({why})"));
    }
    if pending {
        note.push_str("; asking the registry for exact figures");
    }
    let mut e = SizeEstimate::new(
        amount,
        approximate || p.unpacked_size.is_none(),
        SizeSource::Image(source),
        note,
    );
    e.plus_pending = false;
    e
}
