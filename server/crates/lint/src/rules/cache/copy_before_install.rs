use layerwise_analysis::shell::ShellCommand;
use layerwise_syntax::{InstructionKind, TextRange};

use crate::context::{to_range, InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::package_managers::{project_install, Install};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::size::command_text::short_command;

declare_rule! {
    /// A dependency install runs after the whole build context was copied.
    ///
    /// ## What it does
    /// Reports `npm ci`, `pip install -r`, `go mod download`, `bundle install`, `cargo build`
    /// and other dependency installs that run in the same stage after a `COPY . .` (or any
    /// `COPY`/`ADD` of the whole context). A second install by a package manager that already
    /// installed from the manifests before the copy (`uv sync --no-install-project`, then
    /// `uv sync`) is not reported: it only adds the project itself.
    ///
    /// ## Why is this bad?
    /// Docker reuses a layer only if everything before it is unchanged. After `COPY . .` any
    /// edit to any source file invalidates the install layer, so every rebuild downloads and
    /// installs every dependency again. Copying the manifests first lets the install layer
    /// stay cached until the dependencies really change.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// WORKDIR /app
    /// COPY . .
    /// RUN npm ci
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// WORKDIR /app
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    /// COPY . .
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the install moves before the full copy, with only the manifests copied ahead
    /// of it. If the install also needs other files (a `postinstall` script, a local
    /// package), add them to that `COPY`. Offered when the `RUN` does nothing but installs and
    /// the package manager can install from manifests alone.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker: optimize cache usage](https://docs.docker.com/build/cache/optimize/)
    pub struct CopyBeforeInstall {
        name: "copy-before-install",
        group: Cache,
        severity: Warning,
        fix: Sometimes,
        hadolint: [],
        buildkit: None,
    }
}

/// `COPY . <dest>` / `ADD . <dest>` from the build context: returns the destination.
pub(crate) fn whole_context_copy<'a>(i: &InstRef<'a>) -> Option<&'a str> {
    if !matches!(i.inst.kind, InstructionKind::Copy | InstructionKind::Add)
        || i.inst.flag("from").is_some()
    {
        return None;
    }
    let (sources, dest) = i.inst.copy_parts()?;
    let whole = sources
        .iter()
        .any(|s| matches!(&*s.text, "." | "./" | "*" | "./*" | "/" | "./."));
    whole.then(|| dest.map_or(".", |d| &*d.text))
}

impl RuleCheck for CopyBeforeInstall {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let insts = cx.instruction_list();
        // One pass: a stage's instructions are contiguous, so the broad copy seen so far is
        // forgotten whenever the stage changes.
        let mut stage: Option<usize> = None;
        let mut broad: Option<(usize, &str)> = None;
        // Package managers that installed from manifests before the broad copy: a second
        // install after it (`uv sync --no-install-project` then `uv sync`, `poetry install
        // --no-root` then `poetry install`) only adds the project itself.
        let mut installed_before: Vec<&'static str> = Vec::new();
        for (pos, i) in insts.iter().enumerate() {
            if i.stage != stage {
                stage = i.stage;
                broad = None;
                installed_before.clear();
            }
            if i.stage.is_none() {
                continue;
            }
            if broad.is_none() {
                if let Some(dest) = whole_context_copy(i) {
                    broad = Some((pos, dest));
                } else if i.inst.kind == InstructionKind::Run {
                    installed_before
                        .extend(installs_of(cx.run_commands(i)).map(|(_, inst)| inst.manager.name));
                }
                continue;
            }
            let Some((copy_pos, dest)) = broad else {
                continue;
            };
            let commands = cx.run_commands(i);
            // the first install is the finding: the commands after it are read only for one
            let Some((cmd, install)) = installs_of(commands).next() else {
                continue;
            };
            if installed_before.contains(&install.manager.name) {
                continue;
            }
            let copy = &insts[copy_pos];
            let mut d = Diagnostic::new(
                    meta,
                    to_range(&cmd.range),
                    format!("`{}` runs after the whole build context is copied: any source change re-installs every dependency", short_command(cmd)),
                )
                .note(format!("Copy {} first, install, then copy the rest.", install.manifests.join(" and ")))
                .related(copy.head_range(), "the whole build context is copied here");
            let only_installs = installs_of(commands).count() == commands.len();
            if only_installs && install.manager.manifest_only_install && i.inst.heredocs.is_empty()
            {
                d = d.fix(move_install_fix(cx, copy, i, &install.manifests, dest));
            }
            out.push(d);
        }
    }
}

