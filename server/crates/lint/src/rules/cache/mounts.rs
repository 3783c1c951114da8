//! `RUN --mount=type=cache` / `type=tmpfs` as the cache and size rules need them: a directory
//! under such a mount is not part of the layer, so cleaning it up is pointless and keeping a
//! cache there is the point.

use layerwise_syntax::mount::{mount_fields, MountField};
use layerwise_syntax::Instruction;

/// Targets of the `cache` and `tmpfs` mounts of a `RUN`.
pub(crate) fn cache_like_targets(inst: &Instruction) -> Vec<String> {
    inst.flags
        .iter()
        .filter(|f| f.name().eq_ignore_ascii_case("mount"))
        .filter_map(|f| {
            let fields = mount_fields(f.value().unwrap_or(""));
            let kind = MountField::get(&fields, "type").unwrap_or("bind");
            if !kind.eq_ignore_ascii_case("cache") && !kind.eq_ignore_ascii_case("tmpfs") {
                return None;
            }
            ["target", "dst", "destination"]
                .iter()
                .find_map(|k| MountField::get(&fields, k))
                .map(str::to_string)
        })
        .collect()
}

/// Whether one of `dirs` lies under a cache or tmpfs mount of the `RUN`.
pub(crate) fn under_cache_mount(inst: &Instruction, dirs: &[&str]) -> bool {
    let targets = cache_like_targets(inst);
    targets.iter().any(|t| dirs.iter().any(|d| covers(t, d)))
}

/// Whether a mount at `target` holds `dir` (the same directory or an ancestor). A target
/// written with a variable (`$HOME/.npm`) is compared by what follows the last variable.
pub(crate) fn covers(target: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    let target = target.trim_end_matches('/');
    if let Some(dollar) = target.rfind('$') {
        let after = &target[dollar + 1..];
        let tail = match after.strip_prefix('{') {
            Some(inner) => inner.find('}').map_or("", |e| &inner[e + 1..]),
            None => after.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_'),
        };
        return !tail.is_empty() && (dir.ends_with(tail) || dir.contains(&format!("{tail}/")));
    }
    if target.is_empty() {
        return dir.is_empty();
    }
    dir == target
        || dir
            .strip_prefix(target)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use layerwise_syntax::Dockerfile;

    #[test]
    fn mount_targets_and_coverage() {
        let f = Dockerfile::parse("RUN --mount=type=cache,target=/root/.cache --mount=type=bind,target=/src --mount=type=tmpfs,dst=/var/lib/apt/lists/ apt-get update\n");
        let (_, inst) = f.instructions().next().unwrap();
        assert_eq!(
            cache_like_targets(inst),
            ["/root/.cache", "/var/lib/apt/lists/"]
        );
        assert!(under_cache_mount(inst, &["/root/.cache/pip"]));
        assert!(under_cache_mount(inst, &["/var/lib/apt/lists"]));
        assert!(!under_cache_mount(inst, &["/src"]));
        assert!(!under_cache_mount(inst, &["/root/.cachex"]));
        assert!(covers("$HOME/.npm", "/root/.npm"));
        assert!(covers("${HOME}/.cache", "/root/.cache/pip"));
        assert!(!covers("$HOME", "/root/.npm"));
        assert!(!covers("", "/x"));
    }
}
