//! The HTTP clients: one that verifies certificates (the system's roots plus the settings' CA
//! bundles) and, for hosts marked insecure only, one that accepts any. Both are built on first
//! use and never follow redirects themselves (`transfer` does, to control where credentials go).

use super::HttpDistribution;
use crate::settings::{is_loopback, RegistrySettings};
use crate::RegistryError;
use std::time::Duration;

impl HttpDistribution {
    pub(super) fn client_for(&self, host: &str) -> &reqwest::Client {
        let insecure = self.settings.is_insecure(host);
        let cell = if insecure {
            &self.unverified
        } else {
            &self.verified
        };
        cell.get_or_init(|| {
            // The settings were validated in `new`, so this only fails if a CA file changed
            // since; fall back to a client with the system roots alone.
            off_the_runtime(|| {
                build_client(&self.settings, insecure).unwrap_or_else(|e| {
                    tracing::warn!("{e}; using the system's root certificates only");
                    reqwest::Client::new()
                })
            })
        })
    }

    /// Plain HTTP (and credentials over it) is allowed only to loopback and insecure-marked hosts.
    pub(super) fn plain_http_allowed(&self, host: &str) -> bool {
        is_loopback(host) || self.settings.is_insecure(host)
    }
}

/// Runs `f`, which reads and parses the system's root certificates (tens of milliseconds,
/// mostly in the kernel), without holding up the other tasks of a multi-threaded runtime: the
/// language server's two workers also answer the editor. Elsewhere (the CLI's runtime, no
/// runtime) it just runs.
fn off_the_runtime<T>(f: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

fn build_client(
    settings: &RegistrySettings,
    accept_invalid: bool,
) -> Result<reqwest::Client, RegistryError> {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(settings.connect_timeout())
        .pool_idle_timeout(Duration::from_secs(30))
        .user_agent(concat!("layerwise/", env!("CARGO_PKG_VERSION")));
    let extra = load_extra_certs(settings)?;
    if !extra.is_empty() {
        b = b.tls_certs_merge(extra);
    }
    if accept_invalid {
        b = b.tls_danger_accept_invalid_certs(true);
    }
    b.build().map_err(|e| RegistryError::Config {
        detail: format!("cannot set up HTTP client: {e}"),
    })
}

/// The extra CA certificates of the settings, read and parsed.
pub(super) fn load_extra_certs(
    settings: &RegistrySettings,
) -> Result<Vec<reqwest::Certificate>, RegistryError> {
    let mut extra = Vec::new();
    for path in &settings.ca_certificates {
        let pem = std::fs::read(path).map_err(|e| RegistryError::Config {
            detail: format!("cannot read CA certificate {}: {e}", path.display()),
        })?;
        let certs =
            reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| RegistryError::Config {
                detail: format!("{} is not a PEM certificate bundle: {e}", path.display()),
            })?;
        extra.extend(certs);
    }
    Ok(extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distribution() -> HttpDistribution {
        HttpDistribution::new(&RegistrySettings::default()).expect("default settings are valid")
    }

    /// The language server's runtime: the build is handed off, never a panic.
    #[test]
    fn clients_are_built_inside_a_multi_threaded_runtime() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let d = std::sync::Arc::new(distribution());
        let d2 = d.clone();
        rt.block_on(async move {
            tokio::spawn(async move {
                let _ = d2.client_for("registry.example");
            })
            .await
            .unwrap();
        });
        assert!(d.verified.get().is_some());
    }

    /// `block_in_place` would panic on these: the client is built in place instead.
    #[test]
    fn clients_are_built_on_a_current_thread_runtime_and_without_one() {
        let d = distribution();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let _ = d.client_for("registry.example");
        });
        assert!(d.verified.get().is_some());
        let _ = distribution().client_for("localhost:5000");
    }
}
