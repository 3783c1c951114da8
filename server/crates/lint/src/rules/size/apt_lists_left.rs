use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::cache::mounts::under_cache_mount;
use crate::rules::size::edits::append_command;
use crate::rules::size::os_packages::{PkgCommand, PkgTool};
use crate::rules::size::shipped::{Shipped, ShippedRun};

declare_rule! {
    /// `apt-get update` leaves the package lists in the image.
    ///
    /// ## What it does
    /// Reports an `apt-get update` (or `apt update`) in the final stage, or a stage the final
    /// stage is built on, whose `RUN` does not remove `/var/lib/apt/lists` afterwards. Builder
    /// stages that are only copied from are not reported: their lists never reach the image.
    /// Nor is a `RUN` that keeps the lists on a `--mount=type=cache` or `type=tmpfs` mount.
    ///
    /// ## Why is this bad?
    /// The lists are tens of megabytes that the running container never needs. They must go
    /// in the same `RUN` that downloaded them: deleting them in a later layer hides them but
    /// does not make the image smaller.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix safety
    /// Safe: appends `&& rm -rf /var/lib/apt/lists/*` to the `RUN`; the installed packages are
    /// the same. Not offered when a later `RUN` installs packages without its own
    /// `apt-get update` (it relies on these lists), or for the exec form.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3009](https://github.com/hadolint/hadolint/wiki/DL3009)
    /// - [Docker: apt-get best practices](https://docs.docker.com/build/building/best-practices/#apt-get)
    pub struct AptListsLeft {
        name: "apt-lists-left",
        group: Size,
        severity: Info,
        fix: Sometimes,
        hadolint: ["DL3009"],
        buildkit: None,
    }
}

const LISTS: &str = "/var/lib/apt/lists";

impl RuleCheck for AptListsLeft {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let shipped = Shipped::collect(cx, &["apt"]);
        let later_relies = shipped.later_any(relies_on_earlier_lists);
        for (r, run) in shipped.runs.iter().enumerate() {
            let Some(update) = run.commands.iter().find(|c| {
                PkgCommand::parse(c).is_some_and(|p| p.tool == PkgTool::Apt && p.sub() == "update")
            }) else {
                continue;
            };
            if removes_lists(run) || under_cache_mount(run.inst.inst, &[LISTS]) {
                continue;
            }
            let program = update.argv().first().map_or("apt-get", |w| w.text.as_str());
            let mut d = Diagnostic::new(meta, to_range(&update.range), format!("the package lists from `{program} update` stay in the image"))
                .note("Remove them in the same `RUN`: `&& rm -rf /var/lib/apt/lists/*` (a later `RUN` cannot make the image smaller).");
            let last_apt_is_update = run
                .commands
                .iter()
                .rev()
                .find_map(PkgCommand::parse)
                .is_some_and(|p| p.tool == PkgTool::Apt && p.sub() == "update");
            if !last_apt_is_update && !later_relies[r] {
                if let Some(edit) =
                    append_command(&run.inst, run.commands, "rm -rf /var/lib/apt/lists/*")
                {
                    d = d.fix(Fix::safe(
                        "Remove the apt lists in the same RUN",
                        vec![edit],
                    ));
                }
            }
            out.push(d);
        }
    }
}

/// `rm -rf /var/lib/apt/lists/*`, `apt-get dist-clean`, `find /var/lib/apt/lists -delete`.
pub(crate) fn removes_lists(run: &ShippedRun<'_>) -> bool {
    run.commands.iter().any(|c| {
        let argv = c.argv();
        let program = c.program().unwrap_or("");
        let names_lists = argv.iter().skip(1).any(|w| {
            w.text.starts_with(LISTS) || w.text == "/var/lib/apt" || w.text == "/var/lib/apt/"
        });
        matches!(program, "rm" | "find") && names_lists
            || PkgCommand::parse(c)
                .is_some_and(|p| p.tool == PkgTool::Apt && p.sub() == "dist-clean")
    })
}

