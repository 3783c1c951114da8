//! Everything that can go wrong while asking a registry, as messages a user can act on.
//! Messages never contain credentials: none of the variants carries one.

use std::fmt;

/// Why image facts could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryError {
    /// Offline mode is on and neither the cache nor the catalogue knows the image.
    Offline { reference: String },
    /// No connection could be made (refused, DNS failure, reset).
    Unreachable { registry: String, detail: String },
    /// The registry did not answer within the time limit.
    Timeout { registry: String, after_ms: u64 },
    /// TLS failed: unknown certificate authority, wrong host name, expired certificate.
    Tls { registry: String, detail: String },
    /// 401: the registry wants credentials (none configured) or rejected them.
    Unauthorized {
        registry: String,
        repository: String,
        had_credentials: bool,
    },
    /// 403: the credentials are valid but not allowed to pull this repository.
    Forbidden {
        registry: String,
        repository: String,
    },
    /// 404: no such repository, tag or digest.
    NotFound {
        reference: String,
        detail: Option<String>,
    },
    /// 429, or a rate-limit header said no requests remain.
    RateLimited {
        registry: String,
        retry_after_secs: Option<u64>,
    },
    /// 5xx.
    Server { registry: String, status: u16 },
    /// Any other unexpected status.
    UnexpectedStatus { registry: String, status: u16 },
    /// A manifest, index, config or token response that could not be understood.
    Malformed { what: String, detail: String },
    /// A response larger than layerwise accepts for its kind.
    TooLarge { what: String, limit: u64 },
    /// Content did not hash to the digest it was fetched by.
    DigestMismatch { expected: String, actual: String },
    /// A redirect layerwise refused to follow, or a redirect target that wanted credentials
    /// (credentials are never sent to another host).
    Redirect {
        registry: String,
        target: String,
        reason: String,
    },
    /// The registry is only reachable over plain HTTP and is not marked insecure.
    InsecureRefused { registry: String },
    /// The image exists but not for the platform asked for.
    PlatformNotAvailable {
        reference: String,
        wanted: String,
        available: Vec<String>,
    },
    /// The reference text is not a valid image reference.
    InvalidReference { reference: String, detail: String },
    /// Settings that cannot be used (unreadable CA file, ...).
    Config { detail: String },
}

impl RegistryError {
    /// Whether this is a failure to reach the registry rather than an answer from it: then a
    /// stale cache entry or the catalogue is a useful fallback. A 404 or 401 is an answer, and
    /// showing catalogue figures for an image that does not exist would mislead.
    pub fn allows_fallback(&self) -> bool {
        matches!(
            self,
            RegistryError::Offline { .. }
                | RegistryError::Unreachable { .. }
                | RegistryError::Timeout { .. }
                | RegistryError::Tls { .. }
                | RegistryError::RateLimited { .. }
                | RegistryError::Server { .. }
                | RegistryError::UnexpectedStatus { .. }
        )
    }
}

impl RegistryError {
    /// A few words for places with no room for the whole message (an inlay hint after
    /// `base ?`): what kind of failure, not its details.
    pub fn short(&self) -> String {
        use RegistryError::*;
        match self {
            Offline { .. } => "offline".into(),
            Unreachable { .. } => "registry unreachable".into(),
            Timeout { .. } => "registry timed out".into(),
            Tls { .. } => "TLS failed".into(),
            Unauthorized {
                had_credentials: false,
                ..
            } => "login required".into(),
            Unauthorized {
                had_credentials: true,
                ..
            } => "credentials rejected".into(),
            Forbidden { .. } => "access denied".into(),
            NotFound { .. } => "not found".into(),
            RateLimited { .. } => "rate limited".into(),
            Server { status, .. } => format!("registry error {status}"),
            UnexpectedStatus { status, .. } => format!("HTTP {status}"),
            Malformed { .. } => "malformed answer".into(),
            TooLarge { .. } => "answer too large".into(),
            DigestMismatch { .. } => "digest mismatch".into(),
            Redirect { .. } => "redirect refused".into(),
            InsecureRefused { .. } => "plain HTTP refused".into(),
            PlatformNotAvailable { wanted, .. } => format!("no {wanted} image"),
            InvalidReference { .. } => "invalid reference".into(),
            Config { .. } => "settings error".into(),
        }
    }

    /// How long the registry asked to be left alone, when it said (`Retry-After`).
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            RegistryError::RateLimited {
                retry_after_secs, ..
            } => *retry_after_secs,
            _ => None,
        }
    }
}

fn login_hint(registry: &str) -> String {
    if registry == "docker.io" || registry == "registry-1.docker.io" {
        "docker login".to_string()
    } else {
        format!("docker login {registry}")
    }
}

