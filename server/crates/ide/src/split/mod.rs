//! "Split into build and runtime stages": turns a stage that ships its toolchain into a
//! builder and a runtime stage that ships only the app, the way a careful engineer would
//! write it for the stack (Node, Python, Go, Rust, Java, or a generic fallback).
//!
//! Pure: takes an [`Analysis`] (text, model, and facts about the build context and images
//! when known) and returns the new text and the edit that makes it.
//!
//! Never loses the user's text: every original instruction, comment and heredoc is still in
//! the result, in the builder or moved to the runtime stage, except the instructions listed
//! in [`Split::replaced`], which the split rewrites on purpose (and, for container commands,
//! keeps as comments).

mod detect;
mod images;
mod packages;
mod plan;
mod stacks;
mod text;
mod view;

#[cfg(test)]
mod golden;
#[cfg(test)]
pub(crate) mod tests;

use layerwise_analysis::image_facts::Platform;
use layerwise_analysis::image_ref::ImageRef;
use layerwise_analysis::Base;
use layerwise_lint::rules::size::toolchains::switch_sizes;
use layerwise_lint::Edit;
use layerwise_syntax::{InstructionKind, TextRange};

pub use detect::{JavaTool, NodePm, PyPm, Stack};
pub use images::Runtime;

use crate::Analysis;
use plan::Plan;
use view::View;

/// Stages longer than this are not split (hand-written stages are far shorter; the split
/// looks at the stage once per instruction in places).
const MAX_INSTRUCTIONS: usize = 1000;

/// What the user asks for.
#[derive(Debug, Clone, Copy, Default)]
pub struct SplitOptions {
    /// The runtime base; `None` picks the stack's usual one (slim images, distroless for Go).
    pub runtime: Option<Runtime>,
}

/// The result of a split.
#[derive(Debug, Clone)]
pub struct Split {
    pub stack: Stack,
    /// The stage that was split (the final one).
    pub stage: usize,
    pub builder_name: String,
    /// The runtime stage's base image as written.
    pub runtime_image: String,
    /// Replaces the stage (from its `FROM`, comments above it included, to the end).
    pub edit: Edit,
    /// The whole new file.
    pub text: String,
    /// Item indexes (in the original file) of instructions the split rewrote on purpose.
    pub replaced: Vec<usize>,
    /// Things the user should know (choices made, what to check).
    pub notes: Vec<String>,
    /// Estimated base image sizes before and after, when the facts know both.
    pub sizes: Option<(u64, u64)>,
}

impl Split {
    /// "Split into build and runtime stages (≈1.1 GB → ≈190 MB)".
    pub fn title(&self) -> String {
        match self.sizes {
            Some((before, after)) => format!(
                "Split into build and runtime stages (≈{} → ≈{})",
                text::approx_bytes(before),
                text::approx_bytes(after)
            ),
            None => "Split into build and runtime stages".into(),
        }
    }
}

/// Why a split is not offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotApplicable(pub String);

impl std::fmt::Display for NotApplicable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The stage a split applies to (the final one), or why none does: it must be built on an
/// image that carries a toolchain, or install build tools, or run a build.
pub fn applicable(a: &Analysis) -> Result<usize, NotApplicable> {
    applicable_why(a).map(|(stage, _)| stage)
}

/// Like [`applicable`], also saying whether the stage does build work (installs compilers
/// or runs a build) rather than only running on a toolchain image.
fn applicable_why(a: &Analysis) -> Result<(usize, bool), NotApplicable> {
    let no = |s: &str| Err(NotApplicable(s.into()));
    let Some(stage) = a.model.stages.len().checked_sub(1) else {
        return no("the file has no stage");
    };
    if a.model.escape != '\\' {
        return no("files with a backtick escape (Windows images) are not split");
    }
    let st = &a.model.stages[stage];
    let image = match &st.base {
        Base::Image(i) if !i.is_scratch() => i,
        Base::Stage(_) => return no("the final stage is built on another stage"),
        _ => return no("the final stage's base image is not known"),
    };
    // the same answer as every rule gives about this `FROM` (case, .NET Framework, ltsc tags)
    if layerwise_lint::windows_image::is_windows_image(image) {
        return no("Windows images are not split");
    }
    if st.instructions.is_empty() {
        return no("the final stage has no instructions");
    }
    if let Some(line) = first_error_line(a, st.range.start) {
        return Err(NotApplicable(format!(
            "the final stage has a syntax error (line {line}): fix it first"
        )));
    }
    // bounded work: some steps look at the stage once per instruction
    if st.instructions.len() > MAX_INSTRUCTIONS {
        return no("the final stage is too long to split automatically");
    }
    let Some(view) = View::new(a, stage) else {
        return no("the final stage's base image is not known");
    };
    let cmds = view.all_commands();
    // tools the container's own command calls (`make` in an ENTRYPOINT) are runtime tools
    let runtime_words = runtime_command_words(&view);
    let compilers = cmds.iter().any(|c| {
        packages::os_installs(c).is_some_and(|(_, pkgs)| {
            pkgs.iter().any(|p| {
                let name = layerwise_analysis::packages::package_name(p);
                packages::is_build_tool(p)
                    && !fetch_tool(name)
                    && !runtime_words.iter().any(|w| w == name)
            })
        })
    });
    let builds = compilers || cmds.iter().any(detect::is_build_step);
    if builds || detect::is_toolchain_image(image) {
        Ok((stage, builds))
    } else {
        no("the final stage neither uses a toolchain image nor builds anything")
    }
}

