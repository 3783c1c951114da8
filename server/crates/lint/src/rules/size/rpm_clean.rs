//! The check shared by `yum-cache-left`, `dnf-cache-left` and `zypper-cache-left`: an install
//! in a shipped stage whose `RUN` does not clean the package manager's cache. Three rules
//! rather than one so each answers to its own hadolint code.

use layerwise_syntax::TextRange;

use crate::context::{to_range, LintContext};
use crate::diagnostic::{Diagnostic, Fix};
use crate::rule::RuleMeta;
use crate::rules::cache::mounts::under_cache_mount;
use crate::rules::size::edits::append_command;
use crate::rules::size::os_packages::{PkgCommand, PkgTool};
use crate::rules::size::shipped::Shipped;

/// Cache directories of each tool (metadata and downloaded packages).
fn cache_dirs(tool: PkgTool) -> &'static [&'static str] {
    match tool {
        PkgTool::Yum => &["/var/cache/yum"],
        PkgTool::Dnf => &[
            "/var/cache/dnf",
            "/var/cache/yum",
            "/var/cache/libdnf5",
            "/var/cache/tdnf",
        ],
        PkgTool::Zypper => &["/var/cache/zypp"],
        PkgTool::Apt | PkgTool::Apk => &[],
    }
}

/// Whether `p` is the tool's clean-up command (`yum clean all`, `zypper clean`, `zypper cc`).
fn is_clean(p: &PkgCommand<'_>) -> bool {
    match p.tool {
        PkgTool::Zypper => matches!(p.sub(), "clean" | "cc"),
        _ => {
            p.sub() == "clean"
                && p.args
                    .iter()
                    .any(|a| matches!(a.text.as_str(), "all" | "packages" | "metadata" | "dbcache"))
        }
    }
}

pub(crate) fn check(
    cx: &LintContext<'_>,
    meta: &'static RuleMeta,
    tool: PkgTool,
    out: &mut Vec<Diagnostic>,
) {
    let shipped = Shipped::collect(cx, &["yum", "dnf", "zypper"]);
    let dirs = cache_dirs(tool);
    for run in &shipped.runs {
        if under_cache_mount(run.inst.inst, dirs) {
            continue;
        }
        let cleaned = run.commands.iter().any(|c| {
            PkgCommand::parse(c).is_some_and(|p| p.tool == tool && is_clean(&p))
                || matches!(c.program(), Some("rm"))
                    && c.argv()
                        .iter()
                        .any(|w| dirs.iter().any(|d| w.text.starts_with(d)))
        });
        if cleaned {
            continue;
        }
        let installs: Vec<PkgCommand<'_>> = run
            .commands
            .iter()
            .filter_map(PkgCommand::parse)
            .filter(|p| {
                p.tool == tool
                    && (p.is_install() || matches!(p.sub(), "update" | "upgrade" | "makecache"))
            })
            .collect();
        let Some(first) = installs.first() else {
            continue;
        };
        let program = first
            .program
            .text
            .rsplit('/')
            .next()
            .unwrap_or(&first.program.text)
            .to_string();
        let clean = if tool == PkgTool::Zypper {
            format!("{program} clean --all")
        } else {
            format!("{program} clean all")
        };
        let range = TextRange::new(
            to_range(&first.program.range).start,
            to_range(&first.sub.range).end,
        );
        let mut d = Diagnostic::new(
            meta,
            range,
            format!("`{program} {}` leaves its cache in the image", first.sub()),
        )
        .note(format!(
            "End the same `RUN` with `{clean}`: a later `RUN` cannot make the image smaller."
        ));
        if let Some(edit) = append_command(&run.inst, run.commands, &clean) {
            d = d.fix(Fix::safe(format!("Add `{clean}` to the RUN"), vec![edit]));
        }
        out.push(d);
    }
}
