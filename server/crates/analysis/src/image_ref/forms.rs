//! The names a parsed reference goes by: the familiar form people write, the canonical
//! form caches key on, what the registry API is asked for and where it answers.

use std::fmt;

use super::{ImageRef, ImageRefError, DEFAULT_TAG, DOCKER_HUB, DOCKER_HUB_API_HOST};

impl ImageRef {
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
