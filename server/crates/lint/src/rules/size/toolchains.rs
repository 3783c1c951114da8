//! Which base images are full build toolchains, what to run on instead, and what the image
//! facts say they weigh.

use layerwise_analysis::image_facts::{format_bytes, ImageFacts, Platform, PlatformFacts};
use layerwise_analysis::image_ref::ImageRef;

use crate::context::Facts;

/// A toolchain base image and the way out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Toolchain {
    /// What it carries, for the message ("the Go toolchain").
    pub what: &'static str,
    /// The same image's slim tag, when the family has one that runs the same app
    /// (`node:20` → `20-slim`).
    pub slim_tag: Option<String>,
    /// Where the app runs after a split ("a distroless or scratch image").
    pub runtime: &'static str,
}

const CODENAMES: &[&str] = &[
    "trixie", "bookworm", "bullseye", "buster", "stretch", "jessie",
];

/// The short repository name for Docker Hub official images and their well-known mirrors
/// (`public.ecr.aws/docker/library/node` → `node`), or the full name otherwise.
fn short_name(image: &ImageRef) -> String {
    let repo = image.repository.as_str();
    let official_mirror = matches!(image.registry.as_str(), "public.ecr.aws" | "mirror.gcr.io")
        && repo.contains("library/");
    if image.is_official() || official_mirror {
        repo.rsplit('/').next().unwrap_or(repo).to_string()
    } else {
        format!("{}/{}", image.registry, repo)
    }
}

/// Classifies a base image. `None` for runtime images (slim, alpine, JRE, distroless...).
pub(crate) fn toolchain(image: &ImageRef) -> Option<Toolchain> {
    let name = short_name(image);
    let tag = image
        .tag
        .as_deref()
        .unwrap_or("latest")
        .to_ascii_lowercase();
    let has = |w: &str| tag.contains(w);
    if has("windowsservercore") || has("nanoserver") {
        return None;
    }
    let jdk = |what| {
        (!has("jre") && !has("headless") && !has("distroless")).then_some(Toolchain {
            what,
            slim_tag: None,
            runtime: "a JRE image such as `eclipse-temurin:21-jre`",
        })
    };
    match name.as_str() {
        "node" | "python" | "ruby" => {
            if has("slim") || has("alpine") {
                return None;
            }
            let what = match name.as_str() {
                "node" => "the full Debian image with compilers (for native modules)",
                "python" => "the full Debian image with compilers and headers",
                _ => "the full Debian image with compilers and headers",
            };
            Some(Toolchain {
                what,
                slim_tag: slim_tag(&name, image.tag.as_deref()),
                runtime: "the `-slim` variant",
            })
        }
        "golang" => Some(Toolchain {
            what: "the Go toolchain",
            slim_tag: None,
            runtime: "`gcr.io/distroless/static-debian12` or `scratch`",
        }),
        "rust" => Some(Toolchain {
            what: "the Rust toolchain",
            slim_tag: None,
            runtime: "`debian:bookworm-slim` or `gcr.io/distroless/cc-debian12`",
        }),
        // `buildpack-deps:*-curl` and `*-scm` are the small layers below the compilers.
        "buildpack-deps" if has("curl") || has("scm") => None,
        "gcc" | "buildpack-deps" => Some(Toolchain {
            what: "a C/C++ toolchain",
            slim_tag: None,
            runtime: "`debian:bookworm-slim`",
        }),
        "maven" => Some(Toolchain {
            what: "Maven and a JDK",
            slim_tag: None,
            runtime: "a JRE image such as `eclipse-temurin:21-jre`",
        }),
        "gradle" => Some(Toolchain {
            what: "Gradle and a JDK",
            slim_tag: None,
            runtime: "a JRE image such as `eclipse-temurin:21-jre`",
        }),
        "openjdk"
        | "eclipse-temurin"
        | "amazoncorretto"
        | "sapmachine"
        | "ibm-semeru-runtimes"
        | "mcr.microsoft.com/openjdk/jdk" => jdk("a full JDK"),
        "mcr.microsoft.com/dotnet/sdk" => Some(Toolchain {
            what: "the .NET SDK",
            slim_tag: None,
            runtime: "`mcr.microsoft.com/dotnet/aspnet` or `mcr.microsoft.com/dotnet/runtime`",
        }),
        _ => None,
    }
}

/// `20` → `20-slim`; `20-bookworm` → `20-bookworm-slim` for node, `3.12-bookworm` →
/// `3.12-slim-bookworm` for python and ruby (their tag schemes differ); no tag → `slim`.
fn slim_tag(name: &str, tag: Option<&str>) -> Option<String> {
    let Some(tag) = tag else {
        return Some("slim".into());
    };
    if tag == "latest" {
        return Some("slim".into());
    }
    if !tag
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return None;
    }
    match tag.rsplit_once('-') {
        Some((head, codename)) if CODENAMES.contains(&codename) && name != "node" => {
            Some(format!("{head}-slim-{codename}"))
        }
        _ => Some(format!("{tag}-slim")),
    }
}

/// An image's figures for the platform a stage's `FROM --platform` asks for
/// ([`Model::requested_platform`](layerwise_analysis::Model::requested_platform)), else its
/// first ones: the figures hover and the code lens show for that stage.
pub(crate) fn figures<'f>(
    facts: &'f Facts,
    image: &ImageRef,
    platform: Option<&Platform>,
) -> Option<&'f PlatformFacts> {
    let f: &ImageFacts = facts.images.get(&image.canonical())?;
    f.for_platform_or_primary(platform)
}

/// A weight from `(compressed, unpacked)` sizes: `(bytes, "" or " compressed")`, unpacked
/// size preferred.
pub(crate) fn weight((compressed, unpacked): Sizes) -> (u64, &'static str) {
    match unpacked {
        Some(u) => (u, ""),
        None => (compressed, " compressed"),
    }
}

