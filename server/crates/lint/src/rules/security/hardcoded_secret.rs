use std::ops::Range;

use layerwise_syntax::{InstructionKind, TextRange};

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// A credential is written into the Dockerfile.
    ///
    /// ## What it does
    /// Looks at the *values* in `ARG`, `ENV`, `LABEL`, `RUN` (here-documents included), `ADD`,
    /// `COPY`, `CMD`, `ENTRYPOINT` and `HEALTHCHECK` for text in the format of a real
    /// credential: cloud and forge access tokens (AWS access key ids, GitHub, GitLab, Slack,
    /// Stripe, Google, npm, PyPI, OpenAI and Anthropic keys), private keys
    /// (`-----BEGIN ... PRIVATE KEY-----`) and URLs with a password in them
    /// (`https://user:s3cr3t@host`; placeholder passwords such as `pass` or `changeme`, and
    /// `localhost` or `example.com` hosts, are left alone). Values that come from a variable (`$TOKEN`) are not
    /// credentials written here and stay quiet.
    ///
    /// BuildKit's `SecretsUsedInArgOrEnv` check (its own rule in layerwise) looks at
    /// secret-looking *names* such as `ARG GITHUB_TOKEN`; this rule finds the secret itself,
    /// whatever the variable is called.
    ///
    /// ## Why is this bad?
    /// Anything in a Dockerfile is in the repository, and `ARG`/`ENV` values and `RUN` command
    /// lines are stored in the image's history and config, readable by anyone who can pull
    /// it. The credential must be considered leaked.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV GH_AUTH=ghp_0123456789abcdefghijklmnopqrstuvwxyz
    /// RUN apk add --no-cache git
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache git
    /// RUN --mount=type=secret,id=gh_token,env=GH_AUTH git ls-remote https://github.com/acme/private.git
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the credential must be revoked, and passed to the build as a secret
    /// (`docker build --secret id=gh_token,env=GH_AUTH`) instead.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker: build secrets](https://docs.docker.com/build/building/secrets/)
    /// - [BuildKit SecretsUsedInArgOrEnv](https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/)
    pub struct HardcodedSecret {
        name: "hardcoded-secret",
        group: Security,
        severity: Warning,
        fix: None,
        hadolint: [],
        buildkit: None,
    }
}

/// Token formats: a literal prefix, the characters allowed after it and the minimum count.
struct TokenFormat {
    prefix: &'static str,
    what: &'static str,
    min_len: usize,
    body: fn(u8) -> bool,
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}
fn upper_alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}
fn token_chars(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

const FORMATS: &[TokenFormat] = &[
    TokenFormat {
        prefix: "AKIA",
        what: "an AWS access key id",
        min_len: 16,
        body: upper_alnum,
    },
    TokenFormat {
        prefix: "ASIA",
        what: "an AWS access key id",
        min_len: 16,
        body: upper_alnum,
    },
    TokenFormat {
        prefix: "ghp_",
        what: "a GitHub token",
        min_len: 36,
        body: alnum,
    },
    TokenFormat {
        prefix: "gho_",
        what: "a GitHub token",
        min_len: 36,
        body: alnum,
    },
    TokenFormat {
        prefix: "ghu_",
        what: "a GitHub token",
        min_len: 36,
        body: alnum,
    },
    TokenFormat {
        prefix: "ghs_",
        what: "a GitHub token",
        min_len: 36,
        body: alnum,
    },
    TokenFormat {
        prefix: "ghr_",
        what: "a GitHub token",
        min_len: 36,
        body: alnum,
    },
    TokenFormat {
        prefix: "github_pat_",
        what: "a GitHub token",
        min_len: 22,
        body: token_chars,
    },
    TokenFormat {
        prefix: "glpat-",
        what: "a GitLab token",
        min_len: 20,
        body: token_chars,
    },
    TokenFormat {
        prefix: "xoxb-",
        what: "a Slack token",
        min_len: 10,
        body: token_chars,
    },
    TokenFormat {
        prefix: "xoxp-",
        what: "a Slack token",
        min_len: 10,
        body: token_chars,
    },
    TokenFormat {
        prefix: "xoxa-",
        what: "a Slack token",
        min_len: 10,
        body: token_chars,
    },
    TokenFormat {
        prefix: "sk_live_",
        what: "a Stripe key",
        min_len: 20,
        body: alnum,
    },
    TokenFormat {
        prefix: "rk_live_",
        what: "a Stripe key",
        min_len: 20,
        body: alnum,
    },
    TokenFormat {
        prefix: "AIza",
        what: "a Google API key",
        min_len: 35,
        body: token_chars,
    },
    TokenFormat {
        prefix: "npm_",
        what: "an npm token",
        min_len: 36,
        body: alnum,
    },
    TokenFormat {
        prefix: "pypi-AgEIcHlwaS5vcmc",
        what: "a PyPI token",
        min_len: 20,
        body: token_chars,
    },
    TokenFormat {
        prefix: "sk-proj-",
        what: "an OpenAI key",
        min_len: 20,
        body: token_chars,
    },
    TokenFormat {
        prefix: "sk-ant-",
        what: "an Anthropic key",
        min_len: 20,
        body: token_chars,
    },
];

/// [`token_chars`] as a table: the scan below looks at every byte of every script.
const TOKEN_CHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize || b == b'-' as usize;
        b += 1;
    }
    t
};

