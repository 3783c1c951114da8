use layerwise_analysis::shell::{ShellCommand, ShellWord};

use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::package_managers::{project_install, NPM, PNPM, YARN};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::size::edits::insert_arg_after;
use crate::rules::size::shipped::{final_command, inline_var, Shipped, ShippedRun};

declare_rule! {
    /// devDependencies installed into the final image.
    ///
    /// ## What it does
    /// Reports `npm ci`, `npm install`, `yarn install` and `pnpm install` of a project in the
    /// final stage (or a stage it is built on) that install devDependencies: no `--omit=dev`
    /// (`--production`, `--prod`), no `NODE_ENV=production` in force, and no later
    /// `npm prune --omit=dev` (or `pnpm prune --prod`, a production reinstall, or removal of
    /// `node_modules`). Builder stages that are only copied from are not reported; images
    /// whose command is a development server or a test run (`npm run dev`, `nodemon`,
    /// `npm test`), or that set `NODE_ENV=development`, are not reported either.
    ///
    /// ## Why is this bad?
    /// Test runners, bundlers, type checkers and linters often outweigh the app's own
    /// dependencies many times over; in the image they are dead weight and attack surface.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    /// COPY . .
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY package.json package-lock.json ./
    /// RUN npm ci --omit=dev
    /// COPY . .
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: adds `--omit=dev` (`--prod` for pnpm) when nothing after the install in the
    /// final image runs a script that may need devDependencies (`npm run build`, `npx`...).
    /// A package that is used at run time but listed under devDependencies will be missing.
    /// No fix for yarn: its flag depends on the yarn version. When a build needs the
    /// devDependencies, build in a builder stage, or prune in the same `RUN` after the build
    /// (a prune in a later `RUN` is accepted, though the earlier layer still holds them).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [npm ci --omit](https://docs.npmjs.com/cli/commands/npm-ci#omit)
    /// - [npm prune](https://docs.npmjs.com/cli/commands/npm-prune)
    pub struct DevDependenciesShipped {
        name: "dev-dependencies-shipped",
        group: Size,
        severity: Warning,
        fix: Sometimes,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for DevDependenciesShipped {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        if is_dev_command(&final_command(cx)) {
            return;
        }
        let shipped = Shipped::collect(cx, &[]);
        let drops_later = shipped.later_any(|r| r.commands.iter().any(drops_dev_dependencies));
        let scripts_later = shipped.later_any(|r| r.commands.iter().any(runs_scripts));
        for (r, run) in shipped.runs.iter().enumerate() {
            for (pos, cmd) in run.commands.iter().enumerate() {
                let Some((tool, sub)) = node_install(cmd) else {
                    continue;
                };
                let node_env = inline_var(cmd, "NODE_ENV")
                    .or_else(|| shipped.var(run, "NODE_ENV"))
                    .map(|v| v.trim_matches(['"', '\'']));
                if matches!(node_env, Some("development" | "dev")) {
                    return; // a development image wants its dev tools
                }
                if node_env == Some("production")
                    || production_install(cmd)
                    || production_config(&shipped, run, cmd)
                {
                    continue;
                }
                let later_in_run = &run.commands[pos + 1..];
                if drops_later[r] || later_in_run.iter().any(drops_dev_dependencies) {
                    continue;
                }
                let shown = if sub.text == tool {
                    tool.to_string()
                } else {
                    format!("{tool} {}", sub.text)
                };
                let mut d = Diagnostic::new(meta, to_range(&cmd.range), format!("`{shown}` installs devDependencies into the final image")).note(
                    "Install with `--omit=dev` (`--prod` for pnpm, `--production` for yarn 1), or build in a builder stage and copy a \
                     production-only `node_modules`.",
                );
                let builds_later = scripts_later[r] || later_in_run.iter().any(runs_scripts);
                let flag = match tool {
                    "npm" => Some("--omit=dev"),
                    "pnpm" => Some("--prod"),
                    _ => None,
                };
                if let Some(flag) = flag.filter(|_| !builds_later) {
                    d = d.fix(Fix {
                        title: format!("Add {flag}").into(),
                        applicability: Applicability::Unsafe,
                        edits: vec![insert_arg_after(&run.inst, sub, flag)].into(),
                    });
                }
                out.push(d);
            }
        }
    }
}

/// A project install by npm, yarn or pnpm: the tool and the subcommand word (the program
/// word for a bare `yarn`).
fn node_install(cmd: &ShellCommand) -> Option<(&'static str, &ShellWord)> {
    let install = project_install(cmd)?;
    let tool = match install.manager {
        m if m == NPM => "npm",
        m if m == YARN => "yarn",
        m if m == PNPM => "pnpm",
        _ => return None,
    };
    // `yarn --version` is not an install, whatever `project_install` says of a bare `yarn`.
    if cmd.has_arg(&[
        "-g",
        "--global",
        "--location=global",
        "--version",
        "-v",
        "--help",
        "-h",
    ]) {
        return None;
    }
    let argv = cmd.argv();
    let sub = argv
        .iter()
        .skip(1)
        .find(|w| !w.text.starts_with('-'))
        .or_else(|| argv.first())?;
    Some((tool, sub))
}

/// `--omit=dev`, `--production`, `--prod`, `--only=prod`...
fn production_install(cmd: &ShellCommand) -> bool {
    let argv = cmd.argv();
    argv.iter().enumerate().any(|(i, w)| match w.text.as_str() {
        "--production" | "--prod" | "-P" | "--only=prod" | "--only=production" | "--omit=dev"
        | "--production=true" => true,
        "--omit" | "--only" => argv
            .get(i + 1)
            .is_some_and(|v| v.text.starts_with("dev") || v.text.starts_with("prod")),
        _ => false,
    })
}

/// `npm_config_production=true`, `NPM_CONFIG_OMIT=dev`, `YARN_PRODUCTION=true` in force.
fn production_config(shipped: &Shipped<'_>, run: &ShippedRun<'_>, cmd: &ShellCommand) -> bool {
    let get = |name: &str| {
        inline_var(cmd, name)
            .or_else(|| shipped.var(run, name))
            .map(|v| v.trim_matches(['"', '\'']).to_ascii_lowercase())
    };
    [
        "npm_config_production",
        "NPM_CONFIG_PRODUCTION",
        "YARN_PRODUCTION",
    ]
    .iter()
    .any(|n| get(n).is_some_and(|v| v == "true" || v == "1"))
        || ["npm_config_omit", "NPM_CONFIG_OMIT"]
            .iter()
            .any(|n| get(n).is_some_and(|v| v.contains("dev")))
}

/// A later command that leaves only production dependencies.
fn drops_dev_dependencies(cmd: &ShellCommand) -> bool {
    let program = cmd.program().unwrap_or("");
    let sub = cmd.subcommand().unwrap_or("");
    (matches!(program, "npm" | "pnpm") && sub == "prune" && production_install(cmd))
        || (program == "npm" && sub == "prune" && inline_var(cmd, "NODE_ENV") == Some("production"))
        || (program == "yarn" && sub == "workspaces" && cmd.has_arg(&["--production"]))
        || node_install(cmd).is_some() && production_install(cmd)
        || program == "rm"
            && cmd
                .argv()
                .iter()
                .any(|w| w.text.trim_end_matches('/').ends_with("node_modules"))
}

/// A later command that may need devDependencies: `npm run build`, `npx tsc`, `yarn build`.
fn runs_scripts(cmd: &ShellCommand) -> bool {
    let program = cmd.program().unwrap_or("");
    let sub = cmd.subcommand().unwrap_or("");
    match program {
        "npx" | "tsc" | "webpack" | "vite" | "next" | "ng" | "nest" | "turbo" | "nx" => true,
        "npm" | "pnpm" | "yarn" => !matches!(
            sub,
            "" | "ci"
                | "install"
                | "i"
                | "prune"
                | "cache"
                | "config"
                | "set"
                | "audit"
                | "ls"
                | "list"
                | "--version"
        ),
        _ => false,
    }
}

/// A development server or test run: `npm run dev`, `nodemon`, `npm test`.
fn is_dev_command(words: &[String]) -> bool {
    let joined = words.join(" ");
    let program = words
        .first()
        .map(|w| w.rsplit('/').next().unwrap_or(w))
        .unwrap_or("");
    matches!(
        program,
        "nodemon" | "jest" | "vitest" | "mocha" | "ts-node-dev"
    ) || [
        "run dev",
        "run start:dev",
        "run watch",
        "run test",
        "npm test",
        "yarn dev",
        "yarn test",
        "pnpm dev",
        "pnpm test",
        "next dev",
        "ng serve",
        "vite",
    ]
    .iter()
    .any(|p| joined.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t =
            "FROM node:20-slim\nCOPY package*.json ./\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n";
        assert_eq!(flagged(&DevDependenciesShipped, t), ["npm ci"]);
        assert_eq!(
            fixed(&DevDependenciesShipped, t),
            t.replace("npm ci", "npm ci --omit=dev")
        );
        assert!(findings(&DevDependenciesShipped, &fixed(&DevDependenciesShipped, t)).is_empty());
        // a build after the install needs the devDependencies: no automatic fix
        let t =
            "FROM node:20-slim\nRUN npm ci && npm run build\nCMD [\"node\", \"dist/main.js\"]\n";
        let d = findings(&DevDependenciesShipped, t);
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
        assert_eq!(
            flagged(
                &DevDependenciesShipped,
                "FROM node:20\nRUN yarn install --frozen-lockfile\n"
            ),
            ["yarn install --frozen-lockfile"]
        );
        assert_eq!(
            findings(
                &DevDependenciesShipped,
                "FROM node:20\nRUN yarn --frozen-lockfile\n"
            )[0]
            .message,
            "`yarn` installs devDependencies into the final image"
        );
        assert_eq!(
            fixed(&DevDependenciesShipped, "FROM node:20\nRUN pnpm install\n"),
            "FROM node:20\nRUN pnpm install --prod\n"
        );
    }

    #[test]
    fn near_misses() {
        for ok in [
            "FROM node:20-slim\nRUN npm ci --omit=dev\n",
            "FROM node:20-slim\nRUN npm ci --omit dev\n",
            "FROM node:20-slim\nRUN npm install --production\n",
            "FROM node:20-slim\nENV NODE_ENV=production\nRUN npm ci\n",
            "FROM node:20-slim\nARG NODE_ENV=\"production\"\nRUN npm ci\n",
            "FROM node:20-slim\nRUN NODE_ENV=production npm ci\n",
            "FROM node:20-slim\nRUN npm ci && npm run build && npm prune --omit=dev\n",
            "FROM node:20-slim\nRUN npm ci\nRUN npm run build\nRUN npm prune --production\n",
            "FROM node:20-slim\nRUN yarn install && yarn build && rm -rf node_modules && yarn install --production\n",
            "FROM node:20-slim\nRUN npm ci\nCMD [\"npm\", \"run\", \"dev\"]\n",
            "FROM node:20-slim\nENV NODE_ENV=development\nRUN npm ci\n",
            // builder stage that is only copied from
            "FROM node:20 AS build\nRUN npm ci && npm run build\nFROM nginx\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
            "FROM node:20-slim\nRUN npm install -g pm2\n",
            "FROM node:20-slim\nRUN yarn --version\n",
        ] {
            assert!(findings(&DevDependenciesShipped, ok).is_empty(), "{ok}");
        }
    }
}
