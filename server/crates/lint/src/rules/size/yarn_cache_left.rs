use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix};
use crate::package_managers::{project_install, YARN};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::cache::mounts::cache_like_targets;
use crate::rules::size::edits::append_command;
use crate::rules::size::shipped::Shipped;

declare_rule! {
    /// `yarn install` without `yarn cache clean` in the same `RUN`.
    ///
    /// ## What it does
    /// Reports `yarn` / `yarn install` in the final stage (or a stage it is built on) when
    /// the same `RUN` neither runs `yarn cache clean` nor keeps yarn's cache on a
    /// `--mount=type=cache`. Builder stages that are only copied from are not reported.
    ///
    /// ## Why is this bad?
    /// Yarn keeps a copy of every package it downloaded in its global cache, often as big as
    /// `node_modules` itself. In the image that copy is never used again. Cleaning it in a
    /// later `RUN` does not make the image smaller.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY package.json yarn.lock ./
    /// RUN yarn install --frozen-lockfile --production
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY package.json yarn.lock ./
    /// RUN yarn install --frozen-lockfile --production && yarn cache clean
    /// ```
    ///
    /// ## Fix safety
    /// Safe: appends `&& yarn cache clean`; the installed packages are the same. Not offered
    /// for the exec form.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3060](https://github.com/hadolint/hadolint/wiki/DL3060)
    pub struct YarnCacheLeft {
        name: "yarn-cache-left",
        group: Size,
        severity: Info,
        fix: Sometimes,
        hadolint: ["DL3060"],
        buildkit: None,
    }
}

impl RuleCheck for YarnCacheLeft {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let shipped = Shipped::collect(cx, &["yarn"]);
        for run in &shipped.runs {
            let Some(install) = run.commands.iter().find(|c| {
                project_install(c).is_some_and(|i| i.manager == YARN)
                    && !c.has_arg(&["--version", "-v", "--help", "-h"])
            }) else {
                continue;
            };
            let cleaned = run.commands.iter().any(|c| {
                c.program() == Some("yarn")
                    && c.subcommand() == Some("cache")
                    && c.argv().iter().any(|w| w.text == "clean")
                    || c.program() == Some("rm")
                        && c.argv().iter().any(|w| {
                            w.text.contains(".cache/yarn") || w.text.contains("yarn-cache")
                        })
            });
            if cleaned
                || cache_like_targets(run.inst.inst)
                    .iter()
                    .any(|t| t.contains("yarn"))
            {
                continue;
            }
            let mut d = Diagnostic::new(meta, to_range(&install.range), "yarn's package cache stays in the image")
                .note("End the same `RUN` with `yarn cache clean` (a later `RUN` cannot make the image smaller).");
            if let Some(edit) = append_command(&run.inst, run.commands, "yarn cache clean") {
                d = d.fix(Fix::safe("Add `yarn cache clean` to the RUN", vec![edit]));
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM node:20\nRUN yarn --frozen-lockfile && yarn build\n";
        assert_eq!(flagged(&YarnCacheLeft, t), ["yarn --frozen-lockfile"]);
        assert_eq!(
            fixed(&YarnCacheLeft, t),
            "FROM node:20\nRUN yarn --frozen-lockfile && yarn build && yarn cache clean\n"
        );
        assert!(findings(&YarnCacheLeft, &fixed(&YarnCacheLeft, t)).is_empty());
    }

    #[test]
    fn near_misses() {
        for ok in [
            "FROM node:20\nRUN yarn install && yarn cache clean\n",
            "FROM node:20\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install\n",
            "FROM node:20 AS build\nRUN yarn install && yarn build\nFROM nginx\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
            "FROM node:20\nRUN yarn --version\n",
            "FROM node:20\nRUN yarn global add pm2 && yarn cache clean\n",
        ] {
            assert!(findings(&YarnCacheLeft, ok).is_empty(), "{ok}");
        }
    }
}
