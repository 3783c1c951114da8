//! The embedded offline catalogue (`data/catalogue.toml`): approximate sizes of the base images
//! people actually use, so layerwise says something useful with no network at all.
//!
//! Lookup: an exact tag (or alias) first; else the same variant family (`slim`, `alpine`,
//! `jre-alpine`, full) with the closest version (`node:20.11-slim` → the `node:20-slim` entry).
//! Every answer is labelled approximate and carries the provenance written in the data file.

use layerwise_analysis::image_facts::{FactSource, Platform, PlatformFacts, VariantSize};
use layerwise_analysis::image_ref::ImageRef;
use serde::Deserialize;
use std::sync::OnceLock;

const EMBEDDED: &str = include_str!("../data/catalogue.toml");

#[derive(Deserialize)]
struct File {
    meta: Meta,
    image: Vec<ImageEntry>,
}

#[derive(Deserialize)]
struct Meta {
    as_of: String,
    provenance: String,
}

#[derive(Deserialize)]
struct ImageEntry {
    name: String,
    variant: Vec<VariantEntry>,
}

#[derive(Deserialize)]
struct VariantEntry {
    tag: String,
    #[serde(default)]
    aliases: Vec<String>,
    amd64: [f64; 2],
    arm64: Option<[f64; 2]>,
}

/// One image of the catalogue.
#[derive(Debug)]
struct Image {
    registry: String,
    repository: String,
    familiar: String,
    variants: Vec<Variant>,
}

#[derive(Debug)]
struct Variant {
    tag: String,
    aliases: Vec<String>,
    version: Option<String>,
    family: String,
    amd64: (u64, u64),
    arm64: Option<(u64, u64)>,
}

/// A catalogue answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueHit {
    /// The entry the figures are for, e.g. `node:22-slim`.
    pub entry: String,
    /// Whether the entry is the tag asked for (or an alias of it).
    pub exact: bool,
    pub facts: PlatformFacts,
    pub provenance: String,
}

impl CatalogueHit {
    pub fn source(&self) -> FactSource {
        FactSource::Catalogue {
            entry: self.entry.clone(),
            exact: self.exact,
            provenance: self.provenance.clone(),
        }
    }
}

/// The catalogue, parsed.
#[derive(Debug)]
pub struct Catalogue {
    images: Vec<Image>,
    as_of: String,
    provenance: String,
}

fn megabytes(mb: f64) -> u64 {
    if mb.is_finite() && mb > 0.0 {
        (mb * 1_000_000.0).round() as u64
    } else {
        0
    }
}

/// Distro code names say which base a tag is built on, not which variant it is.
const CODENAMES: &[&str] = &[
    "bookworm", "bullseye", "buster", "stretch", "trixie", "jammy", "noble", "focal", "bionic",
    "oracular", "plucky",
];
const VERSION_WORDS: &[&str] = &["lts", "latest", "current", "stable", "mainline"];

/// Splits a tag into its version and its variant family: `3.12-slim-bookworm` → (`3.12`,
/// `slim`); `lts-alpine3.20` → (`lts`, `alpine`); `bookworm` → (none, ``); `21-jre-alpine` →
/// (`21`, `jre-alpine`).
pub fn split_tag(tag: &str) -> (Option<String>, String) {
    let t = tag.to_ascii_lowercase();
    let first = t.split('-').next().unwrap_or("");
    let is_version = first.bytes().next().is_some_and(|b| b.is_ascii_digit())
        || (first.starts_with('v')
            && first[1..]
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_digit()))
        || VERSION_WORDS.contains(&first);
    let (version, rest) = if is_version {
        (
            Some(first.to_string()),
            t.get(first.len() + 1..).unwrap_or(""),
        )
    } else {
        (None, t.as_str())
    };
    let family: Vec<&str> = rest
        .split('-')
        .filter(|p| !p.is_empty())
        .filter(|p| !CODENAMES.contains(p))
        .filter(|p| !p.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
        .map(|p| if p.starts_with("alpine") { "alpine" } else { p })
        .collect();
    (version, family.join("-"))
}

/// How well a catalogue version stands for the version asked for: 3 same, 2 one is a prefix of
/// the other at a `.` boundary (`20` / `20.11`), 1 same major, 0 unrelated or unknown.
fn version_score(asked: Option<&str>, have: Option<&str>) -> u8 {
    let (Some(a), Some(h)) = (asked, have) else {
        return 0;
    };
    if a == h {
        3
    } else if a.starts_with(&format!("{h}.")) || h.starts_with(&format!("{a}.")) {
        2
    } else if a.split('.').next() == h.split('.').next() {
        1
    } else {
        0
    }
}

