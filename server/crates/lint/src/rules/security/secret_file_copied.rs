use layerwise_syntax::InstructionKind;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::{base_chain, final_chain};

declare_rule! {
    /// A file holding credentials is copied into the image.
    ///
    /// ## What it does
    /// Reports `COPY`/`ADD` from the build context of files that hold secrets by their nature:
    /// `.env` files (not `.env.example` and the like), private keys (`id_rsa`, `id_ed25519`,
    /// `.key`/`.pem` files named like TLS or SSH private keys — not public signing keys such
    /// as `nodesource-repo.gpg.key`), key stores (`*.p12`, `*.pfx`), credential files
    /// (`.netrc`, `.pypirc`, `.git-credentials`, `.aws/credentials`, `.docker/config.json`,
    /// `credentials.json`, `service-account*.json`), and `.npmrc` when the stage also
    /// declares a token variable for it.
    ///
    /// ## Why is this bad?
    /// Every layer is kept: deleting the file in a later `RUN` does not remove it from the
    /// image, and anyone who can pull the image (or read the build cache, for builder stages)
    /// can read it. A secret mount makes the file available to one `RUN` only and never
    /// writes it into a layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// ARG NPM_TOKEN
    /// WORKDIR /app
    /// COPY .npmrc package.json package-lock.json ./
    /// RUN npm ci && rm .npmrc
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// WORKDIR /app
    /// COPY package.json package-lock.json ./
    /// RUN --mount=type=secret,id=npmrc,target=/app/.npmrc npm ci
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the build command must pass the secret (`docker build --secret
    /// id=npmrc,src=.npmrc`).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker: build secrets](https://docs.docker.com/build/building/secrets/)
    /// - [Docker: SSH mounts](https://docs.docker.com/reference/dockerfile/#run---mounttypessh)
    pub struct SecretFileCopied {
        name: "secret-file-copied",
        group: Security,
        severity: Warning,
        fix: None,
        hadolint: [],
        buildkit: None,
    }
}

/// What kind of secret a copied path is, judged by its name.
pub(crate) fn secret_kind(path: &str) -> Option<&'static str> {
    let clean = path.trim_end_matches('/');
    let name = lower(clean.rsplit('/').next().unwrap_or(clean));
    let parent = clean.rsplit('/').nth(1).unwrap_or("");
    if name.contains(['*', '?', '[', '$']) {
        return None; // patterns and variables: the name is not known
    }
    let harmless_env = [
        ".example",
        ".sample",
        ".template",
        ".dist",
        ".defaults",
        ".default",
        ".tpl",
        ".local.example",
        ".test",
        ".ci",
    ];
    if name == ".env"
        || name.starts_with(".env.") && !harmless_env.iter().any(|s| name.ends_with(s))
    {
        return Some("an environment file");
    }
    if matches!(&*name, "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519") {
        return Some("an SSH private key");
    }
    if (name.ends_with(".key") || name.ends_with(".pem")) && looks_private(clean) {
        return Some("a private key");
    }
    if name.ends_with(".p12") || name.ends_with(".pfx") {
        return Some("a key store");
    }
    if matches!(
        &*name,
        ".netrc" | ".pypirc" | ".git-credentials" | "credentials.json"
    ) || name == "credentials" && parent.eq_ignore_ascii_case(".aws")
        || name == "config.json" && parent.eq_ignore_ascii_case(".docker")
        || name.starts_with("service-account") && name.ends_with(".json")
    {
        return Some("a credentials file");
    }
    if name == ".ssh" {
        return Some("an SSH directory");
    }
    None
}

/// `text` in lower case, copied only when it has an upper-case letter: sources are mostly
/// lower-case already, and this runs for every `COPY` source.
fn lower(text: &str) -> std::borrow::Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        text.to_ascii_lowercase().into()
    } else {
        text.into()
    }
}

/// Whether a `.key`/`.pem` path names a private key rather than a certificate or a public
/// signing key (`nodesource-repo.gpg.key`, `jenkins.io.key` are public keys for apt/yum).
fn looks_private(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    let public = [
        "pub", "gpg", "pgp", "asc", "signing", "keyring", "repo", "release", "archive", "cert",
        "chain", "ca.",
    ];
    let private = [
        "priv",
        "tls",
        "ssl",
        "server",
        "client",
        "rsa",
        "ecdsa",
        "ed25519",
        "dsa",
        "host",
        "domain",
        "localhost",
        "secret",
        "id_",
    ];
    let name = p.rsplit('/').next().unwrap_or(&p);
    if public.iter().any(|w| name.contains(w)) {
        return false;
    }
    // `tls.key`, `private/server.key`, `certs/app.key`; for `.pem` the name must say "key"
    let says_private = private.iter().any(|w| p.contains(w))
        || name == "key.pem"
        || name.ends_with("-key.pem")
        || name.ends_with("_key.pem");
    if name.ends_with(".pem") {
        return says_private && name.contains("key");
    }
    says_private || p.contains("/private/") || p.contains("certs/")
}

