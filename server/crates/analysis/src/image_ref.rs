//! Docker image references (`node:20-slim`, `ghcr.io/org/app@sha256:…`, `localhost:5000/x`),
//! parsed and normalised the way Docker's `reference` package does it, so that hover, the
//! registry client and the cache all agree on what `FROM node` means
//! (`docker.io/library/node:latest`).
//!
//! Pure: no IO. Errors carry byte offsets into the input so the editor can underline the exact
//! character that makes a reference invalid.
//!
//! Grammar (from Docker's distribution/reference, restated):
//!
//! ```text
//! reference  := name [ ":" tag ] [ "@" digest ]
//! name       := [ domain "/" ] path            (at most 255 bytes)
//! domain     := host [ ":" port ]              host: DNS-ish components, or [IPv6]
//! path       := component ( "/" component )*   component: [a-z0-9]+ ( sep [a-z0-9]+ )*
//! sep        := "." | "_" | "__" | "-"+
//! tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//! digest     := algorithm ":" hex              sha256: 64 lowercase hex digits
//! ```
//!
//! The first path segment is a registry host only if it contains `.` or `:`, is `localhost`, or
//! has an uppercase letter (Docker's rule); otherwise the image is on Docker Hub.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;

/// The registry name Docker Hub images normalise to.
pub const DOCKER_HUB: &str = "docker.io";
/// The host Docker Hub's registry API actually answers on.
pub const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";
/// The tag used when a reference names neither tag nor digest.
pub const DEFAULT_TAG: &str = "latest";

const MAX_NAME_LEN: usize = 255;
const MAX_TAG_LEN: usize = 128;

/// A normalised image reference. Two references that Docker treats as the same image compare
/// equal (`node` == `docker.io/library/node`; `index.docker.io/x/y` == `x/y`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ImageRef {
    /// Registry host with optional port, normalised: `docker.io`, `ghcr.io`, `localhost:5000`.
    pub registry: String,
    /// Repository path inside the registry: `library/node`, `org/app`.
    pub repository: String,
    /// The tag as written, if any (`None` for `node` or `node@sha256:…`).
    pub tag: Option<String>,
    /// The digest as written, if any (`sha256:<64 hex>`).
    pub digest: Option<String>,
}

/// Where the parts of a reference sit in the parsed text (byte ranges), for editor features
/// that work on one part (tag completion, hover on the digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRefSpans {
    /// The name, including any registry host: `ghcr.io/org/app`.
    pub name: Range<usize>,
    /// The tag without its `:`.
    pub tag: Option<Range<usize>>,
    /// The digest without its `@`.
    pub digest: Option<Range<usize>>,
}

/// Why a reference is invalid, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRefError {
    pub kind: ImageRefErrorKind,
    /// Byte range in the input that the error is about.
    pub span: Range<usize>,
}

/// The kinds of invalid reference, each with a message a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRefErrorKind {
    Empty,
    /// A character that is never valid where it appears.
    InvalidCharacter(char),
    /// Repository paths must be lowercase (Docker rejects `FROM Node`).
    UppercaseRepository,
    /// An empty path component (`a//b`, trailing `/`, `:tag` with no name).
    EmptyComponent,
    InvalidDomain,
    InvalidPort,
    InvalidTag,
    TagTooLong,
    InvalidDigest,
    NameTooLong,
    /// A bare 64-hex-digit name looks like an image ID, which Docker refuses as a name.
    LooksLikeImageId,
}

impl fmt::Display for ImageRefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ImageRefErrorKind::*;
        match &self.kind {
            Empty => write!(f, "image reference is empty"),
            InvalidCharacter(c) => write!(f, "invalid character {c:?} in image reference"),
            UppercaseRepository => write!(f, "repository name must be lowercase"),
            EmptyComponent => write!(f, "image name has an empty path component"),
            InvalidDomain => write!(f, "invalid registry host name"),
            InvalidPort => write!(f, "invalid registry port"),
            InvalidTag => write!(
                f,
                "invalid tag: a tag is letters, digits, `_`, `.` and `-`, not starting with `.` or `-`"
            ),
            TagTooLong => write!(f, "tag is longer than {MAX_TAG_LEN} characters"),
            InvalidDigest => write!(
                f,
                "invalid digest: expected `sha256:` followed by 64 lowercase hex digits"
            ),
            NameTooLong => write!(f, "image name is longer than {MAX_NAME_LEN} characters"),
            LooksLikeImageId => write!(
                f,
                "a 64-character hex string is an image ID, not a repository name"
            ),
        }
    }
}

