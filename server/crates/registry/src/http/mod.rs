//! [`HttpDistribution`]: the registry API over HTTP(S).
//!
//! Per registry host it first asks `GET /v2/` once, to learn the scheme (HTTPS; plain HTTP only
//! for loopback and insecure-marked hosts, after HTTPS failed) and the auth challenge. Requests
//! then carry a cached token or Basic credential. Every request has a time limit, waits for one
//! of a fixed number of permits, and reads at most a fixed number of bytes. Redirects are
//! followed by hand (at most five) so credentials are dropped whenever the host changes, and a
//! redirect to plain HTTP is refused unless the target is loopback or insecure-marked.

pub mod auth;
pub mod ratelimit;

use crate::credentials::{Credential, CredentialStore};
use crate::distribution::{BoxFuture, Distribution, ManifestBytes, ManifestHead};
use crate::manifest::MANIFEST_ACCEPT;
use crate::settings::{is_loopback, RegistrySettings};
use crate::RegistryError;
use auth::{
    basic_from, parse_challenge, pull_scope, AuthHeader, Challenge, TokenCache, TokenResponse,
};
use layerwise_analysis::image_ref::ImageRef;
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode, Url};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::Semaphore;

const MAX_REDIRECTS: usize = 5;
/// Error bodies are read only for the registry's message.
const MAX_ERROR_BODY: u64 = 64 * 1024;
const MAX_TOKEN_BODY: u64 = 1024 * 1024;
const MAX_TAG_PAGE: u64 = 4 * 1024 * 1024;
const MAX_TAG_PAGES: usize = 50;

#[derive(Clone, Debug)]
struct Endpoint {
    scheme: &'static str,
    challenge: Option<Challenge>,
}

/// One HTTP answer, body read (within its cap).
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
    /// The host a redirect ended on, when it is not the one asked.
    redirected_to: Option<String>,
}

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
fn load_extra_certs(
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

/// `host[:port]` of a URL, as registries are named (`host_str` keeps IPv6 brackets).
fn url_host(url: &Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

/// Turns a transport error into what the user should hear. TLS problems are recognised by the
/// error text of the TLS library (reqwest does not classify them).
fn classify(e: &reqwest::Error, registry: &str, timeout: Duration) -> RegistryError {
    if e.is_timeout() {
        return RegistryError::Timeout {
            registry: registry.to_string(),
            after_ms: timeout.as_millis() as u64,
        };
    }
    let mut innermost = e.to_string();
    let mut chain = innermost.clone();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        innermost = s.to_string();
        chain.push_str(": ");
        chain.push_str(&innermost);
        source = s.source();
    }
    let lower = chain.to_ascii_lowercase();
    let tls_words = [
        "certificate",
        "tls",
        "handshake",
        "invalidcontenttype",
        "corrupt message",
        "peer sent",
        "alert",
    ];
    if tls_words.iter().any(|w| lower.contains(w)) {
        return RegistryError::Tls {
            registry: registry.to_string(),
            detail: innermost,
        };
    }
    if lower.contains("timed out") {
        return RegistryError::Timeout {
            registry: registry.to_string(),
            after_ms: timeout.as_millis() as u64,
        };
    }
    RegistryError::Unreachable {
        registry: registry.to_string(),
        detail: innermost,
    }
}

/// A TLS handshake answered with something that is not TLS usually means a plain-HTTP server;
/// for a host where plain HTTP is not allowed, say that instead of a TLS error.
fn plain_http_hint(e: RegistryError) -> RegistryError {
    match e {
        RegistryError::Tls { registry, detail }
            if {
                let d = detail.to_ascii_lowercase();
                d.contains("invalidcontenttype") || d.contains("corrupt message")
            } =>
        {
            RegistryError::InsecureRefused { registry }
        }
        other => other,
    }
}

/// The `message` of a registry's JSON error body (`{"errors":[{"code":..,"message":..}]}`),
/// shortened and stripped of control characters.
fn registry_message(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<ErrorItem>,
    }
    #[derive(serde::Deserialize)]
    struct ErrorItem {
        code: Option<String>,
        message: Option<String>,
    }
    let parsed: Errors = serde_json::from_slice(body).ok()?;
    let first = parsed.errors.into_iter().next()?;
    let text = first.message.or(first.code)?;
    let clean: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
    (!clean.is_empty()).then_some(clean)
}

