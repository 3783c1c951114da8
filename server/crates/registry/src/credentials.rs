//! The user's registry credentials, from Docker's `config.json` (`auths`, `credsStore`,
//! `credHelpers`, identity tokens), looked up per registry and remembered for the session.
//!
//! Lookup is `docker_credential`'s (the same rules as the Docker CLI, and it runs only the
//! helper the config names). It blocks and may start a helper program, so it runs on a blocking
//! thread under a time limit. Secrets live in [`Secret`], whose `Debug` prints nothing, so they
//! cannot reach a log line through `{:?}`.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

/// A secret string. Not `Display`; `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The secret itself, for building an `Authorization` header — and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// One registry's credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    UsernamePassword {
        username: String,
        password: Secret,
    },
    /// An OAuth2 refresh token (`identitytoken` in config.json, or a helper's `<token>` user),
    /// exchanged at the registry's token endpoint.
    IdentityToken(Secret),
}

/// Where credentials come from, with a per-registry memo (including "none").
pub struct CredentialStore {
    config_dir: Option<PathBuf>,
    timeout: Duration,
    memo: Mutex<HashMap<String, Option<Credential>>>,
}

/// config.json is small; a huge one is not read.
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

impl CredentialStore {
    /// `config_dir` overrides `$DOCKER_CONFIG` / `~/.docker`.
    pub fn new(config_dir: Option<PathBuf>, timeout: Duration) -> CredentialStore {
        CredentialStore {
            config_dir,
            timeout,
            memo: Mutex::new(HashMap::new()),
        }
    }

    fn config_path(&self) -> Option<PathBuf> {
        let dir = self
            .config_dir
            .clone()
            .or_else(|| std::env::var_os("DOCKER_CONFIG").map(PathBuf::from))
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")))?;
        Some(dir.join("config.json"))
    }

    /// The credential for `registry` (the normalised registry name: `docker.io`, `ghcr.io`,
    /// `localhost:5000`), or `None` for anonymous access.
    pub async fn get(&self, registry: &str) -> Option<Credential> {
        if let Some(known) = self
            .memo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(registry)
        {
            return known.clone();
        }
        let found = self.lookup(registry).await;
        self.memo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(registry.to_string(), found.clone());
        found
    }

    async fn lookup(&self, registry: &str) -> Option<Credential> {
        let path = self.config_path()?;
        // Docker keys Docker Hub's credentials by its legacy index URL.
        let server = if registry == "docker.io" {
            "https://index.docker.io/v1/".to_string()
        } else {
            registry.to_string()
        };
        let task = tokio::task::spawn_blocking(move || {
            let file = match std::fs::File::open(&path) {
                Ok(f) => f,
                Err(_) => return Err("no Docker config file".to_string()),
            };
            let mut bytes = Vec::new();
            if file.take(MAX_CONFIG_BYTES).read_to_end(&mut bytes).is_err() {
                return Err("Docker config file unreadable".to_string());
            }
            if let Some(name) = unsafe_helper_name(&bytes) {
                return Err(format!(
                    "credential helper name {name:?} refused: it must be a plain name such as \
                     `desktop` or `ecr-login` (the program run is docker-credential-<name>)"
                ));
            }
            docker_credential::get_credential_from_reader(&bytes[..], &server).map_err(|e| {
                // Only the kind of failure: a helper's output could contain secrets.
                match e {
                    docker_credential::CredentialRetrievalError::HelperFailure {
                        helper, ..
                    } => {
                        format!("credential helper {helper} failed")
                    }
                    other => format!("{other}"),
                }
            })
        });
        match tokio::time::timeout(self.timeout, task).await {
            Ok(Ok(Ok(docker_credential::DockerCredential::UsernamePassword(
                username,
                password,
            )))) => {
                tracing::debug!(registry, "using configured username/password credentials");
                Some(Credential::UsernamePassword {
                    username,
                    password: Secret::new(password),
                })
            }
            Ok(Ok(Ok(docker_credential::DockerCredential::IdentityToken(token)))) => {
                tracing::debug!(registry, "using configured identity token");
                Some(Credential::IdentityToken(Secret::new(token)))
            }
            Ok(Ok(Err(why))) => {
                tracing::debug!(registry, why, "no credentials; using anonymous access");
                None
            }
            Ok(Err(join)) => {
                tracing::warn!(registry, error = %join, "credential lookup failed; using anonymous access");
                None
            }
            Err(_) => {
                tracing::warn!(
                    registry,
                    timeout_ms = self.timeout.as_millis() as u64,
                    "credential helper did not answer in time; using anonymous access"
                );
                None
            }
        }
    }
}