impl std::error::Error for ImageRefError {}

fn err<T>(kind: ImageRefErrorKind, span: Range<usize>) -> Result<T, ImageRefError> {
    Err(ImageRefError { kind, span })
}

impl ImageRef {
    /// Parses and normalises a reference. See the module docs for the grammar.
    pub fn parse(input: &str) -> Result<ImageRef, ImageRefError> {
        Self::parse_spanned(input).map(|(r, _)| r)
    }

    /// Like [`ImageRef::parse`], also returning where the name, tag and digest are in `input`.
    pub fn parse_spanned(input: &str) -> Result<(ImageRef, ImageRefSpans), ImageRefError> {
        if input.is_empty() {
            return err(ImageRefErrorKind::Empty, 0..0);
        }
        if let Some((i, c)) = input
            .char_indices()
            .find(|(_, c)| c.is_whitespace() || c.is_control() || !c.is_ascii())
        {
            return err(ImageRefErrorKind::InvalidCharacter(c), i..i + c.len_utf8());
        }

        // Digest: everything after the first '@'.
        let (name_and_tag_end, digest) = match input.find('@') {
            Some(at) => {
                let d = at + 1..input.len();
                validate_digest(input, d.clone())?;
                (at, Some(d))
            }
            None => (input.len(), None),
        };
        let name_and_tag = &input[..name_and_tag_end];

        // Tag: after the last ':' that follows the last '/'.
        let last_slash = name_and_tag.rfind('/');
        let tag_colon = name_and_tag
            .rfind(':')
            .filter(|&c| !matches!(last_slash, Some(s) if c < s));
        let (name_end, tag) = match tag_colon {
            Some(c) => {
                let t = c + 1..name_and_tag_end;
                validate_tag(input, t.clone())?;
                (c, Some(t))
            }
            None => (name_and_tag_end, None),
        };
        let name = &input[..name_end];
        if name.is_empty() {
            return err(ImageRefErrorKind::EmptyComponent, 0..0);
        }
        if name.len() > MAX_NAME_LEN {
            return err(ImageRefErrorKind::NameTooLong, 0..name_end);
        }

        // Registry host, by Docker's rule.
        let (domain, path_start) = match name.find('/') {
            Some(i) => {
                let first = &name[..i];
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.bytes().any(|b| b.is_ascii_uppercase())
                {
                    validate_domain(input, 0..i)?;
                    (Some(first), i + 1)
                } else {
                    (None, 0)
                }
            }
            None => (None, 0),
        };
        validate_path(input, path_start..name_end)?;
        let path = &name[path_start..];
        if domain.is_none() && path.len() == 64 && path.bytes().all(|b| b.is_ascii_hexdigit()) {
            return err(ImageRefErrorKind::LooksLikeImageId, 0..name_end);
        }

        let registry = match domain {
            None => DOCKER_HUB.to_string(),
            Some(d) if is_docker_hub_alias(d) => DOCKER_HUB.to_string(),
            Some(d) => d.to_string(),
        };
        let repository = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path.to_string()
        };
        let image = ImageRef {
            registry,
            repository,
            tag: tag.clone().map(|t| input[t].to_string()),
            digest: digest.clone().map(|d| input[d].to_string()),
        };
        let spans = ImageRefSpans {
            name: 0..name_end,
            tag,
            digest,
        };
        Ok((image, spans))
    }

    /// The short form people write: `node:20`, `user/app`, `ghcr.io/o/a@sha256:…`
    /// (Docker's "familiar" string; no `:latest` is invented).
    pub fn display_name(&self) -> String {
        let mut s = self.familiar_name();
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    /// The fully qualified form: `docker.io/library/node:latest`. `:latest` is added only when the
    /// reference names neither a tag nor a digest, as Docker does when pulling.
    pub fn canonical(&self) -> String {
        let mut s = format!("{}/{}", self.registry, self.repository);
        match (&self.tag, &self.digest) {
            (None, None) => {
                s.push(':');
                s.push_str(DEFAULT_TAG);
            }
            (tag, digest) => {
                if let Some(t) = tag {
                    s.push(':');
                    s.push_str(t);
                }
                if let Some(d) = digest {
                    s.push('@');
                    s.push_str(d);
                }
            }
        }
        s
    }

    /// The name without registry for Docker Hub and without `library/` for official images:
    /// `node`, `user/app`, `ghcr.io/org/app`.
    pub fn familiar_name(&self) -> String {
        if self.registry == DOCKER_HUB {
            self.repository
                .strip_prefix("library/")
                .filter(|r| !r.contains('/'))
                .unwrap_or(&self.repository)
                .to_string()
        } else {
            format!("{}/{}", self.registry, self.repository)
        }
    }

    /// The tag a pull would use: the tag as written, else `latest` when there is no digest.
    pub fn effective_tag(&self) -> Option<&str> {
        match (&self.tag, &self.digest) {
            (Some(t), _) => Some(t),
            (None, None) => Some(DEFAULT_TAG),
            (None, Some(_)) => None,
        }
    }

    /// What the registry API is asked for: the digest when pinned (a digest wins over a tag, as
    /// in Docker), else the effective tag.
    pub fn manifest_reference(&self) -> &str {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d,
            (None, Some(t)) => t,
            (None, None) => DEFAULT_TAG,
        }
    }

    /// Whether this is Docker Hub.
    pub fn is_docker_hub(&self) -> bool {
        self.registry == DOCKER_HUB
    }

    /// Whether this is a Docker official image (`docker.io/library/*`).
    pub fn is_official(&self) -> bool {
        self.is_docker_hub() && self.repository.starts_with("library/")
    }

    /// `FROM scratch` names no image at all: it is an empty filesystem.
    pub fn is_scratch(&self) -> bool {
        self.is_docker_hub() && self.repository == "library/scratch"
    }

    /// The host[:port] to send registry API requests to (`registry-1.docker.io` for Docker Hub).
    pub fn api_host(&self) -> &str {
        if self.is_docker_hub() {
            DOCKER_HUB_API_HOST
        } else {
            &self.registry
        }
    }

    /// The host part of the registry, without port or IPv6 brackets.
    pub fn registry_host(&self) -> &str {
        split_host_port(&self.registry).0
    }

    /// The registry's port, if one is written.
    pub fn registry_port(&self) -> Option<u16> {
        split_host_port(&self.registry)
            .1
            .and_then(|p| p.parse().ok())
    }

    /// The same image pinned to `digest` (tag kept, as `FROM node:20@sha256:…` keeps it).
    pub fn with_digest(&self, digest: &str) -> ImageRef {
        ImageRef {
            digest: Some(digest.to_string()),
            ..self.clone()
        }
    }

    /// The same repository with another tag and no digest.
    pub fn with_tag(&self, tag: &str) -> ImageRef {
        ImageRef {
            tag: Some(tag.to_string()),
            digest: None,
            ..self.clone()
        }
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_name())
    }
}

