//! What layerwise knows about a base image — sizes per platform, layers, digest, config — as
//! plain values. The registry crate produces them (from a registry, its cache or the offline
//! catalogue); hover, inlay hints and rules consume them without doing any IO.
//!
//! Every figure says where it came from ([`FactSource`]) so the editor can be honest about
//! approximate or stale numbers.

use crate::image_ref::ImageRef;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An OS/architecture/variant triple as written in `--platform` (`linux/arm64/v8`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

/// Why a platform string is invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformError {
    pub message: String,
}

impl fmt::Display for PlatformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PlatformError {}

impl Platform {
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Platform {
        Platform {
            os: os.to_string(),
            architecture: architecture.to_string(),
            variant: variant.filter(|v| !v.is_empty()).map(str::to_string),
        }
    }

    /// `linux/amd64`, the platform most images and most figures are for.
    pub fn linux_amd64() -> Platform {
        Platform::new("linux", "amd64", None)
    }

    /// Parses `os/arch[/variant]`, normalising common aliases the way containerd does
    /// (`x86_64` → `amd64`, `aarch64` → `arm64`, `armhf` → `arm/v7`). Case-insensitive.
    pub fn parse(text: &str) -> Result<Platform, PlatformError> {
        let lower = text.trim().to_ascii_lowercase();
        let parts: Vec<&str> = lower.split('/').collect();
        let bad = |why: &str| PlatformError {
            message: format!("invalid platform {text:?}: {why}"),
        };
        if parts.len() < 2 || parts.len() > 3 {
            return Err(bad("expected os/arch or os/arch/variant, e.g. linux/amd64"));
        }
        let ok = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
        };
        if !parts.iter().all(|p| ok(p)) {
            return Err(bad("each part must be letters, digits, `_`, `.` or `-`"));
        }
        let os = if parts[0] == "macos" {
            "darwin"
        } else {
            parts[0]
        };
        let (arch, implied_variant) = match parts[1] {
            "x86_64" | "x86-64" => ("amd64", None),
            "aarch64" => ("arm64", None),
            "armhf" => ("arm", Some("v7")),
            "armel" => ("arm", Some("v6")),
            "i386" | "i686" => ("386", None),
            a => (a, None),
        };
        let variant = parts.get(2).copied().or(implied_variant);
        Ok(Platform::new(os, arch, variant))
    }

    /// The platform of the machine layerwise runs on (what `docker build` defaults to there).
    pub fn host() -> Platform {
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "arm" => "arm",
            "powerpc64" => "ppc64le",
            "s390x" => "s390x",
            "riscv64" => "riscv64",
            other => other,
        };
        let os = match std::env::consts::OS {
            "macos" => "linux", // Docker Desktop on a Mac runs Linux images.
            "windows" => "linux",
            other => other,
        };
        Platform::new(os, arch, None)
    }

    /// The variant after containerd's normalisation: `arm64` has `v8` implied, `arm` has `v7`.
    fn effective_variant(&self) -> Option<&str> {
        match (self.architecture.as_str(), self.variant.as_deref()) {
            ("arm64", None | Some("8" | "v8" | "v8.0")) => Some("v8"),
            ("arm", None | Some("7")) => Some("v7"),
            ("arm", Some("6")) => Some("v6"),
            ("arm", Some("5")) => Some("v5"),
            (_, v) => v,
        }
    }

    /// Whether an image built for `self` is what a build asking for `wanted` gets: same OS and
    /// architecture, and the same variant once defaults are filled in (`linux/arm64` matches
    /// `linux/arm64/v8`).
    pub fn matches(&self, wanted: &Platform) -> bool {
        self.os.eq_ignore_ascii_case(&wanted.os)
            && self.architecture.eq_ignore_ascii_case(&wanted.architecture)
            && (wanted.variant.is_none() && self.architecture != "arm"
                || self.effective_variant() == wanted.effective_variant())
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Platform {
    type Err = PlatformError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Platform::parse(s)
    }
}

/// Where a set of figures came from — shown to the user next to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FactSource {
    /// Fetched from the registry just now.
    Registry,
    /// From layerwise's cache; `age_secs` since it was fetched from the registry. `stale` when the
    /// tag may have moved since (older than the configured TTL) and the registry could not be
    /// asked (offline, unreachable).
    Cache { age_secs: u64, stale: bool },
    /// From the embedded offline catalogue: approximate figures, not this exact image.
    Catalogue {
        /// The catalogue entry used, e.g. `node:22-slim`.
        entry: String,
        /// Whether the entry describes exactly the tag asked for, or only its family.
        exact: bool,
        /// Where the figure came from, in words.
        provenance: String,
    },
}