/// The first credential helper name in a Docker `config.json` (`credsStore`, `credHelpers`)
/// that is not a plain name. The program run is `docker-credential-<name>`, looked up on `PATH`
/// — unless the name has a `/`, when it is a path relative to the working directory: a config
/// file that a repository ships (an editor setting can name the config folder) must not choose
/// a program of the repository's. Docker's own helpers are letters, digits, `-`, `_` and `.`.
fn unsafe_helper_name(config: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(config).ok()?;
    let plain = |name: &str| {
        !name.is_empty()
            && !name.contains("..")
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let store = value.get("credsStore").and_then(|v| v.as_str());
    let helpers = value
        .get("credHelpers")
        .and_then(|v| v.as_object())
        .into_iter()
        .flat_map(|m| m.values().filter_map(|v| v.as_str()));
    store
        .into_iter()
        .chain(helpers)
        .find(|name| !plain(name))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::TempDir;

    fn store(dir: &TempDir, config: &str) -> CredentialStore {
        std::fs::write(dir.path().join("config.json"), config).unwrap();
        CredentialStore::new(Some(dir.path().to_path_buf()), Duration::from_secs(5))
    }

    #[tokio::test]
    async fn reads_auths_and_identity_tokens() {
        let dir = TempDir::new("creds-auths");
        // "alice:s3cret" in base64.
        let s = store(
            &dir,
            r#"{"auths":{
                "https://index.docker.io/v1/":{"auth":"YWxpY2U6czNjcmV0"},
                "ghcr.io":{"username":"bob","password":"pw"},
                "quay.io":{"identitytoken":"refresh-me"}}}"#,
        );
        assert_eq!(
            s.get("docker.io").await,
            Some(Credential::UsernamePassword {
                username: "alice".into(),
                password: Secret::new("s3cret")
            })
        );
        assert_eq!(
            s.get("ghcr.io").await,
            Some(Credential::UsernamePassword {
                username: "bob".into(),
                password: Secret::new("pw")
            })
        );
        assert_eq!(
            s.get("quay.io").await,
            Some(Credential::IdentityToken(Secret::new("refresh-me")))
        );
        assert_eq!(s.get("example.com").await, None);
    }

    #[tokio::test]
    async fn missing_or_broken_config_means_anonymous() {
        let dir = TempDir::new("creds-broken");
        assert_eq!(store(&dir, "{not json").get("docker.io").await, None);
        let empty = CredentialStore::new(Some(dir.path().join("nope")), Duration::from_secs(1));
        assert_eq!(empty.get("docker.io").await, None);
    }

    #[test]
    fn helper_names_with_paths_are_refused() {
        for bad in [
            r#"{"credsStore":"x/../pwn"}"#,
            r#"{"credsStore":"../pwn"}"#,
            r#"{"credHelpers":{"ghcr.io":"./pwn"}}"#,
            r#"{"credHelpers":{"ghcr.io":"a\\b"}}"#,
            r#"{"credsStore":"a..b"}"#,
        ] {
            assert!(unsafe_helper_name(bad.as_bytes()).is_some(), "{bad}");
        }
        for good in [
            r#"{"credsStore":"desktop"}"#,
            r#"{"credHelpers":{"gcr.io":"gcloud","x":"ecr-login","y":"pass_1.2"}}"#,
            r#"{"auths":{}}"#,
            "{not json",
        ] {
            assert_eq!(unsafe_helper_name(good.as_bytes()), None, "{good}");
        }
    }

    #[test]
    fn secrets_do_not_print() {
        let c = Credential::UsernamePassword {
            username: "u".into(),
            password: Secret::new("hunter2"),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