impl std::str::FromStr for ImageRef {
    type Err = ImageRefError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImageRef::parse(s)
    }
}

/// `index.docker.io` and `registry-1.docker.io` are other names of Docker Hub.
fn is_docker_hub_alias(domain: &str) -> bool {
    matches!(
        domain,
        "docker.io" | "index.docker.io" | "registry-1.docker.io"
    )
}

/// Splits `host:port` / `[v6]:port`, returning the host without brackets.
fn split_host_port(registry: &str) -> (&str, Option<&str>) {
    if let Some(rest) = registry.strip_prefix('[') {
        if let Some(end) = rest.find(']') {
            let port = rest[end + 1..].strip_prefix(':');
            return (&rest[..end], port);
        }
    }
    match registry.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (registry, None),
    }
}

fn validate_domain(input: &str, span: Range<usize>) -> Result<(), ImageRefError> {
    let text = &input[span.clone()];
    let base = span.start;
    // Host: [IPv6] or DNS-like components.
    let (host_end, port_start) = if text.starts_with('[') {
        match text.find(']') {
            Some(close) => {
                let inner = &text[1..close];
                if inner.is_empty()
                    || !inner
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
                {
                    return err(ImageRefErrorKind::InvalidDomain, base..base + close + 1);
                }
                match &text[close + 1..] {
                    "" => (close + 1, None),
                    rest if rest.starts_with(':') => (close + 1, Some(close + 2)),
                    _ => return err(ImageRefErrorKind::InvalidDomain, base + close + 1..span.end),
                }
            }
            None => return err(ImageRefErrorKind::InvalidDomain, span),
        }
    } else {
        match text.find(':') {
            Some(c) => (c, Some(c + 1)),
            None => (text.len(), None),
        }
    };
    if !text.starts_with('[') {
        let host = &text[..host_end];
        let mut offset = 0;
        for component in host.split('.') {
            let ok = !component.is_empty()
                && component
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !component.starts_with('-')
                && !component.ends_with('-');
            if !ok {
                let at = base + offset;
                let bad = component
                    .char_indices()
                    .find(|(_, c)| !c.is_ascii_alphanumeric() && *c != '-')
                    .map(|(i, c)| (ImageRefErrorKind::InvalidCharacter(c), at + i..at + i + 1))
                    .unwrap_or((ImageRefErrorKind::InvalidDomain, at..at + component.len()));
                return err(bad.0, bad.1);
            }
            offset += component.len() + 1;
        }
    }
    if let Some(p) = port_start {
        let port = &text[p..];
        if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
            return err(ImageRefErrorKind::InvalidPort, base + p..span.end);
        }
    }
    Ok(())
}

