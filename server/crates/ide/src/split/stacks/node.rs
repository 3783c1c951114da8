//! Node.js (npm, yarn, pnpm): manifests and lockfile copied before the install, `npm ci`
//! when a lockfile is there, dev dependencies pruned after the build, and a runtime stage on
//! the slim image of the same version with `NODE_ENV=production` and `USER node`.

use layerwise_analysis::shell::ShellCommand;
use layerwise_lint::package_managers::project_install;
use layerwise_syntax::{InstructionKind, TextRange};

use super::super::detect::{is_build_step, NodePm};
use super::super::images::Flavor;
use super::super::plan::{Entry, Plan};
use super::super::text::{absolute, exec_form, is_plain_shell_word};
use super::{program, set_tail_part};

fn is_node_install(c: &ShellCommand) -> bool {
    project_install(c).is_some_and(|i| matches!(i.manager.name, "npm" | "yarn" | "pnpm"))
}

fn manifests(p: &Plan<'_, '_>, pm: NodePm) -> Vec<String> {
    let known = p.v.a.facts.context.is_some();
    let has = |f: &str| p.v.context_has(f) == Some(true);
    let mut out: Vec<String> = Vec::new();
    match pm {
        NodePm::Npm if !known => out.push("package*.json".into()),
        NodePm::Npm => {
            out.push("package.json".into());
            for f in ["package-lock.json", "npm-shrinkwrap.json"] {
                if has(f) {
                    out.push(f.into());
                }
            }
        }
        NodePm::Yarn => {
            out.push("package.json".into());
            if has("yarn.lock") || !known {
                out.push("yarn.lock".into());
            }
            if has(".yarnrc.yml") {
                out.push(".yarnrc.yml".into());
            }
        }
        NodePm::Pnpm => {
            out.push("package.json".into());
            if has("pnpm-lock.yaml") || !known {
                out.push("pnpm-lock.yaml".into());
            }
            if has("pnpm-workspace.yaml") {
                out.push("pnpm-workspace.yaml".into());
            }
        }
    }
    if has(".npmrc") {
        out.push(".npmrc".into());
    }
    out
}

/// The Node major version of the base image, if the tag says.
fn node_major(p: &Plan<'_, '_>) -> Option<u32> {
    let tag = p.v.base.effective_tag()?;
    tag.split(['.', '-']).next()?.parse().ok()
}

pub(super) fn builder(p: &mut Plan<'_, '_>, pm: NodePm) {
    let lock = p.v.context_has("package-lock.json") == Some(true)
        || p.v.context_has("npm-shrinkwrap.json") == Some(true);
    if pm == NodePm::Npm && lock {
        npm_ci(p);
    }
    let m = manifests(p, pm);
    p.move_install(&is_node_install, &m);
    if pm == NodePm::Yarn && p.v.context_has(".yarnrc.yml") == Some(true) {
        p.notes.push("Yarn 2+ (.yarnrc.yml): prune dev dependencies with `yarn workspaces focus --production` if you need to".into());
        return;
    }
    let cmds = p.builder_commands();
    let prod_only = cmds.iter().any(|c| {
        is_node_install(c)
            && c.has_arg(&[
                "--omit=dev",
                "--production",
                "--only=production",
                "--only=prod",
                "--prod",
            ])
    }) || sets_production_env(p);
    if prod_only || !cmds.iter().any(is_node_install) {
        return;
    }
    let prune = match pm {
        NodePm::Npm if node_major(p).is_some_and(|m| m < 16) => "RUN npm prune --production",
        NodePm::Npm => "RUN npm prune --omit=dev",
        NodePm::Yarn if p.v.context_has("yarn.lock") != Some(false) => {
            "RUN yarn install --production --frozen-lockfile --ignore-scripts --prefer-offline"
        }
        NodePm::Yarn => "RUN yarn install --production --ignore-scripts --prefer-offline",
        NodePm::Pnpm => "RUN pnpm prune --prod",
    };
    p.b.push(Entry::Gen(prune.into()));
}

/// `npm install` (no package names) → `npm ci`: reproducible, and fails when the lockfile
/// and `package.json` disagree instead of rewriting the lockfile.
fn npm_ci(p: &mut Plan<'_, '_>) {
    for i in p.b_units() {
        for c in p.v.commands(p.unit(i)) {
            if c.program() != Some("npm") || c.positional().nth(1).is_some() {
                continue;
            }
            let Some(w) = c.argv().iter().skip(1).find(|w| !w.text.starts_with('-')) else {
                continue;
            };
            if matches!(w.text.as_str(), "install" | "i") {
                let r = TextRange::from_usize(w.range.start, w.range.end);
                p.edit_unit(i, r, "ci");
            }
        }
    }
}

fn sets_production_env(p: &Plan<'_, '_>) -> bool {
    p.v.units.iter().any(|u| {
        u.kind == InstructionKind::Env
            && p.v.instruction(u).is_some_and(|i| {
                i.pairs().iter().any(|kv| {
                    &*kv.key.text == "NODE_ENV"
                        && kv.value.as_ref().is_some_and(|v| &*v.text == "production")
                })
            })
    })
}

