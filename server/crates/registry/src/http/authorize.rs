//! Answering an auth challenge: Basic from the configured credential, or a Bearer token from
//! the token service (credentials go to it only over HTTPS, or plain HTTP where allowed).

use super::auth::{basic_from, pull_scope, AuthHeader, Challenge, TokenResponse};
use super::transfer::{url_host, MAX_ERROR_BODY};
use super::{HttpDistribution, Subject};
use crate::credentials::Credential;
use crate::RegistryError;
use reqwest::Url;
use std::time::Duration;

const MAX_TOKEN_BODY: u64 = 1024 * 1024;

impl HttpDistribution {
    /// Answers a challenge: Basic from the configured credential, Bearer from the token realm.
    pub(super) async fn authorize(
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
}
