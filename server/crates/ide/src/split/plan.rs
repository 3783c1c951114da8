//! The plan of a split: the builder stage as a list of entries (original units, rewritten
//! pieces of units, generated lines) and the runtime stage in slots, filled by the steps all
//! stacks share (classifying instructions, the app directory, moving an install ahead of the
//! broad `COPY`, runtime packages, the user, `ARG` redeclarations) and rendered to text.

use std::collections::{BTreeSet, HashMap};

use layerwise_analysis::shell::ShellCommand;
use layerwise_syntax::{Args, InstructionKind, TextRange};

use super::images::{Flavor, RuntimeImage};
use super::packages::{os_installs, runtime_packages, Os};
use super::text::{absolute, referenced_vars, Style};
use super::view::{push_line, Unit, View};

/// A `CMD` or `ENTRYPOINT`: its unit and its words.
pub(crate) type EntryWords = (usize, Vec<String>);

/// One piece of a stage.
#[derive(Debug, Clone)]
pub(crate) enum Entry {
    /// An original unit (comments and instruction), with its edits applied if it has any.
    Unit(usize),
    /// A rewritten piece of a unit (its instruction is replaced on purpose); `comments`
    /// says whether the unit's comments go with this piece.
    Part {
        unit: usize,
        text: String,
        comments: bool,
    },
    /// Generated lines (an instruction or a comment), without the final line break.
    Gen(String),
    Blank,
}

/// How an instruction of the original stage is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Building: stays in the builder.
    Build,
    /// Describes the running container only: moves to the runtime stage.
    Runtime,
    /// State both stages may need (`WORKDIR`, `USER`, run-time `ENV`): stays in the builder
    /// when build steps follow it (and is repeated in the runtime stage), else moves.
    State,
}

/// `ENV` names that only steer tools during the build.
fn build_only_env(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "DEBIAN_FRONTEND",
        "CGO_ENABLED",
        "GOOS",
        "GOARCH",
        "GOARM",
        "GOAMD64",
        "GOFLAGS",
        "GOPROXY",
        "GOPRIVATE",
        "GONOSUMDB",
        "GONOSUMCHECK",
        "GO111MODULE",
        "GOCACHE",
        "GOMODCACHE",
        "GOPATH",
        "RUSTFLAGS",
        "MAVEN_OPTS",
        "MAVEN_CONFIG",
        "PATH",
        "VIRTUAL_ENV",
        "APT_KEY_DONT_WARN_ON_DANGEROUS_USAGE",
    ];
    const PREFIXES: &[&str] = &[
        "CARGO_",
        "RUSTUP_",
        "PIP_",
        "POETRY_",
        "PIPENV_",
        "UV_",
        "NPM_CONFIG_",
        "YARN_",
        "PNPM_",
        "GRADLE_",
    ];
    EXACT.contains(&name)
        || PREFIXES
            .iter()
            .any(|p| name.to_ascii_uppercase().starts_with(p))
}

pub(crate) struct Plan<'v, 'a> {
    pub v: &'v View<'a>,
    pub style: Style,
    pub classes: Vec<Class>,
    pub builder_name: String,
    /// Builder entries after its `FROM`.
    pub b: Vec<Entry>,
    /// Text edits inside original units (file ranges), applied when they are rendered.
    pub unit_edits: HashMap<usize, Vec<(TextRange, String)>>,
    pub rt: RuntimeImage,
    /// The directory the app lives in, in both stages.
    pub app_dir: String,
    pub rt_args: Vec<Entry>,
    pub rt_setup: Vec<Entry>,
    pub rt_env: Vec<Entry>,
    pub rt_workdir: Option<Entry>,
    pub rt_copies: Vec<Entry>,
    pub rt_tail: Vec<Entry>,
    pub rt_user: Option<Entry>,
    /// Units whose `CMD`/`ENTRYPOINT` the stack rewrote: unit → new text.
    pub replaced: BTreeSet<usize>,
    pub notes: Vec<String>,
    /// The user the runtime stage runs as (for `--chown`).
    pub user_name: Option<String>,
    /// Files the stack's runtime copies from the builder: (path there, path in the runtime).
    pub artifacts: Vec<(String, String)>,
    /// A new container command (exec-form words) replacing one that needs the toolchain,
    /// and why.
    pub new_command: Option<(Vec<String>, String)>,
}

