//! Sending one request: a permit and a time limit for each, redirects followed by hand (at most
//! five; credentials only to the original scheme and host; plain HTTP only where allowed), and
//! bodies read within a byte cap.

use super::auth::AuthHeader;
use super::errors::classify;
use super::{HttpDistribution, Subject};
use crate::RegistryError;
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, LOCATION};
use reqwest::{Method, StatusCode, Url};
use std::sync::atomic::Ordering;

const MAX_REDIRECTS: usize = 5;
/// Error bodies are read only for the registry's message.
pub(super) const MAX_ERROR_BODY: u64 = 64 * 1024;

/// One HTTP answer, body read (within its cap).
pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: Vec<u8>,
    /// The host a redirect ended on, when it is not the one asked.
    pub(super) redirected_to: Option<String>,
}

/// `host[:port]` of a URL, as registries are named (`host_str` keeps IPv6 brackets).
pub(super) fn url_host(url: &Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

impl HttpDistribution {
    pub(super) async fn send(
        &self,
        req: reqwest::RequestBuilder,
        registry: &str,
    ) -> Result<reqwest::Response, RegistryError> {
        let timeout = self.settings.request_timeout();
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| RegistryError::Config {
                detail: "request limiter closed".into(),
            })?;
        self.sent.fetch_add(1, Ordering::Relaxed);
        req.timeout(timeout)
            .send()
            .await
            .map_err(|e| classify(&e, registry, timeout))
    }

    /// Reads a body, failing above `cap` (or, with `truncate`, keeping the first `cap` bytes).
    pub(super) async fn read_body(
        &self,
        mut resp: reqwest::Response,
        cap: u64,
        truncate: bool,
        what: &str,
        registry: &str,
    ) -> Result<Vec<u8>, RegistryError> {
        let too_large = || RegistryError::TooLarge {
            what: what.to_string(),
            limit: cap,
        };
        if !truncate && resp.content_length().is_some_and(|n| n > cap) {
            return Err(too_large());
        }
        let timeout = self.settings.request_timeout();
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() as u64 + chunk.len() as u64 > cap {
                        if truncate {
                            let room = (cap as usize).saturating_sub(body.len());
                            body.extend_from_slice(&chunk[..room.min(chunk.len())]);
                            return Ok(body);
                        }
                        return Err(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(body),
                Err(e) => return Err(classify(&e, registry, timeout)),
            }
        }
    }

    /// Sends one request, following redirects by hand; `auth` goes only to the original host.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn send_following(
        &self,
        subject: &Subject<'_>,
        method: &Method,
        start: Url,
        accept: &[&str],
        auth: Option<&AuthHeader>,
        cap: u64,
        what: &str,
    ) -> Result<Reply, RegistryError> {
        let registry = &subject.image.registry;
        let origin_scheme = start.scheme().to_string();
        let origin_host = url_host(&start);
        let mut url = start;
        for _hop in 0..=MAX_REDIRECTS {
            let host = url_host(&url);
            let same_origin = url.scheme() == origin_scheme && host == origin_host;
            let mut req = self.client_for(&host).request(method.clone(), url.clone());
            if !accept.is_empty() {
                req = req.header(ACCEPT, accept.join(", "));
            }
            if same_origin {
                req = match auth {
                    Some(AuthHeader::Bearer(t)) => req.header(AUTHORIZATION, format!("Bearer {t}")),
                    Some(AuthHeader::Basic { username, password }) => {
                        req.basic_auth(username, Some(password))
                    }
                    None => req,
                };
            }
            let resp = self.send(req, registry).await?;
            let status = resp.status();
            if status.is_redirection() {
                let target = resp
                    .headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| url.join(l).ok())
                    .ok_or_else(|| RegistryError::Redirect {
                        registry: registry.clone(),
                        target: "(nowhere)".into(),
                        reason: "the redirect has no usable Location".into(),
                    })?;
                let target_host = url_host(&target);
                match target.scheme() {
                    "https" => {}
                    "http" if self.plain_http_allowed(&target_host) => {}
                    _ => {
                        return Err(RegistryError::Redirect {
                            registry: registry.clone(),
                            target: format!("{}://{target_host}", target.scheme()),
                            reason: "refusing to follow a redirect to an insecure address".into(),
                        })
                    }
                }
                if target_host != origin_host {
                    tracing::debug!(
                        registry,
                        target_host,
                        "following redirect to another host, without credentials"
                    );
                }
                url = target;
                continue;
            }
            let headers = resp.headers().clone();
            if same_origin {
                self.note_rate_limit(&origin_host, status, &headers);
            }
            let body = if *method == Method::HEAD {
                Vec::new()
            } else if status.is_success() {
                self.read_body(resp, cap, false, what, registry).await?
            } else {
                self.read_body(resp, MAX_ERROR_BODY, true, what, registry)
                    .await?
            };
            return Ok(Reply {
                status,
                headers,
                body,
                redirected_to: (!same_origin).then_some(host),
            });
        }
        Err(RegistryError::Redirect {
            registry: registry.clone(),
            target: "(loop)".into(),
            reason: format!("more than {MAX_REDIRECTS} redirects"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_hosts() {
        assert_eq!(
            url_host(&Url::parse("http://127.0.0.1:5000/v2/").unwrap()),
            "127.0.0.1:5000"
        );
        assert_eq!(
            url_host(&Url::parse("https://[::1]:5000/v2/").unwrap()),
            "[::1]:5000"
        );
        assert_eq!(
            url_host(&Url::parse("https://auth.docker.io/token").unwrap()),
            "auth.docker.io"
        );
    }
}