impl Catalogue {
    /// The catalogue compiled into layerwise, parsed on first use.
    pub fn embedded() -> &'static Catalogue {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        CATALOGUE.get_or_init(|| {
            Catalogue::parse(EMBEDDED).unwrap_or_else(|e| {
                // Covered by a unit test; an empty catalogue keeps everything else working.
                tracing::error!(error = %e, "embedded catalogue does not parse");
                Catalogue {
                    images: Vec::new(),
                    as_of: String::new(),
                    provenance: String::new(),
                }
            })
        })
    }

    /// Parses a catalogue in the format of `data/catalogue.toml`.
    pub fn parse(text: &str) -> Result<Catalogue, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut images = Vec::new();
        for entry in file.image {
            let r = ImageRef::parse(&entry.name).map_err(|e| format!("{}: {e}", entry.name))?;
            let variants = entry
                .variant
                .into_iter()
                .map(|v| {
                    let (version, family) = split_tag(&v.tag);
                    Variant {
                        version,
                        family,
                        amd64: (megabytes(v.amd64[0]), megabytes(v.amd64[1])),
                        arm64: v.arm64.map(|a| (megabytes(a[0]), megabytes(a[1]))),
                        tag: v.tag,
                        aliases: v.aliases,
                    }
                })
                .collect();
            images.push(Image {
                familiar: r.familiar_name(),
                registry: r.registry,
                repository: r.repository,
                variants,
            });
        }
        Ok(Catalogue {
            images,
            as_of: file.meta.as_of,
            provenance: file.meta.provenance,
        })
    }

    fn image(&self, image: &ImageRef) -> Option<&Image> {
        self.images
            .iter()
            .find(|i| i.registry == image.registry && i.repository == image.repository)
    }

    /// The variant for `tag`: exact (tag or alias), else the best of its family.
    fn find_variant<'a>(&self, img: &'a Image, tag: &str) -> Option<(&'a Variant, bool)> {
        if let Some(v) = img
            .variants
            .iter()
            .find(|v| v.tag == tag || v.aliases.iter().any(|a| a == tag))
        {
            return Some((v, true));
        }
        let (version, family) = split_tag(tag);
        img.variants
            .iter()
            .filter(|v| v.family == family)
            .enumerate()
            // Highest score wins; among equals the first listed (the data lists newest first).
            .max_by_key(|(i, v)| {
                (
                    version_score(version.as_deref(), v.version.as_deref()),
                    std::cmp::Reverse(*i),
                )
            })
            .map(|(_, v)| (v, false))
    }

    /// Figures for `platform`: linux/amd64 and linux/arm64 are recorded; arm64 falls back to the
    /// amd64 figure (said so in the provenance); other platforms have none.
    fn figures(
        &self,
        v: &Variant,
        platform: &Platform,
    ) -> Option<(Platform, (u64, u64), &'static str)> {
        if platform.matches(&Platform::linux_amd64()) {
            return Some((Platform::linux_amd64(), v.amd64, ""));
        }
        let arm64 = Platform::new("linux", "arm64", None);
        if platform.matches(&arm64) {
            return Some(match v.arm64 {
                Some(f) => (
                    Platform::new("linux", "arm64", platform.variant.as_deref()),
                    f,
                    "",
                ),
                None => (
                    Platform::linux_amd64(),
                    v.amd64,
                    " (no linux/arm64 figure recorded; linux/amd64 shown)",
                ),
            });
        }
        None
    }

    fn provenance(&self, entry: &str, platform: &Platform, extra: &str) -> String {
        let mut p = self
            .provenance
            .replace("{ref}", entry)
            .replace("{platform}", &platform.to_string())
            .replace("{as_of}", &self.as_of);
        p.push_str(extra);
        p
    }

    /// Approximate figures for `image` on `platform`, if the catalogue knows its family.
    pub fn lookup(&self, image: &ImageRef, platform: &Platform) -> Option<CatalogueHit> {
        let img = self.image(image)?;
        let tag = image.effective_tag().unwrap_or("latest");
        let (v, exact) = self.find_variant(img, tag)?;
        let (shown, (compressed, unpacked), extra) = self.figures(v, platform)?;
        let entry = format!("{}:{}", img.familiar, v.tag);
        let provenance = self.provenance(&entry, &shown, extra);
        Some(CatalogueHit {
            exact,
            facts: PlatformFacts::sizes_only(shown, compressed, Some(unpacked)),
            provenance,
            entry,
        })
    }

    /// Other variants of the same image that are smaller than `current_size` (the image's known
    /// compressed size, else the catalogue's figure), smallest first, one per family. Each is
    /// suggested at the version asked for (`node:21` → `node:21-slim`), with the figures of the
    /// closest catalogue entry.
    pub fn slimmer_variants(
        &self,
        image: &ImageRef,
        platform: &Platform,
        current_size: Option<u64>,
    ) -> Vec<VariantSize> {
        let Some(img) = self.image(image) else {
            return Vec::new();
        };
        let tag = image.effective_tag().unwrap_or("latest");
        let (asked_version, asked_family) = match self.find_variant(img, tag) {
            Some((v, true)) => (v.version.clone(), v.family.clone()),
            _ => split_tag(tag),
        };
        let current = current_size.or_else(|| {
            self.lookup(image, platform)
                .map(|h| h.facts.compressed_size)
        });
        let Some(current) = current else {
            return Vec::new();
        };
        let mut families: Vec<&str> = img.variants.iter().map(|v| v.family.as_str()).collect();
        families.dedup();
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for family in families {
            if family == asked_family || !seen.insert(family) {
                continue;
            }
            let Some((v, _)) = img
                .variants
                .iter()
                .filter(|v| v.family == family)
                .enumerate()
                .max_by_key(|(i, v)| {
                    (
                        version_score(asked_version.as_deref(), v.version.as_deref()),
                        std::cmp::Reverse(*i),
                    )
                })
                .map(|(_, v)| (v, ()))
            else {
                continue;
            };
            let Some((shown, (compressed, unpacked), extra)) = self.figures(v, platform) else {
                continue;
            };
            if compressed >= current {
                continue;
            }
            let suggested = match (&asked_version, &v.version) {
                (Some(a), Some(have)) if a != have => {
                    let suffix = v.tag.strip_prefix(have.as_str()).unwrap_or("");
                    format!("{}:{a}{suffix}", img.familiar)
                }
                _ => format!("{}:{}", img.familiar, v.tag),
            };
            let entry = format!("{}:{}", img.familiar, v.tag);
            out.push(VariantSize {
                reference: suggested.clone(),
                platform: shown.clone(),
                compressed_size: compressed,
                unpacked_size: Some(unpacked),
                source: FactSource::Catalogue {
                    exact: suggested == entry,
                    provenance: self.provenance(&entry, &shown, extra),
                    entry,
                },
            });
        }
        out.sort_by_key(|v| v.compressed_size);
        out
    }

    /// Tags the catalogue knows for `image` (for offline tag completion).
    pub fn tags(&self, image: &ImageRef) -> Vec<String> {
        self.image(image)
            .map(|img| {
                img.variants
                    .iter()
                    .flat_map(|v| std::iter::once(v.tag.clone()).chain(v.aliases.iter().cloned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Familiar names of every image in the catalogue.
    pub fn image_names(&self) -> Vec<String> {
        self.images.iter().map(|i| i.familiar.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap()
    }

    #[test]
    fn embedded_catalogue_parses_and_is_sane() {
        let c = Catalogue::parse(EMBEDDED).expect("embedded catalogue parses");
        let names = c.image_names();
        for must in [
            "node",
            "python",
            "golang",
            "rust",
            "eclipse-temurin",
            "openjdk",
            "maven",
            "gradle",
            "ruby",
            "php",
            "mcr.microsoft.com/dotnet/sdk",
            "mcr.microsoft.com/dotnet/aspnet",
            "mcr.microsoft.com/dotnet/runtime",
            "nginx",
            "httpd",
            "alpine",
            "debian",
            "ubuntu",
            "busybox",
            "scratch",
            "postgres",
            "redis",
            "gcr.io/distroless/static-debian12",
            "gcr.io/distroless/base-debian12",
            "gcr.io/distroless/cc-debian12",
            "gcr.io/distroless/java21-debian12",
            "gcr.io/distroless/nodejs22-debian12",
            "gcr.io/distroless/python3-debian12",
        ] {
            assert!(names.iter().any(|n| n == must), "catalogue lacks {must}");
        }
        for img in &c.images {
            let mut tags = std::collections::HashSet::new();
            for v in &img.variants {
                assert!(
                    ImageRef::parse(&format!("{}:{}", img.familiar, v.tag)).is_ok(),
                    "{} {}",
                    img.familiar,
                    v.tag
                );
                for t in std::iter::once(&v.tag).chain(&v.aliases) {
                    assert!(
                        tags.insert(t.clone()),
                        "{}: tag {t} listed twice",
                        img.familiar
                    );
                }
                if img.familiar != "scratch" {
                    assert!(
                        v.amd64.0 > 0 && v.amd64.0 < v.amd64.1,
                        "{}:{} compressed must be below unpacked",
                        img.familiar,
                        v.tag
                    );
                }
            }
        }
        assert!(c.provenance.contains("approximate"));
    }

    #[test]
    fn exact_then_family_fallback() {
        let c = Catalogue::embedded();
        let amd = Platform::linux_amd64();
        let hit = c.lookup(&r("node:22-slim"), &amd).unwrap();
        assert!(hit.exact);
        assert_eq!(hit.entry, "node:22-slim");
        assert_eq!(hit.facts.compressed_size, 74_000_000);
        assert!(hit.provenance.contains("approximate") && hit.provenance.contains("node:22-slim"));
        // An alias is exact too.
        assert!(c.lookup(&r("node:lts-alpine"), &amd).unwrap().exact);
        // Version prefix within the family.
        let hit = c.lookup(&r("node:20.11-slim"), &amd).unwrap();
        assert_eq!((hit.entry.as_str(), hit.exact), ("node:20-slim", false));
        let hit = c.lookup(&r("node:20.11.1-bookworm-slim"), &amd).unwrap();
        assert_eq!(hit.entry, "node:20-slim");
        let hit = c.lookup(&r("python:3.12.4-alpine3.20"), &amd).unwrap();
        assert_eq!(hit.entry, "python:3.12-alpine");
        // Unknown version: the first (newest) entry of the family.
        assert_eq!(
            c.lookup(&r("node:23-alpine"), &amd).unwrap().entry,
            "node:22-alpine"
        );
        assert_eq!(c.lookup(&r("node"), &amd).unwrap().entry, "node:22");
        // Registry other than Docker Hub.
        assert_eq!(
            c.lookup(
                &r("mcr.microsoft.com/dotnet/aspnet:8.0.11-alpine3.20"),
                &amd
            )
            .unwrap()
            .entry,
            "mcr.microsoft.com/dotnet/aspnet:8.0-alpine"
        );
        // A family the catalogue does not have, an image it does not know: nothing, not a guess.
        assert!(c.lookup(&r("node:22-windowsservercore"), &amd).is_none());
        assert!(c.lookup(&r("example.com/private/app:1"), &amd).is_none());
        assert!(c
            .lookup(&r("node:22"), &Platform::parse("linux/s390x").unwrap())
            .is_none());
        // Scratch weighs nothing.
        assert_eq!(
            c.lookup(&r("scratch"), &amd).unwrap().facts.compressed_size,
            0
        );
    }

    #[test]
    fn arm64_figures() {
        let c = Catalogue::embedded();
        let arm = Platform::parse("linux/arm64/v8").unwrap();
        let hit = c.lookup(&r("alpine:3.21"), &arm).unwrap();
        assert_eq!(hit.facts.platform.architecture, "arm64");
        assert_eq!(hit.facts.compressed_size, 4_000_000);
        let hit = c.lookup(&r("node:18"), &arm).unwrap();
        assert_eq!(hit.facts.platform, Platform::linux_amd64());
        assert!(hit.provenance.contains("no linux/arm64 figure"));
    }

    #[test]
    fn slimmer_variants_are_smaller_and_sorted() {
        let c = Catalogue::embedded();
        let amd = Platform::linux_amd64();
        let v = c.slimmer_variants(&r("node:20"), &amd, None);
        let refs: Vec<&str> = v.iter().map(|x| x.reference.as_str()).collect();
        assert_eq!(refs, vec!["node:20-alpine", "node:20-slim"]);
        assert!(v
            .windows(2)
            .all(|w| w[0].compressed_size <= w[1].compressed_size));
        // Suggested at the version asked for, with the closest entry's figures.
        let v = c.slimmer_variants(&r("node:21.7"), &amd, Some(400_000_000));
        assert!(v.iter().any(|x| x.reference == "node:21.7-slim"), "{v:?}");
        // The slimmest variant has nothing slimmer.
        assert!(c
            .slimmer_variants(&r("nginx:1.27-alpine-slim"), &amd, None)
            .is_empty());
        // A known real size is what is compared against.
        assert!(c
            .slimmer_variants(&r("node:20-slim"), &amd, Some(1))
            .is_empty());
    }

    #[test]
    fn tag_splitting() {
        let cases = [
            ("22", Some("22"), ""),
            ("22-slim", Some("22"), "slim"),
            ("3.12-slim-bookworm", Some("3.12"), "slim"),
            ("lts-alpine3.20", Some("lts"), "alpine"),
            ("21-jre-alpine", Some("21"), "jre-alpine"),
            ("bookworm", None, ""),
            ("bookworm-20250113", None, ""),
            ("alpine", None, "alpine"),
            ("8.0-jammy-chiseled", Some("8.0"), "chiseled"),
            ("v1.2-debug", Some("v1.2"), "debug"),
            ("3.9-eclipse-temurin-21", Some("3.9"), "eclipse-temurin"),
        ];
        for (tag, version, family) in cases {
            let (v, f) = split_tag(tag);
            assert_eq!((v.as_deref(), f.as_str()), (version, family), "{tag}");
        }
    }
}
