//! Registry authentication: reading `WWW-Authenticate` challenges, getting bearer tokens from the
//! token service the registry names (Docker Hub's flow), and remembering tokens until they expire.
//!
//! Where credentials go: a registry's credential is sent to that registry (Basic) or to the token
//! realm that registry's own challenge names — and only over HTTPS, or plain HTTP to loopback or
//! an insecure-marked host. Never to a host a redirect points at.

use crate::credentials::Credential;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A parsed `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
}

/// Parses `Bearer realm="https://auth.docker.io/token",service="registry.docker.io"` or
/// `Basic realm="x"`. Quoted values may contain commas and `\`-escapes. `None` for schemes
/// layerwise cannot answer.
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = match header.find(|c: char| c.is_ascii_whitespace()) {
        Some(i) => (&header[..i], header[i..].trim_start()),
        None => (header, ""),
    };
    let params = parse_params(rest);
    if scheme.eq_ignore_ascii_case("basic") {
        return Some(Challenge::Basic);
    }
    if scheme.eq_ignore_ascii_case("bearer") {
        let realm = params.get("realm")?.clone();
        return Some(Challenge::Bearer {
            realm,
            service: params.get("service").cloned(),
            scope: params.get("scope").cloned(),
        });
    }
    None
}

fn parse_params(mut s: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    // Bounded: each round consumes at least one byte.
    while !s.is_empty() {
        s = s.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        let Some(eq) = s.find('=') else { break };
        let key = s[..eq].trim().to_ascii_lowercase();
        s = s[eq + 1..].trim_start();
        let value;
        if let Some(quoted) = s.strip_prefix('"') {
            let mut v = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            v.push(n);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => v.push(c),
                }
            }
            value = v;
            s = &quoted[end.min(quoted.len())..];
        } else {
            let end = s.find(',').unwrap_or(s.len());
            value = s[..end].trim().to_string();
            s = &s[end..];
        }
        if !key.is_empty() {
            out.insert(key, value);
        }
    }
    out
}

/// The scope a pull of `repository` needs.
pub fn pull_scope(repository: &str) -> String {
    format!("repository:{repository}:pull")
}

/// What to put in `Authorization` for one host and scope.
#[derive(Clone)]
pub enum AuthHeader {
    Bearer(String),
    Basic { username: String, password: String },
}

impl std::fmt::Debug for AuthHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthHeader::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            AuthHeader::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
        }
    }
}

/// Tokens by (host, scope), with their expiry.
#[derive(Default)]
pub struct TokenCache {
    tokens: Mutex<HashMap<(String, String), (AuthHeader, Instant)>>,
}

impl TokenCache {
    pub fn get(&self, host: &str, scope: &str) -> Option<AuthHeader> {
        let mut map = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        let key = (host.to_string(), scope.to_string());
        match map.get(&key) {
            Some((h, until)) if *until > Instant::now() => Some(h.clone()),
            Some(_) => {
                map.remove(&key);
                None
            }
            None => None,
        }
    }

    pub fn put(&self, host: &str, scope: &str, header: AuthHeader, valid_for: Duration) {
        let mut map = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 1024 {
            map.clear();
        }
        map.insert(
            (host.to_string(), scope.to_string()),
            (header, Instant::now() + valid_for),
        );
    }

    pub fn forget(&self, host: &str, scope: &str) {
        let mut map = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&(host.to_string(), scope.to_string()));
    }
}

/// A token service's answer.
#[derive(serde::Deserialize)]
pub struct TokenResponse {
    pub token: Option<String>,
    pub access_token: Option<String>,
    pub expires_in: Option<u64>,
}

impl TokenResponse {
    /// The token and how long to trust it: the server's `expires_in` (Docker's default 60 s when
    /// absent), less a margin so a token is not used as it expires.
    pub fn into_header(self) -> Option<(AuthHeader, Duration)> {
        let token = self.token.or(self.access_token).filter(|t| !t.is_empty())?;
        let secs = self.expires_in.unwrap_or(60).clamp(10, 24 * 3600);
        Some((
            AuthHeader::Bearer(token),
            Duration::from_secs(secs - secs / 10),
        ))
    }
}

/// Whether `credential` can answer a Basic challenge.
pub fn basic_from(credential: Option<&Credential>) -> Option<AuthHeader> {
    match credential {
        Some(Credential::UsernamePassword { username, password }) => Some(AuthHeader::Basic {
            username: username.clone(),
            password: password.expose().to_string(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        assert_eq!(
            parse_challenge(
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io""#
            ),
            Some(Challenge::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
                scope: None
            })
        );
        assert_eq!(
            parse_challenge(
                r#"bearer realm="http://127.0.0.1:1/t", scope="repository:a/b:pull,push", error="insufficient_scope""#
            ),
            Some(Challenge::Bearer {
                realm: "http://127.0.0.1:1/t".into(),
                service: None,
                scope: Some("repository:a/b:pull,push".into())
            })
        );
        assert_eq!(
            parse_challenge(r#"Basic realm="Registry Realm""#),
            Some(Challenge::Basic)
        );
        assert_eq!(parse_challenge("Basic"), Some(Challenge::Basic));
        assert_eq!(
            parse_challenge(r#"Bearer realm="a\"b""#),
            Some(Challenge::Bearer {
                realm: "a\"b".into(),
                service: None,
                scope: None
            })
        );
        assert_eq!(
            parse_challenge("Bearer service=x"),
            None,
            "a bearer challenge needs a realm"
        );
        assert_eq!(parse_challenge("Negotiate abc"), None);
        for junk in [
            "",
            "=",
            "Bearer =\"",
            "Bearer realm=\"unterminated",
            "Bearer ,,,=,=\"\\",
        ] {
            let _ = parse_challenge(junk);
        }
    }

    #[test]
    fn tokens_expire() {
        let c = TokenCache::default();
        c.put(
            "h",
            "s",
            AuthHeader::Bearer("t".into()),
            Duration::from_secs(60),
        );
        assert!(c.get("h", "s").is_some());
        assert!(c.get("h", "other").is_none());
        c.put("h", "s", AuthHeader::Bearer("t".into()), Duration::ZERO);
        assert!(c.get("h", "s").is_none());
        let r = TokenResponse {
            token: None,
            access_token: Some("a".into()),
            expires_in: Some(300),
        };
        let (h, d) = r.into_header().unwrap();
        assert!(matches!(h, AuthHeader::Bearer(t) if t == "a"));
        assert_eq!(d, Duration::from_secs(270));
        assert!(TokenResponse {
            token: Some(String::new()),
            access_token: None,
            expires_in: None
        }
        .into_header()
        .is_none());
    }
}
