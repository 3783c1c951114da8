//! `npm ci` / `npm install` / `yarn` / `pnpm install` estimates from the lockfile in the build
//! context. Lockfiles name packages but not their sizes, so the estimate is a rough one: the
//! number of packages that would be installed times a measured range of average package sizes.
//!
//! The range, 100 kB–900 kB per installed package, was measured by installing four typical
//! dependency sets with npm 11 on linux/x64 and dividing `du -sb node_modules` by the packages
//! actually installed: an Express API (134 packages, 96 kB each), a NestJS API (122, 291 kB),
//! dev tooling with Jest/ESLint/TypeScript (381, 259 kB), and a Vite + React + TypeScript app
//! (99, 886 kB). Frameworks that ship native binaries exceed it by far (Next.js: 22 packages,
//! 15 MB each), which the note says.

use serde_json::Value;

/// Average bytes per installed package, low and high (see the module docs).
pub const PER_PACKAGE_LOW: u64 = 100_000;
pub const PER_PACKAGE_HIGH: u64 = 900_000;

/// Lockfiles larger than this are not read (they would still be counted as "unknown").
pub const MAX_LOCKFILE_BYTES: usize = 32 * 1024 * 1024;

/// Which lockfile format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lockfile {
    Npm,
    Yarn,
    Pnpm,
}

impl Lockfile {
    pub fn file_name(self) -> &'static str {
        match self {
            Lockfile::Npm => "package-lock.json",
            Lockfile::Yarn => "yarn.lock",
            Lockfile::Pnpm => "pnpm-lock.yaml",
        }
    }
}

/// Packages a lockfile would install.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PackageCount {
    /// Packages installed.
    pub packages: usize,
    /// Of those, development dependencies (known for `package-lock.json` only).
    pub dev: usize,
    /// Entries skipped because they are for another OS or CPU.
    pub other_platforms: usize,
    /// Whether the dev/prod split is known.
    pub knows_dev: bool,
}

/// [`count`] with a small process-wide memo keyed by the text's hash: lockfiles can be large,
/// and the same one is counted on every hint request.
pub fn count_cached(kind: Lockfile, text: &str, arch: &str) -> Option<PackageCount> {
    use std::collections::HashMap;
    use std::hash::{Hash, Hasher};
    use std::sync::{Mutex, OnceLock};
    type Key = (Lockfile, String, u64, usize);
    static MEMO: OnceLock<Mutex<HashMap<Key, Option<PackageCount>>>> = OnceLock::new();
    const MAX_ENTRIES: usize = 32;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    let key = (kind, arch.to_string(), h.finish(), text.len());
    let memo = MEMO.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(hit) = memo.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return hit;
    }
    let counted = count(kind, text, arch);
    if let Ok(mut m) = memo.lock() {
        if m.len() >= MAX_ENTRIES {
            m.clear();
        }
        m.insert(key, counted.clone());
    }
    counted
}

/// Counts the packages in a lockfile. `arch` is the target's Node name (`x64`, `arm64`).
/// Returns `None` when the text is not a lockfile of that kind.
pub fn count(kind: Lockfile, text: &str, arch: &str) -> Option<PackageCount> {
    if text.len() > MAX_LOCKFILE_BYTES {
        return None;
    }
    match kind {
        Lockfile::Npm => count_npm(text, arch),
        Lockfile::Yarn => count_yarn(text),
        Lockfile::Pnpm => count_pnpm(text),
    }
}

fn count_npm(text: &str, arch: &str) -> Option<PackageCount> {
    let v: Value = serde_json::from_str(text).ok()?;
    let mut out = PackageCount {
        knows_dev: true,
        ..PackageCount::default()
    };
    if let Some(packages) = v.get("packages").and_then(Value::as_object) {
        for (path, entry) in packages {
            // "" is the project itself; links are workspace members, not downloads.
            if path.is_empty() || entry.get("link").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            if !runs_on(entry, "os", "linux") || !runs_on(entry, "cpu", arch) {
                out.other_platforms += 1;
                continue;
            }
            out.packages += 1;
            if entry.get("dev").and_then(Value::as_bool) == Some(true) {
                out.dev += 1;
            }
        }
        return Some(out);
    }
    // lockfileVersion 1: a nested "dependencies" tree.
    let deps = v.get("dependencies").and_then(Value::as_object)?;
    let mut stack: Vec<(&serde_json::Map<String, Value>, usize)> = vec![(deps, 0)];
    while let Some((map, depth)) = stack.pop() {
        for entry in map.values() {
            out.packages += 1;
            if entry.get("dev").and_then(Value::as_bool) == Some(true) {
                out.dev += 1;
            }
            if let Some(inner) = entry.get("dependencies").and_then(Value::as_object) {
                if depth < 256 {
                    stack.push((inner, depth + 1));
                }
            }
        }
    }
    Some(out)
}

/// npm's `os`/`cpu` fields: a list of allowed values, `!value` excludes one.
fn runs_on(entry: &Value, field: &str, wanted: &str) -> bool {
    let Some(list) = entry.get(field).and_then(Value::as_array) else {
        return true;
    };
    let values: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
    if values.iter().any(|v| v.strip_prefix('!') == Some(wanted)) {
        return false;
    }
    let allowed: Vec<&&str> = values.iter().filter(|v| !v.starts_with('!')).collect();
    allowed.is_empty() || allowed.iter().any(|v| **v == wanted)
}