/// A `RUN` that uses apt's lists before (or without) refreshing them itself.
fn relies_on_earlier_lists(run: &ShippedRun<'_>) -> bool {
    for c in run.commands {
        if let Some(p) = PkgCommand::parse(c).filter(|p| p.tool == PkgTool::Apt) {
            return p.sub() != "update";
        }
        if matches!(c.program(), Some("apt-cache")) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_in_the_final_stage() {
        let t =
            "FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n";
        assert_eq!(flagged(&AptListsLeft, t), ["apt-get update"]);
        assert_eq!(fixed(&AptListsLeft, t), "FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n");
        assert!(
            findings(&AptListsLeft, &fixed(&AptListsLeft, t)).is_empty(),
            "the fix settles it"
        );
        // a stage the final one is built on ships too
        assert_eq!(
            flagged(
                &AptListsLeft,
                "FROM debian AS base\nRUN apt update && apt install -y x\nFROM base\n"
            ),
            ["apt update"]
        );
        // continuation lines
        let t = "FROM debian\nRUN apt-get update \\\n && apt-get install -y curl\n";
        assert_eq!(fixed(&AptListsLeft, t), "FROM debian\nRUN apt-get update \\\n && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n");
    }

    #[test]
    fn near_misses() {
        for ok in [
            // builder stage that is only copied from
            "FROM debian AS build\nRUN apt-get update && apt-get install -y gcc\nFROM scratch\nCOPY --from=build /x /x\n",
            // cleaned in the same RUN, in any of the usual spellings
            "FROM debian\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n",
            "FROM debian\nRUN set -eux; apt-get update; apt-get install -y x; rm -rf /var/lib/apt/lists\n",
            "FROM debian\nRUN apt-get update && apt-get install -y x && apt-get dist-clean\n",
            // cache or tmpfs mount
            "FROM debian\nRUN --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y x\n",
            "FROM debian\nRUN --mount=type=tmpfs,target=/var/lib/apt/lists apt-get update && apt-get install -y x\n",
            // install without update: the lists are in an earlier layer, reported there
            "FROM debian\nRUN apt-get install -y x\n",
        ] {
            assert!(findings(&AptListsLeft, ok).is_empty(), "{ok}");
        }
    }

    #[test]
    fn no_fix_when_a_later_run_needs_the_lists() {
        let t =
            "FROM debian\nRUN apt-get update && apt-get install -y a\nRUN apt-get install -y b\n";
        let d = findings(&AptListsLeft, t);
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
        let t = "FROM debian\nRUN apt-get update\nRUN apt-get update && apt-get install -y b && rm -rf /var/lib/apt/lists/*\n";
        let d = findings(&AptListsLeft, t);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].fixes.is_empty(),
            "an update-only RUN exists for a later RUN"
        );
        let t = "FROM debian\nRUN [\"apt-get\", \"update\"]\n";
        assert!(
            findings(&AptListsLeft, t)[0].fixes.is_empty(),
            "exec form cannot chain"
        );
    }

    #[test]
    fn no_fix_when_the_script_ends_inside_a_quote() {
        // the `rm` would land inside the quote, where nothing runs it: reported, not fixed
        for t in [
            "FROM debian:12\nRUN apt-get update && apt-get install -y \"curl\n",
            "FROM debian:12\nRUN apt-get update && apt-get install -y $(cat /pkgs\n",
        ] {
            let d = findings(&AptListsLeft, t);
            assert_eq!(d.len(), 1, "{t}");
            assert!(d[0].fixes.is_empty(), "{t}");
        }
        // in a heredoc body the check reads the body
        let t = "FROM debian:12\nRUN <<EOF\napt-get update && apt-get install -y curl\nEOF\n";
        assert_eq!(
            fixed(&AptListsLeft, t),
            "FROM debian:12\nRUN <<EOF\napt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nEOF\n"
        );
        let t = "FROM debian:12\nRUN <<EOF\napt-get update && apt-get install -y 'curl\nEOF\n";
        assert!(findings(&AptListsLeft, t)[0].fixes.is_empty());
    }
}