/// The dependency installs among `commands`. `yarn --version` is not one, though
/// `project_install` takes a bare `yarn` for an install. An iterator: most callers want the
/// first install or the managers, not a list per `RUN`.
fn installs_of(commands: &[ShellCommand]) -> impl Iterator<Item = (&ShellCommand, Install)> {
    commands
        .iter()
        // the program-name test inside `project_install` settles most commands, so it goes
        // before the scan of every argument
        .filter_map(|c| project_install(c).map(|inst| (c, inst)))
        .filter(|(c, _)| !c.has_arg(&["--version", "-v", "--help", "-h"]))
}

/// Moves the install `RUN` above the broad `COPY`, preceded by a `COPY` of the manifests.
fn move_install_fix(
    cx: &LintContext<'_>,
    copy: &InstRef<'_>,
    run: &InstRef<'_>,
    manifests: &[String],
    dest: &str,
) -> Fix {
    let dest = if dest == "." {
        "./".to_string()
    } else if dest.ends_with('/') {
        dest.to_string()
    } else {
        format!("{dest}/")
    };
    let indent = &cx.slice(copy.range())
        [..cx.slice(copy.range()).len() - cx.slice(copy.range()).trim_start().len()];
    let run_text = cx.slice(run.range());
    let run_text = if run_text.ends_with('\n') {
        run_text.to_string()
    } else {
        format!("{run_text}\n")
    };
    let insert = format!("{indent}COPY {} {dest}\n{run_text}", manifests.join(" "));
    let at = copy.range().start;
    Fix {
        title: format!(
            "Copy {} and install before copying the whole context",
            manifests.join(", ")
        )
        .into(),
        applicability: Applicability::Unsafe,
        edits: vec![
            Edit {
                range: TextRange::empty(at),
                text: insert.into(),
            },
            Edit {
                range: run.range(),
                text: "".into(),
            },
        ]
        .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_with_related_copy() {
        let t = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n";
        let d = findings(&CopyBeforeInstall, t);
        assert_eq!(d.len(), 1);
        assert_eq!(&t[d[0].range.as_usize()], "npm ci");
        assert_eq!(d[0].message, "`npm ci` runs after the whole build context is copied: any source change re-installs every dependency");
        assert_eq!(&t[d[0].related[0].range.as_usize()], "COPY . .");
        assert!(
            d[0].fixes.is_empty(),
            "npm run build needs the sources: no automatic move"
        );
        let t = "FROM python:3.12\nCOPY . /srv\nRUN pip install --no-cache-dir -r requirements/prod.txt\n";
        assert_eq!(
            findings(&CopyBeforeInstall, t)[0].note.as_deref(),
            Some("Copy requirements/prod.txt first, install, then copy the rest.")
        );
    }

    #[test]
    fn near_misses() {
        // manifests first, then sources: fine
        assert!(findings(
            &CopyBeforeInstall,
            "FROM node:20\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n"
        )
        .is_empty());
        // installing a named package is not a dependency install
        assert!(findings(
            &CopyBeforeInstall,
            "FROM node:20\nCOPY . .\nRUN npm install -g pm2\n"
        )
        .is_empty());
        // different stage
        assert!(findings(
            &CopyBeforeInstall,
            "FROM node:20 AS a\nCOPY . .\nFROM node:20\nRUN npm ci\n"
        )
        .is_empty());
        // COPY --from is not the build context
        assert!(findings(
            &CopyBeforeInstall,
            "FROM node:20\nCOPY --from=x . .\nRUN npm ci\n"
        )
        .is_empty());
        // dependencies installed from the manifests first; the second install adds the project
        assert!(findings(
            &CopyBeforeInstall,
            "FROM python\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --locked --no-install-project\nCOPY . .\nRUN uv sync --locked\n"
        )
        .is_empty());
        // asking for a version installs nothing
        assert!(findings(
            &CopyBeforeInstall,
            "FROM node:20\nCOPY . .\nRUN yarn --version\n"
        )
        .is_empty());
    }

    #[test]
    fn fix_moves_the_install() {
        let t = "FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n";
        assert_eq!(
            fixed(&CopyBeforeInstall, t),
            "FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nCMD [\"node\", \"server.js\"]\n"
        );
        let again = fixed(&CopyBeforeInstall, &fixed(&CopyBeforeInstall, t));
        assert_eq!(
            again,
            fixed(&CopyBeforeInstall, t),
            "applying twice changes nothing more"
        );
    }
}