/// yarn v1 and berry: one block per resolved package, its header unindented and ending in `:`.
fn count_yarn(text: &str) -> Option<PackageCount> {
    let mut out = PackageCount::default();
    let mut looks_like_yarn = false;
    for line in text.lines() {
        if line.starts_with("# yarn lockfile") || line.starts_with("__metadata:") {
            looks_like_yarn = true;
        }
        if line.is_empty() || line.starts_with([' ', '\t', '#']) || !line.ends_with(':') {
            continue;
        }
        if line.starts_with("__metadata") {
            continue;
        }
        // Berry lists the workspace itself as `"name@workspace:."`.
        if line.contains("@workspace:") {
            continue;
        }
        looks_like_yarn = true;
        out.packages += 1;
    }
    looks_like_yarn.then_some(out)
}

/// pnpm: the keys of the top-level `packages:` map.
fn count_pnpm(text: &str) -> Option<PackageCount> {
    let mut out = PackageCount::default();
    let mut in_packages = false;
    let mut seen_version = false;
    for line in text.lines() {
        if line.starts_with("lockfileVersion") {
            seen_version = true;
        }
        if !line.starts_with(' ') && !line.is_empty() {
            in_packages = line.trim_end() == "packages:";
            continue;
        }
        if in_packages {
            let indent = line.len() - line.trim_start().len();
            let t = line.trim();
            if indent == 2 && t.ends_with(':') && !t.starts_with('#') {
                out.packages += 1;
            }
        }
    }
    seen_version.then_some(out)
}

/// The Node architecture name of a platform string (`linux/amd64` → `x64`).
pub fn node_arch(platform: &str) -> &'static str {
    let arch = platform.split('/').nth(1).unwrap_or("amd64");
    match arch {
        "arm64" | "aarch64" => "arm64",
        "arm" => "arm",
        "386" => "ia32",
        "ppc64le" => "ppc64",
        "s390x" => "s390x",
        _ => "x64",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_v3_counts_installed_packages_per_platform() {
        let lock = r#"{
          "lockfileVersion": 3,
          "packages": {
            "": {"name": "app"},
            "node_modules/express": {"version": "4.19.2"},
            "node_modules/typescript": {"version": "5.4.5", "dev": true},
            "node_modules/@esbuild/linux-x64": {"os": ["linux"], "cpu": ["x64"], "optional": true},
            "node_modules/@esbuild/darwin-arm64": {"os": ["darwin"], "cpu": ["arm64"], "optional": true},
            "node_modules/@esbuild/linux-arm64": {"os": ["linux"], "cpu": ["arm64"], "optional": true},
            "node_modules/fsevents": {"os": ["!linux"]},
            "packages/lib": {"link": true}
          }
        }"#;
        let c = count(Lockfile::Npm, lock, "x64").unwrap();
        assert_eq!((c.packages, c.dev, c.other_platforms), (3, 1, 3));
        let arm = count(Lockfile::Npm, lock, "arm64").unwrap();
        assert_eq!(arm.packages, 3);
        assert!(count(Lockfile::Npm, "not json", "x64").is_none());
        assert!(count(Lockfile::Npm, "{}", "x64").is_none());
    }

    #[test]
    fn npm_v1_walks_the_nested_tree() {
        let lock = r#"{"lockfileVersion": 1, "dependencies": {
            "a": {"version": "1", "dependencies": {"b": {"version": "2", "dev": true}}},
            "c": {"version": "3"}}}"#;
        let c = count(Lockfile::Npm, lock, "x64").unwrap();
        assert_eq!((c.packages, c.dev), (3, 1));
    }

    #[test]
    fn yarn_and_pnpm_blocks_are_counted() {
        let yarn = "# yarn lockfile v1\n\n\"@babel/code-frame@^7.0.0\", \"@babel/code-frame@^7.22.13\":\n  version \"7.24.2\"\n\nexpress@^4.19.2:\n  version \"4.19.2\"\n  dependencies:\n    accepts \"~1.3.8\"\n";
        assert_eq!(count(Lockfile::Yarn, yarn, "x64").unwrap().packages, 2);
        let berry = "__metadata:\n  version: 8\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n\n\"lodash@npm:^4.17.21\":\n  version: 4.17.21\n";
        assert_eq!(count(Lockfile::Yarn, berry, "x64").unwrap().packages, 1);
        let pnpm = "lockfileVersion: '9.0'\n\nimporters:\n  .:\n    dependencies:\n      express:\n        specifier: ^4\n\npackages:\n\n  accepts@1.3.8:\n    resolution: {integrity: sha512-x}\n\n  express@4.19.2:\n    resolution: {integrity: sha512-y}\n\nsnapshots:\n\n  accepts@1.3.8: {}\n";
        assert_eq!(count(Lockfile::Pnpm, pnpm, "x64").unwrap().packages, 2);
        assert!(count(Lockfile::Pnpm, "hello: 1\n", "x64").is_none());
    }

    #[test]
    fn platforms_map_to_node_arch() {
        assert_eq!(node_arch("linux/amd64"), "x64");
        assert_eq!(node_arch("linux/arm64/v8"), "arm64");
        assert_eq!(node_arch("bogus"), "x64");
    }
}
