use layerwise_syntax::InstructionKind;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// `ADD` of local files that `COPY` would copy the same way.
    ///
    /// ## What it does
    /// Reports `ADD` whose sources are all local paths that are not tar archives (by name:
    /// `.tar`, `.tar.gz`, `.tgz`, `.tar.bz2`, `.tar.xz`, ...). `ADD` of URLs, git repositories,
    /// archives, here-documents and `ADD` with `--checksum`, `--keep-git-dir` or `--unpack`
    /// are its real uses and stay quiet.
    ///
    /// ## Why is this bad?
    /// `ADD` also unpacks local tar archives (judged by content, not name) and downloads URLs.
    /// Using it for plain files hides that: a reader must check each source to know what
    /// happens, and a file that happens to be a tarball is silently unpacked. `COPY` only
    /// copies.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// ADD nginx.conf /etc/nginx/nginx.conf
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY nginx.conf /etc/nginx/nginx.conf
    /// ```
    ///
    /// ## Fix safety
    /// Safe when every source is a directory (`ADD . /app`, `ADD src/ /src/`): `ADD` never
    /// unpacks directories. Unsafe otherwise, because `ADD` would unpack a source file whose
    /// content is a tar archive whatever its name.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3020](https://github.com/hadolint/hadolint/wiki/DL3020)
    /// - [Docker build best practices: ADD or COPY](https://docs.docker.com/build/building/best-practices/#add-or-copy)
    pub struct AddInsteadOfCopy {
        name: "add-instead-of-copy",
        group: Nursery,
        severity: Warning,
        fix: Always,
        default_enabled: false,
        hadolint: ["DL3020"],
        buildkit: None,
    }
}

const ARCHIVES: &[&str] = &[
    ".tar",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz2",
    ".tbz",
    ".tar.xz",
    ".txz",
    ".tar.zst",
    ".tzst",
    ".tar.lz",
    ".tar.lzma",
    ".tlz",
    ".gz",
    ".bz2",
    ".xz",
    ".zst",
];

fn is_remote_or_archive(src: &str) -> bool {
    let lower = src.to_ascii_lowercase();
    lower.contains("://")
        || lower.starts_with("git@")
        || lower.ends_with(".git")
        || ARCHIVES.iter().any(|a| lower.ends_with(a))
        || src.contains('$')
}

fn is_directory(src: &str) -> bool {
    src == "." || src.ends_with('/') || src == "./."
}

impl RuleCheck for AddInsteadOfCopy {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.of_kind(InstructionKind::Add) {
            if !i.inst.heredocs.is_empty()
                || i.inst
                    .flags
                    .iter()
                    .any(|f| matches!(f.name(), "checksum" | "keep-git-dir" | "unpack"))
            {
                continue;
            }
            let Some((sources, Some(_))) = i.inst.copy_parts() else {
                continue;
            };
            if sources.is_empty() || sources.iter().any(|s| is_remote_or_archive(&s.text)) {
                continue;
            }
            let applicability = if sources.iter().all(|s| is_directory(&s.text)) {
                Applicability::Safe
            } else {
                Applicability::Unsafe
            };
            let range = i.keyword_range();
            out.push(
                Diagnostic::new(meta, range, "Use `COPY` for local files: `ADD` also unpacks archives and downloads URLs")
                    .note("`COPY` only copies, so readers know what happens; keep `ADD` for URLs, git and archives you mean to unpack.")
                    .fix(Fix::replace("Replace `ADD` with `COPY`", range, "COPY", applicability)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM a\nADD --chown=app . /app\nadd run.sh /\n";
        assert_eq!(flagged(&AddInsteadOfCopy, t), ["ADD", "add"]);
        assert_eq!(
            fixed(&AddInsteadOfCopy, t),
            "FROM a\nCOPY --chown=app . /app\nCOPY run.sh /\n"
        );
        let d = findings(&AddInsteadOfCopy, t);
        assert_eq!(d[0].fixes[0].applicability, Applicability::Safe);
        assert_eq!(d[1].fixes[0].applicability, Applicability::Unsafe);
    }

    #[test]
    fn near_misses() {
        for t in [
            "FROM a\nADD rootfs.tar.xz /\n",
            "FROM a\nADD https://example.com/x.txt /x\n",
            "FROM a\nADD --checksum=sha256:abc https://x/y /y\n",
            "FROM a\nADD git@github.com:o/r.git /src\n",
            "FROM a\nADD <<EOF /x\nhi\nEOF\n",
            "FROM a\nADD ${ARCHIVE} /opt/\n",
            "FROM a\nCOPY x /x\n",
        ] {
            assert!(findings(&AddInsteadOfCopy, t).is_empty(), "{t}");
        }
    }
}