/// A PEM header's first word.
const PEM_BEGIN: &str = "-----BEGIN";

/// Calls `f(start, end)` for every word of token characters (a maximal run) at least `min`
/// bytes long, in order. Tokens are long and most words are short, so this looks at every
/// `min`-th byte and reads only the words found there, not every byte: any word of `min`
/// bytes or more covers one of the bytes looked at.
fn for_each_long_word(b: &[u8], min: usize, mut f: impl FnMut(usize, usize)) {
    let min = min.max(1);
    // bytes before `done` belong to words already seen, or to none
    let mut done = 0;
    let mut probe = min - 1;
    while probe < b.len() {
        if !TOKEN_CHAR[b[probe] as usize] {
            probe += min;
            continue;
        }
        let mut start = probe;
        while start > done && TOKEN_CHAR[b[start - 1] as usize] {
            start -= 1;
        }
        let mut end = probe + 1;
        while end < b.len() && TOKEN_CHAR[b[end] as usize] {
            end += 1;
        }
        if end - start >= min {
            f(start, end);
        }
        // `b[end]` is not a token character: the next word starts after it
        done = end;
        probe = end + min;
    }
}

/// Credentials found in `text`: byte range and what it looks like.
pub(crate) fn find_secrets(text: &str) -> Vec<(Range<usize>, &'static str)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    // one pass over the words made of token characters; a token is a whole word
    let shortest = FORMATS
        .iter()
        .map(|f| f.prefix.len() + f.min_len)
        .min()
        .unwrap_or(0);
    // Whether the PEM search below can find anything, noted on the way (it costs a call per
    // instruction, and few have a header): `-----BEGIN` is made of token characters, so a
    // header is a word ending with it, followed by a space.
    let mut pem_header = false;
    for_each_long_word(b, PEM_BEGIN.len().min(shortest), |start, i| {
        let word = &text[start..i];
        pem_header |= b.get(i) == Some(&b' ') && word.ends_with(PEM_BEGIN);
        // most long words are ordinary: the length and first-byte tests settle them cheaply
        if word.len() < shortest
            || !FORMATS
                .iter()
                .any(|f| f.prefix.as_bytes().first() == Some(&b[start]))
        {
            return;
        }
        let hit = FORMATS.iter().find(|f| {
            word.strip_prefix(f.prefix)
                .is_some_and(|rest| rest.len() >= f.min_len && rest.bytes().all(f.body))
        });
        if let Some(f) = hit.filter(|_| !word.contains("EXAMPLE")) {
            out.push((start..i, f.what));
        }
    });
    let colon = b.contains(&b':');
    let mut from = 0;
    while let Some(k) = text
        .get(from..)
        .filter(|_| pem_header)
        .and_then(|t| find_via(t, "-----BEGIN ", 'B'))
    {
        let start = from + k;
        from = start + 11;
        let line_end = text[start..].find('\n').map_or(text.len(), |e| start + e);
        if text[start..line_end].contains("PRIVATE KEY-----") {
            out.push((start..line_end, "a private key"));
        }
    }
    if colon {
        out.extend(
            url_passwords(text)
                .into_iter()
                .map(|r| (r, "a password in a URL")),
        );
    }
    out.sort_by_key(|(r, _)| r.start);
    out
}