/// The 1-based line of the first syntax error at or after `from` (the stage being split
/// runs to the end of the file).
///
/// A stage with a syntax error is not split. The split copies instructions into one stage or
/// both (`ARG`s and `ENV`s that both need) and rewrites others, reading what each one means;
/// a broken instruction has no meaning to read, so wherever it went the result would be a
/// guess, and a copied error becomes two. A refactoring offered on code that does not parse
/// is also not what users expect: the error is what the editor shows first, and once it is
/// fixed the split is offered again. Errors in earlier stages do not matter: the split
/// leaves those stages as they are.
fn first_error_line(a: &Analysis, from: u32) -> Option<usize> {
    let e = a
        .file
        .errors()
        .into_iter()
        .find(|e| e.range.end > from || e.range.start >= from)?;
    let at = (e.range.start.max(from) as usize).min(a.text.len());
    Some(
        a.text.as_bytes()[..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1,
    )
}

/// The words of `CMD`, `ENTRYPOINT` and `HEALTHCHECK` in the stage.
fn runtime_command_words(view: &View<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for u in &view.units {
        if matches!(
            u.kind,
            InstructionKind::Cmd | InstructionKind::Entrypoint | InstructionKind::Healthcheck
        ) {
            if let Some(item) = u.item {
                out.extend(
                    view.item_text(item)
                        .split(|c: char| {
                            !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
                        })
                        .filter(|w| !w.is_empty())
                        .map(str::to_string),
                );
            }
        }
    }
    out
}

/// Tools a runtime may legitimately keep (health checks, downloads at start): installing
/// them alone does not make a stage a build stage.
fn fetch_tool(name: &str) -> bool {
    matches!(
        name,
        "curl"
            | "wget"
            | "git"
            | "gnupg"
            | "gnupg2"
            | "dirmngr"
            | "unzip"
            | "xz-utils"
            | "bzip2"
            | "software-properties-common"
            | "apt-transport-https"
            | "lsb-release"
            | "npm"
            | "yarn"
            | "nodejs"
            | "python3-pip"
            | "python3-venv"
            | "python3-setuptools"
            | "python3-wheel"
    )
}

/// Splits the final stage.
pub fn split(a: &Analysis, opts: &SplitOptions) -> Result<Split, NotApplicable> {
    let (stage, builds) = applicable_why(a)?;
    let view = View::new(a, stage).ok_or_else(|| NotApplicable("no stage to split".into()))?;
    let cmds = view.all_commands();
    let stack = detect::detect(&view, &cmds);
    let st = &a.model.stages[stage];
    let rt = images::runtime_image(stack, &view.base, &st.base_text, opts.runtime, a);
    if !builds && rt.text == st.base_text {
        return Err(NotApplicable(
            "no slimmer runtime image is known for this base, and the stage builds nothing".into(),
        ));
    }
    let builder_name = match &st.name {
        Some(n) => st
            .name_range
            .map(|r| a.slice(r).to_string())
            .unwrap_or_else(|| n.clone()),
        None => ["build", "builder", "build-stage", "compile"]
            .into_iter()
            .find(|n| a.model.stage_by_name(n).is_none())
            .unwrap_or("build-stage")
            .to_string(),
    };
    let mut p = Plan::new(&view, rt, builder_name.clone());
    p.distribute();
    p.merge_apt_update();
    p.settle_app_dir();
    stacks::builder(&mut p, stack);
    let always = stacks::always_packages(&p, stack);
    p.runtime_packages(always);
    p.settle_user();
    stacks::runtime(&mut p, stack);
    p.copy_outside_files();
    p.settle_runtime_workdir();
    stacks::exec_forms_without_shell(&mut p);
    p.redeclare_args();
    let platform = st
        .platform
        .as_deref()
        .filter(|pl| !pl.contains("BUILDPLATFORM"))
        .map(|pl| format!("--platform={pl} "))
        .unwrap_or_default();
    let runtime_from = format!("{platform}{}", p.rt.text);
    let rendered = p.render(&runtime_from);
    let region = TextRange::new(view.region_start, a.file.len());
    let mut text = a
        .text
        .get(..view.region_start as usize)
        .unwrap_or("")
        .to_string();
    text.push_str(&rendered);
    let mut replaced: Vec<usize> = p
        .replaced
        .iter()
        .chain(p.unit_edits.keys())
        .filter_map(|&u| view.units.get(u).and_then(|u| u.item))
        .collect();
    replaced.sort_unstable();
    replaced.dedup();
    let on = a.model.requested_platform(st);
    let sizes = estimate(a, on.as_ref(), &st.base_text, &view.base, &p.rt.text);
    let mut notes = p.notes.clone();
    notes.dedup();
    Ok(Split {
        stack,
        stage,
        builder_name,
        runtime_image: p.rt.text.clone(),
        edit: Edit {
            range: region,
            text: rendered.into(),
        },
        text,
        replaced,
        notes,
        sizes,
    })
}

/// Base image sizes before and after, in the same measure (unpacked when both know it), for
/// the stage's platform (`on`): the figures the toolchain-final-image rule and the
/// slimmer-variant action quote, never two platforms mixed.
fn estimate(
    a: &Analysis,
    on: Option<&Platform>,
    written: &str,
    base: &ImageRef,
    runtime: &str,
) -> Option<(u64, u64)> {
    let runtime = if runtime.contains('$') {
        // `node:${V}-slim`: look the resolved form up
        runtime_resolved(written, &base.display_name(), runtime)?
    } else {
        runtime.to_string()
    };
    if runtime.contains('$') || runtime == "scratch" {
        return None;
    }
    let variant = ImageRef::parse(&runtime).ok()?;
    let (mut before, mut after) = switch_sizes(&a.facts, base, &variant, on);
    if before.is_none() && !written.contains('$') {
        // the base as written, when its resolved form has no figures
        if let Ok(w) = ImageRef::parse(written) {
            (before, after) = switch_sizes(&a.facts, &w, &variant, on);
        }
    }
    let (before, after) = (before?, after?);
    let (b, a2) = match (before.1, after.1) {
        (Some(x), Some(y)) => (x, y),
        _ => (before.0, after.0),
    };
    (a2 < b).then_some((b, a2))
}

/// The runtime reference with the builder's variables replaced by their values, when the
/// written base and its resolved form line up (`node:${V}` → `node:20`).
fn runtime_resolved(written: &str, resolved: &str, runtime: &str) -> Option<String> {
    let wt = written.rsplit_once(':')?.1;
    let rt = resolved.rsplit_once(':')?.1;
    let var_end = wt.find('}').map(|i| i + 1)?;
    let var = &wt[..var_end];
    let rest = &wt[var_end..];
    let value = rt.strip_suffix(rest)?;
    Some(runtime.replace(var, value))
}

/// Whether a stage compiles or bundles something (`go build`, `npm run build`, `mvn
/// package`...): its build output folders in the context are then stale copies.
pub fn runs_build_step(a: &Analysis, stage: usize) -> bool {
    View::new(a, stage).is_some_and(|v| v.all_commands().iter().any(detect::is_build_step))
}

/// The line break a file uses: its first one decides (CRLF files stay CRLF).
pub fn line_break(text: &str) -> &'static str {
    text::Style::of(text).nl()
}

