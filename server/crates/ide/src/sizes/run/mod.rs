//! `RUN`: each shell command sized by what it is — a package install (apt, apk, npm/yarn/pnpm,
//! pip), `apt-get update`'s package lists, a command that writes next to nothing — or left
//! unknown (builds, downloads, anything else). The parts add up to the step's estimate.
//!
//! One file per kind of command: [`apt_get`] (and whether the step removes the package
//! lists), [`apk_add`] (with `--virtual` groups deleted again), [`node_install`] (npm, yarn
//! and pnpm installs, sized from the lockfile), [`pip_install`], and [`other_commands`]
//! (`go mod download`, `chown -R`, and the commands that write next to nothing). This file
//! holds what they share: the packages a stage has, what the step sees, and the sum.

mod apk_add;
mod apt_get;
mod node_install;
mod other_commands;
mod pip_install;

use std::cell::RefCell;
use std::collections::HashMap;

use layerwise_analysis::packages::PkgCommand;
use layerwise_analysis::shell::ShellCommand;

use self::apk_add::{apk_part, remove_apk_groups};
use self::apt_get::{apt_part, removes_apt_lists};
use self::node_install::node_part;
use self::other_commands::other_part;
use self::pip_install::{is_pip, pip_part};
use super::apk::ApkState;
use super::apt::AptBase;
use super::copy::Produced;
use super::npm::PackageCount;
use super::{Amount, SizeEstimate, SizeInputs, SizeSource, Total};

/// Packages installed so far in a stage (its base's included), by package manager.
#[derive(Debug, Clone)]
pub(super) struct Installed {
    /// Debian packages (table indices); created on the first `apt-get install`.
    pub apt: Option<Vec<bool>>,
    pub apt_base: AptBase,
    /// The base image, for notes (`node:20`).
    pub base_label: String,
    pub apk: ApkState,
    pub pip: Vec<bool>,
}

/// What a `RUN` step sees.
pub(super) struct RunEnv<'a> {
    pub inputs: &'a SizeInputs,
    pub workdir: &'a str,
    /// `NODE_ENV=production` is set (ENV or ARG): npm skips dev dependencies.
    pub node_production: bool,
    /// `PIP_NO_CACHE_DIR` is set: pip keeps no wheel cache.
    pub pip_no_cache: bool,
    /// Target directories of `--mount=type=cache` (and `tmpfs`) mounts of this `RUN`.
    pub cache_mounts: &'a [String],
    /// Node's name for the target CPU (`x64`).
    pub node_arch: &'a str,
    /// Whether the build context is known (so a missing lockfile really is missing).
    pub context_known: bool,
    /// Lockfile package counts of this pass, by context path (a lockfile is parsed once).
    pub lock_counts: &'a RefCell<HashMap<String, Option<PackageCount>>>,
}

/// One command's contribution.
struct Part {
    total: Total,
    source: SizeSource,
    note: String,
    /// `apk add --virtual <name>`: the group's name and the packages it installed, so an
    /// `apk del <name>` later in the same `RUN` can take them out again.
    apk_group: Option<(String, Vec<usize>)>,
}

impl Part {
    fn new(amount: Amount, approximate: bool, source: SizeSource, note: String) -> Part {
        let mut total = Total::default();
        total.add(amount, approximate);
        Part {
            total,
            source,
            note,
            apk_group: None,
        }
    }
}

/// What a `RUN` adds; `produced` gains what it is known to create (`node_modules`), `wanted`
/// the context files whose text would sharpen it.
pub(super) fn estimate_run(
    commands: &[ShellCommand],
    env: &RunEnv<'_>,
    installed: &mut Installed,
    produced: &mut Vec<Produced>,
    wanted: &mut Vec<String>,
) -> SizeEstimate {
    let removes_lists = removes_apt_lists(commands, env.cache_mounts);
    let mut parts: Vec<Part> = Vec::new();
    for cmd in commands {
        if remove_apk_groups(cmd, installed, &mut parts) {
            continue;
        }
        if let Some(p) = command_part(cmd, env, installed, produced, wanted, removes_lists) {
            parts.push(p);
        }
    }
    if parts.is_empty() {
        return SizeEstimate::zero(SizeSource::Negligible, "nothing to run");
    }
    let mut total = Total::default();
    let mut sources: Vec<SizeSource> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for p in &parts {
        total.add_total(&p.total);
        if p.source != SizeSource::Negligible && !sources.contains(&p.source) {
            sources.push(p.source.clone());
        }
        if !p.note.is_empty() && !notes.contains(&p.note) {
            notes.push(p.note.clone());
        }
    }
    let source = match sources.len() {
        0 => SizeSource::Negligible,
        1 => sources.remove(0),
        _ => SizeSource::Mixed,
    };
    let negligible_only = source == SizeSource::Negligible;
    let mut e = SizeEstimate::from_total(&total, source, notes.join("; "));
    if negligible_only {
        e.approximate = true;
    }
    e
}

/// One command's part, by its program.
fn command_part(
    cmd: &ShellCommand,
    env: &RunEnv<'_>,
    installed: &mut Installed,
    produced: &mut Vec<Produced>,
    wanted: &mut Vec<String>,
    removes_lists: bool,
) -> Option<Part> {
    let prog = cmd.program()?;
    let argv: Vec<&str> = cmd.argv().iter().map(|w| w.text.as_str()).collect();
    let sub = cmd.subcommand().unwrap_or("");
    match prog {
        "apt-get" | "apt" => Some(apt_part(cmd, installed, removes_lists)),
        "apk" => Some(apk_part(cmd, installed)),
        "npm" | "yarn" | "pnpm" => Some(node_part(prog, sub, cmd, &argv, env, produced, wanted)),
        p if is_pip(p, &argv) => Some(pip_part(&argv, env, installed, produced, wanted)),
        _ => Some(other_part(prog, sub, &argv, env)),
    }
}

/// A command that writes nothing worth counting.
fn negligible() -> Part {
    Part::new(
        Amount::Bytes(0),
        true,
        SizeSource::Negligible,
        String::new(),
    )
}

/// `npm run build`, `go build` — the program and its first word.
fn short(argv: &[&str]) -> String {
    argv.iter()
        .take(2)
        .map(|s| s.chars().take(40).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The package words of a package-manager command (none without a subcommand).
fn package_words<'c>(p: Option<&PkgCommand<'c>>) -> Vec<&'c str> {
    p.map(|p| p.packages().iter().map(|w| w.text.as_str()).collect())
        .unwrap_or_default()
}