fn validate_path(input: &str, span: Range<usize>) -> Result<(), ImageRefError> {
    let text = &input[span.clone()];
    let mut start = span.start;
    for component in text.split('/') {
        validate_component(input, start..start + component.len())?;
        start += component.len() + 1;
    }
    Ok(())
}

/// `[a-z0-9]+ ( ("." | "_" | "__" | "-"+) [a-z0-9]+ )*`
fn validate_component(input: &str, span: Range<usize>) -> Result<(), ImageRefError> {
    let bytes = &input.as_bytes()[span.clone()];
    if bytes.is_empty() {
        return err(ImageRefErrorKind::EmptyComponent, span.start..span.start);
    }
    let at = |i: usize| span.start + i..span.start + i + 1;
    let mut i = 0;
    let mut need_alnum = true;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_lowercase() || b.is_ascii_digit() {
            need_alnum = false;
            i += 1;
            continue;
        }
        if b.is_ascii_uppercase() {
            return err(ImageRefErrorKind::UppercaseRepository, at(i));
        }
        let sep_len = match b {
            b'.' => 1,
            b'_' if bytes.get(i + 1) == Some(&b'_') => 2,
            b'_' => 1,
            b'-' => bytes[i..].iter().take_while(|&&c| c == b'-').count(),
            _ => return err(ImageRefErrorKind::InvalidCharacter(b as char), at(i)),
        };
        // A separator must sit between alphanumerics.
        if need_alnum || i + sep_len >= bytes.len() {
            return err(ImageRefErrorKind::InvalidCharacter(b as char), at(i));
        }
        let next = bytes[i + sep_len];
        if !(next.is_ascii_lowercase() || next.is_ascii_digit() || next.is_ascii_uppercase()) {
            return err(
                ImageRefErrorKind::InvalidCharacter(next as char),
                at(i + sep_len),
            );
        }
        i += sep_len;
        need_alnum = true;
    }
    Ok(())
}

