use layerwise_syntax::TextRange;

use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::cache::mounts::under_cache_mount;
use crate::rules::size::edits::insert_arg_after;
use crate::rules::size::os_packages::{PkgCommand, PkgTool};
use crate::rules::size::shipped::Shipped;

declare_rule! {
    /// `apk add` without `--no-cache`.
    ///
    /// ## What it does
    /// Reports `apk add` in the final stage (or a stage it is built on) without `--no-cache`,
    /// unless the same `RUN` removes `/var/cache/apk` or keeps it on a `--mount=type=cache`.
    /// Builder stages that are only copied from are not reported.
    ///
    /// ## Why is this bad?
    /// Without `--no-cache`, apk stores the package index under `/var/cache/apk` and it ships
    /// in the image. `--no-cache` fetches the index for this command only, which also makes a
    /// separate `apk update` unnecessary.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// ## Fix safety
    /// Safe: adds `--no-cache`; the same packages are installed.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3019](https://github.com/hadolint/hadolint/wiki/DL3019)
    pub struct ApkCacheLeft {
        name: "apk-cache-left",
        group: Size,
        severity: Info,
        fix: Always,
        hadolint: ["DL3019"],
        buildkit: None,
    }
}

const APK_CACHE: &[&str] = &["/var/cache/apk", "/etc/apk/cache"];

impl RuleCheck for ApkCacheLeft {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let shipped = Shipped::collect(cx, &["apk"]);
        for run in &shipped.runs {
            if under_cache_mount(run.inst.inst, APK_CACHE) {
                continue;
            }
            let cleans = run.commands.iter().any(|c| {
                matches!(c.program(), Some("rm"))
                    && c.argv()
                        .iter()
                        .any(|w| APK_CACHE.iter().any(|d| w.text.starts_with(d)))
                    || PkgCommand::parse(c).is_some_and(|p| {
                        p.tool == PkgTool::Apk
                            && p.sub() == "cache"
                            && p.args
                                .iter()
                                .any(|a| a.text == "clean" || a.text == "purge")
                    })
            });
            if cleans {
                continue;
            }
            for cmd in run.commands {
                let Some(p) =
                    PkgCommand::parse(cmd).filter(|p| p.tool == PkgTool::Apk && p.sub() == "add")
                else {
                    continue;
                };
                // `--no-network` installs from what is already there: nothing is fetched.
                if p.has_option(&["--no-cache", "--no-network"]) {
                    continue;
                }
                let range =
                    TextRange::new(to_range(&p.program.range).start, to_range(&p.sub.range).end);
                out.push(
                    Diagnostic::new(
                        meta,
                        range,
                        "`apk add` without `--no-cache` leaves the package index in the image",
                    )
                    .note(
                        "Use `apk add --no-cache`: no index is kept and no `apk update` is needed.",
                    )
                    .fix(Fix::safe(
                        "Add --no-cache",
                        vec![insert_arg_after(&run.inst, p.sub, "--no-cache")],
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM alpine\nRUN apk update && apk add --virtual .deps gcc\n";
        assert_eq!(flagged(&ApkCacheLeft, t), ["apk add"]);
        assert_eq!(
            fixed(&ApkCacheLeft, t),
            "FROM alpine\nRUN apk update && apk add --no-cache --virtual .deps gcc\n"
        );
        assert!(findings(&ApkCacheLeft, &fixed(&ApkCacheLeft, t)).is_empty());
    }

    #[test]
    fn near_misses() {
        for ok in [
            "FROM alpine\nRUN apk add --no-cache curl\n",
            "FROM alpine\nRUN apk add curl && rm -rf /var/cache/apk/*\n",
            "FROM alpine\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n",
            "FROM alpine\nRUN --mount=type=cache,target=/etc/apk/cache apk add curl\n",
            "FROM alpine AS build\nRUN apk add gcc\nFROM scratch\nCOPY --from=build /x /x\n",
            "FROM alpine\nRUN apk del curl\n",
            "FROM alpine\nRUN apk add --no-network --virtual .rundeps $runDeps\n",
        ] {
            assert!(findings(&ApkCacheLeft, ok).is_empty(), "{ok}");
        }
    }
}
