//! "Is this a Windows base image?", asked by rules whose advice differs on Windows: its shell
//! is `cmd` or PowerShell (no `pipefail`, no `sh -c` exec form), its users are not `root`, and
//! its variables are mixed-case (`ProgramFiles`). One answer for every rule, so that they never
//! disagree about the same `FROM`.
//!
//! The answer is read from the name alone: the registry is never asked, and a name is enough
//! for every image Microsoft publishes. An image counts as Windows when its repository or tag
//! names a Windows base (`windows`, `nanoserver`, `servercore`, as in
//! `mcr.microsoft.com/windows/servercore`, `python:3.12-windowsservercore-ltsc2022`), when its
//! tag is a Windows release channel (`ltsc2022`), when it is one of the .NET Framework and
//! IIS images that exist for Windows only, or when it is Microsoft's `powershell` image under a
//! tag shared by Linux and Windows (`lts`; see [`linux_tag`]; other images named `powershell`,
//! such as `bitnami/powershell`, are Linux). Shorter fragments such as `win` are not enough:
//! `darwin`, `wine` and `twingate` are Linux images.

use layerwise_analysis::image_ref::ImageRef;

/// Parts that name a Windows base wherever they appear in a repository or a tag.
const MARKERS: &[&[u8]] = &[b"windows", b"nanoserver", b"servercore"];

/// Repository fragments of the .NET Framework images (`mcr.microsoft.com/dotnet/framework/sdk`,
/// the older `microsoft/dotnet-framework`): .NET Framework runs on Windows only.
const FRAMEWORK: &[&[u8]] = &[b"dotnet/framework", b"dotnet-framework"];

/// Whole repositories (the last two path parts) of Docker Hub's Windows-only images whose
/// names say nothing about Windows.
const WINDOWS_ONLY_REPOSITORIES: &[&str] = &["microsoft/iis", "microsoft/aspnet"];

/// `true` if the parsed image is a Windows image (see the module docs for what counts).
pub fn is_windows_image(image: &ImageRef) -> bool {
    windows_name(
        Some(&image.registry),
        &image.repository,
        image.tag.as_deref(),
    )
}

/// The same answer for a base image as written in a `FROM` (or as far as it could be
/// expanded): the text may still hold variables (`${NanoServerRepo}:1809`), so the name is
/// read as text and never rejected. A variable's name counts like any other text: a file that
/// calls its base `$WINDOWS_BASE` is built on Windows.
pub fn is_windows_reference(text: &str) -> bool {
    let name = text.split_once('@').map_or(text, |(name, _digest)| name);
    // a `:` followed by a `/` separates a registry's port, not a tag
    let (repository, tag) = match name.rsplit_once(':') {
        Some((repository, tag)) if !tag.contains('/') => (repository, Some(tag)),
        _ => (name, None),
    };
    windows_name(None, repository, tag)
}

/// The one decision behind both entry points, from a repository (with its registry in front
/// when `registry` is `None`) and a tag.
fn windows_name(registry: Option<&str>, repository: &str, tag: Option<&str>) -> bool {
    windows_repository(repository)
        || tag.is_some_and(windows_tag)
        || (microsoft_powershell(registry, repository) && !tag.is_some_and(linux_tag))
}

/// Microsoft's PowerShell image (`mcr.microsoft.com/powershell`, Docker Hub's older
/// `microsoft/powershell`), not any repository called `powershell`: `bitnami/powershell` is
/// a Debian image.
fn microsoft_powershell(registry: Option<&str>, repository: &str) -> bool {
    let (registry, repository) = match registry {
        Some(r) => (r, repository),
        None => split_registry(repository),
    };
    let hub = ["", "docker.io", "index.docker.io", "registry-1.docker.io"]
        .iter()
        .any(|h| registry.eq_ignore_ascii_case(h));
    (registry.eq_ignore_ascii_case("mcr.microsoft.com")
        && repository.eq_ignore_ascii_case("powershell"))
        || (hub && repository.eq_ignore_ascii_case("microsoft/powershell"))
}

/// A name's registry host (empty when it has none: Docker Hub) and the rest, as Docker reads
/// them: the first part is a host when it has a `.` or a `:`, or is `localhost`.
fn split_registry(name: &str) -> (&str, &str) {
    match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (first, rest),
        _ => ("", name),
    }
}

/// A repository (with or without its registry) that only Windows images use.
fn windows_repository(repository: &str) -> bool {
    let r = repository.as_bytes();
    MARKERS
        .iter()
        .chain(FRAMEWORK)
        .any(|m| contains_ignore_case(r, m))
        || WINDOWS_ONLY_REPOSITORIES
            .iter()
            .any(|w| ends_with_path(repository, w))
}

/// `true` if `repository` is `path` or ends with `/` and `path` (`docker.io/microsoft/iis`,
/// not `notmicrosoft/iis`), ignoring ASCII case.
fn ends_with_path(repository: &str, path: &str) -> bool {
    let (r, p) = (repository.as_bytes(), path.as_bytes());
    let Some(start) = r.len().checked_sub(p.len()) else {
        return false;
    };
    r[start..].eq_ignore_ascii_case(p) && (start == 0 || r[start - 1] == b'/')
}

