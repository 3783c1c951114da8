//! `apk add` estimates from a small hand-written table of Alpine packages.
//!
//! Unlike the Debian table, these figures were not generated: Alpine's package index cannot be
//! read from where layerwise is built. They are the installed sizes of Alpine 3.20 (x86_64)
//! packages as the author knew them from Alpine's package index, rounded, and are treated as
//! accurate to about ±30 %: every apk estimate is shown as a range. Packages not listed are
//! unknown. Dependencies are listed only where they are large or shared (so `gcc` and `g++`
//! together count their shared libraries once).

/// `(package, installed kB, dependencies in this table)`.
const TABLE: &[(&str, u64, &[&str])] = &[
    // Already in alpine:3.x (the base set below); listed so installing them adds nothing.
    ("musl", 640, &[]),
    ("busybox", 950, &[]),
    ("apk-tools", 300, &[]),
    ("libcrypto3", 4_700, &[]),
    ("libssl3", 900, &[]),
    ("zlib", 100, &[]),
    ("ca-certificates-bundle", 230, &[]),
    ("alpine-baselayout", 10, &[]),
    // Common additions.
    ("ca-certificates", 700, &[]),
    ("tzdata", 1_500, &[]),
    ("bash", 1_300, &["readline", "ncurses-libs"]),
    ("readline", 300, &["ncurses-libs"]),
    ("ncurses-libs", 500, &[]),
    (
        "libcurl",
        800,
        &[
            "nghttp2-libs",
            "brotli-libs",
            "c-ares",
            "libidn2",
            "zstd-libs",
        ],
    ),
    ("nghttp2-libs", 170, &[]),
    ("brotli-libs", 800, &[]),
    ("c-ares", 200, &[]),
    ("libidn2", 250, &["libunistring"]),
    ("libunistring", 1_700, &[]),
    ("zstd-libs", 800, &[]),
    ("curl", 300, &["libcurl"]),
    ("wget", 500, &["libidn2", "pcre2"]),
    ("pcre2", 700, &[]),
    ("git", 15_000, &["libcurl", "pcre2", "libexpat"]),
    ("libexpat", 200, &[]),
    ("openssh-client", 3_500, &[]),
    ("openssl", 1_000, &[]),
    ("gnupg", 9_000, &[]),
    ("tar", 500, &[]),
    ("xz", 200, &["xz-libs"]),
    ("xz-libs", 200, &[]),
    ("unzip", 300, &[]),
    ("zip", 400, &[]),
    ("coreutils", 1_200, &[]),
    ("findutils", 600, &[]),
    ("procps", 600, &[]),
    ("jq", 300, &["oniguruma"]),
    ("oniguruma", 600, &[]),
    ("su-exec", 20, &[]),
    ("tini", 30, &[]),
    ("shadow", 2_500, &[]),
    ("libc6-compat", 20, &[]),
    ("gcompat", 100, &[]),
    ("libstdc++", 2_500, &["libgcc"]),
    ("libgcc", 150, &[]),
    ("make", 250, &[]),
    ("patch", 150, &[]),
    ("file", 9_000, &[]),
    ("binutils", 11_000, &["zstd-libs"]),
    (
        "gcc",
        130_000,
        &[
            "binutils",
            "libstdc++",
            "libgomp",
            "libatomic",
            "gmp",
            "mpfr4",
            "mpc1",
            "isl26",
        ],
    ),
    ("libgomp", 300, &[]),
    ("libatomic", 30, &[]),
    ("gmp", 450, &[]),
    ("mpfr4", 600, &[]),
    ("mpc1", 150, &[]),
    ("isl26", 2_500, &[]),
    ("g++", 35_000, &["gcc", "libstdc++-dev", "musl-dev"]),
    ("libstdc++-dev", 15_000, &[]),
    ("musl-dev", 3_000, &[]),
    ("libc-dev", 5, &["musl-dev"]),
    ("fortify-headers", 100, &[]),
    (
        "build-base",
        5,
        &[
            "binutils",
            "file",
            "gcc",
            "g++",
            "make",
            "libc-dev",
            "fortify-headers",
            "patch",
        ],
    ),
    ("linux-headers", 7_000, &[]),
    ("openssl-dev", 2_500, &[]),
    ("zlib-dev", 150, &[]),
    ("libffi-dev", 150, &["libffi"]),
    ("libffi", 60, &[]),
    (
        "python3",
        45_000,
        &["libffi", "sqlite-libs", "xz-libs", "readline"],
    ),
    ("python3-dev", 8_000, &["python3"]),
    ("sqlite-libs", 1_500, &[]),
    ("py3-pip", 12_000, &["python3"]),
    (
        "nodejs",
        65_000,
        &[
            "libstdc++",
            "icu-libs",
            "brotli-libs",
            "c-ares",
            "nghttp2-libs",
        ],
    ),
    ("npm", 10_000, &["nodejs"]),
    ("yarn", 5_500, &["nodejs"]),
    ("icu-libs", 3_000, &["icu-data-en"]),
    ("icu-data-en", 900, &[]),
    ("libpq", 400, &[]),
    ("postgresql-client", 2_000, &["libpq", "readline"]),
    ("postgresql-dev", 20_000, &["libpq", "openssl-dev"]),
    ("sqlite-dev", 9_000, &["sqlite-libs"]),
    ("cmake", 40_000, &["libstdc++", "libcurl", "libexpat"]),
    ("clang", 80_000, &["libstdc++", "llvm-libs"]),
    ("llvm-libs", 120_000, &["libstdc++"]),
    ("rsync", 600, &[]),
    ("netcat-openbsd", 60, &[]),
    ("dpkg", 6_000, &[]),
    ("nginx", 1_500, &["pcre2"]),
    ("ruby", 25_000, &["libffi", "gmp", "readline"]),
];

