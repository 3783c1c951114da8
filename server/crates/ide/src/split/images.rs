//! Choosing the runtime base image for a stack (`node:20` → `node:20-slim`, `golang` →
//! distroless static, a JDK → its JRE) and reading image sizes from the facts for the title.
//!
//! Tags are rewritten on the resolved reference, but when the version part of the written
//! tag is a variable (`node:${NODE_VERSION}`) the variable is kept, so a global `ARG` keeps
//! steering both stages.

use layerwise_analysis::image_ref::ImageRef;

use super::detect::{family, tag, Stack};
use crate::Analysis;

/// The runtime base the user asks for (`--runtime`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    Slim,
    Alpine,
    Distroless,
    Scratch,
}

impl Runtime {
    pub fn parse(s: &str) -> Option<Runtime> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "slim" => Runtime::Slim,
            "alpine" => Runtime::Alpine,
            "distroless" => Runtime::Distroless,
            "scratch" => Runtime::Scratch,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::Slim => "slim",
            Runtime::Alpine => "alpine",
            Runtime::Distroless => "distroless",
            Runtime::Scratch => "scratch",
        }
    }
}

/// What the chosen runtime image is like inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// glibc with a shell, `apt-get` and `useradd` (Debian, Ubuntu).
    Debian,
    /// musl with a shell, `apk` and `adduser`.
    Alpine,
    /// No shell, no package manager; a `nonroot` user.
    Distroless,
    /// Nothing at all.
    Scratch,
}

