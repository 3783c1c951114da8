//! Where a registry host is and how it wants to be asked: `GET /v2/` once per host gives the
//! scheme (HTTPS, else plain HTTP where allowed) and the auth challenge; a host that cannot be
//! reached is not asked again until its back-off ends.

use super::auth::{parse_challenge, Challenge};
use super::errors::plain_http_hint;
use super::{lock, HttpDistribution};
use crate::RegistryError;
use reqwest::header::WWW_AUTHENTICATE;
use reqwest::StatusCode;
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub(super) struct Endpoint {
    pub(super) scheme: &'static str,
    pub(super) challenge: Option<Challenge>,
}

impl HttpDistribution {
    /// Scheme and challenge of `host`, learnt once by `GET /v2/`.
    pub(super) async fn endpoint(
        &self,
        host: &str,
        registry: &str,
    ) -> Result<Endpoint, RegistryError> {
        if let Some(e) = lock(&self.endpoints).get(host) {
            return Ok(e.clone());
        }
        if let Some((until, err)) = lock(&self.down).get(host) {
            if *until > Instant::now() {
                return Err(err.clone());
            }
        }
        let https = self.ping("https", host, registry).await;
        let result = match https {
            Ok(ep) => Ok(ep),
            Err(e @ (RegistryError::Tls { .. } | RegistryError::Unreachable { .. }))
                if self.plain_http_allowed(host) =>
            {
                match self.ping("http", host, registry).await {
                    Ok(ep) => Ok(ep),
                    // The HTTPS failure says more (e.g. an unknown CA) than "not a registry".
                    Err(_) => Err(e),
                }
            }
            Err(e) => Err(plain_http_hint(e)),
        };
        match &result {
            Ok(ep) => {
                tracing::debug!(host, scheme = ep.scheme, "registry endpoint");
                lock(&self.endpoints).insert(host.to_string(), ep.clone());
            }
            Err(
                e @ (RegistryError::Unreachable { .. }
                | RegistryError::Timeout { .. }
                | RegistryError::Tls { .. }),
            ) => {
                let backoff = Duration::from_secs(self.settings.unreachable_backoff_secs);
                if !backoff.is_zero() {
                    lock(&self.down)
                        .insert(host.to_string(), (Instant::now() + backoff, e.clone()));
                }
            }
            Err(_) => {}
        }
        result
    }

    async fn ping(
        &self,
        scheme: &'static str,
        host: &str,
        registry: &str,
    ) -> Result<Endpoint, RegistryError> {
        let url = format!("{scheme}://{host}/v2/");
        let resp = self.send(self.client_for(host).get(&url), registry).await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        drop(resp);
        self.note_rate_limit(host, status, &headers);
        // Over plain HTTP, insist on a registry's answer: a TLS port answers plain HTTP with 400.
        let looks_like_registry = status.is_success()
            || status == StatusCode::UNAUTHORIZED
            || headers.contains_key("docker-distribution-api-version");
        if scheme == "http" && !looks_like_registry {
            return Err(RegistryError::UnexpectedStatus {
                registry: registry.to_string(),
                status: status.as_u16(),
            });
        }
        let challenge = if status == StatusCode::UNAUTHORIZED {
            headers
                .get(WWW_AUTHENTICATE)
                .and_then(|h| h.to_str().ok())
                .and_then(parse_challenge)
        } else {
            None
        };
        Ok(Endpoint { scheme, challenge })
    }
}
