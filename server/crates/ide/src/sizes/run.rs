//! `RUN`: each shell command sized by what it is — a package install (apt, apk, npm/yarn/pnpm,
//! pip), `apt-get update`'s package lists, a command that writes next to nothing — or left
//! unknown (builds, downloads, anything else). The parts add up to the step's estimate.

use std::cell::RefCell;
use std::collections::HashMap;

use layerwise_analysis::image_facts::format_bytes;
use layerwise_analysis::packages::{package_name, PkgCommand, PkgTool};
use layerwise_analysis::shell::ShellCommand;

use super::apk::ApkState;
use super::apt::{AptBase, AptTable, APT_LISTS_BYTES};
use super::copy::{context_path_of, resolve, Produced};
use super::npm::{self, Lockfile, PackageCount, PER_PACKAGE_HIGH, PER_PACKAGE_LOW};
use super::pip::{parse_requirements, requirement_name, PipTable};
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
    let removes_lists = commands.iter().any(|c| {
        let argv = c.argv();
        let prog = c.program().unwrap_or("");
        (prog == "rm"
            && argv
                .iter()
                .any(|w| w.text.starts_with("/var/lib/apt/lists")))
            || PkgCommand::parse(c)
                .is_some_and(|p| p.tool == PkgTool::Apt && p.sub() == "dist-clean")
    }) || env
        .cache_mounts
        .iter()
        .any(|m| m == "/var/lib/apt" || m == "/var/lib/apt/lists");
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

/// `apk del <group>` of a `--virtual` group added earlier in the same `RUN`: the group's
/// packages never reach the layer, so its part counts nothing. Returns whether `cmd` was that.
fn remove_apk_groups(cmd: &ShellCommand, installed: &mut Installed, parts: &mut [Part]) -> bool {
    let Some(del) = PkgCommand::parse(cmd).filter(|p| p.tool == PkgTool::Apk && p.sub() == "del")
    else {
        return false;
    };
    let mut removed = false;
    for name in del.packages() {
        for part in parts.iter_mut() {
            let Some((group, added)) = &part.apk_group else {
                continue;
            };
            if *group == name.text {
                installed.apk.forget(added);
                part.total = Total::default();
                part.total.add(Amount::Bytes(0), true);
                part.note = format!(
                    "apk add --virtual {group}: removed again by `apk del {group}` in the same RUN"
                );
                part.apk_group = None;
                removed = true;
            }
        }
    }
    removed
}

/// Commands that write nothing, or a few kilobytes (users, links, directories, removals).
const NEGLIGIBLE: &[&str] = &[
    "mkdir",
    "ln",
    "echo",
    "printf",
    "true",
    "false",
    "set",
    "export",
    "cd",
    "rm",
    "rmdir",
    "useradd",
    "adduser",
    "groupadd",
    "addgroup",
    "usermod",
    "deluser",
    "delgroup",
    "ldconfig",
    "touch",
    "test",
    "[",
    ":",
    "which",
    "id",
    "whoami",
    "sleep",
    "exit",
    "unset",
    "umask",
    "update-ca-certificates",
    "source",
    ".",
    "env",
    "command",
    "type",
    "hash",
    "ls",
    "cat",
    "grep",
    "sh",
    "bash",
    "update-alternatives",
    "dpkg-reconfigure",
    "git config",
    "npm config",
    "corepack",
    "chsh",
    "passwd",
    "chpasswd",
];

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
        "go" if sub == "mod" && argv.contains(&"download") => Some(
            if env
                .cache_mounts
                .iter()
                .any(|m| m == "/go/pkg/mod" || m == "/go/pkg")
            {
                Part::new(
                    Amount::Bytes(0),
                    true,
                    SizeSource::Negligible,
                    "go mod download: the modules go to the cache mount, not the layer".into(),
                )
            } else {
                Part::new(
                    Amount::Unknown,
                    false,
                    SizeSource::NotEstimated,
                    "go mod download: module sizes are not known (a cache mount on /go/pkg/mod keeps them out of the layer)".into(),
                )
            },
        ),
        "chown" | "chmod" | "chgrp"
            if argv.iter().any(|a| a.starts_with('-') && a.contains('R')) =>
        {
            Some(Part::new(
                Amount::Unknown,
                false,
                SizeSource::NotEstimated,
                format!("`{prog} -R` copies every file it changes into this layer again"),
            ))
        }
        "chown" | "chmod" | "chgrp" => Some(negligible()),
        p if NEGLIGIBLE.contains(&p) => Some(negligible()),
        _ => Some(Part::new(
            Amount::Unknown,
            false,
            SizeSource::NotEstimated,
            format!("`{}` is not something layerwise can size", short(&argv)),
        )),
    }
}

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