impl Flavor {
    pub fn has_shell(self) -> bool {
        matches!(self, Flavor::Debian | Flavor::Alpine)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RuntimeImage {
    /// As written after `FROM`.
    pub text: String,
    pub flavor: Flavor,
    /// The official image ships a non-root user of this name (`node`).
    pub image_user: Option<&'static str>,
    pub notes: Vec<String>,
}

const CODENAMES: &[&str] = &[
    "trixie", "bookworm", "bullseye", "buster", "noble", "jammy", "focal",
];

/// The parts of a tag: the version (first part, when it starts with a digit or is an alias
/// like `lts`) and the rest (`bookworm`, `slim`, `alpine3.20`...).
fn tag_parts(tag: &str) -> (Option<&str>, Vec<&str>) {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("");
    let is_version = first.starts_with(|c: char| c.is_ascii_digit())
        || matches!(first, "lts" | "current" | "latest");
    if is_version {
        (Some(first), parts.collect())
    } else {
        (None, tag.split('-').collect())
    }
}

fn is_alpine_tag(tag: &str) -> bool {
    tag.split('-').any(|p| p.starts_with("alpine"))
}

pub(crate) fn builder_is_alpine(base: &ImageRef) -> bool {
    is_alpine_tag(tag(base)) || family(base) == "alpine"
}

fn codename(rest: &[&str]) -> Option<&'static str> {
    rest.iter()
        .find_map(|p| CODENAMES.iter().copied().find(|c| c == p))
}

fn major(version: &str) -> Option<u32> {
    version
        .split(['.', '-'])
        .next()
        .and_then(|m| m.parse().ok())
}

/// Rebuilds `name:tag` with `new_tag`, keeping the name as written (mirrors, explicit
/// `docker.io/library/`) and a variable version part if the written tag had one.
fn same_repo(written: &str, resolved_tag: &str, new_tag: &str) -> String {
    let (name, written_tag) = split_written(written);
    let (wv, _) = written_tag.map_or((None, Vec::new()), written_tag_parts);
    let (rv, _) = tag_parts(resolved_tag);
    let new_tag = match (wv, rv) {
        (Some(w), Some(r)) if w != r && w.contains('$') && new_tag.starts_with(r) => {
            format!("{w}{}", &new_tag[r.len()..])
        }
        _ => new_tag.to_string(),
    };
    format!("{name}:{new_tag}")
}

/// `name` and the tag of a written reference (digest dropped: a new tag has a new digest).
fn split_written(written: &str) -> (&str, Option<&str>) {
    let no_digest = written.split('@').next().unwrap_or(written);
    let slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    // a `:` inside `${...}` is not the tag separator
    let mut depth = 0;
    let bytes = no_digest.as_bytes();
    let mut colon = None;
    for (i, &c) in bytes.iter().enumerate().skip(slash) {
        match c {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            b':' if depth == 0 => colon = Some(i),
            _ => {}
        }
    }
    match colon {
        Some(i) => (&no_digest[..i], Some(&no_digest[i + 1..])),
        None => (no_digest, None),
    }
}

/// Like [`tag_parts`] but a `${...}` first part counts as the version.
fn written_tag_parts(tag: &str) -> (Option<&str>, Vec<&str>) {
    if let Some(after) = tag.strip_prefix('$') {
        let end = if tag.starts_with("${") {
            tag.find('}').map_or(tag.len(), |i| i + 1)
        } else {
            after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(tag.len(), |i| i + 1)
        };
        let rest = tag[end..].trim_start_matches('-');
        return (
            Some(&tag[..end]),
            rest.split('-').filter(|p| !p.is_empty()).collect(),
        );
    }
    tag_parts(tag)
}

fn join(version: Option<&str>, parts: &[&str]) -> String {
    let mut v: Vec<&str> = Vec::new();
    if let Some(x) = version {
        v.push(x);
    }
    v.extend(parts.iter().copied().filter(|p| !p.is_empty()));
    v.join("-")
}

fn image(text: impl Into<String>, flavor: Flavor) -> RuntimeImage {
    RuntimeImage {
        text: text.into(),
        flavor,
        image_user: None,
        notes: Vec::new(),
    }
}

/// The runtime image for `stack` built on `base` (written as `written`).
pub(crate) fn runtime_image(
    stack: Stack,
    base: &ImageRef,
    written: &str,
    want: Option<Runtime>,
    a: &Analysis,
) -> RuntimeImage {
    let t = tag(base);
    let (version, rest) = tag_parts(t);
    let alpine_builder = builder_is_alpine(base);
    let mut notes = Vec::new();
    let mut fallback = |what: &str, why: &str| notes.push(format!("{what}: {why}"));
    let mut out = match stack {
        Stack::Node(_) => {
            let distro: Vec<&str> = rest
                .iter()
                .copied()
                .filter(|p| CODENAMES.contains(p))
                .collect();
            let slim = |v: Option<&str>| {
                let mut parts = distro.clone();
                parts.push("slim");
                image(same_repo(written, t, &join(v, &parts)), Flavor::Debian)
            };
            let mut img = if alpine_builder {
                if want.is_some_and(|w| w != Runtime::Alpine) {
                    fallback(
                        "runtime stays on Alpine",
                        "node_modules were installed on Alpine (musl) and may hold native modules that need it",
                    );
                }
                image(same_repo(written, t, t), Flavor::Alpine)
            } else {
                match want.unwrap_or(Runtime::Slim) {
                    Runtime::Slim => slim(version),
                    Runtime::Alpine => {
                        let mut i = image(
                            same_repo(written, t, &join(version, &["alpine"])),
                            Flavor::Alpine,
                        );
                        i.notes.push("node_modules were installed on Debian (glibc): rebuild native modules on Alpine or keep -slim".into());
                        i
                    }
                    Runtime::Distroless => match version.and_then(major) {
                        Some(m @ (18 | 20 | 22 | 24)) => image(
                            format!("gcr.io/distroless/nodejs{m}-debian12:nonroot"),
                            Flavor::Distroless,
                        ),
                        _ => {
                            fallback(
                                "runtime is -slim",
                                "distroless Node.js images exist only for Node 18, 20, 22 and 24",
                            );
                            slim(version)
                        }
                    },
                    Runtime::Scratch => {
                        fallback("runtime is -slim", "a Node.js app needs the node runtime");
                        slim(version)
                    }
                }
            };
            if img.flavor != Flavor::Distroless {
                img.image_user = Some("node");
            }
            img
        }
        Stack::Python(_) => {
            let distro: Vec<&str> = rest
                .iter()
                .copied()
                .filter(|p| CODENAMES.contains(p))
                .collect();
            if alpine_builder {
                image(same_repo(written, t, t), Flavor::Alpine)
            } else {
                match want {
                    Some(Runtime::Alpine) => fallback(
                        "runtime is -slim",
                        "a virtualenv built on Debian (glibc) does not run on Alpine (musl)",
                    ),
                    Some(Runtime::Distroless) => fallback(
                        "runtime is -slim",
                        "distroless Python ships Debian's Python, not the one the virtualenv was built with",
                    ),
                    Some(Runtime::Scratch) => {
                        fallback("runtime is -slim", "a Python app needs the interpreter")
                    }
                    _ => {}
                }
                let mut parts = vec!["slim"];
                parts.extend(distro);
                image(
                    same_repo(written, t, &join(version, &parts)),
                    Flavor::Debian,
                )
            }
        }
        Stack::Go => match want {
            Some(Runtime::Scratch) => image("scratch", Flavor::Scratch),
            Some(Runtime::Alpine) => image("alpine:3.21", Flavor::Alpine),
            _ => image(
                "gcr.io/distroless/static-debian12:nonroot",
                Flavor::Distroless,
            ),
        },
        Stack::Rust => {
            if alpine_builder {
                match want {
                    Some(Runtime::Scratch) => image("scratch", Flavor::Scratch),
                    Some(Runtime::Distroless) => image(
                        "gcr.io/distroless/static-debian12:nonroot",
                        Flavor::Distroless,
                    ),
                    _ => image("alpine:3.21", Flavor::Alpine),
                }
            } else {
                let (code, inferred) = match codename(&rest) {
                    Some(c) => (c, false),
                    None => (rust_default_codename(version), true),
                };
                if inferred {
                    notes.push(format!(
                        "the runtime's Debian release ({code}) must match the build image's: pin the builder to `-{code}` to keep them together"
                    ));
                }
                let debian_n = if code == "bullseye" {
                    "11"
                } else if code == "trixie" {
                    "13"
                } else {
                    "12"
                };
                match want {
                    Some(Runtime::Distroless) => image(
                        format!("gcr.io/distroless/cc-debian{debian_n}:nonroot"),
                        Flavor::Distroless,
                    ),
                    Some(w @ (Runtime::Alpine | Runtime::Scratch)) => {
                        notes.push(format!("runtime is debian:{code}-slim: a binary built on Debian (glibc) does not run on {}", w.as_str()));
                        image(format!("debian:{code}-slim"), Flavor::Debian)
                    }
                    _ => image(format!("debian:{code}-slim"), Flavor::Debian),
                }
            }
        }
        Stack::Java(_) => {
            let v = java_version(base);
            let alpine = alpine_builder || want == Some(Runtime::Alpine);
            match want {
                Some(Runtime::Distroless) if matches!(v, 17 | 21) => image(
                    format!("gcr.io/distroless/java{v}-debian12:nonroot"),
                    Flavor::Distroless,
                ),
                Some(Runtime::Distroless) => {
                    fallback(
                        "runtime is a JRE image",
                        "distroless Java images exist only for Java 17 and 21",
                    );
                    image(format!("eclipse-temurin:{v}-jre"), Flavor::Debian)
                }
                Some(Runtime::Scratch) => {
                    fallback("runtime is a JRE image", "a Java app needs the JVM");
                    image(format!("eclipse-temurin:{v}-jre"), Flavor::Debian)
                }
                _ if alpine => image(format!("eclipse-temurin:{v}-jre-alpine"), Flavor::Alpine),
                _ => image(format!("eclipse-temurin:{v}-jre"), Flavor::Debian),
            }
        }
        Stack::Generic => generic_image(base, written, want, a, &mut notes),
    };
    out.notes.extend(notes);
    out
}

/// The Debian release of `rust:<version>` images without a codename in the tag: bookworm
/// until Debian 13 became the default (Rust 1.89, August 2025).
fn rust_default_codename(version: Option<&str>) -> &'static str {
    let minor = version
        .and_then(|v| v.split('.').nth(1))
        .and_then(|m| m.parse::<u32>().ok());
    match minor {
        Some(m) if m < 89 => "bookworm",
        _ => "trixie",
    }
}

