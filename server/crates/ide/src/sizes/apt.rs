//! `apt-get install` estimates from the embedded Debian package table (`data/apt-sizes.txt`,
//! generated from `apt-cache dumpavail` by `data/gen_apt_sizes.py`): the Installed-Size of the
//! packages asked for and of every dependency apt would pull in with them (recommends too,
//! unless `--no-install-recommends`), minus what the base image and earlier installs already
//! have. Packages the table does not know are counted as unknown, never guessed.

use std::collections::HashMap;
use std::sync::OnceLock;

use layerwise_analysis::image_ref::ImageRef;

const DATA: &str = include_str!("../../data/apt-sizes.txt");

/// Bytes `apt-get update` leaves in `/var/lib/apt/lists` on Debian 12 (the three `InRelease`
/// files and lz4-compressed `Packages` indexes of bookworm, bookworm-updates and
/// bookworm-security, as the official images keep them), measured on the machine that
/// generated the table. Gone again when the same `RUN` removes the lists.
pub const APT_LISTS_BYTES: u64 = 19_853_624;

/// The parsed package table.
pub struct AptTable {
    index: HashMap<String, u32>,
    names: Vec<String>,
    kib: Vec<u64>,
    deps: Vec<Vec<u32>>,
    recs: Vec<Vec<u32>>,
    bases: Vec<BaseSet>,
    /// Each base set's installed flags, computed once.
    base_flags: Vec<(String, Vec<bool>)>,
    /// The Debian release the figures are from, as the generator recorded it.
    pub release: String,
}

struct BaseSet {
    name: String,
    parent: Option<String>,
    roots: Vec<u32>,
}

/// What an install adds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AptInstall {
    /// Installed-Size of the newly installed packages, in bytes.
    pub bytes: u64,
    /// How many packages are newly installed (dependencies included).
    pub new_packages: usize,
    /// Requested packages already present (in the base image or installed earlier).
    pub already_present: usize,
    /// Requested names the table does not know.
    pub unknown: Vec<String>,
}