fn apt_part(cmd: &ShellCommand, installed: &mut Installed, removes_lists: bool) -> Part {
    let p = PkgCommand::parse(cmd);
    let argv = cmd.argv();
    let words = package_words(p.as_ref());
    match p.as_ref().map_or("", |p| p.sub()) {
        "update" => {
            if removes_lists {
                return Part::new(
                    Amount::Bytes(0),
                    true,
                    SizeSource::Negligible,
                    "apt-get update: the package lists are removed in the same RUN".into(),
                );
            }
            Part::new(
                Amount::Bytes(APT_LISTS_BYTES),
                true,
                SizeSource::AptTable,
                format!(
                    "apt-get update leaves ≈ {} of package lists in /var/lib/apt/lists (measured on Debian 12) unless this RUN removes them",
                    format_bytes(APT_LISTS_BYTES)
                ),
            )
        }
        // `apt-get install -s` only simulates (scripts use it to probe for a package)
        "install" if p.as_ref().is_some_and(|p| p.is_simulated()) => Part::new(
            Amount::Bytes(0),
            true,
            SizeSource::Negligible,
            "a simulated install (`-s`) installs nothing".into(),
        ),
        "install" => {
            let table = AptTable::get();
            let recommends = !argv.iter().any(|a| {
                a.text == "--no-install-recommends"
                    || a.text.contains("Install-Recommends=false")
                    || a.text.contains("Install-Recommends=0")
            });
            let names: Vec<&str> = words
                .iter()
                .map(|w| package_name(w))
                .filter(|w| !w.is_empty() && !w.contains('$') && !w.contains('/'))
                .collect();
            let set = installed.apt_base.set;
            let state = installed
                .apt
                .get_or_insert_with(|| table.base_installed(set));
            let r = table.install(state, &names, recommends);
            let mut note = format!(
                "apt-get install: {} new package{} ({} with dependencies{}) ≈ {} by Installed-Size in the {} package index",
                r.new_packages,
                if r.new_packages == 1 { "" } else { "s" },
                names.len(),
                if recommends { " and recommends" } else { "" },
                format_bytes(r.bytes),
                if table.release.is_empty() { "Debian" } else { &table.release },
            );
            if r.already_present > 0 {
                note.push_str(&format!(
                    "; {} already in {}",
                    r.already_present,
                    if installed.apt_base.known {
                        installed.base_label.as_str()
                    } else {
                        "the stage"
                    }
                ));
            }
            if !installed.apt_base.known {
                note.push_str(&format!(
                    "; the packages already in {} are not known, so this may count some twice",
                    installed.base_label
                ));
            }
            if !r.unknown.is_empty() {
                note.push_str(&format!("; not in the table: {}", r.unknown.join(", ")));
            }
            let mut part = Part::new(Amount::Bytes(r.bytes), true, SizeSource::AptTable, note);
            part.total.unknown += usize::from(!r.unknown.is_empty());
            part
        }
        "clean" | "autoclean" | "remove" | "purge" | "autoremove" | "dist-clean" => Part::new(
            Amount::Bytes(0),
            true,
            SizeSource::Negligible,
            "removals do not shrink earlier layers".into(),
        ),
        other => Part::new(
            Amount::Unknown,
            false,
            SizeSource::NotEstimated,
            format!("`apt-get {other}` is not estimated"),
        ),
    }
}

