//! `npm`, `yarn` and `pnpm` installs in a `RUN`, sized from the lockfile copied in before
//! them (packages × a measured per-package range); what they create (`node_modules`) is
//! recorded for later steps.

use layerwise_analysis::image_facts::format_bytes;
use layerwise_analysis::shell::ShellCommand;

use super::{negligible, short, Part, RunEnv};
use crate::sizes::copy::{context_path_of, resolve, Origin, Produced};
use crate::sizes::npm::{self, Lockfile, PER_PACKAGE_HIGH, PER_PACKAGE_LOW};
use crate::sizes::{Amount, SizeEstimate, SizeSource};

/// A Node package manager command's part.
pub(super) fn node_part(
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
        origin: Origin::Estimate(e),
    });
    part
}