fn validate_tag(input: &str, span: Range<usize>) -> Result<(), ImageRefError> {
    let tag = &input.as_bytes()[span.clone()];
    if tag.is_empty() {
        return err(ImageRefErrorKind::InvalidTag, span);
    }
    if tag.len() > MAX_TAG_LEN {
        return err(ImageRefErrorKind::TagTooLong, span);
    }
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    for (i, &b) in tag.iter().enumerate() {
        let ok = if i == 0 {
            word(b)
        } else {
            word(b) || b == b'.' || b == b'-'
        };
        if !ok {
            let p = span.start + i;
            let kind = if b == b':' || b == b'/' {
                ImageRefErrorKind::InvalidCharacter(b as char)
            } else {
                ImageRefErrorKind::InvalidTag
            };
            return err(kind, p..p + 1);
        }
    }
    Ok(())
}

fn validate_digest(input: &str, span: Range<usize>) -> Result<(), ImageRefError> {
    let text = &input[span.clone()];
    let bad = |r: Range<usize>| err(ImageRefErrorKind::InvalidDigest, r);
    let Some(colon) = text.find(':') else {
        return bad(span);
    };
    let (alg, hex) = (&text[..colon], &text[colon + 1..]);
    let alg_ok = !alg.is_empty()
        && alg.split(['+', '.', '_', '-']).all(|c| {
            c.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && c.bytes().all(|b| b.is_ascii_alphanumeric())
        });
    if !alg_ok {
        return bad(span.start..span.start + colon);
    }
    let hex_span = span.start + colon + 1..span.end;
    let expected_len = match alg {
        "sha256" => Some(64),
        "sha384" => Some(96),
        "sha512" => Some(128),
        _ => None,
    };
    let hex_ok = match expected_len {
        Some(n) => {
            hex.len() == n
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }
        None => hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
    };
    if !hex_ok {
        return bad(hex_span);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn normalises_like_docker() {
        // (input, registry, repository, tag, digest, canonical, display)
        let digest_ref = format!("node@{D}");
        let tag_digest = format!("node:20@{D}");
        type Case<'a> = (
            &'a str,
            &'a str,
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
            String,
            String,
        );
        let cases: Vec<Case> = vec![
            (
                "node",
                "docker.io",
                "library/node",
                None,
                None,
                "docker.io/library/node:latest".into(),
                "node".into(),
            ),
            (
                "node:20-slim",
                "docker.io",
                "library/node",
                Some("20-slim"),
                None,
                "docker.io/library/node:20-slim".into(),
                "node:20-slim".into(),
            ),
            (
                "library/node",
                "docker.io",
                "library/node",
                None,
                None,
                "docker.io/library/node:latest".into(),
                "node".into(),
            ),
            (
                "docker.io/node",
                "docker.io",
                "library/node",
                None,
                None,
                "docker.io/library/node:latest".into(),
                "node".into(),
            ),
            (
                "index.docker.io/library/node:1",
                "docker.io",
                "library/node",
                Some("1"),
                None,
                "docker.io/library/node:1".into(),
                "node:1".into(),
            ),
            (
                "registry-1.docker.io/bitnami/redis",
                "docker.io",
                "bitnami/redis",
                None,
                None,
                "docker.io/bitnami/redis:latest".into(),
                "bitnami/redis".into(),
            ),
            (
                "user/app:v1.2",
                "docker.io",
                "user/app",
                Some("v1.2"),
                None,
                "docker.io/user/app:v1.2".into(),
                "user/app:v1.2".into(),
            ),
            (
                "ghcr.io/org/team/app:main",
                "ghcr.io",
                "org/team/app",
                Some("main"),
                None,
                "ghcr.io/org/team/app:main".into(),
                "ghcr.io/org/team/app:main".into(),
            ),
            (
                "localhost/app",
                "localhost",
                "app",
                None,
                None,
                "localhost/app:latest".into(),
                "localhost/app".into(),
            ),
            (
                "localhost:5000/a/b:t",
                "localhost:5000",
                "a/b",
                Some("t"),
                None,
                "localhost:5000/a/b:t".into(),
                "localhost:5000/a/b:t".into(),
            ),
            (
                "127.0.0.1:5000/x",
                "127.0.0.1:5000",
                "x",
                None,
                None,
                "127.0.0.1:5000/x:latest".into(),
                "127.0.0.1:5000/x".into(),
            ),
            (
                "[::1]:5000/x",
                "[::1]:5000",
                "x",
                None,
                None,
                "[::1]:5000/x:latest".into(),
                "[::1]:5000/x".into(),
            ),
            (
                "Registry/app",
                "Registry",
                "app",
                None,
                None,
                "Registry/app:latest".into(),
                "Registry/app".into(),
            ),
            // `localhost:5000` with no slash is image "localhost" tag "5000", as in Docker.
            (
                "localhost:5000",
                "docker.io",
                "library/localhost",
                Some("5000"),
                None,
                "docker.io/library/localhost:5000".into(),
                "localhost:5000".into(),
            ),
            (
                &digest_ref,
                "docker.io",
                "library/node",
                None,
                Some(D),
                format!("docker.io/library/node@{D}"),
                format!("node@{D}"),
            ),
            (
                &tag_digest,
                "docker.io",
                "library/node",
                Some("20"),
                Some(D),
                format!("docker.io/library/node:20@{D}"),
                format!("node:20@{D}"),
            ),
            (
                "a.b-c/d__e/f--g_h.i",
                "a.b-c",
                "d__e/f--g_h.i",
                None,
                None,
                "a.b-c/d__e/f--g_h.i:latest".into(),
                "a.b-c/d__e/f--g_h.i".into(),
            ),
            (
                "mcr.microsoft.com/dotnet/sdk:8.0",
                "mcr.microsoft.com",
                "dotnet/sdk",
                Some("8.0"),
                None,
                "mcr.microsoft.com/dotnet/sdk:8.0".into(),
                "mcr.microsoft.com/dotnet/sdk:8.0".into(),
            ),
            (
                "scratch",
                "docker.io",
                "library/scratch",
                None,
                None,
                "docker.io/library/scratch:latest".into(),
                "scratch".into(),
            ),
            (
                "docker.io/library/a/b",
                "docker.io",
                "library/a/b",
                None,
                None,
                "docker.io/library/a/b:latest".into(),
                "library/a/b".into(),
            ),
        ];
        for (input, registry, repo, tag, digest, canonical, display) in cases {
            let r = ImageRef::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(r.registry, registry, "{input}");
            assert_eq!(r.repository, repo, "{input}");
            assert_eq!(r.tag.as_deref(), tag, "{input}");
            assert_eq!(r.digest.as_deref(), digest, "{input}");
            assert_eq!(r.canonical(), canonical, "{input}");
            assert_eq!(r.display_name(), display, "{input}");
            // The canonical form parses back to the same reference (tag aside: canonical adds latest).
            let back = ImageRef::parse(&r.canonical()).unwrap();
            assert_eq!(
                (back.registry, back.repository, back.digest),
                (r.registry, r.repository, r.digest),
                "{input}"
            );
        }
    }

    #[test]
    fn rejects_with_offsets() {
        use ImageRefErrorKind::*;
        let long_tag = format!("node:{}", "a".repeat(129));
        let long_name = "a".repeat(256);
        let hex_id = "a".repeat(64);
        let cases: Vec<(&str, ImageRefErrorKind, Range<usize>)> = vec![
            ("", Empty, 0..0),
            ("Node", UppercaseRepository, 0..1),
            ("docker.io/Library/node", UppercaseRepository, 10..11),
            ("node:", InvalidTag, 5..5),
            ("node:-x", InvalidTag, 5..6),
            ("node:a b", InvalidCharacter(' '), 6..7),
            ("node@sha256:abc", InvalidDigest, 12..15),
            ("node@md5", InvalidDigest, 5..8),
            ("node@", InvalidDigest, 5..5),
            ("a//b", EmptyComponent, 2..2),
            ("a/", EmptyComponent, 2..2),
            (":tag", EmptyComponent, 0..0),
            ("node/", EmptyComponent, 5..5),
            ("a-/b", InvalidCharacter('-'), 1..2),
            ("_a", InvalidCharacter('_'), 0..1),
            ("a___b", InvalidCharacter('_'), 3..4),
            ("a$b", InvalidCharacter('$'), 1..2),
            ("localhost:abc/x", InvalidPort, 10..13),
            ("my_reg.io/x", InvalidCharacter('_'), 2..3),
            ("-bad.io/x", InvalidDomain, 0..4),
            ("ümlaut", InvalidCharacter('ü'), 0..2),
            (&long_tag, TagTooLong, 5..134),
            (&long_name, NameTooLong, 0..256),
            (&hex_id, LooksLikeImageId, 0..64),
        ];
        for (input, kind, span) in cases {
            let e = ImageRef::parse(input).expect_err(input);
            assert_eq!(
                (e.kind.clone(), e.span.clone()),
                (kind, span),
                "{input}: {e}"
            );
            assert!(e.span.end <= input.len());
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn spans_point_at_parts() {
        let text = format!("ghcr.io/o/a:1.2@{D}");
        let (_, s) = ImageRef::parse_spanned(&text).unwrap();
        assert_eq!(&text[s.name.clone()], "ghcr.io/o/a");
        assert_eq!(&text[s.tag.clone().unwrap()], "1.2");
        assert_eq!(&text[s.digest.clone().unwrap()], D);
    }

    #[test]
    fn helpers() {
        let r = ImageRef::parse("localhost:5000/a").unwrap();
        assert_eq!(r.registry_host(), "localhost");
        assert_eq!(r.registry_port(), Some(5000));
        assert_eq!(r.api_host(), "localhost:5000");
        let v6 = ImageRef::parse("[::1]:5000/a").unwrap();
        assert_eq!(v6.registry_host(), "::1");
        assert_eq!(v6.registry_port(), Some(5000));
        let hub = ImageRef::parse("node").unwrap();
        assert_eq!(hub.api_host(), "registry-1.docker.io");
        assert!(hub.is_official() && hub.is_docker_hub() && !hub.is_scratch());
        assert!(ImageRef::parse("scratch").unwrap().is_scratch());
        assert_eq!(hub.effective_tag(), Some("latest"));
        assert_eq!(hub.manifest_reference(), "latest");
        let pinned = hub.with_tag("20").with_digest(D);
        assert_eq!(pinned.manifest_reference(), D);
        assert_eq!(pinned.effective_tag(), Some("20"));
        assert_eq!(
            ImageRef::parse(&format!("node@{D}"))
                .unwrap()
                .effective_tag(),
            None
        );
        assert_eq!(
            ImageRef::parse("node").unwrap(),
            ImageRef::parse("docker.io/library/node").unwrap()
        );
    }

    #[test]
    fn never_panics_on_junk() {
        // Every prefix and every single-byte mutation of some references must return, not panic.
        let seeds = [
            "ghcr.io/o/a:1.2",
            "[::1]:5000/x@sha256:00",
            "a.b:1/c__d-e:t",
            "[",
            "[]:/",
            "a@b:c",
        ];
        let alphabet = [
            b'/', b':', b'@', b'.', b'_', b'-', b'[', b']', b'A', b'a', b'0', b' ',
        ];
        for s in seeds {
            for end in 0..=s.len() {
                let _ = ImageRef::parse(&s[..end]);
            }
            for i in 0..s.len() {
                for &b in &alphabet {
                    let mut v = s.as_bytes().to_vec();
                    v[i] = b;
                    if let Ok(t) = std::str::from_utf8(&v) {
                        if let Err(e) = ImageRef::parse(t) {
                            assert!(e.span.end <= t.len() && e.span.start <= e.span.end, "{t}");
                        }
                    }
                }
            }
        }
    }
}
