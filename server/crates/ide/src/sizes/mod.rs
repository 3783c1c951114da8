//! Layer-size estimates: what each instruction of each stage adds to the image, with where the
//! figure came from and how sure it is, stage totals, and the final image total counting only
//! what reaches the final stage. Inlay hints, code lenses and `layerwise check` show these.
//!
//! Sizes are bytes on disk once unpacked (what `docker images` shows), so they add up: base
//! images from their facts (unpacked size, or a range derived from the compressed size when
//! only that is known), `COPY` from the real files of the build context, package installs from
//! embedded package tables. What cannot be estimated is [`Amount::Unknown`] and totals say how
//! many parts they could not count; nothing is invented. Pure: no IO; file contents the
//! estimates would like to read (lockfiles, requirements) come in through [`SizeInputs`].

mod amount;
pub mod apk;
pub mod apt;
mod copy;
pub mod npm;
pub mod pip;
mod run;
#[cfg(test)]
mod tests;
mod walk;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use layerwise_analysis::image_facts::FactSource;
use layerwise_syntax::TextRange;

pub use amount::{Amount, Total};

use crate::Analysis;

/// Where an estimate's figure came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SizeSource {
    /// A base image's facts (registry, cache or offline catalogue). Shared: every stage on the
    /// same image points at one copy (a catalogue source holds two strings).
    Image(Arc<FactSource>),
    /// A base image nothing is known about.
    NoImageFacts,
    /// `FROM <stage>`: that stage's total.
    Stage(usize),
    /// `FROM scratch`: nothing.
    Scratch,
    /// An instruction that changes only the image config (`ENV`, `CMD`, `EXPOSE`, ...).
    Metadata,
    /// Real file sizes from the build context, `.dockerignore` applied.
    BuildContext,
    /// The text of a here-document.
    Heredoc,
    /// `COPY --from=<stage>`: what is known of the copied paths.
    StageFiles(usize),
    /// `COPY --from=<image>` (another image's files).
    ExternalImage,
    /// `ADD <url>` / `ADD <git>`: fetched at build time.
    Remote,
    /// The embedded Debian package table (`apt-get install`).
    AptTable,
    /// The embedded Alpine package table (`apk add`).
    ApkTable,
    /// A lockfile's package count times a measured average (`npm ci`, `yarn`, `pnpm`).
    Lockfile,
    /// The embedded table of measured wheel installs (`pip install`).
    PipTable,
    /// Several of the above in one `RUN`.
    Mixed,
    /// Commands that write (next to) nothing: `mkdir`, `useradd`, `rm`, ...
    Negligible,
    /// Not estimated: a command layerwise cannot size (a build, a download...).
    NotEstimated,
}

impl SizeSource {
    /// A short label for tooltips.
    pub fn label(&self) -> String {
        match self {
            SizeSource::Image(f) => f.label(),
            SizeSource::NoImageFacts => "no facts about this image".into(),
            SizeSource::Stage(_) => "the stage it is built from".into(),
            SizeSource::Scratch => "scratch is empty".into(),
            SizeSource::Metadata => "image config only".into(),
            SizeSource::BuildContext => "build context file sizes".into(),
            SizeSource::Heredoc => "here-document text".into(),
            SizeSource::StageFiles(_) => "files of an earlier stage".into(),
            SizeSource::ExternalImage => "another image".into(),
            SizeSource::Remote => "fetched at build time".into(),
            SizeSource::AptTable => "Debian package table (approximate)".into(),
            SizeSource::ApkTable => "Alpine package table (approximate, ±30 %)".into(),
            SizeSource::Lockfile => "lockfile package count × average (rough)".into(),
            SizeSource::PipTable => "measured wheel sizes (approximate)".into(),
            SizeSource::Mixed => "several sources".into(),
            SizeSource::Negligible => "commands that write almost nothing".into(),
            SizeSource::NotEstimated => "not estimated".into(),
        }
    }
}

/// One estimate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeEstimate {
    pub amount: Amount,
    /// The figure is approximate (a table, a catalogue, an average), not measured.
    pub approximate: bool,
    /// Some parts could not be sized: the real figure is `amount` plus something unknown.
    pub plus_unknown: bool,
    /// Some parts are still being looked up.
    pub plus_pending: bool,
    pub source: SizeSource,
    /// How the figure was made, in a sentence or two (tooltips, hovers). Shared, not owned:
    /// the walk gives equal notes one allocation (150,000 `FROM a` stages say the same thing).
    pub note: Arc<str>,
}

