use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// The Dockerfile does not parse.
    ///
    /// ## What it does
    /// Reports what makes BuildKit's parser reject the file: an unterminated heredoc, an exec
    /// form array with something other than strings, `ENV` without a value, a repeated or
    /// invalid parser directive, a file with no instructions.
    ///
    /// ## Why is this bad?
    /// `docker build` stops before it runs anything.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV PATH
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV PATH=/usr/local/bin:/usr/bin:/bin
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: what was meant is not known.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
    pub struct SyntaxError {
        name: "syntax-error",
        group: Correctness,
        severity: Error,
        fix: None,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for SyntaxError {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for e in cx.file.errors() {
            out.push(
                Diagnostic::new(meta, e.range, e.message)
                    .note("docker build stops here: BuildKit's parser rejects the file."),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires() {
        assert_eq!(
            flagged(&SyntaxError, "FROM a\nRUN <<EOF\necho\n"),
            ["<<EOF"]
        );
        assert_eq!(findings(&SyntaxError, "FROM a\nCMD [\"a\", 1]\n").len(), 1);
        assert_eq!(
            findings(&SyntaxError, "# only a comment\n")[0].message,
            "file with no instructions"
        );
    }

    #[test]
    fn near_miss() {
        assert!(findings(&SyntaxError, "FROM a\nRUN <<EOF\necho\nEOF\nCMD ['a', 1]\n").is_empty());
    }
}
