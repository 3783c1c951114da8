//! User-facing settings of the registry client. The LSP fills them from `initializationOptions`
//! / workspace configuration (camelCase keys), the CLI from its flags.

use layerwise_analysis::image_facts::Platform;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// How layerwise talks to registries and caches what it learns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RegistrySettings {
    /// Never touch the network: answer from the cache (even stale) and the offline catalogue.
    pub offline: bool,
    /// Mirrors tried before Docker Hub for `docker.io` images, like Docker's `registry-mirrors`
    /// (`https://mirror.example.com` or `mirror.example.com:5000`). Each is asked with its own
    /// credentials, never Docker Hub's.
    pub registry_mirrors: Vec<String>,
    /// Registries that may be spoken to over plain HTTP or HTTPS with an unverified certificate
    /// (`host:port`), like Docker's `insecure-registries`. Loopback registries always may.
    pub insecure_registries: Vec<String>,
    /// Platform used when a `FROM` has no `--platform` (`linux/amd64`); else the host's.
    #[serde(with = "platform_string")]
    pub default_platform: Option<Platform>,
    /// Where the disk cache lives; default: `$XDG_CACHE_HOME/layerwise/registry` (or the
    /// platform's cache directory).
    pub cache_dir: Option<PathBuf>,
    /// Whether to keep a disk cache at all (the memory cache is always on).
    pub disk_cache: bool,
    /// How long a tag → digest answer is trusted before the registry is asked again. Data keyed
    /// by digest never expires: a digest names fixed content.
    pub tag_ttl_secs: u64,
    /// Time limit for one HTTP request, body included.
    pub request_timeout_ms: u64,
    /// Time limit for opening a connection.
    pub connect_timeout_ms: u64,
    /// At most this many requests in flight at once, across all registries.
    pub max_concurrent_requests: usize,
    /// Time limit for a Docker credential helper (`docker-credential-*`) to answer.
    pub credential_helper_timeout_ms: u64,
    /// Directory holding Docker's `config.json`; default `$DOCKER_CONFIG`, else `~/.docker`.
    pub docker_config_dir: Option<PathBuf>,
    /// Extra PEM CA certificates to trust (a private registry's CA), added to the system roots.
    pub ca_certificates: Vec<PathBuf>,
    /// After a registry could not be reached, fail fast for this long instead of retrying on
    /// every hover.
    pub unreachable_backoff_secs: u64,
    /// Largest manifest or index accepted (containerd uses 4 MiB).
    pub max_manifest_bytes: u64,
    /// Largest image config blob accepted.
    pub max_config_bytes: u64,
}

impl Default for RegistrySettings {
    fn default() -> Self {
        RegistrySettings {
            offline: false,
            registry_mirrors: Vec::new(),
            insecure_registries: Vec::new(),
            default_platform: None,
            cache_dir: None,
            disk_cache: true,
            tag_ttl_secs: 24 * 3600,
            request_timeout_ms: 15_000,
            connect_timeout_ms: 5_000,
            max_concurrent_requests: 6,
            credential_helper_timeout_ms: 5_000,
            docker_config_dir: None,
            ca_certificates: Vec::new(),
            unreachable_backoff_secs: 30,
            max_manifest_bytes: 4 * 1024 * 1024,
            max_config_bytes: 8 * 1024 * 1024,
        }
    }
}

impl RegistrySettings {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms.max(1))
    }

    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms.max(1))
    }

    pub fn helper_timeout(&self) -> Duration {
        Duration::from_millis(self.credential_helper_timeout_ms.max(1))
    }

    /// Whether `host` (`host[:port]`) was marked insecure. A mirror written as `http://…` counts.
    pub fn is_insecure(&self, host: &str) -> bool {
        let listed = |h: &str| strip_scheme(h).eq_ignore_ascii_case(host);
        self.insecure_registries.iter().any(|h| listed(h))
            || self
                .registry_mirrors
                .iter()
                .any(|m| m.starts_with("http://") && listed(m))
    }

    /// Mirror hosts (`host[:port]`) in the order given.
    pub fn mirror_hosts(&self) -> Vec<String> {
        self.registry_mirrors
            .iter()
            .map(|m| strip_scheme(m).to_string())
            .filter(|m| !m.is_empty())
            .collect()
    }
}

/// `https://host:5000/` → `host:5000`.
fn strip_scheme(s: &str) -> &str {
    let s = s.trim();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(s);
    s.split('/').next().unwrap_or(s)
}

/// Whether `host` (`host[:port]`, `[v6]:port`) is a loopback address, where plain HTTP cannot be
/// intercepted by anyone else on the network.
pub fn is_loopback(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, p)| {
            if p.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                host
            }
        })
    };
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match name.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

/// `default_platform` is written as `"linux/arm64"` in settings files.
mod platform_string {
    use layerwise_analysis::image_facts::Platform;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(p: &Option<Platform>, s: S) -> Result<S::Ok, S::Error> {
        match p {
            Some(p) => s.serialize_some(&p.to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Platform>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        match text.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) => Platform::parse(t)
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "localhost:5000",
            "127.0.0.1",
            "127.0.0.1:80",
            "127.8.9.1:5000",
            "[::1]:5000",
            "[::1]",
        ] {
            assert!(is_loopback(h), "{h}");
        }
        for h in [
            "example.com",
            "10.0.0.1:5000",
            "localhost.example.com",
            "[::2]:1",
            "127.0.0.1.nip.io",
        ] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[test]
    fn insecure_and_mirrors() {
        let s = RegistrySettings {
            insecure_registries: vec!["reg.local:5000".into()],
            registry_mirrors: vec![
                "http://mirror.local:5001/".into(),
                "https://mirror.gcr.io".into(),
            ],
            ..Default::default()
        };
        assert!(s.is_insecure("reg.local:5000"));
        assert!(s.is_insecure("mirror.local:5001"));
        assert!(!s.is_insecure("mirror.gcr.io"));
        assert!(!s.is_insecure("reg.local"));
        assert_eq!(s.mirror_hosts(), vec!["mirror.local:5001", "mirror.gcr.io"]);
    }

    #[test]
    fn settings_read_from_camel_case_json() {
        let s: RegistrySettings = serde_json::from_str(
            r#"{"offline":true,"defaultPlatform":"linux/arm64","tagTtlSecs":60}"#,
        )
        .unwrap();
        assert!(s.offline);
        assert_eq!(s.default_platform.unwrap().to_string(), "linux/arm64");
        assert_eq!(s.tag_ttl_secs, 60);
        assert!(s.disk_cache, "unspecified fields keep their defaults");
        assert!(serde_json::from_str::<RegistrySettings>(r#"{"defaultPlatform":"nope"}"#).is_err());
    }
}
