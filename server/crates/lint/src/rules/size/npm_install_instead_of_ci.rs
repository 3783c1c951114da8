use layerwise_analysis::shell::{ShellCommand, ShellWord};
use layerwise_syntax::expand::glob_match;
use layerwise_syntax::InstructionKind;

use crate::context::{to_range, InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::package_managers::{project_install, NPM};
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// `npm install` where `npm ci` belongs.
    ///
    /// ## What it does
    /// Reports `npm install` (or `npm i`) of a project's dependencies (no package named) in
    /// any stage the final image needs. Global installs and installs of named packages are
    /// not reported, nor is a project whose build context is known to have no
    /// `package-lock.json`.
    ///
    /// ## Why is this bad?
    /// `npm install` resolves versions again and may rewrite the lockfile: the image gets
    /// whatever was newest at build time, and two builds of the same commit can differ.
    /// `npm ci` installs exactly what the lockfile says, fails when it is out of date with
    /// `package.json`, and starts from an empty `node_modules`, so nothing stale ships.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY package*.json ./
    /// RUN npm install
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY package*.json ./
    /// RUN npm ci
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: `npm ci` fails when there is no lockfile or it does not match `package.json`.
    /// Offered only when the `package-lock.json` is copied before the install (a `COPY` of the
    /// whole context, a directory, or a pattern that matches it).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [npm ci](https://docs.npmjs.com/cli/commands/npm-ci)
    pub struct NpmInstallInsteadOfCi {
        name: "npm-install-instead-of-ci",
        group: Size,
        severity: Warning,
        fix: Sometimes,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for NpmInstallInsteadOfCi {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let Some(last) = cx.final_stage() else { return };
        let needed = cx.model.needed_stages(last);
        if no_lockfile_in_context(cx) {
            return;
        }
        let insts = cx.instruction_list();
        for (pos, i) in insts.iter().enumerate() {
            if i.inst.kind != InstructionKind::Run
                || !i
                    .stage
                    .is_some_and(|s| needed.get(s).copied().unwrap_or(false))
            {
                continue;
            }
            if !cx.slice(i.range()).contains("npm") {
                continue; // splitting shell text is the expensive part
            }
            for cmd in cx.run_commands(i) {
                let Some(sub) = npm_project_install(cmd) else {
                    continue;
                };
                let mut d = Diagnostic::new(meta, to_range(&cmd.range), format!("`npm {}` resolves versions again; `npm ci` installs exactly the lockfile", sub.text))
                    .note("Use `npm ci` with `package-lock.json` copied in: reproducible, and no stale `node_modules`.");
                match lockfile_copied(&insts[..pos], i.stage) {
                    Some(true) => {
                        d = d.fix(Fix::replace(
                            "Use npm ci",
                            to_range(&sub.range),
                            "ci",
                            Applicability::Unsafe,
                        ))
                    }
                    Some(false) => d = d.note(
                        "Copy `package-lock.json` along with `package.json`, then use `npm ci`.",
                    ),
                    None => {}
                }
                out.push(d);
            }
        }
    }
}

/// The `install` word of `npm install` / `npm i` installing the project's dependencies.
fn npm_project_install(cmd: &ShellCommand) -> Option<&ShellWord> {
    let install = project_install(cmd)?;
    if install.manager != NPM {
        return None;
    }
    let sub = cmd
        .argv()
        .iter()
        .skip(1)
        .find(|w| !w.text.starts_with('-'))?;
    if sub.text == "ci"
        || cmd.has_arg(&[
            "-g",
            "--global",
            "--no-package-lock",
            "--package-lock=false",
            "--location=global",
        ])
    {
        return None;
    }
    Some(sub)
}

/// The build context is known and has no lockfile anywhere.
fn no_lockfile_in_context(cx: &LintContext<'_>) -> bool {
    let Some(ctx) = &cx.facts.context else {
        return false;
    };
    ctx.is_complete()
        && !ctx
            .entries()
            .iter()
            .any(|e| matches!(e.name(), "package-lock.json" | "npm-shrinkwrap.json"))
}

/// Whether a `COPY` from the build context earlier in the stage brings `package-lock.json`
/// along: `Some(false)` when every such `COPY` names files and none matches it, `None` when
/// it cannot be told (nothing copied, a directory, a variable, `COPY --from`).
fn lockfile_copied(before: &[InstRef<'_>], stage: Option<usize>) -> Option<bool> {
    let mut named_files = false;
    let mut unknown = false;
    for i in before.iter().filter(|i| {
        i.stage == stage && matches!(i.inst.kind, InstructionKind::Copy | InstructionKind::Add)
    }) {
        if i.inst.flag("from").is_some() {
            unknown = true;
            continue;
        }
        let Some((sources, _)) = i.inst.copy_parts() else {
            continue;
        };
        for s in sources {
            let text = s.text.trim_end_matches('/');
            let base = text.rsplit('/').next().unwrap_or(text);
            if matches!(text, "" | "." | "*" | "./*" | "./.")
                || glob_match(base, "package-lock.json")
                || glob_match(base, "npm-shrinkwrap.json")
            {
                return Some(true);
            }
            if text.contains('$') || !base.contains('.') {
                unknown = true;
            } else {
                named_files = true;
            }
        }
    }
    (named_files && !unknown).then_some(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM node:20\nCOPY package*.json ./\nRUN npm install --omit=dev\n";
        assert_eq!(
            flagged(&NpmInstallInsteadOfCi, t),
            ["npm install --omit=dev"]
        );
        assert_eq!(
            fixed(&NpmInstallInsteadOfCi, t),
            "FROM node:20\nCOPY package*.json ./\nRUN npm ci --omit=dev\n"
        );
        assert!(findings(&NpmInstallInsteadOfCi, &fixed(&NpmInstallInsteadOfCi, t)).is_empty());
        let t = "FROM node:20 AS build\nCOPY . .\nRUN npm i && npm run build\nFROM nginx\nCOPY --from=build /dist /usr/share/nginx/html\n";
        assert_eq!(
            fixed(&NpmInstallInsteadOfCi, t),
            t.replace("npm i ", "npm ci ")
        );
    }

    #[test]
    fn no_fix_without_the_lockfile() {
        let t = "FROM node:20\nCOPY package.json ./\nRUN npm install\n";
        let d = findings(&NpmInstallInsteadOfCi, t);
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
    }

    #[test]
    fn near_misses() {
        for ok in [
            "FROM node:20\nRUN npm install -g pm2\n",
            "FROM node:20\nRUN npm install express\n",
            "FROM node:20\nRUN npm ci\n",
            "FROM node:20\nRUN npm install --no-package-lock\n",
            // a stage the final one does not need is never built
            "FROM node:20 AS dev\nRUN npm install\nFROM node:20-slim\nCMD [\"node\"]\n",
        ] {
            assert!(findings(&NpmInstallInsteadOfCi, ok).is_empty(), "{ok}");
        }
    }
}
