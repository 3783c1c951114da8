//! The runtime stage's contents that every stack shares: its `WORKDIR`, the system packages
//! the program still needs, the `ARG`s its instructions use, and the files it copies from the
//! builder (outside the app directory, or named by the container's commands).

use layerwise_syntax::{Args, InstructionKind};

use super::super::images::Flavor;
use super::super::packages::{os_installs, runtime_packages, Os};
use super::super::text::{absolute, referenced_vars};
use super::{Entry, EntryWords, Plan};

impl Plan<'_, '_> {
    /// The runtime stage's `WORKDIR`, unless an original one moved there.
    pub fn settle_runtime_workdir(&mut self) {
        if self.rt_workdir.is_none() {
            self.rt_workdir = Some(Entry::Gen(format!("WORKDIR {}", self.app_dir)));
        }
    }

    /// The words of the last `ENTRYPOINT` and `CMD` of the stage, as the container runs them.
    pub fn entry_words(&self) -> (Option<EntryWords>, Option<EntryWords>) {
        let mut ep = None;
        let mut cmd = None;
        for (i, u) in self.v.units.iter().enumerate() {
            let Some(inst) = self.v.instruction(u) else {
                continue;
            };
            let words: Vec<String> = match &inst.args {
                Args::Exec { items, .. } => items.iter().map(|w| w.text.to_string()).collect(),
                Args::Text(w) => layerwise_analysis::shell::split_script(&w.text)
                    .first()
                    .map(|c| c.words.iter().map(|w| w.text.to_string()).collect())
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            match u.kind {
                InstructionKind::Entrypoint => ep = Some((i, words)),
                InstructionKind::Cmd => cmd = Some((i, words)),
                _ => {}
            }
        }
        (ep, cmd)
    }

    /// Text of everything that runs in the container (`CMD`, `ENTRYPOINT`, `HEALTHCHECK`),
    /// to see which tools the runtime still calls.
    pub fn runtime_command_text(&self) -> String {
        let mut s = String::new();
        for u in &self.v.units {
            if matches!(
                u.kind,
                InstructionKind::Cmd | InstructionKind::Entrypoint | InstructionKind::Healthcheck
            ) {
                if let Some(item) = u.item {
                    s.push_str(self.v.item_text(item));
                    s.push('\n');
                }
            }
        }
        s
    }

    /// Installs, in the runtime stage, the system packages the program still needs: runtime
    /// libraries of the `-dev` packages and what is not a build tool. `always` are added
    /// (e.g. `ca-certificates`).
    pub fn runtime_packages(&mut self, always: &[&str]) {
        if !self.rt.flavor.has_shell() {
            return;
        }
        let mut installed: Vec<String> = Vec::new();
        let mut build_os = None;
        for c in self.builder_commands() {
            if let Some((os, pkgs)) = os_installs(&c) {
                build_os.get_or_insert(os);
                installed.extend(pkgs);
            }
        }
        let rt_os = if self.rt.flavor == Flavor::Alpine {
            Os::Alpine
        } else {
            Os::Debian
        };
        let runtime_text = self.runtime_command_text();
        let used = |name: &str| {
            runtime_text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
                .any(|w| w == name)
        };
        let mut pkgs = match build_os {
            Some(os) if os == rt_os => runtime_packages(os, &installed, &used),
            Some(_) if !installed.is_empty() => {
                self.notes.push(format!(
                    "the build installs packages with another package manager than the runtime's ({}): install what the program needs at run time by hand",
                    installed.join(" ")
                ));
                Vec::new()
            }
            _ => Vec::new(),
        };
        for a in always.iter().rev() {
            if !pkgs.iter().any(|p| p == a) {
                pkgs.insert(0, a.to_string());
            }
        }
        if pkgs.is_empty() {
            return;
        }
        let line = match rt_os {
            Os::Debian => self.style.continued(&[
                "RUN apt-get update".into(),
                format!(
                    "&& apt-get install -y --no-install-recommends {}",
                    pkgs.join(" ")
                ),
                "&& rm -rf /var/lib/apt/lists/*".into(),
            ]),
            Os::Alpine => format!("RUN apk add --no-cache {}", pkgs.join(" ")),
        };
        self.rt_setup.push(Entry::Gen(line));
    }

    /// Redeclares in the runtime stage the `ARG`s its instructions use: a stage `ARG` is
    /// repeated as written, a global one is named (it takes the global default).
    pub fn redeclare_args(&mut self) {
        let mut defined_env: Vec<String> = Vec::new();
        let mut needed: Vec<String> = Vec::new();
        let expanding = |k: InstructionKind| {
            matches!(
                k,
                InstructionKind::Env
                    | InstructionKind::Label
                    | InstructionKind::Expose
                    | InstructionKind::Volume
                    | InstructionKind::Workdir
                    | InstructionKind::User
                    | InstructionKind::Stopsignal
                    | InstructionKind::Copy
                    | InstructionKind::Add
                    | InstructionKind::Run
            )
        };
        let all: Vec<Entry> = self
            .rt_setup
            .iter()
            .chain(&self.rt_env)
            .chain(self.rt_workdir.iter())
            .chain(&self.rt_copies)
            .chain(&self.rt_tail)
            .chain(self.rt_user.iter())
            .cloned()
            .collect();
        for e in &all {
            let (text, kind) = match e {
                Entry::Unit(i) => (self.instruction_text(*i), self.unit(*i).kind),
                Entry::Gen(t) => {
                    let kw = t.split_whitespace().next().unwrap_or("");
                    (t.clone(), InstructionKind::from_keyword(kw))
                }
                _ => continue,
            };
            if !expanding(kind) {
                continue;
            }
            for name in referenced_vars(&text) {
                if !defined_env.contains(&name) && !needed.contains(&name) {
                    needed.push(name);
                }
            }
            if kind == InstructionKind::Env {
                for word in text.split_whitespace().skip(1) {
                    if let Some((k, _)) = word.split_once('=') {
                        defined_env.push(k.to_string());
                    }
                }
            }
        }
        for name in needed {
            let stage_arg = self.v.units.iter().enumerate().find(|(_, u)| {
                u.kind == InstructionKind::Arg
                    && self
                        .v
                        .instruction(u)
                        .is_some_and(|inst| inst.pairs().iter().any(|p| *p.key.text == *name))
            });
            if let Some((i, _)) = stage_arg {
                let text = self.instruction_text(i);
                if !self
                    .rt_args
                    .iter()
                    .any(|e| matches!(e, Entry::Gen(t) if *t == text))
                {
                    self.rt_args.push(Entry::Gen(text));
                }
            } else if self.v.a.model.global_args.iter().any(|d| d.name == name) {
                self.rt_args.push(Entry::Gen(format!("ARG {name}")));
            }
        }
    }

    /// `COPY --from=<builder>` of files the stage put outside the app directory (entrypoint
    /// scripts, configuration): the runtime stage needs them where they were.
    pub fn copy_outside_files(&mut self) {
        let app = self.app_dir.clone();
        let mut lines = Vec::new();
        for u in &self.v.units {
            if !matches!(u.kind, InstructionKind::Copy | InstructionKind::Add) {
                continue;
            }
            let Some(inst) = self.v.instruction(u) else {
                continue;
            };
            if inst.flag("from").is_some() || !inst.heredocs.is_empty() {
                continue;
            }
            let Some((sources, Some(dest))) = inst.copy_parts() else {
                continue;
            };
            let wd = self.v.workdir_before(u);
            let dest_abs = absolute(&wd, &dest.text);
            if dest.text.contains('$') || under(&dest_abs, &app) {
                continue;
            }
            let dir_dest = dest.text.ends_with('/') || sources.len() > 1;
            for s in sources {
                let src = s.text.trim_end_matches('/');
                if src.contains(['*', '?', '[', '$'])
                    || src.contains("://")
                    || matches!(src, "." | "")
                {
                    continue;
                }
                let name = src.rsplit('/').next().unwrap_or(src);
                let target = if dir_dest {
                    format!("{}/{name}", dest_abs.trim_end_matches('/'))
                } else {
                    dest_abs.trim_end_matches('/').to_string()
                };
                let line = format!("COPY --from={} {target} {target}", self.builder_name);
                if !lines.contains(&line) {
                    lines.push(line);
                }
            }
        }
        self.rt_copies.extend(lines.into_iter().map(Entry::Gen));
    }

    /// `COPY --from=<builder>` of the stack's artifacts, then of the files the container's
    /// commands name that the artifacts do not cover.
    pub fn copy_artifacts(&mut self) {
        for (src, dest) in &self.artifacts {
            let line = format!("COPY --from={} {src} {dest}", self.builder_name);
            self.rt_copies.push(Entry::Gen(line));
        }
        let covered: Vec<String> = self.artifacts.iter().map(|(s, _)| s.clone()).collect();
        self.copy_referenced_files(&covered);
    }

    /// Files under the app directory that the container's commands name (`node
    /// healthcheck.js`, `./entrypoint.sh`): a runtime that copies only the build output
    /// needs them too. `covered` are paths already copied (files or directories).
    pub fn copy_referenced_files(&mut self, covered: &[String]) {
        let app = self.app_dir.trim_end_matches('/').to_string();
        let mut words: Vec<String> = Vec::new();
        for u in &self.v.units {
            if !matches!(
                u.kind,
                InstructionKind::Cmd | InstructionKind::Entrypoint | InstructionKind::Healthcheck
            ) {
                continue;
            }
            if let Some(inst) = self.v.instruction(u) {
                let mut w = Vec::new();
                collect_words(&inst.args, &mut w);
                // `go run ./cmd/api` names sources, and is replaced anyway
                let tool = w.first().map(|x| x.rsplit('/').next().unwrap_or(x));
                if !matches!(
                    tool,
                    Some("go" | "cargo" | "mvn" | "mvnw" | "gradle" | "gradlew")
                ) {
                    words.extend(w);
                }
            }
        }
        const EXTS: &[&str] = &[
            ".js", ".mjs", ".cjs", ".sh", ".py", ".json", ".yaml", ".yml", ".toml", ".conf", ".ini",
        ];
        let mut lines = Vec::new();
        for w in words {
            if w.starts_with('-') || w.contains(['$', '*', '?']) || w.contains("://") {
                continue;
            }
            if !(EXTS.iter().any(|e| w.ends_with(e)) || w.starts_with("./")) {
                continue;
            }
            let abs = absolute(&app, &w);
            if !abs.starts_with(&format!("{app}/")) {
                continue;
            }
            let rel = &abs[app.len() + 1..];
            if self.v.context_has(rel) == Some(false) {
                continue;
            }
            if covered.iter().any(|c| under(&abs, c)) {
                continue;
            }
            let line = format!("COPY --from={} {abs} {abs}", self.builder_name);
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        self.rt_copies.extend(lines.into_iter().map(Entry::Gen));
    }
}

/// The words of a command in any form (exec, shell, `HEALTHCHECK CMD ...`).
fn collect_words(args: &Args, out: &mut Vec<String>) {
    match args {
        Args::Exec { items, .. } => out.extend(items.iter().map(|w| w.text.to_string())),
        Args::Text(w) => {
            for c in layerwise_analysis::shell::split_script(&w.text) {
                out.extend(c.words.into_iter().map(|w| w.text.into_string()));
            }
        }
        Args::Healthcheck { cmd, .. } => collect_words(cmd, out),
        _ => {}
    }
}

fn under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    path == dir || path.starts_with(&format!("{dir}/")) || dir.is_empty()
}
