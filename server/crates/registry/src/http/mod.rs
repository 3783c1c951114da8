//! [`HttpDistribution`]: the registry API over HTTP(S).
//!
//! Per registry host it first asks `GET /v2/` once, to learn the scheme (HTTPS; plain HTTP only
//! for loopback and insecure-marked hosts, after HTTPS failed) and the auth challenge. Requests
//! then carry a cached token or Basic credential. Every request has a time limit, waits for one
//! of a fixed number of permits, and reads at most a fixed number of bytes. Redirects are
//! followed by hand (at most five) so credentials are dropped whenever the host changes, and a
//! redirect to plain HTTP is refused unless the target is loopback or insecure-marked.
//!
//! This file holds the state and [`HttpDistribution::request`], which ties the steps together;
//! each step has its own file: `client` (the HTTP clients, CA certificates, where plain HTTP is
//! allowed), `endpoint` (the `GET /v2/` probe and the back-off for hosts that are down),
//! `authorize` (answering a challenge, token exchange), `transfer` (sending, redirects, body
//! caps), `errors` (transport errors and statuses into [`RegistryError`]), `ratelimit`
//! (holding off a registry that said to wait), `auth` (challenges, scopes, the token cache)
//! and `api` (the [`Distribution`](crate::Distribution) methods on top).

pub mod auth;
pub mod ratelimit;

mod api;
mod authorize;
mod client;
mod endpoint;
mod errors;
mod transfer;

use crate::credentials::CredentialStore;
use crate::settings::RegistrySettings;
use crate::RegistryError;
use auth::{parse_challenge, pull_scope, TokenCache};
use endpoint::Endpoint;
use layerwise_analysis::image_ref::ImageRef;
use reqwest::header::WWW_AUTHENTICATE;
use reqwest::{Method, StatusCode, Url};
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::Mutex;
use std::time::Instant;
use tokio::sync::Semaphore;
use transfer::Reply;

/// What a request is about, for error messages.
struct Subject<'a> {
    image: &'a ImageRef,
    /// `node:20`, `node@sha256:…`, `blob sha256:… of node`.
    text: String,
}

/// The registry API over HTTP(S). See the module docs.
pub struct HttpDistribution {
    /// Built on first use: building a client loads the system's root certificates, which
    /// costs tens of milliseconds that a server start or an offline check should not pay.
    verified: std::sync::OnceLock<reqwest::Client>,
    /// Accepts any certificate; used only for hosts in `insecure_registries`.
    unverified: std::sync::OnceLock<reqwest::Client>,
    settings: RegistrySettings,
    credentials: CredentialStore,
    tokens: TokenCache,
    endpoints: Mutex<HashMap<String, Endpoint>>,
    /// Hosts that could not be reached, until when, and why.
    down: Mutex<HashMap<String, (Instant, RegistryError)>>,
    /// Hosts that said to wait (429 / rate limit exhausted), until when.
    blocked: Mutex<HashMap<String, Instant>>,
    permits: Semaphore,
    sent: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl HttpDistribution {
    pub fn new(settings: &RegistrySettings) -> Result<HttpDistribution, RegistryError> {
        // Validate the settings now (a bad CA file is a configuration error the caller should
        // see at once); the clients themselves are built when first needed.
        client::load_extra_certs(settings)?;
        Ok(HttpDistribution {
            verified: std::sync::OnceLock::new(),
            unverified: std::sync::OnceLock::new(),
            credentials: CredentialStore::new(
                settings.docker_config_dir.clone(),
                settings.helper_timeout(),
            ),
            settings: settings.clone(),
            tokens: TokenCache::default(),
            endpoints: Mutex::new(HashMap::new()),
            down: Mutex::new(HashMap::new()),
            blocked: Mutex::new(HashMap::new()),
            permits: Semaphore::new(settings.max_concurrent_requests.clamp(1, 64)),
            sent: AtomicU64::new(0),
        })
    }

    /// A registry API request for `subject.image`'s repository, authenticated as needed.
    async fn request(
        &self,
        subject: &Subject<'_>,
        method: Method,
        path_and_query: &str,
        accept: &[&str],
        cap: u64,
        what: &str,
    ) -> Result<Reply, RegistryError> {
        let image = subject.image;
        let host = image.api_host().to_string();
        let registry = image.registry.clone();
        self.check_blocked(&host, &registry)?;
        let endpoint = self.endpoint(&host, &registry).await?;
        let url = Url::parse(&format!(
            "{}://{host}/v2/{}/{path_and_query}",
            endpoint.scheme, image.repository
        ))
        .map_err(|e| RegistryError::InvalidReference {
            reference: image.display_name(),
            detail: e.to_string(),
        })?;
        let scope = pull_scope(&image.repository);
        let credential = self.credentials.get(&registry).await;
        let mut auth = self.tokens.get(&host, &scope);
        if auth.is_none() {
            if let Some(ch) = &endpoint.challenge {
                auth = self
                    .authorize(&host, subject, ch, credential.as_ref())
                    .await?;
            }
        }
        let mut retried = false;
        loop {
            let reply = self
                .send_following(
                    subject,
                    &method,
                    url.clone(),
                    accept,
                    auth.as_ref(),
                    cap,
                    what,
                )
                .await?;
            if reply.status == StatusCode::UNAUTHORIZED && reply.redirected_to.is_none() && !retried
            {
                retried = true;
                self.tokens.forget(&host, &scope);
                let challenge = reply
                    .headers
                    .get(WWW_AUTHENTICATE)
                    .and_then(|h| h.to_str().ok())
                    .and_then(parse_challenge);
                if let Some(ch) = challenge {
                    let fresh = self
                        .authorize(&host, subject, &ch, credential.as_ref())
                        .await?;
                    if fresh.is_some() {
                        auth = fresh;
                        continue;
                    }
                }
            }
            return self.check_status(reply, subject, credential.is_some());
        }
    }
}