impl AptTable {
    /// The embedded table, parsed once.
    pub fn get() -> &'static AptTable {
        static TABLE: OnceLock<AptTable> = OnceLock::new();
        TABLE.get_or_init(|| AptTable::parse(DATA))
    }

    /// Parses the generator's format; malformed lines are skipped (the file is ours, but a bad
    /// edit must not take the server down).
    pub fn parse(text: &str) -> AptTable {
        let mut table = AptTable {
            index: HashMap::new(),
            names: Vec::new(),
            kib: Vec::new(),
            deps: Vec::new(),
            recs: Vec::new(),
            bases: Vec::new(),
            base_flags: Vec::new(),
            release: String::new(),
        };
        let mut raw: Vec<(Vec<&str>, Vec<&str>)> = Vec::new();
        let mut raw_bases: Vec<(&str, &str, Vec<&str>)> = Vec::new();
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            match cols.first().copied() {
                Some("@meta") if cols.get(1) == Some(&"release") => {
                    table.release = cols.get(2).unwrap_or(&"").to_string();
                }
                Some("@meta") => {}
                Some("@base") if cols.len() >= 4 => {
                    raw_bases.push((cols[1], cols[2], cols[3].split_whitespace().collect()));
                }
                Some(name) if cols.len() >= 2 => {
                    let Ok(kib) = cols[1].trim().parse::<u64>() else {
                        continue;
                    };
                    let list = |i: usize| -> Vec<&str> {
                        cols.get(i)
                            .map(|c| c.split(',').filter(|s| !s.is_empty()).collect())
                            .unwrap_or_default()
                    };
                    if table.index.contains_key(name) {
                        continue;
                    }
                    let id = u32::try_from(table.names.len()).unwrap_or(u32::MAX);
                    table.index.insert(name.to_string(), id);
                    table.names.push(name.to_string());
                    table.kib.push(kib);
                    raw.push((list(2), list(3)));
                }
                _ => {}
            }
        }
        let resolve = |names: &[&str], index: &HashMap<String, u32>| -> Vec<u32> {
            names
                .iter()
                .filter_map(|n| index.get(*n).copied())
                .collect()
        };
        for (deps, recs) in &raw {
            table.deps.push(resolve(deps, &table.index));
            table.recs.push(resolve(recs, &table.index));
        }
        for (name, parent, roots) in raw_bases {
            table.bases.push(BaseSet {
                name: name.to_string(),
                parent: (parent != "-").then(|| parent.to_string()),
                roots: resolve(&roots, &table.index),
            });
        }
        let flags: Vec<(String, Vec<bool>)> = table
            .bases
            .iter()
            .map(|b| (b.name.clone(), table.compute_base(&b.name)))
            .collect();
        table.base_flags = flags;
        table
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Whether the table knows a package.
    pub fn knows(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// The packages of a base set (its parents' included), as installed flags; unknown base
    /// names give an empty set.
    pub fn base_installed(&self, base: &str) -> Vec<bool> {
        self.base_flags
            .iter()
            .find(|(n, _)| n == base)
            .map_or_else(|| vec![false; self.names.len()], |(_, f)| f.clone())
    }

    fn compute_base(&self, base: &str) -> Vec<bool> {
        let mut installed = vec![false; self.names.len()];
        let mut name = Some(base.to_string());
        let mut hops = 0;
        while let Some(n) = name.take() {
            hops += 1;
            let Some(set) = self.bases.iter().find(|b| b.name == n) else {
                break;
            };
            // Base images install with --no-install-recommends.
            self.closure(&set.roots, false, &mut installed, &mut |_| {});
            if hops < 8 {
                name = set.parent.clone();
            }
        }
        installed
    }

    /// Installs `packages` over `installed` (updated in place) and says what that adds.
    pub fn install(
        &self,
        installed: &mut Vec<bool>,
        packages: &[&str],
        recommends: bool,
    ) -> AptInstall {
        if installed.len() != self.names.len() {
            installed.resize(self.names.len(), false);
        }
        let mut out = AptInstall::default();
        let mut roots = Vec::new();
        for p in packages {
            match self.index.get(*p) {
                Some(&id) => {
                    if installed[id as usize] {
                        out.already_present += 1;
                    } else {
                        roots.push(id);
                    }
                }
                None => {
                    if !out.unknown.iter().any(|u| u == p) {
                        out.unknown.push((*p).to_string());
                    }
                }
            }
        }
        let mut bytes = 0u64;
        let mut count = 0usize;
        self.closure(&roots, recommends, installed, &mut |id| {
            bytes = bytes.saturating_add(self.kib[id as usize].saturating_mul(1024));
            count += 1;
        });
        out.bytes = bytes;
        out.new_packages = count;
        out
    }

    /// Marks everything reachable from `roots` (through depends, and recommends when asked)
    /// as installed, calling `added` for each package that was not installed yet. Bounded by
    /// the table's size: each package is visited once.
    fn closure(
        &self,
        roots: &[u32],
        recommends: bool,
        installed: &mut [bool],
        added: &mut dyn FnMut(u32),
    ) {
        let mut todo: Vec<u32> = roots.to_vec();
        while let Some(id) = todo.pop() {
            let i = id as usize;
            if i >= installed.len() || installed[i] {
                continue;
            }
            installed[i] = true;
            added(id);
            todo.extend(self.deps[i].iter().copied());
            if recommends {
                todo.extend(self.recs[i].iter().copied());
            }
        }
    }
}

/// Which package set an image starts with, and whether that is known or assumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AptBase {
    /// A base set name of the table (`minbase`, `buildpack-deps`...).
    pub set: &'static str,
    /// `true` when the image is known to have (at least) this set; `false` when it is only
    /// assumed (an image layerwise knows nothing about: counted from a minimal Debian).
    pub known: bool,
}