fn apk_part(cmd: &ShellCommand, installed: &mut Installed) -> Part {
    let p = PkgCommand::parse(cmd);
    let argv: Vec<&str> = cmd.argv().iter().map(|w| w.text.as_str()).collect();
    let words = package_words(p.as_ref());
    match p.as_ref().map_or("", |p| p.sub()) {
        "add" => {
            let names: Vec<&str> = words
                .iter()
                .map(|w| package_name(w))
                .filter(|w| !w.is_empty() && !w.contains('$') && !w.starts_with('.'))
                .collect();
            let r = installed.apk.add(&names);
            let mut note = format!(
                "apk add: {} new package{} ≈ {}–{} (Alpine 3.20 installed sizes typed into layerwise's table, ±30 %)",
                r.new_packages,
                if r.new_packages == 1 { "" } else { "s" },
                format_bytes(r.low),
                format_bytes(r.high)
            );
            if !r.unknown.is_empty() {
                note.push_str(&format!("; not in the table: {}", r.unknown.join(", ")));
            }
            let mut part = Part::new(
                Amount::range(r.low, r.high),
                true,
                SizeSource::ApkTable,
                note,
            );
            part.total.unknown += usize::from(!r.unknown.is_empty());
            let group = argv
                .iter()
                .position(|a| *a == "--virtual" || *a == "-t")
                .and_then(|i| argv.get(i + 1))
                .map(|g| g.to_string())
                .or_else(|| {
                    argv.iter()
                        .find_map(|a| a.strip_prefix("--virtual=").map(str::to_string))
                });
            part.apk_group = group.map(|g| (g, r.added));
            part
        }
        "update" => Part::new(
            Amount::Unknown,
            false,
            SizeSource::NotEstimated,
            "apk update keeps the package index (a few MB) in /var/cache/apk".into(),
        ),
        "del" | "cache" | "info" | "version" => negligible(),
        other => Part::new(
            Amount::Unknown,
            false,
            SizeSource::NotEstimated,
            format!("`apk {other}` is not estimated"),
        ),
    }
}