/// A tag that only Windows images use: one naming a Windows base, or a Long-Term Servicing
/// Channel release (`ltsc2019`, `ltsc2022-amd64`).
fn windows_tag(tag: &str) -> bool {
    let t = tag.as_bytes();
    MARKERS.iter().any(|m| contains_ignore_case(t, m))
        || t.get(..4).is_some_and(|p| p.eq_ignore_ascii_case(b"ltsc"))
}

/// A tag that names a Linux distribution (`7.4-ubuntu-22.04`, `lts-alpine-3.20`). Microsoft's
/// `powershell` image publishes one tag for Linux and Windows hosts alike (`lts`, `latest`):
/// those count as Windows, so that rules which stay quiet on Windows do not speak on a file
/// that may be built there, while the distribution-named tags are Linux.
fn linux_tag(tag: &str) -> bool {
    const DISTRIBUTIONS: &[&[u8]] = &[
        b"ubuntu",
        b"debian",
        b"alpine",
        b"mariner",
        b"azurelinux",
        b"ubi",
        b"centos",
        b"fedora",
        b"opensuse",
        b"amazonlinux",
        b"bookworm",
        b"bullseye",
        b"jammy",
        b"focal",
        b"noble",
    ];
    DISTRIBUTIONS
        .iter()
        .any(|d| contains_ignore_case(tag.as_bytes(), d))
}

/// ASCII case-insensitive substring search. Names are short and rules ask once or twice per
/// stage, so a scan beats building lower-cased copies.
fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(text: &str) -> ImageRef {
        ImageRef::parse(text).expect("a valid reference")
    }

    /// Both entry points agree on every name that parses.
    fn windows(text: &str) -> bool {
        let by_text = is_windows_reference(text);
        assert_eq!(by_text, is_windows_image(&image(text)), "{text}");
        by_text
    }

    #[test]
    fn microsoft_base_images_are_windows() {
        for text in [
            "mcr.microsoft.com/windows/servercore:ltsc2022",
            "mcr.microsoft.com/windows/nanoserver:1809",
            "mcr.microsoft.com/windows/server:ltsc2022",
            "mcr.microsoft.com/windows:20H2",
            "mcr.microsoft.com/windows/servercore/insider:10.0.18334.1",
            "mcr.microsoft.com/windowsservercore-insider:10.0.17744.1001",
            "microsoft/windowsservercore",
            "microsoft/nanoserver",
        ] {
            assert!(windows(text), "{text}");
        }
    }

    #[test]
    fn windows_variants_of_linux_images_are_windows_by_their_tag() {
        for text in [
            "python:3.12-windowsservercore-ltsc2022",
            "openjdk:8-windowsservercore-1809",
            "mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-ltsc2022",
            "mcr.microsoft.com/powershell:lts-nanoserver-1809",
            "golang:1.22-WindowsServerCore",
            "example.com/base:ltsc2019",
            "example.com/base:LTSC2025-amd64",
        ] {
            assert!(windows(text), "{text}");
        }
    }

    #[test]
    fn windows_only_images_with_plain_names_are_windows() {
        for text in [
            "mcr.microsoft.com/dotnet/framework/aspnet",
            "mcr.microsoft.com/dotnet/framework/sdk:4.8",
            "microsoft/dotnet-framework:4.7.2-sdk",
            "microsoft/iis",
            "docker.io/microsoft/aspnet:4.8",
            "microsoft/mssql-server-windows-express",
            // one tag for Linux and Windows hosts: may be built on Windows
            "mcr.microsoft.com/powershell:lts",
            "mcr.microsoft.com/powershell",
            "microsoft/powershell:latest",
            "docker.io/microsoft/powershell",
        ] {
            assert!(windows(text), "{text}");
        }
    }

    #[test]
    fn linux_images_are_not_windows() {
        for text in [
            "alpine:3.20",
            "darwin/tools",
            "scottyhardy/docker-wine:latest",
            "twingate/connector:1",
            "erwin/app:win",
            "winamp/server:winter",
            "mcr.microsoft.com/powershell:7.4-ubuntu-22.04",
            "mcr.microsoft.com/powershell:lts-alpine-3.20",
            "example.com/powershell-tools:1",
            // other people's images named powershell (found in review: bitnami's is Debian)
            "bitnami/powershell:7.4",
            "docker.io/bitnami/powershell:7.4.6",
            "ghcr.io/acme/powershell:1",
            "mcr.microsoft.com/acme/powershell",
            "mcr.microsoft.com/dotnet/aspnet:8.0",
            "example.com/microsoft/iis-exporter",
            "example.com/notmicrosoft/iis",
            "node:22-bookworm-slim",
            "localhost:5000/app:1.0",
            "ubuntu@sha256:0000000000000000000000000000000000000000000000000000000000000000",
        ] {
            assert!(!windows(text), "{text}");
        }
    }

    #[test]
    fn unexpanded_references_are_read_as_text() {
        // a variable naming the base, or the part after it
        assert!(is_windows_reference("${NanoServerRepo}:1809"));
        assert!(is_windows_reference("$REPO:9.0.19-nanoserver-ltsc2025"));
        assert!(is_windows_reference("$BASE:ltsc2022"));
        assert!(!is_windows_reference("$BASE"));
        assert!(!is_windows_reference("${BASE}:${TAG}"));
        assert!(!is_windows_reference(""));
        // a port is not a tag; a digest is not a tag either
        assert!(!is_windows_reference("ltsc.example.com:5000/app"));
        assert!(!is_windows_reference("app@sha256:ltsc"));
    }
}
