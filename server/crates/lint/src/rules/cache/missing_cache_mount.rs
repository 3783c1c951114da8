use layerwise_analysis::shell::ShellCommand;
use layerwise_analysis::Base;
use layerwise_syntax::InstructionKind;

use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::package_managers::{
    project_install, PackageManager, APT, CARGO, GO, NPM, PIP, PNPM, YARN,
};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::cache::mounts::cache_like_targets;
use crate::rules::size::command_text::short_command;
use crate::rules::size::edits::add_run_flag;
use crate::rules::size::os_packages::{PkgCommand, PkgTool};

declare_rule! {
    /// A dependency download that a `RUN --mount=type=cache` would keep between builds.
    ///
    /// ## What it does
    /// Reports `RUN`s in stages the final image needs that download packages into a cache
    /// directory the layer then throws away or ships: `npm ci`/`install`, `yarn`, `pnpm`,
    /// `pip install`, `poetry`/`uv`/`pipenv`, `bundle`, `composer`, `go mod download`,
    /// `go build`, `cargo build`, Maven, Gradle, `dotnet restore` and `apt-get install`,
    /// when no cache mount covers that directory. Commands that turn their cache off
    /// (`pip --no-cache-dir`, `uv --no-cache`) are left alone. Off by default.
    ///
    /// ## Why is this bad?
    /// When the layer is rebuilt (a manifest changed), every package is downloaded again.
    /// A cache mount keeps the package manager's cache on the build machine, outside the
    /// image, so a rebuild only fetches what changed, and nothing of the cache ships.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY package.json package-lock.json ./
    /// RUN --mount=type=cache,target=/root/.npm npm ci
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: adds `--mount=type=cache,target=<the package manager's cache>`, which needs
    /// BuildKit (the default builder since Docker 23). For apt the mounts use
    /// `sharing=locked` (apt cannot share its lock), and the `.deb` files are kept only once
    /// the base image's `docker-clean` apt setting is removed. Not offered when a non-root
    /// `USER` runs the command and its cache lives in the home directory.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker: cache mounts](https://docs.docker.com/build/cache/optimize/#use-cache-mounts)
    pub struct MissingCacheMount {
        name: "missing-cache-mount",
        group: Cache,
        severity: Info,
        fix: Sometimes,
        default_enabled: false,
        hadolint: [],
        buildkit: None,
    }
}

/// Go's build cache, next to the module cache of [`GO`].
const GO_BUILD_CACHE: &str = "/root/.cache/go-build";

impl RuleCheck for MissingCacheMount {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let Some(last) = cx.final_stage() else { return };
        let needed = cx.model.needed_stages(last);
        // The USER in force, per stage, as the instructions go by (inherited through `FROM <stage>`).
        let mut users: Vec<Option<String>> = vec![None; cx.model.stages.len()];
        for i in cx.instructions() {
            let Some(stage) = i.stage else { continue };
            match i.inst.kind {
                InstructionKind::From => {
                    if let Some(Base::Stage(b)) = cx.model.stages.get(stage).map(|s| &s.base) {
                        let inherited = users.get(*b).cloned().flatten();
                        if let Some(slot) = users.get_mut(stage) {
                            *slot = inherited;
                        }
                    }
                    continue;
                }
                InstructionKind::User => {
                    if let (Some(slot), Some(word)) =
                        (users.get_mut(stage), i.inst.arg_words().first())
                    {
                        *slot = Some(word.text.to_string());
                    }
                    continue;
                }
                InstructionKind::Run => {}
                _ => continue,
            }
            if !needed.get(stage).copied().unwrap_or(false) {
                continue;
            }
            let commands = cx.run_commands(&i);
            let existing = cache_like_targets(i.inst);
            let mut wanted: Vec<String> = Vec::new();
            let mut first: Option<&ShellCommand> = None;
            let removes_lists = commands.iter().any(|c| {
                c.program() == Some("rm")
                    && c.argv()
                        .iter()
                        .any(|w| w.text.starts_with("/var/lib/apt/lists"))
            });
            for cmd in commands {
                for (dir, sharing) in cache_dirs(cmd, removes_lists) {
                    let covered = existing.iter().any(|t| super::mounts::covers(t, dir))
                        || wanted.iter().any(|w| w.contains(&format!("target={dir}")));
                    if covered {
                        continue;
                    }
                    first.get_or_insert(cmd);
                    wanted.push(format!(
                        "--mount=type=cache,target={dir}{}",
                        if sharing { ",sharing=locked" } else { "" }
                    ));
                }
            }
            let Some(cmd) = first else { continue };
            let shown = short_command(cmd);
            let mut d = Diagnostic::new(meta, to_range(&cmd.range), format!("`{shown}` downloads everything again whenever this layer is rebuilt"))
                .note("A cache mount keeps the package cache between builds, outside the image (BuildKit).");
            let non_root = users
                .get(stage)
                .and_then(|u| u.as_deref())
                .is_some_and(|u| !matches!(u.split(':').next(), Some("root" | "0" | "")));
            if !(non_root && wanted.iter().any(|w| w.contains("target=/root/"))) {
                let title = if wanted.len() == 1 {
                    "Add a cache mount".to_string()
                } else {
                    format!("Add {} cache mounts", wanted.len())
                };
                d = d.fix(Fix {
                    title: title.into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![add_run_flag(&i, &wanted.join(" "))].into(),
                });
            }
            out.push(d);
        }
    }
}

