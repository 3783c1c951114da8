//! What differs per stack: the builder tweaks (dependency caching, build flags) and what the
//! runtime stage copies and runs. Each stack has two phases: `builder` runs before the
//! shared runtime steps (packages, user), `runtime` after them.

mod go;
mod java;
mod node;
mod python;
mod rust;

use layerwise_analysis::shell::ShellCommand;
use layerwise_syntax::{Args, InstructionKind};

use super::detect::Stack;
use super::images::Flavor;
use super::plan::{Entry, Plan};
use super::text::{absolute, exec_form, is_plain_shell_word};

pub(crate) fn builder(p: &mut Plan<'_, '_>, stack: Stack) {
    match stack {
        Stack::Node(pm) => node::builder(p, pm),
        Stack::Python(pm) => python::builder(p, pm),
        Stack::Go => go::builder(p),
        Stack::Rust => rust::builder(p),
        Stack::Java(tool) => java::builder(p, tool),
        Stack::Generic => {}
    }
}

/// Packages the runtime stage always installs for this stack.
pub(crate) fn always_packages(p: &Plan<'_, '_>, stack: Stack) -> &'static [&'static str] {
    match stack {
        Stack::Rust if p.rt.flavor == Flavor::Debian => &["ca-certificates"],
        Stack::Go | Stack::Rust if p.rt.flavor == Flavor::Alpine => &["ca-certificates", "tzdata"],
        _ => &[],
    }
}

pub(crate) fn runtime(p: &mut Plan<'_, '_>, stack: Stack) {
    match stack {
        Stack::Node(pm) => node::runtime(p, pm),
        Stack::Python(_) => python::runtime(p),
        Stack::Go => go::runtime(p),
        Stack::Rust => rust::runtime(p),
        Stack::Java(tool) => java::runtime(p, tool),
        Stack::Generic => generic_runtime(p),
    }
}

/// The original stage becomes the builder; the runtime stage copies the app directory, with
/// a comment saying what to adjust.
fn generic_runtime(p: &mut Plan<'_, '_>) {
    let app = p.app_dir.clone();
    p.rt_copies.push(Entry::Gen(
        "# Adjust: copy only what the program needs at run time from the build stage.".into(),
    ));
    p.rt_copies.push(Entry::Gen(format!(
        "COPY --from={} {app} {app}",
        p.builder_name
    )));
}

/// The program an entry word names: `go`, `cargo`, `mvn` (path stripped).
fn program(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Whether the container's command runs a build tool (`go run`, `cargo run`, `mvn ...`):
/// such commands cannot work in a runtime stage and are replaced.
fn runs_build_tool(words: &[String]) -> bool {
    match words.first().map(|w| program(w)) {
        Some("go") => words.get(1).is_some_and(|w| w == "run"),
        Some("cargo") => words.get(1).is_some_and(|w| w == "run"),
        Some("mvn" | "mvnw" | "gradle" | "gradlew") => true,
        _ => false,
    }
}

/// Replaces the container's command (the `CMD`, or the `ENTRYPOINT` when it is the one that
/// runs a build tool) with `words` in exec form. The original line is kept as a comment
/// above the new one, so nothing the user wrote is lost.
fn replace_command(p: &mut Plan<'_, '_>, words: &[String], why: &str) {
    let (ep, cmd) = p.entry_words();
    let target = match (&ep, &cmd) {
        (Some((i, w)), _) if runs_build_tool(w) => Some((*i, "ENTRYPOINT")),
        (_, Some((i, _))) => Some((*i, "CMD")),
        (Some((i, _)), None) => Some((*i, "ENTRYPOINT")),
        (None, None) => None,
    };
    let Some((unit, keyword)) = target else {
        p.rt_tail
            .push(Entry::Gen(format!("CMD {}", exec_form(words))));
        return;
    };
    let old = p.instruction_text(unit);
    let commented: Vec<String> = old.lines().map(|l| format!("# {l}")).collect();
    let text = format!(
        "# {why}; it was:{nl}{}{nl}{keyword} {}",
        commented.join(p.nl()),
        exec_form(words),
        nl = p.nl()
    );
    set_tail_part(p, unit, text);
}

/// Replaces unit `unit` in the runtime tail with `text` (comments kept above it).
fn set_tail_part(p: &mut Plan<'_, '_>, unit: usize, text: String) {
    if let Some(e) = p.rt_tail.iter_mut().find(|e| match e {
        Entry::Unit(i) | Entry::Part { unit: i, .. } => *i == unit,
        _ => false,
    }) {
        *e = Entry::Part {
            unit,
            text,
            comments: true,
        };
        p.replaced.insert(unit);
    }
}

/// In runtime images without a shell, `CMD`/`ENTRYPOINT` in shell form cannot start:
/// plain-word commands become exec form; others get a note.
pub(crate) fn exec_forms_without_shell(p: &mut Plan<'_, '_>) {
    if p.rt.flavor.has_shell() {
        return;
    }
    let tail: Vec<usize> = p
        .rt_tail
        .iter()
        .filter_map(|e| match e {
            Entry::Unit(i) => Some(*i),
            _ => None,
        })
        .collect();
    for i in tail {
        let u = p.unit(i);
        if !matches!(u.kind, InstructionKind::Cmd | InstructionKind::Entrypoint) {
            continue;
        }
        let Some(inst) = p.v.instruction(u) else {
            continue;
        };
        let Args::Text(w) = &inst.args else { continue };
        let words: Vec<String> = w.text.split_whitespace().map(str::to_string).collect();
        if !words.is_empty() && words.iter().all(|w| is_plain_shell_word(w)) {
            let kw = inst.kind.keyword();
            set_tail_part(p, i, format!("{kw} {}", exec_form(&words)));
        } else {
            p.notes.push(format!(
                "the runtime image has no shell: rewrite `{}` in exec form",
                w.text
            ));
        }
    }
}

/// Units in the builder whose commands match `pred`, in builder order.
fn units_with(p: &Plan<'_, '_>, pred: &dyn Fn(&ShellCommand) -> bool) -> Vec<usize> {
    p.b_units()
        .into_iter()
        .filter(|&i| p.v.commands(p.unit(i)).iter().any(pred))
        .collect()
}

/// The value of `-o X` / `-o=X` in a command.
fn output_flag(cmd: &ShellCommand) -> Option<String> {
    let argv = cmd.argv();
    for (k, w) in argv.iter().enumerate() {
        if w.text == "-o" {
            return argv.get(k + 1).map(|x| x.text.to_string());
        }
        if let Some(v) = w.text.strip_prefix("-o=") {
            return Some(v.to_string());
        }
    }
    None
}

/// Where a program named on the command line lives in the runtime stage: a path as written
/// (relative to the app directory), or `/usr/local/bin/<name>` for a bare name.
fn runtime_path(app: &str, word: &str) -> String {
    if word.contains('/') {
        absolute(app, word)
    } else {
        format!("/usr/local/bin/{word}")
    }
}