impl SizeEstimate {
    pub fn new(
        amount: Amount,
        approximate: bool,
        source: SizeSource,
        note: impl Into<Arc<str>>,
    ) -> Self {
        SizeEstimate {
            amount,
            approximate,
            plus_unknown: false,
            plus_pending: false,
            source,
            note: note.into(),
        }
    }

    pub fn unknown(source: SizeSource, note: impl Into<Arc<str>>) -> Self {
        Self::new(Amount::Unknown, false, source, note)
    }

    pub fn pending(source: SizeSource, note: impl Into<Arc<str>>) -> Self {
        Self::new(Amount::Pending, false, source, note)
    }

    pub fn zero(source: SizeSource, note: impl Into<Arc<str>>) -> Self {
        Self::new(Amount::Bytes(0), false, source, note)
    }

    /// From a sum (a stage total used by `FROM <stage>`).
    pub fn from_total(total: &Total, source: SizeSource, note: impl Into<Arc<str>>) -> Self {
        let amount = total.amount();
        let known = amount.is_known();
        SizeEstimate {
            amount,
            approximate: total.approximate,
            plus_unknown: known && total.unknown > 0,
            plus_pending: known && total.pending > 0,
            source,
            note: note.into(),
        }
    }

    /// As a one-part sum.
    pub fn to_total(&self) -> Total {
        let mut t = Total::default();
        t.add(self.amount, self.approximate);
        if self.plus_unknown {
            t.unknown += 1;
        }
        if self.plus_pending {
            t.pending += 1;
        }
        t
    }

    /// `12.0 MB`, `≈ 180 MB`, `≈ 180 MB + ?`, `?`, `pending`.
    pub fn display(&self) -> String {
        self.to_total().display()
    }
}

/// What one instruction adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Index into `model.instructions`.
    pub instruction: usize,
    /// The instruction's text range, trailing line break and blanks excluded.
    pub range: TextRange,
    pub estimate: SizeEstimate,
    /// `false` for instructions that never add a layer (`ENV`, `CMD`, ...): not worth a hint.
    pub adds_files: bool,
}

/// How a stage relates to the image `docker build` produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageRole {
    /// The target: this is the image.
    Final,
    /// The final stage (or another stage in its chain) is built `FROM` it: its whole
    /// filesystem is in the image.
    Inherited,
    /// Needed only for files copied out of it (`COPY --from`, mounts): its own weight is
    /// discarded.
    Builder,
    /// Not needed by the target: BuildKit does not build it.
    Unused,
}

impl StageRole {
    pub fn label(self) -> &'static str {
        match self {
            StageRole::Final => "final",
            StageRole::Inherited => "in the final image",
            StageRole::Builder => "discarded",
            StageRole::Unused => "unused",
        }
    }
}

/// One stage's estimates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageSizes {
    pub index: usize,
    /// The `FROM` line: the base's size.
    pub from: Step,
    /// Every instruction after `FROM`, in order (a boxed slice: no spare capacity is kept).
    pub steps: Box<[Step]>,
    /// What the stage's own instructions add.
    pub added: Total,
    /// Base plus added.
    pub total: Total,
    pub role: StageRole,
    /// Stages that build on this one or copy from it.
    pub used_by: Box<[usize]>,
}

/// The estimates for a whole file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileSizes {
    pub stages: Vec<StageSizes>,
    /// The stage `docker build` produces (the last one).
    pub target: Option<usize>,
    /// The final image: the target stage's total.
    pub image: Total,
    /// What builder stages weigh, discarded from the image.
    pub discarded: Total,
    /// Build-context files (context-relative) whose text would sharpen an estimate and was
    /// not in [`SizeInputs::files`]: lockfiles and requirements files.
    pub wanted_files: Vec<String>,
}

/// Inputs beyond the analysis. All optional: the default says "nothing pending, no files".
#[derive(Debug, Clone, Default)]
pub struct SizeInputs {
    /// Texts of build-context files by context-relative path (see [`FileSizes::wanted_files`]).
    pub files: HashMap<String, Arc<str>>,
    /// The wanted files are being read: estimates that need them are pending, not unknown.
    pub files_pending: bool,
    /// The build context is being walked: context-based sizes are pending.
    pub context_pending: bool,
    /// Canonical references of base images whose registry lookup is running.
    pub images_pending: HashSet<String>,
}

/// Estimates every instruction of every stage.
pub fn estimate(a: &Analysis, inputs: &SizeInputs) -> FileSizes {
    walk::estimate(a, inputs)
}

impl FileSizes {
    /// The stage of `index`.
    pub fn stage(&self, index: usize) -> Option<&StageSizes> {
        self.stages.iter().find(|s| s.index == index)
    }
}