/// What `alpine:3.x` already has.
const BASE: &[&str] = &[
    "musl",
    "busybox",
    "apk-tools",
    "libcrypto3",
    "libssl3",
    "zlib",
    "ca-certificates-bundle",
    "alpine-baselayout",
];

/// How far off a figure may be (±30 %), as the bounds of the range shown.
const LOW_PERCENT: u64 = 70;
const HIGH_PERCENT: u64 = 130;

/// What an `apk add` adds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApkInstall {
    pub low: u64,
    pub high: u64,
    pub new_packages: usize,
    pub already_present: usize,
    pub unknown: Vec<String>,
    /// Table indices of the packages this add installed (to undo it on `apk del`).
    pub added: Vec<usize>,
}

/// Installed packages of an Alpine stage: bit `i` is table entry `i`. A bit set, not a list,
/// because every stage starts with one: a `Vec<bool>` per stage was 13 MB on a file of
/// 150,000 one-line stages.
#[derive(Debug, Clone, Copy)]
pub struct ApkState {
    installed: u128,
}

// The bit set holds the whole table.
const _: () = assert!(TABLE.len() <= u128::BITS as usize);

/// The base set of `alpine:3.x` as bits, worked out once at compile time.
const BASE_BITS: u128 = {
    let mut bits = 0u128;
    let mut i = 0;
    while i < TABLE.len() {
        let mut j = 0;
        while j < BASE.len() {
            if str_eq(TABLE[i].0, BASE[j]) {
                bits |= 1 << i;
            }
            j += 1;
        }
        i += 1;
    }
    bits
};

/// `a == b` usable in a constant.
const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

impl Default for ApkState {
    /// The base set of `alpine:3.x`.
    fn default() -> Self {
        ApkState {
            installed: BASE_BITS,
        }
    }
}

impl ApkState {
    fn has(&self, i: usize) -> bool {
        i < TABLE.len() && self.installed & (1 << i) != 0
    }

    fn set(&mut self, i: usize, on: bool) {
        if i < TABLE.len() {
            if on {
                self.installed |= 1 << i;
            } else {
                self.installed &= !(1 << i);
            }
        }
    }
}

fn index(name: &str) -> Option<usize> {
    TABLE.iter().position(|(n, ..)| *n == name)
}

impl ApkState {
    /// Adds `packages` (and their dependencies in the table) and says what that weighs.
    pub fn add(&mut self, packages: &[&str]) -> ApkInstall {
        let mut out = ApkInstall::default();
        let mut todo = Vec::new();
        for p in packages {
            match index(p) {
                Some(i) if self.has(i) => out.already_present += 1,
                Some(i) => todo.push(i),
                None => {
                    if !out.unknown.iter().any(|u| u == p) {
                        out.unknown.push((*p).to_string());
                    }
                }
            }
        }
        let mut kb = 0u64;
        while let Some(i) = todo.pop() {
            if self.has(i) {
                continue;
            }
            self.set(i, true);
            out.new_packages += 1;
            out.added.push(i);
            let (_, size, deps) = TABLE[i];
            kb = kb.saturating_add(size);
            todo.extend(deps.iter().filter_map(|d| index(d)));
        }
        let bytes = kb.saturating_mul(1000);
        out.low = bytes / 100 * LOW_PERCENT;
        out.high = bytes / 100 * HIGH_PERCENT;
        out
    }
}

impl ApkState {
    /// Undoes an add (`apk del` of a `--virtual` group installed in the same step).
    pub fn forget(&mut self, added: &[usize]) {
        for &i in added {
            self.set(i, false);
        }
    }
}

/// Whether the table knows a package.
pub fn knows(name: &str) -> bool {
    index(name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for (name, _, deps) in TABLE {
            for d in *deps {
                assert!(knows(d), "{name} depends on {d}, which is not in the table");
            }
            assert_eq!(
                TABLE.iter().filter(|(n, ..)| n == name).count(),
                1,
                "{name}"
            );
        }
        for b in BASE {
            assert!(knows(b), "{b}");
        }
    }

    #[test]
    fn shared_dependencies_count_once_and_base_is_free() {
        let mut s = ApkState::default();
        let base = s.add(&["musl", "zlib"]);
        assert_eq!((base.low, base.high, base.already_present), (0, 0, 2));
        let gcc = s.add(&["gcc"]);
        assert!(gcc.low > 100_000_000 && gcc.high < 250_000_000, "{gcc:?}");
        let gxx = s.add(&["g++", "no-such-pkg"]);
        // g++ alone (gcc is there already): its own size, libstdc++-dev and musl-dev.
        assert_eq!(gxx.high, (35_000 + 15_000 + 3_000) * 1000 / 100 * 130);
        assert_eq!(gxx.unknown, ["no-such-pkg"]);
        assert!(s.add(&["build-base"]).high < 20_000_000);
    }
}