/// The Java version a JDK or build-tool image carries (`maven:3.9-eclipse-temurin-21`,
/// `gradle:8-jdk17`, `eclipse-temurin:21-jdk`, `openjdk:17`); 21 when the tag does not say.
fn java_version(base: &ImageRef) -> u32 {
    let t = tag(base);
    let parts: Vec<&str> = t.split('-').collect();
    let num = |s: &str| s.parse::<u32>().ok().filter(|n| (8..=30).contains(n));
    match family(base) {
        "maven" | "gradle" => {
            for (i, p) in parts.iter().enumerate() {
                if let Some(n) = p.strip_prefix("jdk").and_then(num) {
                    return n;
                }
                if matches!(
                    *p,
                    "temurin"
                        | "openjdk"
                        | "amazoncorretto"
                        | "corretto"
                        | "sapmachine"
                        | "semeru"
                        | "graalvm"
                ) {
                    if let Some(n) = parts.get(i + 1).and_then(|x| num(x)) {
                        return n;
                    }
                }
            }
            21
        }
        _ => parts
            .first()
            .and_then(|p| p.split('.').next())
            .and_then(num)
            .unwrap_or(21),
    }
}

fn generic_image(
    base: &ImageRef,
    written: &str,
    want: Option<Runtime>,
    a: &Analysis,
    notes: &mut Vec<String>,
) -> RuntimeImage {
    let t = tag(base);
    let (version, rest) = tag_parts(t);
    if let Some(w @ (Runtime::Distroless | Runtime::Scratch)) = want {
        notes.push(format!(
            "runtime keeps a shell: a {} runtime needs to know exactly what the program needs; adjust by hand",
            w.as_str()
        ));
    }
    if builder_is_alpine(base) {
        return image(written.to_string(), Flavor::Alpine);
    }
    if want == Some(Runtime::Alpine) {
        notes.push("runtime stays on the build image's distribution: programs built with glibc do not run on Alpine".into());
    }
    let slim_variant = a
        .facts
        .variants
        .get(&base.canonical())
        .and_then(|vs| vs.iter().find(|v| v.reference.contains("slim")))
        .map(|v| v.reference.clone());
    match family(base) {
        "gcc" => image("debian:bookworm-slim", Flavor::Debian),
        "eclipse-temurin" | "openjdk" | "amazoncorretto" | "sapmachine" if !t.contains("jre") => {
            // a JDK that only runs a program: its JRE
            let v = java_version(base);
            let distro: Vec<&str> = rest
                .iter()
                .copied()
                .filter(|p| CODENAMES.contains(p))
                .collect();
            let mut parts = vec!["jre"];
            parts.extend(distro);
            image(
                format!("eclipse-temurin:{}", join(Some(&v.to_string()), &parts)),
                Flavor::Debian,
            )
        }
        "buildpack-deps" => image(
            format!("debian:{}-slim", codename(&rest).unwrap_or("bookworm")),
            Flavor::Debian,
        ),
        "debian" if !t.contains("slim") => {
            let code = codename(&rest)
                .or_else(|| version.and_then(|v| CODENAMES.iter().copied().find(|c| *c == v)))
                .or_else(|| CODENAMES.iter().copied().find(|c| *c == t));
            match code {
                Some(c) => image(format!("debian:{c}-slim"), Flavor::Debian),
                None => image(written.to_string(), Flavor::Debian),
            }
        }
        "ruby" | "php" if !t.contains("slim") && slim_variant.is_none() => {
            let distro: Vec<&str> = rest
                .iter()
                .copied()
                .filter(|p| CODENAMES.contains(p))
                .collect();
            let mut parts = distro;
            parts.push("slim");
            if family(base) == "php" {
                return image(written.to_string(), Flavor::Debian);
            }
            image(
                same_repo(written, t, &join(version, &parts)),
                Flavor::Debian,
            )
        }
        "sdk" if base.repository.contains("dotnet") => image(
            format!(
                "{}/{}:{t}",
                base.registry,
                base.repository.replace("/sdk", "/aspnet")
            ),
            Flavor::Debian,
        ),
        _ => match slim_variant {
            Some(v) => image(v, Flavor::Debian),
            None => image(written.to_string(), Flavor::Debian),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_variables_are_kept() {
        assert_eq!(
            same_repo("node:${NODE_VERSION}", "20", "20-slim"),
            "node:${NODE_VERSION}-slim"
        );
        assert_eq!(
            same_repo(
                "python:${PY}-bookworm",
                "3.12-bookworm",
                "3.12-slim-bookworm"
            ),
            "python:${PY}-slim-bookworm"
        );
        assert_eq!(
            same_repo("mirror.gcr.io/library/node:20@sha256:abc", "20", "20-slim"),
            "mirror.gcr.io/library/node:20-slim"
        );
        assert_eq!(
            split_written("${REG:-docker.io}/node:20"),
            ("${REG:-docker.io}/node", Some("20"))
        );
    }

    #[test]
    fn java_versions_come_from_the_tag() {
        let v = |s: &str| java_version(&ImageRef::parse(s).unwrap());
        assert_eq!(v("maven:3.9-eclipse-temurin-21"), 21);
        assert_eq!(v("maven:3.9.6-amazoncorretto-17"), 17);
        assert_eq!(v("gradle:8.5-jdk17-alpine"), 17);
        assert_eq!(v("eclipse-temurin:17-jdk-jammy"), 17);
        assert_eq!(v("openjdk:11"), 11);
        assert_eq!(v("maven:3.9"), 21);
    }
}