impl<'v, 'a> Plan<'v, 'a> {
    pub fn new(v: &'v View<'a>, rt: RuntimeImage, builder_name: String) -> Self {
        let classes = v.units.iter().map(|u| classify(v, u)).collect();
        Plan {
            v,
            style: v.style,
            classes,
            builder_name,
            b: Vec::new(),
            unit_edits: HashMap::new(),
            notes: rt.notes.clone(),
            rt,
            app_dir: "/".into(),
            rt_args: Vec::new(),
            rt_setup: Vec::new(),
            rt_env: Vec::new(),
            rt_workdir: None,
            rt_copies: Vec::new(),
            rt_tail: Vec::new(),
            rt_user: None,
            replaced: BTreeSet::new(),
            user_name: None,
            artifacts: Vec::new(),
            new_command: None,
        }
    }

    pub fn unit(&self, i: usize) -> &'v Unit {
        &self.v.units[i]
    }

    pub fn nl(&self) -> &'static str {
        self.style.nl()
    }

    /// For each unit, whether a later unit does build work (`RUN`, `COPY`, `ADD`) in the
    /// builder (one pass from the end).
    fn build_follows(&self) -> Vec<bool> {
        let mut out = vec![false; self.v.units.len()];
        let mut seen = false;
        for (i, u) in self.v.units.iter().enumerate().rev() {
            out[i] = seen;
            seen |= self.classes[i] == Class::Build
                && matches!(
                    u.kind,
                    InstructionKind::Run | InstructionKind::Copy | InstructionKind::Add
                );
        }
        out
    }

    /// Distributes the units: builder entries, and moved or repeated ones in the runtime.
    pub fn distribute(&mut self) {
        let follows = self.build_follows();
        for (i, &stays) in follows.iter().enumerate() {
            let u = self.unit(i);
            match self.classes[i] {
                Class::Build => self.push_b(i),
                Class::Runtime => self.rt_tail.push(Entry::Unit(i)),
                Class::State => match u.kind {
                    InstructionKind::Env => {
                        if stays {
                            self.push_b(i);
                            let text = self.instruction_text(i);
                            self.rt_env.push(Entry::Gen(text));
                        } else {
                            self.rt_env.push(Entry::Unit(i));
                        }
                    }
                    InstructionKind::Workdir => {
                        let absolute = self
                            .v
                            .instruction(u)
                            .and_then(|inst| inst.arg_words().first())
                            .is_some_and(|w| w.text.starts_with('/'));
                        if !stays && absolute && self.rt_workdir.is_none() {
                            self.rt_workdir = Some(Entry::Unit(i));
                        } else {
                            self.push_b(i);
                        }
                    }
                    InstructionKind::User => {
                        if !stays && self.rt.flavor.has_shell() {
                            self.rt_user = Some(Entry::Unit(i));
                        } else {
                            self.push_b(i);
                        }
                    }
                    _ => self.push_b(i),
                },
            }
        }
    }

    fn push_b(&mut self, i: usize) {
        if self.unit(i).blank_before && !self.b.is_empty() {
            self.b.push(Entry::Blank);
        }
        self.b.push(Entry::Unit(i));
    }

    /// The instruction's own text (no comments), as one or more lines without the final
    /// line break.
    pub fn instruction_text(&self, i: usize) -> String {
        let u = self.unit(i);
        let Some(item) = u.item else {
            return String::new();
        };
        let text = self.edited_item_text(i, item);
        text.trim_end_matches(['\n', '\r']).to_string()
    }

    fn edited_item_text(&self, i: usize, item: usize) -> String {
        let text = self.v.item_text(item);
        let Some(edits) = self.unit_edits.get(&i) else {
            return text.to_string();
        };
        let start = self.v.item_range(item).start;
        let mut edits: Vec<&(TextRange, String)> = edits.iter().collect();
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        let mut out = String::new();
        let mut pos = 0usize;
        for (r, t) in edits {
            let a = r.start.saturating_sub(start) as usize;
            let b = r.end.saturating_sub(start) as usize;
            if a < pos || b > text.len() || !text.is_char_boundary(a) || !text.is_char_boundary(b) {
                continue;
            }
            out.push_str(&text[pos..a]);
            out.push_str(t);
            pos = b;
        }
        out.push_str(&text[pos..]);
        out
    }

    /// The text of a file range inside unit `i`, with the unit's edits in it applied.
    pub fn slice_edited(&self, i: usize, range: TextRange) -> String {
        let mut edits: Vec<&(TextRange, String)> = self
            .unit_edits
            .get(&i)
            .map(|e| e.iter().filter(|(r, _)| range.contains_range(*r)).collect())
            .unwrap_or_default();
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        let mut out = String::new();
        let mut pos = range.start;
        for (r, t) in edits {
            if r.start < pos {
                continue;
            }
            out.push_str(self.v.slice(TextRange::new(pos, r.start)));
            out.push_str(t);
            pos = r.end;
        }
        out.push_str(self.v.slice(TextRange::new(pos, range.end)));
        out
    }

    /// Adds an edit inside unit `i`'s instruction (marks it as replaced on purpose).
    pub fn edit_unit(&mut self, i: usize, range: TextRange, text: impl Into<String>) {
        self.unit_edits
            .entry(i)
            .or_default()
            .push((range, text.into()));
    }

    /// Position in `b` of the entry holding unit `i`.
    pub fn pos_in_b(&self, i: usize) -> Option<usize> {
        self.b.iter().position(|e| match e {
            Entry::Unit(u) => *u == i,
            Entry::Part { unit, .. } => *unit == i,
            _ => false,
        })
    }

    /// Units in the builder, in builder order.
    pub fn b_units(&self) -> Vec<usize> {
        self.b
            .iter()
            .filter_map(|e| match e {
                Entry::Unit(u) => Some(*u),
                _ => None,
            })
            .collect()
    }

    /// The first `COPY`/`ADD` of the whole build context in the builder: (position in `b`,
    /// unit, destination as absolute path).
    pub fn broad_copy(&self) -> Option<(usize, usize, String)> {
        for (pos, e) in self.b.iter().enumerate() {
            let Entry::Unit(i) = e else { continue };
            let u = self.unit(*i);
            let Some(inst) = self.v.instruction(u) else {
                continue;
            };
            if !matches!(u.kind, InstructionKind::Copy | InstructionKind::Add)
                || inst.flag("from").is_some()
            {
                continue;
            }
            let Some((sources, dest)) = inst.copy_parts() else {
                continue;
            };
            if sources
                .iter()
                .any(|s| matches!(&*s.text, "." | "./" | "*" | "./*" | "./."))
            {
                let wd = self.v.workdir_before(u);
                let dest = dest.map_or(".", |d| &d.text);
                return Some((pos, *i, absolute(&wd, dest)));
            }
        }
        None
    }

    /// Whether a `COPY` before position `before` in the builder already copies one of
    /// `names` (by file name or a wildcard that matches it).
    pub fn copies_before(&self, before: usize, names: &[&str]) -> bool {
        self.b[..before].iter().any(|e| {
            let Entry::Unit(i) = e else { return false };
            let u = self.unit(*i);
            let Some(inst) = self.v.instruction(u) else {
                return false;
            };
            let Some((sources, _)) = inst.copy_parts() else {
                return false;
            };
            inst.flag("from").is_none()
                && sources.iter().any(|s| {
                    let base = s.text.rsplit('/').next().unwrap_or(&s.text);
                    names.iter().any(|n| wildcard_match(base, n))
                })
        })
    }

    /// The builder entries strictly between two positions that do work or change state.
    fn busy_between(&self, from: usize, to: usize) -> bool {
        self.b[from + 1..to].iter().any(|e| {
            matches!(e, Entry::Unit(i) if self.unit(*i).item.is_some())
                || matches!(e, Entry::Part { .. } | Entry::Gen(_))
        })
    }

    /// Moves the dependency install that follows the broad `COPY` ahead of it, with a `COPY`
    /// of the manifests first, so the install layer stays cached until they change.
    ///
    /// Only when the install comes right after the copy (nothing in between could change what
    /// it does), runs in the directory the context is copied to, and has no heredoc. A `RUN`
    /// that chains more commands after the install with `&&` is cut in two. Returns whether
    /// something moved.
    pub fn move_install(
        &mut self,
        is_install: &dyn Fn(&ShellCommand) -> bool,
        manifests: &[String],
    ) -> bool {
        let Some((copy_pos, copy_unit, dest)) = self.broad_copy() else {
            return false;
        };
        let Some((run_pos, run_unit)) =
            self.b
                .iter()
                .enumerate()
                .skip(copy_pos + 1)
                .find_map(|(p, e)| match e {
                    Entry::Unit(i)
                        if self.unit(*i).kind == InstructionKind::Run
                            && self.v.commands(self.unit(*i)).iter().any(is_install) =>
                    {
                        Some((p, *i))
                    }
                    _ => None,
                })
        else {
            return false;
        };
        if self.busy_between(copy_pos, run_pos) {
            return false;
        }
        let u = self.unit(run_unit);
        let Some(inst) = self.v.instruction(u) else {
            return false;
        };
        if !inst.heredocs.is_empty()
            || self.v.workdir_before(u) != dest.trim_end_matches('/')
                && !(dest == "/" && self.v.workdir_before(u) == "/")
        {
            return false;
        }
        let cmds = self.v.commands(u);
        let n_install = cmds.iter().take_while(|c| is_install(c)).count();
        if n_install == 0 {
            return false;
        }
        let mut moved: Vec<Entry> = Vec::new();
        let names: Vec<&str> = manifests.iter().map(String::as_str).collect();
        if !self.copies_before(copy_pos, &names) {
            moved.push(Entry::Gen(format!("COPY {} ./", manifests.join(" "))));
        }
        if n_install == cmds.len() {
            self.b.remove(run_pos);
            moved.push(Entry::Unit(run_unit));
        } else {
            // `RUN install && rest`: only a plain `&&` chain can be cut safely.
            if cmds[..n_install].iter().any(|c| c.terminator != "&&") {
                return false;
            }
            let Some(item) = u.item.and_then(|i| self.v.a.file.item(i)) else {
                return false;
            };
            let Some(args) = inst.args_range.map(|r| item.abs(r)) else {
                return false;
            };
            let head = self
                .v
                .slice(TextRange::new(item.start, args.start))
                .trim_end();
            let first = TextRange::from_usize(cmds[0].range.start, cmds[n_install - 1].range.end);
            let rest = TextRange::new(cmds[n_install].range.start as u32, args.end);
            let install_text = format!("{head} {}", self.slice_edited(run_unit, first));
            let rest_text = format!("{head} {}", self.slice_edited(run_unit, rest));
            self.b[run_pos] = Entry::Part {
                unit: run_unit,
                text: rest_text,
                comments: false,
            };
            moved.push(Entry::Part {
                unit: run_unit,
                text: install_text,
                comments: true,
            });
            self.replaced.insert(run_unit);
        }
        let _ = copy_unit;
        // the moved lines go right above the copy (above the comments attached to it)
        for (k, e) in moved.into_iter().enumerate() {
            self.b.insert(copy_pos + k, e);
        }
        true
    }

    /// Inserts generated lines right before the broad `COPY` (dependency prefetching for
    /// tools that need the sources for the real build). Returns false without a broad copy.
    pub fn before_broad_copy(&mut self, lines: Vec<String>) -> bool {
        let Some((pos, _, _)) = self.broad_copy() else {
            return false;
        };
        for (k, l) in lines.into_iter().enumerate() {
            self.b.insert(pos + k, Entry::Gen(l));
        }
        true
    }

    /// `RUN apt-get update` alone, right before `RUN apt-get install`, becomes one `RUN`: the
    /// update layer would otherwise stay cached while the install's package lists go stale.
    pub fn merge_apt_update(&mut self) {
        let is = |c: &ShellCommand, sub: &str| {
            matches!(c.program(), Some("apt-get" | "apt")) && c.subcommand() == Some(sub)
        };
        let mut k = 0;
        while k + 1 < self.b.len() {
            let (Entry::Unit(u1), Entry::Unit(u2)) = (&self.b[k], &self.b[k + 1]) else {
                k += 1;
                continue;
            };
            let (u1, u2) = (*u1, *u2);
            let (a, b) = (self.unit(u1), self.unit(u2));
            let ok_inst = |u: &Unit| {
                u.kind == InstructionKind::Run
                    && self.v.instruction(u).is_some_and(|i| {
                        i.heredocs.is_empty()
                            && i.flags.is_empty()
                            && matches!(i.args, Args::Text(_))
                    })
            };
            let up = self.v.commands(a);
            let inst = self.v.commands(b);
            let merge = ok_inst(a)
                && ok_inst(b)
                && !up.is_empty()
                && up.iter().all(|c| is(c, "update"))
                && inst.first().is_some_and(|c| is(c, "install"))
                && !self.unit_edits.contains_key(&u1);
            if merge {
                let at = TextRange::empty(inst[0].range.start as u32);
                self.edit_unit(u2, at, "apt-get update && ");
                self.b[k] = Entry::Part {
                    unit: u1,
                    text: String::new(),
                    comments: true,
                };
                self.replaced.insert(u1);
            }
            k += 1;
        }
    }

    /// Decides the app directory: the final `WORKDIR`, else where the context is copied,
    /// else a new `WORKDIR /app` at the top of the builder.
    pub fn settle_app_dir(&mut self) {
        let wd = self.v.final_workdir();
        if wd != "/" {
            self.app_dir = wd;
            return;
        }
        if let Some((_, _, dest)) = self.broad_copy() {
            let d = dest.trim_end_matches('/');
            if !d.is_empty() && d != "/" {
                self.app_dir = d.to_string();
                return;
            }
        }
        self.app_dir = "/app".into();
        let first_work = self
            .b
            .iter()
            .position(|e| matches!(e, Entry::Unit(i) if matches!(self.unit(*i).kind, InstructionKind::Run | InstructionKind::Copy | InstructionKind::Add)))
            .unwrap_or(self.b.len());
        self.b.insert(first_work, Entry::Gen("WORKDIR /app".into()));
        self.notes
            .push("no WORKDIR was set: the build now runs in /app".into());
    }

    /// The runtime stage's `WORKDIR`, unless an original one moved there.
    pub fn settle_runtime_workdir(&mut self) {
        if self.rt_workdir.is_none() {
            self.rt_workdir = Some(Entry::Gen(format!("WORKDIR {}", self.app_dir)));
        }
    }

    /// Every command of every `RUN` the builder runs (original units only).
    pub fn builder_commands(&self) -> Vec<ShellCommand> {
        let mut out = Vec::new();
        for e in &self.b {
            if let Entry::Unit(i) | Entry::Part { unit: i, .. } = e {
                out.extend(self.v.commands(self.unit(*i)));
            }
        }
        out
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
                    .map(|c| c.words.iter().map(|w| w.text.clone()).collect())
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

    /// The user the runtime runs as: the stage's own `USER` (created again in the runtime
    /// stage when the stage created it), else the image's non-root user, else a new `app`
    /// user. Images without a shell get their built-in non-root user.
    pub fn settle_user(&mut self) {
        let last_user = self
            .v
            .units
            .iter()
            .enumerate()
            .rev()
            .find(|(_, u)| u.kind == InstructionKind::User);
        let flavor = self.rt.flavor;
        if !flavor.has_shell() {
            let user = if flavor == Flavor::Distroless {
                "nonroot:nonroot"
            } else {
                "65534:65534"
            };
            if let Some((i, _)) = last_user {
                // it stays in the builder (distribute keeps it there); the runtime cannot
                // create users, so it uses the image's own
                let text = self.instruction_text(i);
                let value = text.split_whitespace().nth(1).unwrap_or("").to_string();
                if !value.starts_with(|c: char| c.is_ascii_digit()) && !value.starts_with("nonroot")
                {
                    self.notes.push(format!(
                        "the runtime image has no shell to create users: it runs as {user} instead of `{value}`"
                    ));
                } else {
                    self.rt_user = Some(Entry::Gen(text));
                    self.user_name = Some(value);
                    return;
                }
            }
            self.rt_user = Some(Entry::Gen(format!("USER {user}")));
            self.user_name = Some(user.to_string());
            return;
        }
        if let Some((i, u)) = last_user {
            let text = self.instruction_text(i);
            let value = text.split_whitespace().nth(1).unwrap_or("").to_string();
            let name = value.split(':').next().unwrap_or("").to_string();
            if self.rt_user.is_none() {
                self.rt_user = Some(Entry::Gen(text));
            }
            let _ = u;
            self.user_name = Some(value.clone());
            let numeric = name.chars().all(|c| c.is_ascii_digit());
            if !numeric && name != "root" && Some(name.as_str()) != self.rt.image_user {
                self.recreate_user(&name);
            }
            return;
        }
        if let Some(u) = self.rt.image_user {
            self.rt_user = Some(Entry::Gen(format!("USER {u}")));
            self.user_name = Some(u.to_string());
            return;
        }
        self.rt_setup.push(Entry::Gen(create_user(flavor, "app")));
        self.rt_user = Some(Entry::Gen("USER app".into()));
        self.user_name = Some("app".into());
    }

    /// Creates `name` in the runtime stage: the stage's own user-creating `RUN` when it does
    /// nothing else, else a `useradd`/`adduser` line.
    fn recreate_user(&mut self, name: &str) {
        const USER_TOOLS: &[&str] = &["useradd", "adduser", "groupadd", "addgroup", "usermod"];
        for (i, u) in self.v.units.iter().enumerate() {
            let cmds = self.v.commands(u);
            let creates = cmds.iter().any(|c| {
                matches!(c.program(), Some("useradd" | "adduser"))
                    && c.positional().any(|w| w.text == name)
            });
            if !creates {
                continue;
            }
            let only_users = cmds
                .iter()
                .all(|c| c.program().is_some_and(|p| USER_TOOLS.contains(&p)));
            let same_os = match self.rt.flavor {
                Flavor::Alpine => cmds.iter().all(|c| c.program() != Some("useradd")),
                _ => true,
            };
            if only_users && same_os {
                let text = self.instruction_text(i);
                self.rt_setup.push(Entry::Gen(text));
                return;
            }
            let line = create_user(self.rt.flavor, name);
            self.rt_setup.push(Entry::Gen(line));
            return;
        }
        // not created here: a user of the base image (`nobody`, `www-data`), there in the
        // runtime image of the same distribution too
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

    /// The `FROM` line of the builder, named.
    fn builder_from(&self) -> String {
        let Some(item) = self.v.a.file.item(self.v.from_item) else {
            return String::new();
        };
        let text = item.text();
        let Some(inst) = item.instruction() else {
            return text.to_string();
        };
        let has_name = inst.from_parts().is_some_and(|p| p.name.is_some());
        if has_name {
            let mut s = String::new();
            push_line(&mut s, text, self.style);
            return s;
        }
        let end = inst
            .arg_words()
            .last()
            .map_or(text.trim_end().len(), |w| w.range.end as usize);
        let mut s = String::new();
        s.push_str(&text[..end]);
        s.push_str(" AS ");
        s.push_str(&self.builder_name);
        push_line(&mut s, &text[end..], self.style);
        s
    }

    fn render_entries(&self, out: &mut String, entries: &[Entry]) {
        for e in entries {
            match e {
                Entry::Unit(i) => {
                    let u = self.unit(*i);
                    for &c in &u.comments {
                        push_line(out, self.v.item_text(c), self.style);
                    }
                    if let Some(item) = u.item {
                        push_line(out, &self.edited_item_text(*i, item), self.style);
                    }
                }
                Entry::Part {
                    unit,
                    text,
                    comments,
                } => {
                    if *comments {
                        for &c in &self.unit(*unit).comments {
                            push_line(out, self.v.item_text(c), self.style);
                        }
                    }
                    // an empty part keeps only the comments (its instruction merged away)
                    if !text.is_empty() {
                        push_line(out, text, self.style);
                    }
                }
                Entry::Gen(t) => push_line(out, t, self.style),
                Entry::Blank => {
                    if !out.is_empty() && !ends_with_blank(out) {
                        out.push_str(self.nl());
                    }
                }
            }
        }
    }

    /// The text that replaces the stage: builder, a blank line, runtime.
    pub fn render(&self, runtime_from: &str) -> String {
        let nl = self.nl();
        let mut out = String::new();
        for &c in &self.v.from_comments {
            push_line(&mut out, self.v.item_text(c), self.style);
        }
        out.push_str(&self.builder_from());
        let mut body = String::new();
        self.render_entries(&mut body, &self.b);
        out.push_str(body.trim_end_matches(['\n', '\r']));
        if !body.trim().is_empty() {
            out.push_str(nl);
        }
        out.push_str(nl);
        push_line(&mut out, &format!("FROM {runtime_from}"), self.style);
        let mut rt = String::new();
        self.render_entries(&mut rt, &self.rt_args);
        self.render_entries(&mut rt, &self.rt_setup);
        self.render_entries(&mut rt, &self.rt_env);
        self.render_entries(&mut rt, self.rt_workdir.as_slice());
        self.render_entries(&mut rt, &self.rt_copies);
        // USER goes right before the first CMD/ENTRYPOINT (or at the end)
        let first_exec = self.rt_tail.iter().position(|e| match e {
            Entry::Unit(i) | Entry::Part { unit: i, .. } => matches!(
                self.unit(*i).kind,
                InstructionKind::Cmd | InstructionKind::Entrypoint
            ),
            _ => false,
        });
        let split_at = first_exec.unwrap_or(self.rt_tail.len());
        let tail_units: Vec<Entry> = self.rt_tail[..split_at].to_vec();
        self.render_entries(&mut rt, &tail_units);
        self.render_entries(&mut rt, self.rt_user.as_slice());
        self.render_entries(&mut rt, &self.rt_tail[split_at..]);
        for &c in &self.v.trailing {
            push_line(&mut rt, self.v.item_text(c), self.style);
        }
        out.push_str(&rt);
        out
    }
}

/// The words of a command in any form (exec, shell, `HEALTHCHECK CMD ...`).
fn collect_words(args: &Args, out: &mut Vec<String>) {
    match args {
        Args::Exec { items, .. } => out.extend(items.iter().map(|w| w.text.to_string())),
        Args::Text(w) => {
            for c in layerwise_analysis::shell::split_script(&w.text) {
                out.extend(c.words.into_iter().map(|w| w.text));
            }
        }
        Args::Healthcheck { cmd, .. } => collect_words(cmd, out),
        _ => {}
    }
}

fn ends_with_blank(s: &str) -> bool {
    s.ends_with("\n\n") || s.ends_with("\r\n\r\n")
}

/// A `RUN` that creates an unprivileged user `name` (uid 10001) on the image's distribution.
pub(crate) fn create_user(flavor: Flavor, name: &str) -> String {
    match flavor {
        Flavor::Alpine => format!("RUN adduser -D -u 10001 {name}"),
        _ => format!("RUN useradd --no-log-init --create-home --uid 10001 {name}"),
    }
}

fn under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    path == dir || path.starts_with(&format!("{dir}/")) || dir.is_empty()
}

/// `*`/`?` wildcard matching of one file name (what `COPY package*.json` means).
pub(crate) fn wildcard_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    pattern.len() <= 256 && go(pattern.as_bytes(), name.as_bytes())
}

fn classify(v: &View<'_>, u: &Unit) -> Class {
    use InstructionKind as K;
    if u.item.is_none() {
        return Class::Build;
    }
    match u.kind {
        K::Expose
        | K::Volume
        | K::Healthcheck
        | K::Label
        | K::Stopsignal
        | K::Cmd
        | K::Entrypoint
        | K::Maintainer => Class::Runtime,
        K::Workdir | K::User => Class::State,
        K::Env => {
            let all_build = v.instruction(u).is_some_and(|i| {
                !i.pairs().is_empty() && i.pairs().iter().all(|p| build_only_env(&p.key.text))
            });
            if all_build {
                Class::Build
            } else {
                Class::State
            }
        }
        _ => Class::Build,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_file_names() {
        assert!(wildcard_match("package*.json", "package.json"));
        assert!(wildcard_match("package*.json", "package-lock.json"));
        assert!(!wildcard_match("package*.json", "yarn.lock"));
        assert!(wildcard_match("?o.mod", "go.mod"));
    }
}
