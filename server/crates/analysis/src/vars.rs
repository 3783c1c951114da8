//! Variables: `ARG` and `ENV` definitions, the scope at an instruction, and BuildKit's rules
//! for what is visible where:
//! - global `ARG`s (before the first `FROM`) are visible in `FROM` lines only, unless a stage
//!   declares `ARG NAME` again, which then inherits the global default;
//! - the automatic platform args (`TARGETPLATFORM`, `BUILDARCH`, ...) are global args;
//! - a stage built `FROM` another stage starts with everything that stage ended with: its
//!   `ENV`s and its `ARG`s (declared, with their values), because BuildKit hands the whole
//!   build state on;
//! - `ARG` and `ENV` both set the build state's environment: the last one written wins, and
//!   an `ARG` with no value from anywhere leaves the value in force as it was;
//! - the proxy args are predefined: usable in `RUN` without an `ARG`.

use layerwise_syntax::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VarKind {
    /// `ARG` before the first `FROM`.
    GlobalArg,
    /// `ARG` inside a stage.
    Arg,
    Env,
    /// Defined by the builder (platform args).
    Automatic,
}

/// One definition of a variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarDef {
    pub name: String,
    pub kind: VarKind,
    /// Where the name is written (empty for automatic ones).
    pub name_range: TextRange,
    /// The value as written (`ARG` default or `ENV` value), if any.
    pub raw_value: Option<String>,
    pub value_range: Option<TextRange>,
    /// The value after the builder's expansion at the point of definition; `None` for an
    /// `ARG` without a default (its value comes from `--build-arg`).
    pub value: Option<String>,
    /// Index of the defining instruction in [`crate::Model::instructions`], if any.
    pub instruction: Option<usize>,
}

/// Platform args BuildKit defines in the global scope.
pub const AUTOMATIC_PLATFORM_ARGS: &[(&str, &str)] = &[
    (
        "TARGETPLATFORM",
        "platform of the build result, e.g. linux/amd64",
    ),
    ("TARGETOS", "OS component of TARGETPLATFORM"),
    ("TARGETARCH", "architecture component of TARGETPLATFORM"),
    ("TARGETVARIANT", "variant component of TARGETPLATFORM"),
    ("BUILDPLATFORM", "platform of the node performing the build"),
    ("BUILDOS", "OS component of BUILDPLATFORM"),
    ("BUILDARCH", "architecture component of BUILDPLATFORM"),
    ("BUILDVARIANT", "variant component of BUILDPLATFORM"),
];

/// Build args that exist without an `ARG` (proxies) or that configure BuildKit itself.
pub const PREDEFINED_ARGS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
    "BUILDKIT_CACHE_MOUNT_NS",
    "BUILDKIT_CONTEXT_KEEP_GIT_DIR",
    "BUILDKIT_INLINE_CACHE",
    "BUILDKIT_MULTI_PLATFORM",
    "BUILDKIT_SANDBOX_HOSTNAME",
    "BUILDKIT_SYNTAX",
    "SOURCE_DATE_EPOCH",
];

/// Values for the automatic platform args, from a target platform (`linux/arm64/v8`).
pub fn automatic_values(name: &str, platform: &str) -> Option<String> {
    let mut parts = platform.split('/');
    let (os, arch, variant) = (
        parts.next().unwrap_or("linux"),
        parts.next().unwrap_or("amd64"),
        parts.next().unwrap_or(""),
    );
    Some(match name {
        "TARGETPLATFORM" | "BUILDPLATFORM" => platform.to_string(),
        "TARGETOS" | "BUILDOS" => os.to_string(),
        "TARGETARCH" | "BUILDARCH" => arch.to_string(),
        "TARGETVARIANT" | "BUILDVARIANT" => variant.to_string(),
        _ => return None,
    })
}

/// The variables visible at one point, most recent definition last.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    defs: Vec<VarDef>,
}

impl Scope {
    pub fn push(&mut self, def: VarDef) {
        self.defs.push(def);
    }

    /// The definition in force for `name`: the last one. BuildKit sets both `ENV` and `ARG`
    /// values with `AddEnv` on the build state (dockerfile2llb `dispatchEnv`, `dispatchArg`),
    /// which replaces, so `ENV X=1` then `ARG X=2` runs with `X=2`. (Docker's docs say ENV
    /// overrides ARG: that is the usual order, `ARG X` then `ENV X=...`.)
    pub fn get(&self, name: &str) -> Option<&VarDef> {
        self.defs.iter().rev().find(|d| d.name == name)
    }

    /// The value for expansion: `None` when unset or when an `ARG` has no default.
    pub fn value(&self, name: &str) -> Option<String> {
        self.get(name).and_then(|d| d.value.clone())
    }

    /// Whether the builder knows the name at all (an `ARG` without default counts).
    pub fn is_declared(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn defs(&self) -> &[VarDef] {
        &self.defs
    }

    /// Every visible name once, with its definition in force.
    pub fn visible(&self) -> Vec<&VarDef> {
        let mut seen: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        for d in self.defs.iter().rev() {
            if !seen.contains(&d.name.as_str()) {
                seen.push(&d.name);
                if let Some(d) = self.get(&d.name) {
                    out.push(d);
                }
            }
        }
        out.reverse();
        out
    }

    /// Expands `text` with this scope (unset names become empty, as in BuildKit).
    pub fn expand(&self, text: &str, escape: char) -> layerwise_syntax::expand::Expanded {
        layerwise_syntax::expand::expand(text, escape, &|n| self.value(n))
    }
}
