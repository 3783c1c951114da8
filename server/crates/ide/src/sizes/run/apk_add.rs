//! `apk` in a `RUN`: `add` sized from the Alpine table, and `--virtual` groups that an
//! `apk del` later in the same step takes out again.

use layerwise_analysis::image_facts::format_bytes;
use layerwise_analysis::packages::{package_name, PkgCommand, PkgTool};
use layerwise_analysis::shell::ShellCommand;

use super::{negligible, package_words, Installed, Part};
use crate::sizes::{Amount, SizeSource, Total};

/// `apk del <group>` of a `--virtual` group added earlier in the same `RUN`: the group's
/// packages never reach the layer, so its part counts nothing. Returns whether `cmd` was that.
pub(super) fn remove_apk_groups(
    cmd: &ShellCommand,
    installed: &mut Installed,
    parts: &mut [Part],
) -> bool {
    let Some(del) = PkgCommand::parse(cmd).filter(|p| p.tool == PkgTool::Apk && p.sub() == "del")
    else {
        return false;
    };
    let mut removed = false;
    for name in del.packages() {
        for part in parts.iter_mut() {
            let Some((group, added)) = &part.apk_group else {
                continue;
            };
            if *group == name.text {
                installed.apk.forget(added);
                part.total = Total::default();
                part.total.add(Amount::Bytes(0), true);
                part.note = format!(
                    "apk add --virtual {group}: removed again by `apk del {group}` in the same RUN"
                );
                part.apk_group = None;
                removed = true;
            }
        }
    }
    removed
}

/// An `apk` command's part.
pub(super) fn apk_part(cmd: &ShellCommand, installed: &mut Installed) -> Part {
    let p = PkgCommand::parse(cmd);
    let argv: Vec<&str> = cmd.argv().iter().map(|w| w.text.as_str()).collect();
    let words = package_words(p.as_ref());
    match p.as_ref().map_or("", |p| p.sub()) {
        "add" => {
            let names: Vec<&str> = words
                .iter()
                .map(|w| package_name(w))
                .filter(|w| !w.is_empty() && !w.contains('$') && !w.starts_with('.'))
                .collect();
            let r = installed.apk.add(&names);
            let mut note = format!(
                "apk add: {} new package{} ≈ {}–{} (Alpine 3.20 installed sizes typed into layerwise's table, ±30 %)",
                r.new_packages,
                if r.new_packages == 1 { "" } else { "s" },
                format_bytes(r.low),
                format_bytes(r.high)
            );
            if !r.unknown.is_empty() {
                note.push_str(&format!("; not in the table: {}", r.unknown.join(", ")));
            }
            let mut part = Part::new(
                Amount::range(r.low, r.high),
                true,
                SizeSource::ApkTable,
                note,
            );
            part.total.unknown += u32::from(!r.unknown.is_empty());
            let group = argv
                .iter()
                .position(|a| *a == "--virtual" || *a == "-t")
                .and_then(|i| argv.get(i + 1))
                .map(|g| g.to_string())
                .or_else(|| {
                    argv.iter()
                        .find_map(|a| a.strip_prefix("--virtual=").map(str::to_string))
                });
            part.apk_group = group.map(|g| (g, r.added));
            part
        }
        "update" => Part::new(
            Amount::Unknown,
            false,
            SizeSource::NotEstimated,
            "apk update keeps the package index (a few MB) in /var/cache/apk".into(),
        ),
        "del" | "cache" | "info" | "version" => negligible(),
        other => Part::new(
            Amount::Unknown,
            false,
            SizeSource::NotEstimated,
            format!("`apk {other}` is not estimated"),
        ),
    }
}
