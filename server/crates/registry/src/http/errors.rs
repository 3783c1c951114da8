//! What the user hears when a request fails: transport errors (TLS problems told apart from
//! unreachable hosts and timeouts), the registry's own message, and HTTP statuses mapped to
//! [`RegistryError`].

use super::transfer::Reply;
use super::{ratelimit, HttpDistribution, Subject};
use crate::RegistryError;
use std::time::{Duration, SystemTime};

/// Turns a transport error into what the user should hear. TLS problems are recognised by the
/// error text of the TLS library (reqwest does not classify them).
pub(super) fn classify(e: &reqwest::Error, registry: &str, timeout: Duration) -> RegistryError {
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
pub(super) fn plain_http_hint(e: RegistryError) -> RegistryError {
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
    /// The reply itself when it succeeded, else the error its status means (a 401 after a
    /// redirect to another host is a redirect problem: credentials never follow one).
    pub(super) fn check_status(
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
}