fn defines_node_env(p: &Plan<'_, '_>) -> bool {
    p.v.units.iter().any(|u| {
        u.kind == InstructionKind::Env
            && p.v
                .instruction(u)
                .is_some_and(|i| i.pairs().iter().any(|kv| &*kv.key.text == "NODE_ENV"))
    })
}

/// Directories the build writes, from the command that starts the app (`node dist/x.js`),
/// else the framework's convention, else `dist`. `true` when it is a guess.
fn output_dirs(p: &Plan<'_, '_>) -> (Vec<String>, bool) {
    let app = p.app_dir.clone();
    let (ep, cmd) = p.entry_words();
    for (_, words) in ep.iter().chain(cmd.iter()) {
        for w in words {
            if !(w.ends_with(".js") || w.ends_with(".mjs") || w.ends_with(".cjs")) {
                continue;
            }
            let abs = absolute(&app, w);
            let rel = abs
                .strip_prefix(&format!("{}/", app.trim_end_matches('/')))
                .unwrap_or("");
            if let Some((dir, _)) = rel.split_once('/') {
                if dir != "node_modules" {
                    return (vec![dir.to_string()], false);
                }
            }
        }
    }
    let has = |f: &str| p.v.context_has(f) == Some(true);
    let next = ["next.config.js", "next.config.mjs", "next.config.ts"]
        .into_iter()
        .find(|f| has(f));
    if let Some(cfg) = next {
        let mut v = vec![".next".to_string()];
        if has("public") {
            v.push("public".into());
        }
        v.push(cfg.to_string());
        return (v, false);
    }
    (vec!["dist".into()], true)
}

pub(super) fn runtime(p: &mut Plan<'_, '_>, _pm: NodePm) {
    if !defines_node_env(p) {
        p.rt_env
            .insert(0, Entry::Gen("ENV NODE_ENV=production".into()));
    }
    let app = p.app_dir.clone();
    let from = format!("--from={}", p.builder_name);
    let chown = match p.user_name.as_deref() {
        Some("node") => " --chown=node:node",
        _ => "",
    };
    let has_build = p.builder_commands().iter().any(is_build_step);
    if has_build {
        let (dirs, guessed) = output_dirs(p);
        let base = app.trim_end_matches('/');
        p.rt_copies.push(Entry::Gen(format!(
            "COPY {from}{chown} {base}/package.json ./"
        )));
        p.rt_copies.push(Entry::Gen(format!(
            "COPY {from}{chown} {base}/node_modules ./node_modules"
        )));
        if guessed {
            p.rt_copies.push(Entry::Gen(
                "# The build output: adjust if your build writes somewhere else.".into(),
            ));
        }
        let mut covered = vec![
            format!("{base}/package.json"),
            format!("{base}/node_modules"),
        ];
        for d in dirs {
            p.rt_copies
                .push(Entry::Gen(format!("COPY {from}{chown} {base}/{d} ./{d}")));
            covered.push(format!("{base}/{d}"));
        }
        p.copy_referenced_files(&covered);
    } else {
        p.rt_copies
            .push(Entry::Gen(format!("COPY {from}{chown} {app} ./")));
    }
    if p.rt.flavor == Flavor::Distroless {
        distroless_command(p);
    } else if runs_pnpm_or_berry(p) {
        // pnpm (and Yarn 2+) come from corepack, which the runtime image has but does not
        // enable; it fetches the version `packageManager` names on first use
        p.rt_setup.push(Entry::Gen("RUN corepack enable".into()));
        p.notes.push("the container runs the package manager through corepack: starting the server with `node` directly avoids fetching it at start".into());
    }
}

fn runs_pnpm_or_berry(p: &Plan<'_, '_>) -> bool {
    let text = p.runtime_command_text();
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .collect();
    words.contains(&"pnpm")
        || (words.contains(&"yarn") && p.v.context_has(".yarnrc.yml") == Some(true))
}

/// Distroless Node.js images run `node` as their entrypoint, with no shell and no npm: the
/// `CMD` must name the script.
fn distroless_command(p: &mut Plan<'_, '_>) {
    let (ep, cmd) = p.entry_words();
    if ep.is_some() {
        p.notes
            .push("distroless Node.js runs `node` as its entrypoint: check the ENTRYPOINT".into());
        return;
    }
    let Some((i, words)) = cmd else {
        return;
    };
    if words.first().map(|w| program(w)) == Some("node")
        && words.len() > 1
        && words.iter().all(|w| is_plain_shell_word(w))
    {
        set_tail_part(p, i, format!("CMD {}", exec_form(&words[1..])));
    } else {
        p.notes.push("distroless Node.js has no shell or npm: point CMD at the script node should run (CMD [\"dist/server.js\"])".into());
    }
}