/// The cache directories a command fills, with whether the mount needs `sharing=locked`.
fn cache_dirs(cmd: &ShellCommand, removes_lists: bool) -> Vec<(&'static str, bool)> {
    let manager: Option<PackageManager> = project_install(cmd).map(|i| i.manager);
    let program = cmd.program().unwrap_or("");
    let sub = cmd.subcommand().unwrap_or("");
    let off = cmd.has_arg(&["--no-cache-dir", "--no-cache"])
        || cmd
            .words
            .iter()
            .any(|w| w.text.starts_with("PIP_NO_CACHE_DIR=") || w.text.starts_with("UV_NO_CACHE="));
    if off {
        return Vec::new();
    }
    if PkgCommand::parse(cmd).is_some_and(|p| p.tool == PkgTool::Apt && p.is_install()) {
        let mut dirs = vec![(APT.cache_dir, true)];
        if !removes_lists {
            dirs.push(("/var/lib/apt", true));
        }
        return dirs;
    }
    if program == "go" && matches!(sub, "build" | "install" | "test" | "generate") {
        return vec![(GO.cache_dir, false), (GO_BUILD_CACHE, false)];
    }
    if (program.starts_with("pip") || program.starts_with("python"))
        && cmd.argv().iter().any(|w| w.text == "install")
        && manager.is_none()
    {
        let is_pip = program.starts_with("pip")
            || cmd
                .argv()
                .windows(2)
                .any(|w| w[0].text == "-m" && w[1].text.starts_with("pip"));
        return if is_pip {
            vec![(PIP.cache_dir, false)]
        } else {
            Vec::new()
        };
    }
    match manager {
        Some(m) if m == CARGO => vec![(CARGO.cache_dir, false), ("/usr/local/cargo/git/db", false)],
        Some(m) if [NPM, YARN, PNPM].contains(&m) && cmd.has_arg(&["-g", "--global"]) => Vec::new(),
        Some(m) if m.cache_dir.starts_with('/') && m != crate::package_managers::APK => {
            vec![(m.cache_dir, false)]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM node:20-slim\nRUN npm ci\n";
        assert_eq!(flagged(&MissingCacheMount, t), ["npm ci"]);
        let d = findings(
            &MissingCacheMount,
            "FROM python\nRUN DEBIAN_FRONTEND=x python3 -m pip install --upgrade x\n",
        );
        assert_eq!(
            d[0].message,
            "`python3 -m pip install` downloads everything again whenever this layer is rebuilt"
        );
        assert_eq!(
            fixed(&MissingCacheMount, t),
            "FROM node:20-slim\nRUN --mount=type=cache,target=/root/.npm npm ci\n"
        );
        assert!(findings(&MissingCacheMount, &fixed(&MissingCacheMount, t)).is_empty());
        let t = "FROM golang AS build\nRUN go mod download && go build -o /app\nFROM scratch\nCOPY --from=build /app /app\n";
        assert_eq!(
            fixed(&MissingCacheMount, t),
            t.replace("RUN go", "RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go")
        );
        let t = "FROM debian\nRUN apt-get update && apt-get install -y curl\n";
        assert_eq!(
            fixed(&MissingCacheMount, t),
            "FROM debian\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y curl\n"
        );
        // a non-root user's cache is in its home: reported without the /root fix
        for t in [
            "FROM node:20-slim\nUSER node\nRUN npm ci\n",
            "FROM node:20-slim AS base\nUSER node\nFROM base\nRUN npm ci\n",
        ] {
            let d = findings(&MissingCacheMount, t);
            assert_eq!(d.len(), 1);
            assert!(d[0].fixes.is_empty(), "{t}");
        }
        assert_eq!(
            findings(
                &MissingCacheMount,
                "FROM node:20-slim\nRUN npm ci\nUSER node\n"
            )[0]
            .fixes
            .len(),
            1,
            "root ran the install"
        );
    }

    #[test]
    fn near_misses() {
        for ok in [
            "FROM node:20-slim\nRUN --mount=type=cache,target=/root/.npm npm ci\n",
            "FROM python\nRUN pip install --no-cache-dir -r requirements.txt\n",
            "FROM python\nRUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt\n",
            "FROM node:20-slim\nRUN npm install -g pm2\n",
            "FROM alpine\nRUN apk add --no-cache curl\n",
            // a stage the final image does not need is never built
            "FROM node:20 AS unused\nRUN npm ci\nFROM alpine\n",
        ] {
            assert!(findings(&MissingCacheMount, ok).is_empty(), "{ok}");
        }
    }
}
