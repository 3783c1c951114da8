//! `pip install` in a `RUN` (also `python -m pip` and `uv pip`): the distributions named on
//! the command line and in requirements files copied from the context, sized from the table
//! of measured wheel installs, plus pip's wheel cache unless it is turned off.

use layerwise_analysis::image_facts::format_bytes;

use super::{Installed, Part, RunEnv};
use crate::sizes::copy::{context_path_of, resolve, Produced};
use crate::sizes::pip::{parse_requirements, requirement_name, PipTable};
use crate::sizes::{Amount, SizeSource};

/// `pip install`, also run as `python -m pip` or `uv pip`.
pub(super) fn is_pip(prog: &str, argv: &[&str]) -> bool {
    let pip_prog = prog == "pip" || prog.starts_with("pip3");
    let via_python = prog.starts_with("python") && argv.windows(2).any(|w| w == ["-m", "pip"]);
    let via_uv = prog == "uv" && argv.get(1) == Some(&"pip");
    (pip_prog || via_python || via_uv) && argv.contains(&"install")
}

/// pip options that take a value as the next word (skipped with it).
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

/// A `pip install`'s part: named distributions and requirements files sized from the pip
/// table.
pub(super) fn pip_part(
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
