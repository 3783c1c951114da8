use layerwise_syntax::InstructionKind;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// An `ARG` or `ENV` whose name says it holds a secret.
    ///
    /// ## What it does
    /// Splits each `ARG` and `ENV` name at `_` and reports it when one part is `apikey`,
    /// `auth`, `credential(s)`, `key`, `password`, `pword`, `passwd`, `secret` or `token`
    /// (any case) and no part is `public`, `file` or `version`: `GITHUB_TOKEN`,
    /// `AWS_SECRET_ACCESS_KEY` and `DB_PASSWORD` are reported, `PUBLIC_KEY`,
    /// `TOKEN_FILE` and `TOKENIZER` are not. Unlike BuildKit, names with a `gpg` or `pgp`
    /// part (`GPG_KEY`) are not reported: they hold public key IDs that official images use
    /// to verify downloads. `ARG`s before the first `FROM` are not checked
    /// (they reach a stage only through an `ARG` there), as in BuildKit.
    ///
    /// ## Why is this bad?
    /// `ENV` values are stored in the image config and `ARG` values in its build history:
    /// anyone who can pull the image can read them. Secret mounts give the value to one `RUN`
    /// without storing it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ARG NPM_TOKEN
    /// RUN echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN \
    ///     echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the build command must pass the secret (`docker build --secret`).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit SecretsUsedInArgOrEnv](https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/)
    /// - [Docker: build secrets](https://docs.docker.com/build/building/secrets/)
    pub struct SecretsUsedInArgOrEnv {
        name: "secrets-used-in-arg-or-env",
        group: Suspicious,
        severity: Warning,
        fix: None,
        hadolint: [],
        buildkit: Some("SecretsUsedInArgOrEnv"),
    }
}

const DENY: &[&str] = &[
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "pword",
    "passwd",
    "secret",
    "token",
];
const ALLOW: &[&str] = &["public", "file", "version"];
/// Also allowed here, unlike BuildKit: GPG/PGP key IDs and fingerprints (`GPG_KEY`, used by
/// many official images to verify downloads) are public.
const ALLOW_EXTRA: &[&str] = &["gpg", "pgp"];

/// BuildKit's test: a `_`-separated part of the name is a secret word and none is an
/// allowed one (its regular expressions anchor each word between `_` or the ends).
/// The word lists are lower case, so each part is compared ignoring ASCII case, without
/// lowercase copies (this runs on every `ENV` and `ARG` name).
pub(crate) fn looks_secret(name: &str) -> bool {
    let among = |list: &[&str], p: &str| list.iter().any(|w| w.eq_ignore_ascii_case(p));
    name.split('_').any(|p| among(DENY, p))
        && !name
            .split('_')
            .any(|p| among(ALLOW, p) || among(ALLOW_EXTRA, p))
}

impl RuleCheck for SecretsUsedInArgOrEnv {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.instructions() {
            let kw = match i.inst.kind {
                InstructionKind::Env => "ENV",
                InstructionKind::Arg if i.stage.is_some() => "ARG",
                _ => continue,
            };
            for p in i.inst.pairs() {
                if looks_secret(&p.key.text) {
                    out.push(
                        Diagnostic::new(meta, i.abs(p.key.range), format!("Do not use ARG or ENV instructions for sensitive data ({kw} {:?})", &*p.key.text))
                            .note("ARG and ENV values are stored in the image (config and history). Pass secrets with `RUN --mount=type=secret,id=...` instead."),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    /// The case-blind comparison answers as lowercase copies of the parts would.
    #[test]
    fn same_as_lowercase_copies() {
        let by_copies = |name: &str| {
            let parts: Vec<String> = name.split('_').map(str::to_ascii_lowercase).collect();
            parts.iter().any(|p| DENY.contains(&p.as_str()))
                && !parts
                    .iter()
                    .any(|p| ALLOW.contains(&p.as_str()) || ALLOW_EXTRA.contains(&p.as_str()))
        };
        let words = [
            "", "KEY", "Token", "pUbLiC", "gpg", "x", "keys", "PASSWD", "Ké", "_",
        ];
        for a in words {
            for b in words {
                for c in words {
                    let name = format!("{a}_{b}{c}");
                    assert_eq!(looks_secret(&name), by_copies(&name), "{name:?}");
                    let name = format!("{a}{b}_{c}");
                    assert_eq!(looks_secret(&name), by_copies(&name), "{name:?}");
                }
            }
        }
    }

    #[test]
    fn tokens() {
        for yes in [
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "DB_PASSWORD",
            "apikey",
            "Auth",
            "KEY_ID",
            "my_credentials",
        ] {
            assert!(looks_secret(yes), "{yes}");
        }
        for no in [
            "PUBLIC_KEY",
            "TOKEN_FILE",
            "TOKENIZER",
            "KEY_VERSION",
            "MONKEY",
            "my-token",
            "PASSWORDS",
            "AUTHOR",
            "GPG_KEY",
            "PGP_KEY_ID",
        ] {
            assert!(!looks_secret(no), "{no}");
        }
    }

    #[test]
    fn fires() {
        let t = "ARG GLOBAL_TOKEN\nFROM a\nARG AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=x\nENV DB_PASSWORD=p SSH_KEY=123\n";
        assert_eq!(
            flagged(&SecretsUsedInArgOrEnv, t),
            [
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "DB_PASSWORD",
                "SSH_KEY"
            ]
        );
    }

    #[test]
    fn near_miss() {
        assert!(findings(
            &SecretsUsedInArgOrEnv,
            "FROM a\nARG NODE_VERSION\nENV PUBLIC_KEY=x TOKEN_FILE=/run/secrets/t\nLABEL auth=me\n"
        )
        .is_empty());
    }
}