/// Where `needle` first occurs in `text`, found through a rare character of it (`anchor`):
/// `str::find` with a string pattern sets up a searcher on every call, which costs more than
/// the search itself on the thousands of short texts a big Dockerfile has.
fn find_via(text: &str, needle: &str, anchor: char) -> Option<usize> {
    let offset = needle.find(anchor)?;
    let mut from = 0;
    while let Some(k) = text.get(from..).and_then(|t| t.find(anchor)) {
        let at = from + k;
        if let Some(start) = at.checked_sub(offset) {
            if text.get(start..).is_some_and(|t| t.starts_with(needle)) {
                return Some(start);
            }
        }
        from = at + anchor.len_utf8();
    }
    None
}

/// Passwords that stand for "put yours here" (`user:pass@`, `admin:changeme@`).
fn is_placeholder(password: &str) -> bool {
    const WORDS: &[&str] = &[
        "pass",
        "password",
        "passwd",
        "pwd",
        "secret",
        "changeme",
        "change-me",
        "example",
        "dummy",
        "placeholder",
        "test",
        "token",
        "your-password",
        "yourpassword",
    ];
    let p = password.to_ascii_lowercase();
    WORDS.contains(&p.as_str())
}

/// `scheme://user:password@host`: the range of the password when it is written literally, is
/// not a placeholder, and the host is not a local or documentation address.
fn url_passwords(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(k) = text.get(from..).and_then(|t| find_via(t, "://", ':')) {
        let auth_start = from + k + 3;
        from = auth_start;
        let scheme_ok = text[..auth_start - 3]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let rest = &text[auth_start..];
        let auth_len = rest
            .find(|c: char| c == '/' || c == '@' || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(rest.len());
        if !scheme_ok || !rest[auth_len..].starts_with('@') {
            continue;
        }
        let auth = &rest[..auth_len];
        let Some((user, password)) = auth.split_once(':') else {
            continue;
        };
        let literal = |s: &str| {
            !s.is_empty()
                && !s.contains(['$', '{', '}', '<', '>', '%', '`'])
                && !s.chars().all(|c| c == '*' || c == 'x' || c == 'X')
        };
        // the host, to leave out local and documentation addresses
        let host_part = &rest[auth_len + 1..];
        let host_end = host_part
            .find(|c: char| c == '/' || c == ':' || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(host_part.len());
        let host = host_part[..host_end].to_ascii_lowercase();
        let local = host == "localhost"
            || host.starts_with("127.")
            || host == "example.com"
            || host.ends_with(".example.com")
            || host.ends_with(".invalid")
            || host.ends_with(".test");
        if literal(user) && literal(password) && !is_placeholder(password) && !local {
            let start = auth_start + user.len() + 1;
            out.push(start..start + password.len());
        }
    }
    out
}

impl RuleCheck for HardcodedSecret {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        use InstructionKind::*;
        for i in cx.instructions() {
            let inst = i.inst.effective();
            if !matches!(
                inst.kind,
                Arg | Env | Label | Run | Add | Copy | Cmd | Entrypoint | Healthcheck
            ) {
                continue;
            }
            let regions = (inst.args_range.map(|r| i.abs(r)).into_iter())
                .chain(inst.heredocs.iter().map(|h| i.abs(h.body)));
            for region in regions {
                let text = cx.slice(region);
                for (r, what) in find_secrets(text) {
                    let range = TextRange::from_usize(
                        region.start as usize + r.start,
                        region.start as usize + r.end,
                    );
                    out.push(
                        Diagnostic::new(meta, range, format!("This looks like {what} written into the Dockerfile"))
                            .note("It is stored in the repository and in the image's history: revoke it, and pass it to the build with `RUN --mount=type=secret` instead."),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every maximal run of token characters, by looking at each byte: what
    /// `for_each_long_word` must give, filtered by length.
    fn all_words(b: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if !TOKEN_CHAR[b[i] as usize] {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && TOKEN_CHAR[b[i] as usize] {
                i += 1;
            }
            out.push((start, i));
        }
        out
    }

    #[test]
    fn long_words_are_all_found() {
        // pseudo-random texts of token and other bytes, with runs of every length
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..3000 {
            let len = (next() % 80) as usize;
            let gap = 1 + (next() % 12);
            let b: Vec<u8> = (0..len)
                .map(|_| {
                    if next() % gap == 0 {
                        b' '
                    } else {
                        b"aZ9_-:/."[(next() % 8) as usize]
                    }
                })
                .collect();
            for min in [1, 2, 10, 15] {
                let mut got = Vec::new();
                for_each_long_word(&b, min, |s, e| got.push((s, e)));
                let want: Vec<_> = all_words(&b)
                    .into_iter()
                    .filter(|(s, e)| e - s >= min)
                    .collect();
                assert_eq!(got, want, "{:?} min {min}", String::from_utf8_lossy(&b));
            }
        }
    }
    use crate::test_support::*;

    #[test]
    fn finds_token_formats() {
        let t = "FROM a\nARG K=AKIAABCDEFGHIJKLMNOP\nENV T=\"glpat-abcdefghij0123456789\"\nRUN curl -H 'Authorization: token ghp_0123456789abcdefghijklmnopqrstuvwxyz' https://api.github.com\n";
        assert_eq!(
            flagged(&HardcodedSecret, t),
            [
                "AKIAABCDEFGHIJKLMNOP",
                "glpat-abcdefghij0123456789",
                "ghp_0123456789abcdefghijklmnopqrstuvwxyz"
            ]
        );
        let key =
            "FROM a\nRUN <<EOF\ncat > /k <<'K'\n-----BEGIN OPENSSH PRIVATE KEY-----\nabc\nK\nEOF\n";
        assert_eq!(
            flagged(&HardcodedSecret, key),
            ["-----BEGIN OPENSSH PRIVATE KEY-----"]
        );
        assert_eq!(
            flagged(
                &HardcodedSecret,
                "FROM a\nRUN git clone https://bot:s3cr3t@git.acme.dev/x.git\n"
            ),
            ["s3cr3t"]
        );
        assert_eq!(
            flagged(
                &HardcodedSecret,
                "FROM a\nENV DATABASE_URL=postgres://app:hunter2@db:5432/app\n"
            ),
            ["hunter2"]
        );
    }

    #[test]
    fn near_misses() {
        for t in [
            "FROM a\nARG GITHUB_TOKEN\nRUN --mount=type=secret,id=t git clone https://x:${GITHUB_TOKEN}@github.com/o/r\n",
            "FROM a\nENV URL=https://user:$PASS@host/x\n",
            "FROM a\nENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n",
            "FROM a\nENV X=ghp_short\n",
            "FROM a\nENV X=MYAKIAABCDEFGHIJKLMNOP\n",
            "FROM a\nRUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash -\n",
            "FROM a\nRUN echo '-----BEGIN PUBLIC KEY-----'\n",
            "FROM a\nENV PROXY=http://user:***@proxy:3128\n",
            "FROM a\nENV DATABASE_URL=\"postgresql://user:pass@db:5432/dummy\"\n",
            "FROM a\nENV DATABASE_URL=postgres://app:s3cr3t@localhost:5432/app\n",
            "FROM a\n# ENV T=ghp_0123456789abcdefghijklmnopqrstuvwxyz\n",
        ] {
            assert!(findings(&HardcodedSecret, t).is_empty(), "{t}");
        }
    }
}
