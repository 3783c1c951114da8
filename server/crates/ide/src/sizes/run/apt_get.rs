//! `apt-get` and `apt` in a `RUN`: installs sized from the Debian package table, `update`'s
//! package lists (unless the same step removes them), removals that shrink nothing.

use layerwise_analysis::image_facts::format_bytes;
use layerwise_analysis::packages::{package_name, PkgCommand, PkgTool};
use layerwise_analysis::shell::ShellCommand;

use super::{package_words, Installed, Part};
use crate::sizes::apt::{AptTable, APT_LISTS_BYTES};
use crate::sizes::{Amount, SizeSource};

/// Whether the step leaves no package lists behind: it removes `/var/lib/apt/lists`, runs
/// `apt dist-clean`, or keeps the lists on a cache mount. Asked once per `RUN`, before its
/// commands are sized, because an `update` is sized by what comes after it.
pub(super) fn removes_apt_lists(commands: &[ShellCommand], cache_mounts: &[String]) -> bool {
    commands.iter().any(|c| {
        let argv = c.argv();
        let prog = c.program().unwrap_or("");
        (prog == "rm"
            && argv
                .iter()
                .any(|w| w.text.starts_with("/var/lib/apt/lists")))
            || PkgCommand::parse(c)
                .is_some_and(|p| p.tool == PkgTool::Apt && p.sub() == "dist-clean")
    }) || cache_mounts
        .iter()
        .any(|m| m == "/var/lib/apt" || m == "/var/lib/apt/lists")
}

/// An `apt-get`/`apt` command's part.
pub(super) fn apt_part(cmd: &ShellCommand, installed: &mut Installed, removes_lists: bool) -> Part {
    let p = PkgCommand::parse(cmd);
    let argv = cmd.argv();
    let words = package_words(p.as_ref());
    match p.as_ref().map_or("", |p| p.sub()) {
        "update" => {
            if removes_lists {
                return Part::new(
                    Amount::Bytes(0),
                    true,
                    SizeSource::Negligible,
                    "apt-get update: the package lists are removed in the same RUN".into(),
                );
            }
            Part::new(
                Amount::Bytes(APT_LISTS_BYTES),
                true,
                SizeSource::AptTable,
                format!(
                    "apt-get update leaves ≈ {} of package lists in /var/lib/apt/lists (measured on Debian 12) unless this RUN removes them",
                    format_bytes(APT_LISTS_BYTES)
                ),
            )
        }
        // `apt-get install -s` only simulates (scripts use it to probe for a package)
        "install" if p.as_ref().is_some_and(|p| p.is_simulated()) => Part::new(
            Amount::Bytes(0),
            true,
            SizeSource::Negligible,
            "a simulated install (`-s`) installs nothing".into(),
        ),
        "install" => {
            let table = AptTable::get();
            let recommends = !argv.iter().any(|a| {
                a.text == "--no-install-recommends"
                    || a.text.contains("Install-Recommends=false")
                    || a.text.contains("Install-Recommends=0")
            });
            let names: Vec<&str> = words
                .iter()
                .map(|w| package_name(w))
                .filter(|w| !w.is_empty() && !w.contains('$') && !w.contains('/'))
                .collect();
            let set = installed.apt_base.set;
            let state = installed
                .apt
                .get_or_insert_with(|| table.base_installed(set));
            let r = table.install(state, &names, recommends);
            let mut note = format!(
                "apt-get install: {} new package{} ({} with dependencies{}) ≈ {} by Installed-Size in the {} package index",
                r.new_packages,
                if r.new_packages == 1 { "" } else { "s" },
                names.len(),
                if recommends { " and recommends" } else { "" },
                format_bytes(r.bytes),
                if table.release.is_empty() { "Debian" } else { &table.release },
            );
            if r.already_present > 0 {
                note.push_str(&format!(
                    "; {} already in {}",
                    r.already_present,
                    if installed.apt_base.known {
                        installed.base_label.as_str()
                    } else {
                        "the stage"
                    }
                ));
            }
            if !installed.apt_base.known {
                note.push_str(&format!(
                    "; the packages already in {} are not known, so this may count some twice",
                    installed.base_label
                ));
            }
            if !r.unknown.is_empty() {
                note.push_str(&format!("; not in the table: {}", r.unknown.join(", ")));
            }
            let mut part = Part::new(Amount::Bytes(r.bytes), true, SizeSource::AptTable, note);
            part.total.unknown += u32::from(!r.unknown.is_empty());
            part
        }
        "clean" | "autoclean" | "remove" | "purge" | "autoremove" | "dist-clean" => Part::new(
            Amount::Bytes(0),
            true,
            SizeSource::Negligible,
            "removals do not shrink earlier layers".into(),
        ),
        other => Part::new(
            Amount::Unknown,
            false,
            SizeSource::NotEstimated,
            format!("`apt-get {other}` is not estimated"),
        ),
    }
}
