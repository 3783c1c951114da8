use layerwise_syntax::TextRange;

use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::size::edits::insert_arg_after;
use crate::rules::size::os_packages::{PkgCommand, PkgTool};
use crate::rules::size::shipped::Shipped;

declare_rule! {
    /// `apt-get install` without `--no-install-recommends`.
    ///
    /// ## What it does
    /// Reports `apt-get install` and `apt install` in the final stage (or a stage it is built
    /// on) without `--no-install-recommends`, unless an earlier `RUN` turned recommends off in
    /// apt's configuration (`APT::Install-Recommends "false"`). Builder stages that are only
    /// copied from are not reported.
    ///
    /// ## Why is this bad?
    /// By default apt also installs every package the requested ones *recommend*: documentation
    /// tools, extra libraries, sometimes whole toolchains. They ship in the image and are
    /// rarely needed by a container. A cache mount does not change this, so it is reported
    /// under one too.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: adds `--no-install-recommends`. The app may have relied on a recommended
    /// package (e.g. `ca-certificates` arrives as a recommendation of `curl`); add such
    /// packages explicitly.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3015](https://github.com/hadolint/hadolint/wiki/DL3015)
    /// - [Docker: apt-get best practices](https://docs.docker.com/build/building/best-practices/#apt-get)
    pub struct AptInstallRecommends {
        name: "apt-install-recommends",
        group: Size,
        severity: Info,
        fix: Always,
        hadolint: ["DL3015"],
        buildkit: None,
    }
}

impl RuleCheck for AptInstallRecommends {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let shipped = Shipped::collect(cx, &["apt", "Install-Recommends", "install-recommends"]);
        let mut configured_off = false;
        for run in &shipped.runs {
            for cmd in run.commands {
                let Some(p) =
                    PkgCommand::parse(cmd).filter(|p| p.tool == PkgTool::Apt && p.is_install())
                else {
                    continue;
                };
                if configured_off
                    || p.has_option(&["--no-install-recommends"])
                    || p.args.iter().any(|w| turns_off_recommends(&w.text))
                {
                    continue;
                }
                let range =
                    TextRange::new(to_range(&p.program.range).start, to_range(&p.sub.range).end);
                out.push(
                    Diagnostic::new(meta, range, format!("`{} install` also installs recommended packages", p.program.text))
                        .note("Add `--no-install-recommends` and name the packages you need; recommended ones ship in the image otherwise.")
                        .fix(Fix {
                            title: "Add --no-install-recommends".into(),
                            applicability: Applicability::Unsafe,
                            edits: vec![insert_arg_after(&run.inst, p.sub, "--no-install-recommends")].into(),
                        }),
                );
            }
            // `echo 'APT::Install-Recommends "false";' > /etc/apt/apt.conf.d/...` applies to the
            // RUNs after this one.
            if cx.slice(run.inst.range()).lines().any(turns_off_recommends) {
                configured_off = true;
            }
        }
    }
}

/// `APT::Install-Recommends "false"` / `=0` (as an `-o` value or in apt.conf text).
fn turns_off_recommends(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.find("install-recommends").is_some_and(|i| {
        let rest = &lower[i + "install-recommends".len()..];
        let value = rest.trim_start_matches(|c: char| {
            c.is_whitespace() || matches!(c, '=' | '"' | '\'' | '\\')
        });
        value.starts_with("false") || value.starts_with('0')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM debian\nRUN apt-get update && apt-get -y install curl\n";
        assert_eq!(flagged(&AptInstallRecommends, t), ["apt-get -y install"]);
        assert_eq!(
            fixed(&AptInstallRecommends, t),
            "FROM debian\nRUN apt-get update && apt-get -y install --no-install-recommends curl\n"
        );
        let t = "FROM debian\nRUN [\"apt-get\", \"install\", \"-y\", \"curl\"]\n";
        assert_eq!(fixed(&AptInstallRecommends, t), "FROM debian\nRUN [\"apt-get\", \"install\", \"--no-install-recommends\", \"-y\", \"curl\"]\n");
        // a cache mount does not change what gets installed
        assert_eq!(
            flagged(
                &AptInstallRecommends,
                "FROM debian\nRUN --mount=type=cache,target=/var/cache/apt apt install x\n"
            ),
            ["apt install"]
        );
    }

    #[test]
    fn simulated_installs_install_nothing() {
        let t = "FROM debian:12\nRUN if apt-get install -s postgresql-jit > /dev/null 2>&1; then apt-get install -y --no-install-recommends postgresql-jit; fi\nCMD [\"postgres\"]\n";
        assert!(findings(&AptInstallRecommends, t).is_empty());
    }

    #[test]
    fn near_misses() {
        for ok in [
            "FROM debian\nRUN apt-get install -y --no-install-recommends curl\n",
            "FROM debian\nRUN apt-get install -o APT::Install-Recommends=false -y curl\n",
            "FROM debian\nRUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/no-rec\nRUN apt-get install -y curl\n",
            "FROM debian AS build\nRUN apt-get install -y gcc\nFROM scratch\nCOPY --from=build /x /x\n",
            "FROM debian\nRUN apt-get update\n",
        ] {
            assert!(findings(&AptInstallRecommends, ok).is_empty(), "{ok}");
        }
        assert!(!turns_off_recommends("APT::Install-Recommends \"true\";"));
    }
}