fn node_part(
    prog: &str,
    sub: &str,
    cmd: &ShellCommand,
    argv: &[&str],
    env: &RunEnv<'_>,
    produced: &mut Vec<Produced>,
    wanted: &mut Vec<String>,
) -> Part {
    let positional: Vec<&str> = cmd.positional().map(|w| w.text.as_str()).collect();
    let lockfile = match (prog, sub) {
        ("npm", "ci" | "install" | "i") if positional.len() <= 1 && !argv.contains(&"-g") => {
            Lockfile::Npm
        }
        ("yarn", "" | "install") => Lockfile::Yarn,
        ("pnpm", "install" | "i") if positional.len() <= 1 => Lockfile::Pnpm,
        ("npm" | "yarn" | "pnpm", "config" | "cache" | "set" | "prune") => return negligible(),
        _ => {
            return Part::new(
                Amount::Unknown,
                false,
                SizeSource::NotEstimated,
                format!("`{}` is not something layerwise can size", short(argv)),
            )
        }
    };
    let image_lock = resolve(env.workdir, lockfile.file_name());
    let Some(ctx_path) = context_path_of(produced, &image_lock) else {
        return Part::new(
            Amount::Unknown,
            false,
            SizeSource::Lockfile,
            format!(
                "no {} copied into {} before this step: versions are resolved at build time",
                lockfile.file_name(),
                env.workdir
            ),
        );
    };
    let Some(text) = env.inputs.files.get(&ctx_path) else {
        if !wanted.contains(&ctx_path) {
            wanted.push(ctx_path.clone());
        }
        let (amount, why) = if env.inputs.files_pending || env.inputs.context_pending {
            (Amount::Pending, "being read")
        } else if env.context_known {
            (Amount::Unknown, "not read")
        } else {
            (Amount::Unknown, "not available (build context unknown)")
        };
        return Part::new(
            amount,
            false,
            SizeSource::Lockfile,
            format!("{ctx_path}: {why}"),
        );
    };
    let counted = match env.lock_counts.borrow().get(&ctx_path) {
        Some(c) => c.clone(),
        None => None,
    };
    let counted = match counted {
        Some(c) => Some(c),
        None => {
            let c = npm::count_cached(lockfile, text, env.node_arch);
            env.lock_counts
                .borrow_mut()
                .insert(ctx_path.clone(), c.clone());
            c
        }
    };
    let Some(count) = counted else {
        return Part::new(
            Amount::Unknown,
            false,
            SizeSource::Lockfile,
            format!("{ctx_path} could not be read as a {}", lockfile.file_name()),
        );
    };
    if count.packages == 0 {
        return Part::new(
            Amount::Unknown,
            false,
            SizeSource::Lockfile,
            format!("{ctx_path} lists no packages (out of date?): they are resolved at build time"),
        );
    }
    let omit_dev = env.node_production
        || argv.iter().any(|a| {
            matches!(
                *a,
                "--production" | "--prod" | "--omit=dev" | "--only=production" | "--only=prod"
            )
        })
        || cmd.words.iter().any(|w| w.text == "NODE_ENV=production");
    let packages = if omit_dev && count.knows_dev {
        count.packages.saturating_sub(count.dev)
    } else {
        count.packages
    };
    let packages64 = packages as u64;
    let low = packages64.saturating_mul(PER_PACKAGE_LOW);
    let high = packages64.saturating_mul(PER_PACKAGE_HIGH);
    let mut note = format!(
        "{packages} package{} in {ctx_path}{} × {}–{} per package (measured averages; a rough estimate)",
        if packages == 1 { "" } else { "s" },
        if omit_dev && count.knows_dev {
            format!(" ({} dev dependencies skipped)", count.dev)
        } else {
            String::new()
        },
        format_bytes(PER_PACKAGE_LOW),
        format_bytes(PER_PACKAGE_HIGH)
    );
    if count.other_platforms > 0 {
        note.push_str(&format!(
            "; {} for other platforms not counted",
            count.other_platforms
        ));
    }
    let mut part = Part::new(Amount::range(low, high), true, SizeSource::Lockfile, note);
    let cache_dir = match lockfile {
        Lockfile::Npm => "/root/.npm",
        Lockfile::Yarn => "/usr/local/share/.cache/yarn",
        Lockfile::Pnpm => "/root/.local/share/pnpm/store",
    };
    if packages > 0 && !env.cache_mounts.iter().any(|m| m.starts_with(cache_dir)) {
        part.total.unknown += 1;
        part.note.push_str(&format!(
            "; plus the download cache in {cache_dir} unless it is cleaned"
        ));
    }
    let e = SizeEstimate::new(
        Amount::range(low, high),
        true,
        SizeSource::Lockfile,
        part.note.clone(),
    );
    produced.push(Produced {
        at: resolve(env.workdir, "node_modules"),
        origin: super::copy::Origin::Estimate(e),
    });
    part
}

fn is_pip(prog: &str, argv: &[&str]) -> bool {
    let pip_prog = prog == "pip" || prog.starts_with("pip3");
    let via_python = prog.starts_with("python") && argv.windows(2).any(|w| w == ["-m", "pip"]);
    let via_uv = prog == "uv" && argv.get(1) == Some(&"pip");
    (pip_prog || via_python || via_uv) && argv.contains(&"install")
}

const PIP_VALUE_OPTS: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "-f",
    "--find-links",
    "--trusted-host",
    "--platform",
    "--python-version",
    "--only-binary",
    "--no-binary",
    "--progress-bar",
    "-e",
    "--editable",
    "--cache-dir",
    "--src",
    "--implementation",
    "--abi",
    "--upgrade-strategy",
    "--log",
    "--timeout",
    "--retries",
    "--proxy",
];