impl HttpDistribution {
    pub fn new(settings: &RegistrySettings) -> Result<HttpDistribution, RegistryError> {
        // Validate the settings now (a bad CA file is a configuration error the caller should
        // see at once); the clients themselves are built when first needed.
        load_extra_certs(settings)?;
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

    fn client_for(&self, host: &str) -> &reqwest::Client {
        let insecure = self.settings.is_insecure(host);
        let cell = if insecure {
            &self.unverified
        } else {
            &self.verified
        };
        cell.get_or_init(|| {
            // The settings were validated in `new`, so this only fails if a CA file changed
            // since; fall back to a client with the system roots alone.
            build_client(&self.settings, insecure).unwrap_or_else(|e| {
                tracing::warn!("{e}; using the system's root certificates only");
                reqwest::Client::new()
            })
        })
    }

    /// Plain HTTP (and credentials over it) is allowed only to loopback and insecure-marked hosts.
    fn plain_http_allowed(&self, host: &str) -> bool {
        is_loopback(host) || self.settings.is_insecure(host)
    }

    async fn send(
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
    async fn read_body(
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

    fn check_blocked(&self, host: &str, registry: &str) -> Result<(), RegistryError> {
        let mut blocked = lock(&self.blocked);
        if let Some(until) = blocked.get(host).copied() {
            let now = Instant::now();
            if until > now {
                return Err(RegistryError::RateLimited {
                    registry: registry.to_string(),
                    retry_after_secs: Some((until - now).as_secs().max(1)),
                });
            }
            blocked.remove(host);
        }
        Ok(())
    }

    fn note_rate_limit(
        &self,
        host: &str,
        status: StatusCode,
        headers: &HeaderMap,
    ) -> Option<Duration> {
        let wait = if status == StatusCode::TOO_MANY_REQUESTS {
            Some(
                ratelimit::retry_after(headers, SystemTime::now())
                    .unwrap_or(Duration::from_secs(60)),
            )
        } else {
            ratelimit::exhausted_for(headers)
        };
        if let Some(w) = wait {
            tracing::warn!(
                host,
                wait_secs = w.as_secs(),
                "registry rate limit reached; holding off"
            );
            lock(&self.blocked).insert(host.to_string(), Instant::now() + w);
        }
        wait
    }

    /// Scheme and challenge of `host`, learnt once by `GET /v2/`.
    async fn endpoint(&self, host: &str, registry: &str) -> Result<Endpoint, RegistryError> {
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

    /// Answers a challenge: Basic from the configured credential, Bearer from the token realm.
    async fn authorize(
        &self,
        host: &str,
        subject: &Subject<'_>,
        challenge: &Challenge,
        credential: Option<&Credential>,
    ) -> Result<Option<AuthHeader>, RegistryError> {
        let registry = &subject.image.registry;
        let scope = pull_scope(&subject.image.repository);
        match challenge {
            Challenge::Basic => {
                let header = basic_from(credential);
                if let Some(h) = &header {
                    self.tokens
                        .put(host, &scope, h.clone(), Duration::from_secs(3600));
                }
                Ok(header)
            }
            Challenge::Bearer { realm, service, .. } => {
                let realm_url = Url::parse(realm).map_err(|e| RegistryError::Malformed {
                    what: "authentication challenge".into(),
                    detail: format!("token realm is not a URL: {e}"),
                })?;
                let realm_host = url_host(&realm_url);
                let secure = match realm_url.scheme() {
                    "https" => true,
                    "http" => self.plain_http_allowed(&realm_host),
                    other => {
                        return Err(RegistryError::Malformed {
                            what: "authentication challenge".into(),
                            detail: format!("token realm has unsupported scheme {other:?}"),
                        })
                    }
                };
                let credential = if secure {
                    credential
                } else {
                    if credential.is_some() {
                        tracing::warn!(
                            registry,
                            realm_host,
                            "token service is plain HTTP; not sending credentials to it"
                        );
                    }
                    None
                };
                let mut params: Vec<(&str, &str)> = vec![("scope", &scope)];
                if let Some(s) = service {
                    params.push(("service", s));
                }
                let client = self.client_for(&realm_host);
                let req = match credential {
                    Some(Credential::IdentityToken(token)) => {
                        let mut form = params.clone();
                        form.push(("grant_type", "refresh_token"));
                        form.push(("refresh_token", token.expose()));
                        form.push(("client_id", "layerwise"));
                        client.post(realm_url).form(&form)
                    }
                    Some(Credential::UsernamePassword { username, password }) => client
                        .get(realm_url)
                        .query(&params)
                        .basic_auth(username, Some(password.expose())),
                    None => client.get(realm_url).query(&params),
                };
                let resp = self.send(req, registry).await?;
                let status = resp.status();
                let headers = resp.headers().clone();
                let body = self
                    .read_body(
                        resp,
                        if status.is_success() {
                            MAX_TOKEN_BODY
                        } else {
                            MAX_ERROR_BODY
                        },
                        !status.is_success(),
                        "token response",
                        registry,
                    )
                    .await?;
                match status.as_u16() {
                    200..=299 => {
                        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
                            RegistryError::Malformed {
                                what: "token response".into(),
                                detail: e.to_string(),
                            }
                        })?;
                        let (header, ttl) =
                            parsed
                                .into_header()
                                .ok_or_else(|| RegistryError::Malformed {
                                    what: "token response".into(),
                                    detail: "no token in it".into(),
                                })?;
                        self.tokens.put(host, &scope, header.clone(), ttl);
                        Ok(Some(header))
                    }
                    401 | 403 => Err(RegistryError::Unauthorized {
                        registry: registry.clone(),
                        repository: subject.image.repository.clone(),
                        had_credentials: credential.is_some(),
                    }),
                    429 => {
                        let wait = self.note_rate_limit(host, status, &headers);
                        Err(RegistryError::RateLimited {
                            registry: registry.clone(),
                            retry_after_secs: wait.map(|w| w.as_secs()),
                        })
                    }
                    500..=599 => Err(RegistryError::Server {
                        registry: realm_host,
                        status: status.as_u16(),
                    }),
                    s => Err(RegistryError::UnexpectedStatus {
                        registry: realm_host,
                        status: s,
                    }),
                }
            }
        }
    }

    /// Sends one request, following redirects by hand; `auth` goes only to the original host.
    #[allow(clippy::too_many_arguments)]
    async fn send_following(
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

    fn check_status(
        &self,
        reply: Reply,
        subject: &Subject<'_>,
        had_credentials: bool,
    ) -> Result<Reply, RegistryError> {
        let registry = subject.image.registry.clone();
        let status = reply.status;
        if status.is_success() {
            return Ok(reply);
        }
        Err(match status.as_u16() {
            401 => match reply.redirected_to {
                Some(target) => RegistryError::Redirect {
                    registry,
                    target,
                    reason: "the other host asked for credentials, and layerwise never sends credentials to another host".into(),
                },
                None => RegistryError::Unauthorized { registry, repository: subject.image.repository.clone(), had_credentials },
            },
            403 => RegistryError::Forbidden { registry, repository: subject.image.repository.clone() },
            404 => RegistryError::NotFound { reference: subject.text.clone(), detail: registry_message(&reply.body) },
            429 => RegistryError::RateLimited {
                registry,
                retry_after_secs: ratelimit::retry_after(&reply.headers, SystemTime::now()).map(|d| d.as_secs()),
            },
            s @ 500..=599 => RegistryError::Server { registry, status: s },
            s => RegistryError::UnexpectedStatus { registry, status: s },
        })
    }
}

fn manifest_subject<'a>(image: &'a ImageRef, reference: &str) -> Subject<'a> {
    let sep = if reference.contains(':') { '@' } else { ':' };
    Subject {
        image,
        text: format!("{}{sep}{reference}", image.familiar_name()),
    }
}

fn header_string(headers: &HeaderMap, name: impl reqwest::header::AsHeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The `next` target of an RFC 8288 `Link` header (`</v2/x/tags/list?last=a&n=100>; rel="next"`).
fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get("link")?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params.contains("rel=\"next\"").then(|| target.to_string())
    })
}