/// The package set a Debian/Ubuntu-based image starts with. The official language images
/// without `-slim`/`-alpine` build on `buildpack-deps`, which already has compilers, `git`,
/// `curl` and many `-dev` packages, so installing those again adds nothing.
pub fn base_for_image(image: &ImageRef) -> AptBase {
    let name = image.familiar_name();
    let tag = image
        .effective_tag()
        .unwrap_or("latest")
        .to_ascii_lowercase();
    let slim = ["slim", "alpine", "distroless", "minimal", "jre", "jdk"]
        .iter()
        .any(|w| tag.contains(w));
    let assumed = AptBase {
        set: "minbase",
        known: false,
    };
    match name.as_str() {
        "debian" | "ubuntu" => AptBase {
            set: "minbase",
            known: true,
        },
        "buildpack-deps" => {
            let set = if tag.ends_with("curl") {
                "buildpack-deps-curl"
            } else if tag.ends_with("scm") {
                "buildpack-deps-scm"
            } else {
                "buildpack-deps"
            };
            AptBase { set, known: true }
        }
        "node" | "python" | "ruby" | "rust" if !slim => AptBase {
            set: "buildpack-deps",
            known: true,
        },
        "golang" if !slim => AptBase {
            set: "golang",
            known: true,
        },
        _ => assumed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "\
# a hand-made table
@meta\trelease\tTest 1
@base\tmin\t-\tlibc6
@base\tbig\tmin\tgcc
libc6\t100\t\t
gcc\t50\tcpp,libc6\tlibc6-dev
cpp\t30\tlibc6\t
libc6-dev\t20\tlibc6\t
curl\t10\tlibcurl\tca-certificates
libcurl\t5\tlibc6\t
ca-certificates\t1\t\t
broken line
x\tnot-a-number\t\t
";

    #[test]
    fn closure_follows_depends_and_recommends_once() {
        let t = AptTable::parse(SMALL);
        assert_eq!(t.release, "Test 1");
        assert_eq!(t.len(), 7);
        let mut installed = t.base_installed("min");
        let r = t.install(&mut installed, &["gcc"], true);
        assert_eq!(r.bytes, (50 + 30 + 20) * 1024);
        assert_eq!(r.new_packages, 3);
        // Installing it again adds nothing.
        let again = t.install(&mut installed, &["gcc", "cpp", "nope"], true);
        assert_eq!(again.bytes, 0);
        assert_eq!(again.already_present, 2);
        assert_eq!(again.unknown, ["nope"]);
        let mut fresh = t.base_installed("min");
        let r = t.install(&mut fresh, &["curl"], false);
        assert_eq!(r.bytes, (10 + 5) * 1024, "no recommends");
        let mut on_big = t.base_installed("big");
        assert_eq!(t.install(&mut on_big, &["gcc"], false).bytes, 0);
        assert_eq!(
            t.base_installed("missing").iter().filter(|b| **b).count(),
            0
        );
    }

    #[test]
    fn embedded_table_has_the_common_packages() {
        let t = AptTable::get();
        assert!(t.len() > 1000, "{}", t.len());
        assert!(t.release.contains("12"), "{}", t.release);
        for p in [
            "build-essential",
            "gcc",
            "curl",
            "git",
            "ca-certificates",
            "python3",
            "libpq-dev",
        ] {
            assert!(t.knows(p), "{p}");
        }
        let mut slim = t.base_installed("minbase");
        let be = t.install(&mut slim, &["build-essential"], true);
        // build-essential with gcc, g++, make, libc6-dev: well over 100 MB on Debian 12.
        assert!(
            be.bytes > 100_000_000 && be.bytes < 600_000_000,
            "{}",
            be.bytes
        );
        let mut full = t.base_installed("buildpack-deps");
        let again = t.install(&mut full, &["gcc", "git", "curl", "libpq-dev"], true);
        assert_eq!(again.already_present, 4);
        assert_eq!(again.bytes, 0);
    }

    #[test]
    fn images_map_to_package_sets() {
        let set = |r: &str| base_for_image(&ImageRef::parse(r).unwrap());
        assert_eq!(set("node:20").set, "buildpack-deps");
        assert_eq!(set("python:3.12-slim").set, "minbase");
        assert!(!set("python:3.12-slim").known);
        assert_eq!(
            set("debian:bookworm-slim"),
            AptBase {
                set: "minbase",
                known: true
            }
        );
        assert_eq!(
            set("buildpack-deps:bookworm-curl").set,
            "buildpack-deps-curl"
        );
        assert_eq!(set("golang:1.22-bookworm").set, "golang");
        assert_eq!(set("golang:1.22-alpine").set, "minbase");
        assert!(!set("ghcr.io/acme/base:1").known);
    }
}
