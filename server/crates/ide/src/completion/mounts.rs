//! The fields of `RUN --mount=...` and their values: mount types, sharing modes, stages for
//! `from=`, and the cache directories of the package managers the `RUN` uses.

use layerwise_analysis::shell::split_script;
use layerwise_lint::package_managers::{self, PackageManager};
use layerwise_syntax::mount::{mount_fields, MountField};
use layerwise_syntax::{Args, ItemRef, TextRange};

use super::item::{CompletionItem, CompletionKind, Ctx};
use super::stages;

/// `value` is the flag's value up to the cursor and `replace_value` its range.
pub(super) fn mount_value(
    cx: &mut Ctx<'_>,
    value: &str,
    replace_value: TextRange,
    index: Option<usize>,
    r: ItemRef<'_>,
) {
    let field_start = value.rfind(',').map_or(0, |i| i + 1);
    let field = &value[field_start..];
    let field_range = TextRange::new(replace_value.start + field_start as u32, replace_value.end);
    let fields = mount_fields(value);
    let mount_type = MountField::get(&fields, "type")
        .unwrap_or("bind")
        .to_ascii_lowercase();
    match field.split_once('=') {
        None => {
            let keys: &[&str] = match mount_type.as_str() {
                "cache" => &[
                    "type", "target", "id", "sharing", "from", "source", "mode", "uid", "gid",
                    "readonly",
                ],
                "secret" => &[
                    "type", "id", "target", "env", "required", "mode", "uid", "gid",
                ],
                "ssh" => &["type", "id", "target", "required", "mode", "uid", "gid"],
                "tmpfs" => &["type", "target", "size"],
                _ => &["type", "target", "source", "from", "readonly", "rw"],
            };
            for k in keys {
                if fields.iter().any(|f| f.key.eq_ignore_ascii_case(k)) && *k != "type" {
                    continue;
                }
                cx.out.push(CompletionItem {
                    label: format!("{k}="),
                    kind: CompletionKind::Flag,
                    detail: Some(format!("--mount {mount_type}")),
                    documentation: None,
                    insert: format!("{k}="),
                    snippet: false,
                    replace: field_range,
                    sort: None,
                    retrigger: true,
                });
            }
        }
        Some((key, v)) => {
            let vr = TextRange::new(field_range.end - v.len() as u32, field_range.end);
            match key.to_ascii_lowercase().as_str() {
                "type" => {
                    for t in ["cache", "bind", "secret", "ssh", "tmpfs"] {
                        cx.push(t, CompletionKind::Value, None, vr);
                    }
                }
                "from" => stages::stages(cx, index, v, vr),
                "sharing" => {
                    for t in ["shared", "private", "locked"] {
                        cx.push(t, CompletionKind::Value, None, vr);
                    }
                }
                "target" | "dst" | "destination" if mount_type == "cache" => {
                    for pm in cache_dirs_for(r) {
                        cx.push(
                            pm.cache_dir,
                            CompletionKind::Value,
                            Some(format!("{} cache", pm.name)),
                            vr,
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

/// Package managers this `RUN` uses first, then the others.
fn cache_dirs_for(r: ItemRef<'_>) -> Vec<PackageManager> {
    let mut used = Vec::new();
    if let Some(Args::Text(w)) = r.instruction().map(|i| &i.effective().args) {
        for c in split_script(&w.text) {
            if let Some(pm) = package_managers::any_manager(&c) {
                if !used.contains(&pm) {
                    used.push(pm);
                }
            }
        }
    }
    let rest: Vec<PackageManager> = package_managers::ALL
        .iter()
        .copied()
        .filter(|p| !used.contains(p))
        .collect();
    used.into_iter().chain(rest).collect()
}
