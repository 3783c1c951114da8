use layerwise_analysis::build_context::BuildContext;
use layerwise_syntax::expand::glob_match;
use layerwise_syntax::InstructionKind;

use crate::context::{to_range, InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::{base_chain, run_scripts_with};

declare_rule! {
    /// `npm ci` runs where no lockfile was copied.
    ///
    /// ## What it does
    /// Reports `npm ci` when the files copied before it cannot contain a lockfile
    /// (`package-lock.json` or `npm-shrinkwrap.json`):
    /// - the stage copies `package.json` by name and no lockfile by name or pattern, or
    /// - with the build context known, the directories and patterns it copies have a
    ///   `package.json` but no lockfile, or `.dockerignore` leaves the lockfile out.
    ///
    /// Stays quiet when it cannot tell: a `cd` or `--prefix` before `npm ci`, files copied from
    /// another stage or image, variables in the paths, a lockfile made by an earlier
    /// `npm install`, or an unknown build context for whole-directory copies.
    ///
    /// ## Why is this bad?
    /// `npm ci` installs exactly what the lockfile says and refuses to run without one, so the
    /// build fails. Committing and copying the lockfile is also what makes the installed
    /// dependency tree the same on every build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// WORKDIR /app
    /// COPY package.json ./
    /// RUN npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// WORKDIR /app
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the lockfile has to exist (run `npm install` and commit
    /// `package-lock.json`) before it can be copied.
    ///
    /// ## Options
    /// None. Uses the build context and `.dockerignore` when known.
    ///
    /// ## References
    /// - [npm ci](https://docs.npmjs.com/cli/commands/npm-ci)
    pub struct NpmCiLockfile {
        name: "npm-ci-without-lockfile",
        group: Reproducibility,
        severity: Warning,
        fix: None,
        hadolint: [],
        buildkit: None,
    }
}

const LOCKFILES: [&str; 2] = ["package-lock.json", "npm-shrinkwrap.json"];

/// A context path without `./`, leading `/` or trailing `/`; `.` becomes "".
fn clean(path: &str) -> String {
    let p = path
        .trim_start_matches("./")
        .trim_start_matches('/')
        .trim_end_matches('/');
    if p == "." {
        String::new()
    } else {
        p.to_string()
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// What the copies before `npm ci` bring.
#[derive(Default)]
struct Copied {
    /// A lockfile was copied by name.
    lockfile: bool,
    /// `package.json` was copied by name.
    package_json: bool,
    /// Directories copied whole, and directories of patterns that could match a lockfile.
    dirs: Vec<String>,
    /// Something makes the answer unknowable (variables, `--from`, heredocs, URLs).
    unknown: bool,
}

fn survey(i: &InstRef<'_>, c: &mut Copied) {
    if i.inst.flag("from").is_some() {
        c.unknown = true;
        return;
    }
    let Some((sources, _)) = i.inst.copy_parts() else {
        return;
    };
    for s in sources {
        let t = s.text.as_str();
        if t.contains('$') || t.starts_with("<<") || t.contains("://") || t.starts_with("git@") {
            c.unknown = true;
            continue;
        }
        let path = clean(t);
        let (dir, name) = path
            .rsplit_once('/')
            .map_or(("", path.as_str()), |(d, n)| (d, n));
        if LOCKFILES.contains(&name) {
            c.lockfile = true;
        } else if name == "package.json" {
            c.package_json = true;
        } else if name.contains(['*', '?', '[']) {
            if dir.contains(['*', '?', '[']) {
                c.unknown = true;
            } else if LOCKFILES.iter().any(|l| glob_match(name, l)) {
                c.dirs.push(dir.to_string());
            }
        } else if path.is_empty() || !name.contains('.') {
            // `.`, `web/`, `app`: a directory copied whole (names with a dot are taken as files)
            c.dirs.push(path.clone());
        }
    }
}

/// Whether an earlier command makes a lockfile or changes directory.
fn unknowable_before(cmds: &[layerwise_analysis::shell::ShellCommand]) -> bool {
    cmds.iter().any(|c| match c.program() {
        Some("cd" | "pushd") => true,
        Some("npm") => matches!(c.subcommand(), Some("install" | "i" | "add")),
        _ => false,
    })
}

impl RuleCheck for NpmCiLockfile {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let scripts = run_scripts_with(cx, &["npm"]);
        for (n, script) in scripts.iter().enumerate() {
            let Some(stage) = script.inst.stage.filter(|_| !script.onbuild) else {
                continue;
            };
            for (k, cmd) in script.commands.iter().enumerate() {
                let is_ci = cmd.program() == Some("npm")
                    && matches!(
                        cmd.subcommand(),
                        Some("ci" | "clean-install" | "install-clean" | "ic")
                    );
                if !is_ci
                    || cmd.argv().iter().any(|w| w.text.starts_with("--prefix"))
                    || unknowable_before(&script.commands[..k])
                {
                    continue;
                }
                let chain = base_chain(cx, stage);
                let earlier_install = scripts[..n]
                    .iter()
                    .filter(|s| s.inst.stage.is_some_and(|st| chain.contains(&st)))
                    .any(|s| unknowable_before(s.commands));
                if earlier_install {
                    continue;
                }
                // What the chain's stages copied before this `RUN`: only their own
                // instructions are read, so each `npm ci` costs its chain, not the file.
                let mut copied = Copied::default();
                for i in chain
                    .iter()
                    .filter_map(|&s| cx.model.stages.get(s).map(|st| (s, st)))
                    .flat_map(|(s, st)| {
                        let own = s == stage;
                        st.instructions
                            .iter()
                            .filter(move |&&idx| !own || idx < script.inst.index)
                    })
                    .filter_map(|&idx| cx.instruction(idx))
                    .filter(|i| matches!(i.inst.kind, InstructionKind::Copy | InstructionKind::Add))
                {
                    survey(&i, &mut copied);
                }
                if copied.unknown || copied.lockfile {
                    continue;
                }
                let range = to_range(&cmd.range);
                let note = "`npm ci` refuses to run without package-lock.json (or npm-shrinkwrap.json): commit it and copy it with package.json.";
                if copied.package_json && copied.dirs.is_empty() {
                    out.push(
                        Diagnostic::new(
                            meta,
                            range,
                            "`npm ci` needs a lockfile, but only package.json was copied",
                        )
                        .note(note),
                    );
                    continue;
                }
                let Some(context) = cx.facts.context.as_ref().filter(|c| c.is_complete()) else {
                    continue;
                };
                if let Some(message) = context_verdict(context, &copied.dirs) {
                    out.push(Diagnostic::new(meta, range, message).note(note));
                }
            }
        }
    }
}

/// With the build context known: a message when the copied directories hold a `package.json`
/// but no lockfile reaches the build.
fn context_verdict(context: &BuildContext, dirs: &[String]) -> Option<String> {
    let with_manifest: Vec<&String> = dirs
        .iter()
        .filter(|d| context.is_sent(&join(d, "package.json")))
        .collect();
    if with_manifest.is_empty()
        || with_manifest
            .iter()
            .any(|d| LOCKFILES.iter().any(|l| context.is_sent(&join(d, l))))
    {
        return None;
    }
    let dir = with_manifest[0];
    let shown = if dir.is_empty() {
        "the build context".to_string()
    } else {
        format!("`{dir}/`")
    };
    if LOCKFILES.iter().any(|l| context.exists(&join(dir, l))) {
        Some(format!("`npm ci` needs a lockfile, but `.dockerignore` keeps the one in {shown} out of the build"))
    } else {
        Some(format!("`npm ci` needs a lockfile, but {shown} has none"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use crate::Facts;
    use layerwise_analysis::build_context::{ContextEntry, RawContext};

    fn context(files: &[&str]) -> Facts {
        let raw = RawContext::new(
            "/ctx",
            files.iter().map(|f| ContextEntry::file(*f, 10)).collect(),
        );
        Facts {
            context: Some(std::sync::Arc::new(BuildContext::new(raw))),
            ..Facts::default()
        }
    }

    #[test]
    fn fires_when_only_package_json_is_copied() {
        let t = "FROM node:20\nWORKDIR /app\nCOPY package.json tsconfig.json ./\nRUN npm ci --omit=dev\n";
        assert_eq!(flagged(&NpmCiLockfile, t), ["npm ci --omit=dev"]);
    }

    #[test]
    fn uses_the_build_context() {
        let t = "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\n";
        assert!(
            findings(&NpmCiLockfile, t).is_empty(),
            "unknown context: quiet"
        );
        assert_eq!(
            findings_with(
                &NpmCiLockfile,
                t,
                &context(&["package.json", "src/index.js"])
            )
            .len(),
            1
        );
        assert!(findings_with(
            &NpmCiLockfile,
            t,
            &context(&["package.json", "package-lock.json"])
        )
        .is_empty());
        let t = "FROM node:20\nCOPY web/ /app\nWORKDIR /app\nRUN npm ci\n";
        assert_eq!(
            findings_with(
                &NpmCiLockfile,
                t,
                &context(&["web/package.json", "package-lock.json"])
            )
            .len(),
            1
        );
        assert!(findings_with(
            &NpmCiLockfile,
            t,
            &context(&["web/package.json", "web/npm-shrinkwrap.json"])
        )
        .is_empty());
    }

    #[test]
    fn near_misses() {
        for t in [
            "FROM node:20\nCOPY package.json package-lock.json ./\nRUN npm ci\n",
            "FROM node:20\nCOPY package.json ./\nRUN npm install --package-lock-only && npm ci\n",
            "FROM node:20\nCOPY package.json ./\nCOPY --from=deps /app/package-lock.json ./\nRUN npm ci\n",
            "FROM node:20\nCOPY package.json ./web/\nRUN cd web && npm ci\n",
            "FROM node:20 AS base\nCOPY package.json package-lock.json ./\nFROM base\nRUN npm ci\n",
            "FROM node:20\nCOPY $APP/package.json ./\nRUN npm ci\n",
            "FROM node:20\nCOPY package.json ./\nRUN npm install\n",
        ] {
            assert!(findings(&NpmCiLockfile, t).is_empty(), "{t}");
        }
    }
}