impl FactSource {
    /// Whether the figures are approximate (catalogue) rather than read from a manifest.
    pub fn is_approximate(&self) -> bool {
        matches!(self, FactSource::Catalogue { .. })
    }

    /// A short label for hover and CLI output: `registry`, `cache (3h old)`, `catalogue (approximate)`.
    pub fn label(&self) -> String {
        match self {
            FactSource::Registry => "registry".to_string(),
            FactSource::Cache { age_secs, stale } => {
                format!(
                    "cache ({} old{})",
                    format_age(*age_secs),
                    if *stale { ", stale" } else { "" }
                )
            }
            FactSource::Catalogue { entry, exact, .. } => {
                if *exact {
                    format!("offline catalogue, approximate ({entry})")
                } else {
                    format!("offline catalogue, approximate (figures for {entry})")
                }
            }
        }
    }
}

/// One layer of an image manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerFacts {
    pub digest: String,
    /// Compressed (download) size in bytes, from the manifest.
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// Figures for one platform of an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformFacts {
    pub platform: Platform,
    /// Digest of this platform's image manifest, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// Sum of the layer sizes in the manifest: what a pull downloads.
    pub compressed_size: u64,
    /// Size on disk once unpacked; registries do not say, so this is known only from the
    /// catalogue (approximate) or a local engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unpacked_size: Option<u64>,
    pub layer_count: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<LayerFacts>,
    /// `created` from the image config (RFC 3339 as the registry wrote it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The config's default `User` (`None`/empty means root).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exposed_ports: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// `created_by` of each history entry that made a layer (same order as `layers` when the
    /// registry's config is consistent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<String>,
}

impl PlatformFacts {
    /// Figures with only sizes (what the catalogue knows).
    pub fn sizes_only(
        platform: Platform,
        compressed_size: u64,
        unpacked_size: Option<u64>,
    ) -> PlatformFacts {
        PlatformFacts {
            platform,
            manifest_digest: None,
            compressed_size,
            unpacked_size,
            layer_count: 0,
            layers: Vec::new(),
            created: None,
            user: None,
            exposed_ports: Vec::new(),
            entrypoint: None,
            cmd: None,
            working_dir: None,
            history: Vec::new(),
        }
    }
}

/// Everything known about one image reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFacts {
    pub reference: ImageRef,
    /// The digest the reference resolved to (an index digest for multi-platform images).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Figures per platform; the first is the platform that was asked for (or the only one).
    pub platforms: Vec<PlatformFacts>,
    /// Every platform the image offers (from the index), fetched or not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub available_platforms: Vec<Platform>,
    pub source: FactSource,
    /// When the figures were fetched from the registry (seconds since the Unix epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<u64>,
    /// Why a fallback (stale cache, catalogue) was used instead of the registry, if one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_reason: Option<String>,
}

impl ImageFacts {
    /// The figures for the platform that was asked for (the first entry).
    pub fn primary(&self) -> Option<&PlatformFacts> {
        self.platforms.first()
    }

    /// The figures for `platform`, if fetched.
    pub fn for_platform(&self, platform: &Platform) -> Option<&PlatformFacts> {
        self.platforms.iter().find(|p| p.platform.matches(platform))
    }

    /// The figures for `wanted` (a stage's `FROM --platform`) when fetched, else the first
    /// ones, as every size shown for a stage picks them.
    pub fn for_platform_or_primary(&self, wanted: Option<&Platform>) -> Option<&PlatformFacts> {
        wanted
            .and_then(|w| self.for_platform(w))
            .or_else(|| self.primary())
    }

    /// Compressed size of the primary platform.
    pub fn compressed_size(&self) -> Option<u64> {
        self.primary().map(|p| p.compressed_size)
    }
}

/// Another variant of the same image and its size, for "slimmer variants" in hover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantSize {
    /// The reference to suggest, e.g. `node:20-slim`.
    pub reference: String,
    pub platform: Platform,
    pub compressed_size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unpacked_size: Option<u64>,
    pub source: FactSource,
}

