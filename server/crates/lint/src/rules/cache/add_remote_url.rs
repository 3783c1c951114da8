use layerwise_syntax::InstructionKind;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// `ADD` of a remote URL without `--checksum`.
    ///
    /// ## What it does
    /// Reports an `ADD` whose source is an `http://` or `https://` URL (also through an `ARG`
    /// default) when the instruction has no `--checksum`. Git sources (`.git` URLs,
    /// `git@host:...`) are not reported: BuildKit resolves them to a commit.
    ///
    /// ## Why is this bad?
    /// Docker cannot know whether the file behind a URL changed without asking the server on
    /// every build, so the step and everything after it depend on the network and on a file
    /// that can change (or be tampered with) under the same URL. A downloaded archive is not
    /// extracted either, so unpacking it takes another layer that keeps both copies.
    /// `ADD --checksum=sha256:...` pins the content and lets the cache key on it; `RUN curl
    /// ... | tar -x` with a checksum check downloads, verifies and unpacks in one layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ADD https://example.com/tool-1.2.3.tar.gz /tmp/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool-1.2.3.tar.gz /tmp/
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the checksum must come from a download you trust.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Dockerfile reference: ADD --checksum](https://docs.docker.com/reference/dockerfile/#add---checksum)
    pub struct AddRemoteUrl {
        name: "add-remote-url",
        group: Cache,
        severity: Warning,
        fix: None,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for AddRemoteUrl {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.of_kind(InstructionKind::Add) {
            if i.inst.flag("checksum").is_some() {
                continue;
            }
            let Some((sources, _)) = i.inst.copy_parts() else {
                continue;
            };
            let mut scope = None;
            for s in sources {
                let url = if s.text.contains('$') {
                    // Resolve `ADD ${URL} /x` with the ARG/ENV defaults in force.
                    let scope =
                        scope.get_or_insert_with(|| cx.model.scope_before(cx.file, i.index));
                    scope.expand(&s.text, cx.model.escape).value
                } else {
                    s.text.to_string()
                };
                if !is_remote_file(&url) {
                    continue;
                }
                out.push(
                    Diagnostic::new(meta, i.abs(s.range), "`ADD` of a remote URL without `--checksum`: the content is not pinned and is fetched again to check it")
                        .note("Add `--checksum=sha256:<digest>`, or download, verify and unpack in one `RUN` (`curl -fsSL ... | tar -xz`)."),
                );
            }
        }
    }
}

/// An `http(s)://` URL that is not a Git repository.
fn is_remote_file(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return false;
    }
    let path = lower.split(['#', '?']).next().unwrap_or(&lower);
    !path.ends_with(".git") && !path.ends_with(".git/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires() {
        let t = "FROM alpine\nADD https://example.com/a.tgz http://example.com/b /opt/\n";
        assert_eq!(
            flagged(&AddRemoteUrl, t),
            ["https://example.com/a.tgz", "http://example.com/b"]
        );
        let t = "FROM alpine\nARG URL=https://example.com/tool\nADD $URL /usr/local/bin/tool\n";
        assert_eq!(flagged(&AddRemoteUrl, t), ["$URL"]);
    }

    #[test]
    fn near_misses() {
        for ok in [
            "FROM alpine\nADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 https://example.com/a.tgz /opt/\n",
            "FROM alpine\nADD https://github.com/moby/buildkit.git#v0.13.0 /src\n",
            "FROM alpine\nADD git@github.com:moby/buildkit.git /src\n",
            "FROM alpine\nADD app.tar.gz /opt/\n",
            "FROM alpine\nCOPY https-notes.txt /x\n",
            "FROM alpine\nARG URL\nADD $URL /x\n",
        ] {
            assert!(findings(&AddRemoteUrl, ok).is_empty(), "{ok}");
        }
    }
}