/// Names of variables that carry a token for `.npmrc`.
fn is_token_var(name: &str) -> bool {
    ["TOKEN", "AUTH", "PASSWORD", "SECRET"].iter().any(|k| {
        name.as_bytes()
            .windows(k.len())
            .any(|w| w.eq_ignore_ascii_case(k.as_bytes()))
    })
}

impl RuleCheck for SecretFileCopied {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let shipped = final_chain(cx);
        for i in cx.instructions() {
            if !matches!(i.inst.kind, InstructionKind::Copy | InstructionKind::Add)
                || i.inst.flag("from").is_some()
            {
                continue;
            }
            let Some(stage) = i.stage else { continue };
            let Some((sources, Some(_))) = i.inst.copy_parts() else {
                continue;
            };
            for src in sources {
                if src.text.starts_with("<<") || src.text.contains("://") {
                    continue;
                }
                let kind = match secret_kind(&src.text) {
                    Some(k) => k,
                    None if src.text.trim_end_matches('/').rsplit('/').next() == Some(".npmrc")
                        && stage_has_token_var(cx, stage) =>
                    {
                        "an `.npmrc` with a token"
                    }
                    None => continue,
                };
                let where_ = if shipped.contains(&stage) {
                    "the image"
                } else {
                    "a builder stage's layers and the build cache"
                };
                out.push(
                    Diagnostic::new(meta, i.abs(src.range), format!("`{}` looks like {kind}; copying it puts it into {where_}", src.text))
                        .note("Layers keep every file even if a later step deletes it. Use `RUN --mount=type=secret,id=...` (or `--mount=type=ssh`) so the file is only there while one command runs."),
                );
            }
        }
    }
}

/// Whether the stage (or a stage it is built on) declares an `ARG`/`ENV` named like a token.
fn stage_has_token_var(cx: &LintContext<'_>, stage: usize) -> bool {
    let chain = base_chain(cx, stage);
    cx.instructions()
        .filter(|i| i.stage.is_none() || i.stage.is_some_and(|s| chain.contains(&s)))
        .filter(|i| matches!(i.inst.kind, InstructionKind::Arg | InstructionKind::Env))
        .any(|i| i.inst.pairs().iter().any(|p| is_token_var(&p.key.text)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_on_secret_files() {
        let t = "FROM a\nCOPY .env id_rsa certs/server.key tls/privkey.pem /app/\nADD config/.aws/credentials /root/.aws/credentials\n";
        assert_eq!(
            flagged(&SecretFileCopied, t),
            [
                ".env",
                "id_rsa",
                "certs/server.key",
                "tls/privkey.pem",
                "config/.aws/credentials"
            ]
        );
        let npmrc = "ARG NPM_TOKEN\nFROM node:20\nARG NPM_TOKEN\nCOPY .npmrc ./\n";
        assert_eq!(flagged(&SecretFileCopied, npmrc), [".npmrc"]);
        let d = findings(&SecretFileCopied, "FROM a AS build\nCOPY .env .\nFROM b\n");
        assert!(d[0].message.contains("builder stage"));
    }

    /// Names and folders match in any case, as before the comparisons stopped copying.
    #[test]
    fn case_does_not_matter() {
        assert_eq!(
            secret_kind("Config/.AWS/Credentials"),
            Some("a credentials file")
        );
        assert_eq!(
            secret_kind("home/.Docker/CONFIG.json/"),
            Some("a credentials file")
        );
        assert_eq!(secret_kind(".ENV.Production"), Some("an environment file"));
        assert_eq!(secret_kind(".Env.Example"), None);
        assert_eq!(secret_kind("ID_RSA"), Some("an SSH private key"));
        assert_eq!(secret_kind("docker/config.json"), None);
        assert!(
            is_token_var("npm_Token") && is_token_var("GH_AUTH") && is_token_var("db_password")
        );
        // a part of the name, as the upper-cased `contains` was (AUTHOR has AUTH in it)
        assert!(is_token_var("é_AUTHOR"));
        assert!(!is_token_var("TOKE") && !is_token_var("") && !is_token_var("USER_NAME"));
    }

    #[test]
    fn near_misses() {
        for t in [
            "FROM a\nCOPY .env.example .npmrc package.json ./\n",
            "FROM a\nCOPY ca.pem cert.pem id_rsa.pub /certs/\n",
            "FROM a\nCOPY nodesource-repo.gpg.key yarn-pubkey.gpg.key jenkins.io-2026.key nginx_public_keys.key /tmp/\n",
            "FROM a\nCOPY --from=build /app/.env /app/.env\n",
            "FROM a\nCOPY *.key /x/\n",
            "FROM a\nRUN --mount=type=secret,id=env,target=/app/.env make\n",
        ] {
            assert!(findings(&SecretFileCopied, t).is_empty(), "{t}");
        }
    }
}