#[derive(serde::Deserialize)]
struct TagList {
    tags: Option<Vec<String>>,
}

impl Distribution for HttpDistribution {
    fn head_manifest<'a>(
        &'a self,
        image: &'a ImageRef,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<ManifestHead, RegistryError>> {
        Box::pin(async move {
            let subject = manifest_subject(image, reference);
            let reply = self
                .request(
                    &subject,
                    Method::HEAD,
                    &format!("manifests/{reference}"),
                    MANIFEST_ACCEPT,
                    0,
                    "manifest",
                )
                .await?;
            Ok(ManifestHead {
                digest: header_string(&reply.headers, "docker-content-digest"),
                media_type: header_string(&reply.headers, CONTENT_TYPE),
            })
        })
    }

    fn get_manifest<'a>(
        &'a self,
        image: &'a ImageRef,
        reference: &'a str,
        max_bytes: u64,
    ) -> BoxFuture<'a, Result<ManifestBytes, RegistryError>> {
        Box::pin(async move {
            let subject = manifest_subject(image, reference);
            let reply = self
                .request(
                    &subject,
                    Method::GET,
                    &format!("manifests/{reference}"),
                    MANIFEST_ACCEPT,
                    max_bytes,
                    "manifest",
                )
                .await?;
            Ok(ManifestBytes {
                media_type: header_string(&reply.headers, CONTENT_TYPE),
                bytes: reply.body,
            })
        })
    }

    fn get_blob<'a>(
        &'a self,
        image: &'a ImageRef,
        digest: &'a str,
        max_bytes: u64,
    ) -> BoxFuture<'a, Result<Vec<u8>, RegistryError>> {
        Box::pin(async move {
            let subject = Subject {
                image,
                text: format!("blob {digest} of {}", image.familiar_name()),
            };
            let reply = self
                .request(
                    &subject,
                    Method::GET,
                    &format!("blobs/{digest}"),
                    &[],
                    max_bytes,
                    "image config",
                )
                .await?;
            Ok(reply.body)
        })
    }

    fn list_tags<'a>(
        &'a self,
        image: &'a ImageRef,
        max_tags: usize,
    ) -> BoxFuture<'a, Result<Vec<String>, RegistryError>> {
        Box::pin(async move {
            let subject = Subject {
                image,
                text: format!("tags of {}", image.familiar_name()),
            };
            let prefix = format!("/v2/{}/", image.repository);
            let mut path = "tags/list?n=1000".to_string();
            let mut tags = Vec::new();
            for _page in 0..MAX_TAG_PAGES {
                let reply = self
                    .request(
                        &subject,
                        Method::GET,
                        &path,
                        &["application/json"],
                        MAX_TAG_PAGE,
                        "tag list",
                    )
                    .await?;
                let page: TagList =
                    serde_json::from_slice(&reply.body).map_err(|e| RegistryError::Malformed {
                        what: "tag list".into(),
                        detail: e.to_string(),
                    })?;
                tags.extend(page.tags.unwrap_or_default());
                if tags.len() >= max_tags {
                    tags.truncate(max_tags);
                    break;
                }
                // Only follow pagination within the same repository on the same host.
                match next_link(&reply.headers)
                    .and_then(|n| n.strip_prefix(&prefix).map(str::to_string))
                {
                    Some(next) if next.starts_with("tags/list") => path = next,
                    _ => break,
                }
            }
            Ok(tags)
        })
    }

    fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_servers_are_named_as_such() {
        let tls = |detail: &str| RegistryError::Tls {
            registry: "r.example".into(),
            detail: detail.into(),
        };
        assert!(matches!(
            plain_http_hint(tls("received corrupt message of type InvalidContentType")),
            RegistryError::InsecureRefused { .. }
        ));
        assert!(matches!(
            plain_http_hint(tls("invalid peer certificate: UnknownIssuer")),
            RegistryError::Tls { .. }
        ));
    }

    #[test]
    fn link_headers() {
        let mut h = HeaderMap::new();
        h.insert(
            "link",
            r#"</v2/a/tags/list?last=x&n=2>; rel="next""#.parse().unwrap(),
        );
        assert_eq!(next_link(&h).as_deref(), Some("/v2/a/tags/list?last=x&n=2"));
        h.insert("link", r#"<http://x/y>; rel="prev""#.parse().unwrap());
        assert_eq!(next_link(&h), None);
    }

    #[test]
    fn registry_error_messages_are_extracted_and_cleaned() {
        assert_eq!(
            registry_message(
                br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown\n"}]}"#
            )
            .as_deref(),
            Some("manifest unknown")
        );
        assert_eq!(
            registry_message(br#"{"errors":[{"code":"NAME_UNKNOWN"}]}"#).as_deref(),
            Some("NAME_UNKNOWN")
        );
        assert_eq!(registry_message(b"<html>"), None);
    }

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