/// Bytes with two significant figures (`1.1 GB`, `190 MB`), as titles show sizes.
pub fn approx_size(bytes: u64) -> String {
    text::approx_bytes(bytes)
}

/// `["a", "b"]`: exec form of words (JSON strings).
pub fn exec_form_text(words: &[String]) -> String {
    text::exec_form(words)
}

/// The stack a stage builds (from its base image, commands and the build context), for
/// features that adapt to it (`.dockerignore` entries, the non-root user).
pub fn stack_of(a: &Analysis, stage: usize) -> Option<Stack> {
    let view = View::new(a, stage)?;
    let cmds = view.all_commands();
    Some(detect::detect(&view, &cmds))
}

/// [`stack_of`] and [`runs_build_step`] for every stage that has a view, in stage order,
/// through one lint context (a context per stage lists the whole file each time: quadratic
/// in stages).
pub fn stacks_and_build_steps(a: &Analysis) -> Vec<(Stack, bool)> {
    let cx = a.lint_context();
    (0..a.model.stages.len())
        .filter_map(|s| {
            let view = View::in_context(a, s, &cx)?;
            let cmds = view.all_commands();
            let build = cmds.iter().any(detect::is_build_step);
            Some((detect::detect(&view, &cmds), build))
        })
        .collect()
}

/// Whether a stage instruction of kind `k` describes the running container (moves to the
/// runtime stage). Exposed for the docs and tests.
pub fn is_runtime_instruction(k: InstructionKind) -> bool {
    matches!(
        k,
        InstructionKind::Expose
            | InstructionKind::Volume
            | InstructionKind::Healthcheck
            | InstructionKind::Label
            | InstructionKind::Stopsignal
            | InstructionKind::Cmd
            | InstructionKind::Entrypoint
            | InstructionKind::Maintainer
    )
}
