//! The builder's own rewrites: the broad `COPY` of the context and what moves ahead of it
//! (a dependency install, prefetching), merging a lone `apt-get update` into its install,
//! and the directory the app is built in.

use layerwise_analysis::shell::ShellCommand;
use layerwise_syntax::{Args, InstructionKind, TextRange};

use super::super::text::absolute;
use super::super::view::Unit;
use super::{Entry, Plan};

impl Plan<'_, '_> {
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