fn duration_words(secs: u64) -> String {
    match secs {
        s if s < 90 => format!("{s} s"),
        s if s < 5400 => format!("{} min", s.div_ceil(60)),
        s => format!("{:.1} h", s as f64 / 3600.0),
    }
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RegistryError::*;
        match self {
            Offline { reference } => write!(
                f,
                "offline mode: nothing cached for {reference} and it is not in the offline catalogue"
            ),
            Unreachable { registry, detail } => {
                write!(f, "cannot reach registry {registry}: {detail}")
            }
            Timeout { registry, after_ms } => write!(
                f,
                "registry {registry} did not answer within {:.1} s",
                *after_ms as f64 / 1000.0
            ),
            Tls { registry, detail } => write!(
                f,
                "TLS connection to {registry} failed: {detail} (if it uses a private CA, add the CA certificate to the registry settings)"
            ),
            Unauthorized { registry, repository, had_credentials: false } => write!(
                f,
                "{registry} requires authentication to read {repository}; run `{}` or check the repository name",
                login_hint(registry)
            ),
            Unauthorized { registry, repository, had_credentials: true } => write!(
                f,
                "{registry} rejected the configured credentials for {repository}; run `{}` again",
                login_hint(registry)
            ),
            Forbidden { registry, repository } => write!(
                f,
                "access to {repository} on {registry} is denied (403): the account may not pull it"
            ),
            NotFound { reference, detail } => {
                write!(f, "{reference} not found: no such repository, tag or digest")?;
                if let Some(d) = detail {
                    write!(f, " ({d})")?;
                }
                Ok(())
            }
            RateLimited { registry, retry_after_secs: Some(s) } => write!(
                f,
                "{registry} rate limit reached; retry in {}",
                duration_words(*s)
            ),
            RateLimited { registry, retry_after_secs: None } => {
                write!(f, "{registry} rate limit reached; retry later")
            }
            Server { registry, status } => {
                write!(f, "registry {registry} failed with HTTP {status}; try again later")
            }
            UnexpectedStatus { registry, status } => {
                write!(f, "registry {registry} answered with unexpected HTTP {status}")
            }
            Malformed { what, detail } => write!(f, "malformed {what}: {detail}"),
            TooLarge { what, limit } => write!(
                f,
                "{what} is larger than the {} layerwise accepts",
                layerwise_analysis::image_facts::format_bytes(*limit)
            ),
            DigestMismatch { expected, actual } => write!(
                f,
                "content does not match its digest: expected {expected}, got {actual}"
            ),
            Redirect { registry, target, reason } => {
                write!(f, "{registry} redirected to {target}: {reason}")
            }
            InsecureRefused { registry } => write!(
                f,
                "{registry} answers only over plain HTTP; add it to the insecure registries setting to allow that"
            ),
            PlatformNotAvailable { reference, wanted, available } => write!(
                f,
                "{reference} has no image for {wanted}; available: {}",
                if available.is_empty() { "none listed".to_string() } else { available.join(", ") }
            ),
            InvalidReference { reference, detail } => {
                write!(f, "invalid image reference {reference:?}: {detail}")
            }
            Config { detail } => write!(f, "registry settings: {detail}"),
        }
    }
}

impl std::error::Error for RegistryError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_tell_the_user_what_to_do() {
        let e = RegistryError::Unauthorized {
            registry: "ghcr.io".into(),
            repository: "o/a".into(),
            had_credentials: false,
        };
        assert!(e.to_string().contains("docker login ghcr.io"), "{e}");
        let e = RegistryError::RateLimited {
            registry: "docker.io".into(),
            retry_after_secs: Some(150),
        };
        assert_eq!(
            e.to_string(),
            "docker.io rate limit reached; retry in 3 min"
        );
        let e = RegistryError::RateLimited {
            registry: "docker.io".into(),
            retry_after_secs: Some(30),
        };
        assert!(e.to_string().ends_with("retry in 30 s"));
        let e = RegistryError::TooLarge {
            what: "manifest".into(),
            limit: 4_000_000,
        };
        assert_eq!(
            e.to_string(),
            "manifest is larger than the 4.00 MB layerwise accepts"
        );
        assert!(RegistryError::Timeout {
            registry: "r".into(),
            after_ms: 1500
        }
        .allows_fallback());
        assert!(!RegistryError::NotFound {
            reference: "x".into(),
            detail: None
        }
        .allows_fallback());
    }

    #[test]
    fn short_forms_name_the_kind_of_failure() {
        let e = RegistryError::Unauthorized {
            registry: "r".into(),
            repository: "a".into(),
            had_credentials: true,
        };
        assert_eq!(e.short(), "credentials rejected");
        let e = RegistryError::Server {
            registry: "r".into(),
            status: 503,
        };
        assert_eq!(e.short(), "registry error 503");
        let e = RegistryError::RateLimited {
            registry: "r".into(),
            retry_after_secs: Some(120),
        };
        assert_eq!(
            (e.short().as_str(), e.retry_after_secs()),
            ("rate limited", Some(120))
        );
        assert_eq!(
            RegistryError::Timeout {
                registry: "r".into(),
                after_ms: 1
            }
            .retry_after_secs(),
            None
        );
    }
}