fn pip_part(
    argv: &[&str],
    env: &RunEnv<'_>,
    installed: &mut Installed,
    produced: &[Produced],
    wanted: &mut Vec<String>,
) -> Part {
    let table = PipTable::get();
    let start = argv
        .iter()
        .position(|a| *a == "install")
        .map_or(argv.len(), |i| i + 1);
    let mut names: Vec<String> = Vec::new();
    let mut not_sized: Vec<String> = Vec::new();
    let mut pending = false;
    let mut i = start;
    while let Some(w) = argv.get(i) {
        let (opt, value) = match w.split_once('=') {
            Some((o, v)) if o.starts_with("--") => (o, Some(v)),
            _ => (*w, None),
        };
        if matches!(opt, "-r" | "--requirement") || (w.starts_with("-r") && w.len() > 2) {
            let file = value
                .map(str::to_string)
                .or_else(|| {
                    w.strip_prefix("-r")
                        .filter(|r| !r.is_empty())
                        .map(str::to_string)
                })
                .or_else(|| argv.get(i + 1).map(|s| s.to_string()));
            i += if value.is_some() || w.len() > 2 && *w != "--requirement" {
                1
            } else {
                2
            };
            let Some(file) = file else { continue };
            let image_path = resolve(env.workdir, &file);
            match context_path_of(produced, &image_path) {
                Some(ctx_path) => match env.inputs.files.get(&ctx_path) {
                    Some(text) => {
                        let (n, others) = parse_requirements(text);
                        names.extend(n);
                        not_sized.extend(others);
                    }
                    None => {
                        if !wanted.contains(&ctx_path) {
                            wanted.push(ctx_path.clone());
                        }
                        if env.inputs.files_pending || env.inputs.context_pending {
                            pending = true;
                        } else {
                            not_sized.push(format!("{ctx_path} (not read)"));
                        }
                    }
                },
                None => not_sized.push(format!("{file} (not copied from the build context)")),
            }
            continue;
        }
        if w.starts_with('-') {
            i += if value.is_none() && PIP_VALUE_OPTS.contains(&opt) {
                2
            } else {
                1
            };
            continue;
        }
        match requirement_name(w) {
            Some(n) => names.push(n),
            None => not_sized.push((*w).to_string()),
        }
        i += 1;
    }
    let r = table.install(&mut installed.pip, &names);
    let mut note = format!(
        "pip install: {} distribution{} ≈ {} (wheel installs measured with CPython {} on {})",
        r.new_distributions,
        if r.new_distributions == 1 { "" } else { "s" },
        format_bytes(r.bytes),
        table.python,
        table.platform
    );
    if r.already_present > 0 {
        note.push_str(&format!("; {} installed earlier", r.already_present));
    }
    let mut missing: Vec<String> = r.unknown.clone();
    missing.extend(not_sized);
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(6).map(String::as_str).collect();
        note.push_str(&format!(
            "; not sized: {}{}",
            shown.join(", "),
            if missing.len() > shown.len() {
                ", ..."
            } else {
                ""
            }
        ));
    }
    let no_cache = env.pip_no_cache
        || argv.contains(&"--no-cache-dir")
        || env
            .cache_mounts
            .iter()
            .any(|m| m.starts_with("/root/.cache"));
    let mut part = Part::new(
        Amount::Bytes(r.bytes),
        true,
        SizeSource::PipTable,
        String::new(),
    );
    if names.is_empty() && !missing.is_empty() {
        part = Part::new(Amount::Unknown, false, SizeSource::PipTable, String::new());
    } else if !missing.is_empty() {
        part.total.unknown += 1;
    }
    if pending {
        part.total.pending += 1;
        note.push_str("; requirements file being read");
    }
    if !no_cache {
        part.total.unknown += 1;
        note.push_str("; plus pip's wheel cache in /root/.cache/pip (no --no-cache-dir)");
    }
    part.note = note;
    part
}