/// Bytes in decimal units as `docker images` shows them: `0 B`, `812 kB`, `45.3 MB`, `1.12 GB`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else if value >= 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.2} {}", UNITS[unit])
    }
}

/// An age as `42s`, `5m`, `3h`, `2d`.
pub fn format_age(secs: u64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wanted_platform_else_the_first() {
        let arm = Platform::parse("linux/arm64").unwrap();
        let f = ImageFacts {
            reference: crate::image_ref::ImageRef::parse("node:20").unwrap(),
            digest: None,
            platforms: vec![
                PlatformFacts::sizes_only(Platform::linux_amd64(), 3, Some(11)),
                PlatformFacts::sizes_only(arm.clone(), 2, Some(9)),
            ],
            available_platforms: Vec::new(),
            source: FactSource::Registry,
            fetched_at: None,
            fallback_reason: None,
        };
        let size = |w: Option<&Platform>| f.for_platform_or_primary(w).map(|p| p.compressed_size);
        assert_eq!(size(None), Some(3));
        assert_eq!(size(Some(&arm)), Some(2));
        assert_eq!(
            size(Some(&Platform::parse("linux/arm64/v8").unwrap())),
            Some(2)
        );
        assert_eq!(
            size(Some(&Platform::parse("linux/s390x").unwrap())),
            Some(3)
        );
    }

    #[test]
    fn platform_parse_and_display() {
        let cases = [
            ("linux/amd64", "linux/amd64"),
            ("linux/arm64/v8", "linux/arm64/v8"),
            ("LINUX/ARM64", "linux/arm64"),
            ("linux/x86_64", "linux/amd64"),
            ("linux/aarch64", "linux/arm64"),
            ("linux/armhf", "linux/arm/v7"),
            ("windows/amd64", "windows/amd64"),
            (" linux/386 ", "linux/386"),
        ];
        for (input, shown) in cases {
            assert_eq!(
                Platform::parse(input).unwrap().to_string(),
                shown,
                "{input}"
            );
        }
        for bad in [
            "",
            "linux",
            "linux/",
            "/amd64",
            "a/b/c/d",
            "linux/am d64",
            "linux/amd64/",
        ] {
            assert!(Platform::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn platform_matching_fills_default_variants() {
        let p = |s: &str| Platform::parse(s).unwrap();
        assert!(p("linux/arm64/v8").matches(&p("linux/arm64")));
        assert!(p("linux/arm64").matches(&p("linux/arm64/v8")));
        assert!(p("linux/arm/v7").matches(&p("linux/arm")));
        assert!(!p("linux/arm/v6").matches(&p("linux/arm")));
        assert!(!p("linux/arm/v6").matches(&p("linux/arm/v7")));
        assert!(p("linux/amd64").matches(&p("linux/amd64")));
        assert!(!p("linux/amd64").matches(&p("linux/arm64")));
        assert!(!p("windows/amd64").matches(&p("linux/amd64")));
        // A request with no variant takes an image with one (amd64 v2/v3 images exist).
        assert!(p("linux/amd64/v3").matches(&p("linux/amd64")));
    }

    #[test]
    fn bytes_are_formatted_like_docker() {
        let cases = [
            (0, "0 B"),
            (999, "999 B"),
            (1000, "1.00 kB"),
            (45_300_000, "45.3 MB"),
            (182_000_000, "182 MB"),
            (1_120_000_000, "1.12 GB"),
            (999_990_000, "1.00 GB"),
            (u64::MAX, "18447 PB"),
        ];
        for (n, s) in cases {
            assert_eq!(format_bytes(n), s, "{n}");
        }
    }

    #[test]
    fn facts_accessors_and_labels() {
        let facts = ImageFacts {
            reference: ImageRef::parse("node:20-slim").unwrap(),
            digest: Some("sha256:ab".into()),
            platforms: vec![PlatformFacts::sizes_only(
                Platform::linux_amd64(),
                10,
                Some(30),
            )],
            available_platforms: vec![Platform::linux_amd64()],
            source: FactSource::Cache {
                age_secs: 4000,
                stale: true,
            },
            fetched_at: Some(1),
            fallback_reason: None,
        };
        assert_eq!(facts.source.label(), "cache (1h old, stale)");
        assert_eq!(facts.compressed_size(), Some(10));
        assert!(facts
            .for_platform(&Platform::parse("linux/arm64").unwrap())
            .is_none());
    }
}