/// `≈ 1.1 GB` or `≈ 400 MB compressed`.
pub(crate) fn approx(bytes: u64, kind: &str) -> String {
    format!("≈ {}{kind}", format_bytes(bytes))
}

/// What switching saves, from
/// [`switch_sizes`](crate::rules::size::toolchain_final_image::switch_sizes), when both are known in the same unit.
pub(crate) fn saving(from: Option<Sizes>, to: Option<Sizes>) -> Option<String> {
    let (a, ka) = weight(from?);
    let (b, kb) = weight(to?);
    (ka == kb && a > b).then(|| approx(a - b, ka))
}

/// An image's `(compressed, unpacked)` sizes.
pub type Sizes = (u64, Option<u64>);

/// The sizes of `image` and of its slimmer `variant` on one platform, for what a switch
/// saves: `image`'s figures for `platform` (else its first ones), and `variant`'s for the
/// same platform, from its own facts or else from its entry in `image`'s list of slimmer
/// variants. Never a pair from two platforms: an arm64 image against an amd64 variant would
/// make up a saving. Without figures for `image`, the variant's for `platform`, else its
/// first ones. The toolchain-final-image rule and the editor's slimmer-variant action both
/// use this, so the two never quote different figures.
pub fn switch_sizes(
    facts: &Facts,
    image: &ImageRef,
    variant: &ImageRef,
    platform: Option<&Platform>,
) -> (Option<Sizes>, Option<Sizes>) {
    let sizes = |p: &PlatformFacts| (p.compressed_size, p.unpacked_size);
    let from = figures(facts, image, platform);
    // the platform the variant's figures must be for, and whether it must be exactly that one
    let (on, exact) = match from {
        Some(p) => (Some(&p.platform), true),
        None => (platform, false),
    };
    let own = facts.images.get(&variant.canonical()).and_then(|f| {
        let wanted = on.and_then(|w| f.for_platform(w));
        if exact {
            wanted
        } else {
            wanted.or_else(|| f.primary())
        }
    });
    let listed = || {
        let same: Vec<_> = facts
            .variants
            .get(&image.canonical())?
            .iter()
            .filter(|v| {
                ImageRef::parse(&v.reference).is_ok_and(|r| r.canonical() == variant.canonical())
            })
            .collect();
        let wanted = on.and_then(|w| same.iter().find(|v| v.platform.matches(w)));
        let v = if exact {
            wanted
        } else {
            wanted.or_else(|| same.first())
        }?;
        Some((v.compressed_size, v.unpacked_size))
    };
    (from.map(sizes), own.map(sizes).or_else(listed))
}

/// Bytes saved by switching from an image to a slimmer variant, from their `(compressed,
/// unpacked)` sizes: unpacked when both are known, compressed otherwise. The editor's
/// "Switch to <variant>" action uses this too, so the two never show different figures.
pub fn bytes_saved(from: (u64, Option<u64>), to: (u64, Option<u64>)) -> Option<u64> {
    match (from.1, to.1) {
        (Some(a), Some(b)) => a.checked_sub(b),
        _ => from.0.checked_sub(to.0),
    }
}

/// The title of this rule's fix and of the editor's slimmer-variant action, from the
/// `(compressed, unpacked)` sizes of the image and of the variant when known:
/// `Switch to node:20-slim (saves ≈900 MB)`; with only the variant's size,
/// `Switch to node:20-slim (≈200 MB)`; with neither, `Switch to node:20-slim`.
pub fn switch_title(
    image: &str,
    from: Option<(u64, Option<u64>)>,
    to: Option<(u64, Option<u64>)>,
) -> String {
    let saved = from.zip(to).and_then(|(f, t)| bytes_saved(f, t));
    match (saved, to) {
        (Some(s), _) if s > 0 => format!("Switch to {image} (saves ≈{})", format_bytes(s)),
        (_, Some((compressed, unpacked))) => format!(
            "Switch to {image} (≈{})",
            format_bytes(unpacked.unwrap_or(compressed))
        ),
        _ => format!("Switch to {image}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<Toolchain> {
        toolchain(&ImageRef::parse(s).unwrap())
    }

    #[test]
    fn classifies_images() {
        for full in [
            "node:20",
            "node",
            "python:3.12-bookworm",
            "golang:1.22-alpine",
            "rust:1",
            "maven:3-eclipse-temurin-21",
            "eclipse-temurin:21",
            "eclipse-temurin:21-jdk",
            "mcr.microsoft.com/dotnet/sdk:8.0",
            "public.ecr.aws/docker/library/node:20",
            "openjdk:17",
        ] {
            assert!(t(full).is_some(), "{full}");
        }
        for runtime in [
            "node:20-slim",
            "node:20-alpine",
            "python:3.12-slim-bookworm",
            "eclipse-temurin:21-jre",
            "debian:bookworm",
            "gcr.io/distroless/static",
            "myorg/node:20",
            "python:3.12-windowsservercore-ltsc2022",
            "mcr.microsoft.com/dotnet/aspnet:8.0",
        ] {
            assert!(t(runtime).is_none(), "{runtime}");
        }
    }

    #[test]
    fn slim_tags() {
        assert_eq!(slim_tag("node", Some("20")).as_deref(), Some("20-slim"));
        assert_eq!(
            slim_tag("node", Some("20-bookworm")).as_deref(),
            Some("20-bookworm-slim")
        );
        assert_eq!(
            slim_tag("python", Some("3.12-bookworm")).as_deref(),
            Some("3.12-slim-bookworm")
        );
        assert_eq!(slim_tag("python", None).as_deref(), Some("slim"));
        assert_eq!(slim_tag("python", Some("${V}")), None);
    }
}
