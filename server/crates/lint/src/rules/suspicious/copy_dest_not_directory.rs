use layerwise_syntax::{Args, InstructionKind, TextRange};

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::util::has_var;

declare_rule! {
    /// `COPY` of several sources to a destination without a trailing `/`.
    ///
    /// ## What it does
    /// Reports `COPY a b dest` (two or more sources, here-documents included) when the
    /// destination does not end with `/` (or `\` on Windows), is not `.` or `..`, and has no
    /// variables.
    ///
    /// ## Why is this bad?
    /// Several sources only make sense into a directory. The classic builder refuses the
    /// instruction; BuildKit copies each source in turn, so whether `dest` ends up a
    /// directory or a single file depends on whether it already existed in the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY package.json package-lock.json /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY package.json package-lock.json /app/
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix appends `/`, which makes BuildKit create the directory if it is
    /// missing instead of writing a file.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3021](https://github.com/hadolint/hadolint/wiki/DL3021)
    /// - [Dockerfile reference: COPY](https://docs.docker.com/reference/dockerfile/#copy)
    pub struct CopyDestNotDirectory {
        name: "copy-dest-not-directory",
        group: Suspicious,
        severity: Warning,
        fix: Sometimes,
        hadolint: ["DL3021"],
        buildkit: None,
    }
}

impl RuleCheck for CopyDestNotDirectory {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.of_kind(InstructionKind::Copy) {
            let Some((sources, Some(dest))) = i.inst.copy_parts() else {
                continue;
            };
            let dir_like = matches!(&*dest.text, "." | "..")
                || dest.text.ends_with(['/', '\\'])
                || dest.text.ends_with("/.")
                || dest.text.ends_with("/..");
            if sources.len() < 2
                || dir_like
                || has_var(&dest.text, cx.model.escape)
                || dest.text.starts_with("<<")
            {
                continue;
            }
            let range = i.abs(dest.range);
            let mut d = Diagnostic::new(
                meta,
                range,
                format!(
                    "COPY with {} sources needs a directory destination ending in `/`: `{}`",
                    sources.len(),
                    dest.text
                ),
            )
            .note("Write the destination with a trailing `/` so every source lands inside it.");
            let end = match &i.inst.args {
                Args::Exec { .. } => (cx.slice(range).ends_with('"')).then(|| range.end - 1),
                _ => (cx.slice(range) == &*dest.text).then_some(range.end),
            };
            if let Some(at) = end {
                d = d.fix(Fix {
                    title: format!("Write `{}/`", dest.text).into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        range: TextRange::empty(at),
                        text: "/".into(),
                    }]
                    .into(),
                });
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM a\nCOPY a b /app\nCOPY [\"a\", \"b\", \"/srv\"]\n";
        assert_eq!(flagged(&CopyDestNotDirectory, t), ["/app", "\"/srv\""]);
        assert_eq!(
            fixed(&CopyDestNotDirectory, t),
            "FROM a\nCOPY a b /app/\nCOPY [\"a\", \"b\", \"/srv/\"]\n"
        );
    }

    #[test]
    fn near_miss() {
        let ok = "FROM a\nCOPY a /app\nCOPY a b /app/\nCOPY a b $DIR\nCOPY a b C:\\\\app\\\\\nCOPY . .\nCOPY a b .\nCOPY a b ..\nADD a b c\n";
        assert!(
            findings(&CopyDestNotDirectory, ok).is_empty(),
            "{:?}",
            flagged(&CopyDestNotDirectory, ok)
        );
    }
}
