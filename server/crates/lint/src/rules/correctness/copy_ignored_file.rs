use layerwise_syntax::InstructionKind;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{ExampleContext, RuleCheck, RuleMeta};
use crate::rules::correctness::util::has_var;

declare_rule! {
    /// `COPY` or `ADD` of a file that `.dockerignore` excludes.
    ///
    /// ## What it does
    /// With the build context's `.dockerignore` known, reports `COPY`/`ADD` sources from the
    /// context that its patterns exclude (the path itself or a parent directory). Like
    /// BuildKit it stays quiet when the file has exceptions (`!pattern`), because a
    /// re-included file inside an excluded directory cannot be judged from the patterns
    /// alone, and it reports `.` only when a pattern excludes everything (`*`, `**`).
    /// Without a known `.dockerignore` the rule says nothing.
    ///
    /// ## Why is this bad?
    /// Excluded files are never sent to the builder: the copy fails with "not found", or a
    /// wildcard silently copies less than expected.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM scratch
    /// COPY ./tmp/helloworld.txt /helloworld.txt
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM scratch
    /// COPY ./forever/helloworld.txt /helloworld.txt
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: either the pattern or the `COPY` is wrong.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit CopyIgnoredFile](https://docs.docker.com/reference/build-checks/copy-ignored-file/)
    pub struct CopyIgnoredFile {
        name: "copy-ignored-file",
        group: Correctness,
        severity: Warning,
        fix: None,
        hadolint: [],
        buildkit: Some("CopyIgnoredFile"),
        example_context: ExampleContext {
            files: &["tmp/helloworld.txt", "forever/helloworld.txt"],
            dockerignore: Some("tmp\n"),
        },
    }
}

impl RuleCheck for CopyIgnoredFile {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let Some(Some(ignore)) = &cx.facts.dockerignore else {
            return;
        };
        if ignore.has_exceptions() {
            return;
        }
        let root_ignored = ignore
            .patterns()
            .iter()
            .any(|p| !p.exception && matches!(p.pattern.as_str(), "*" | "**" | "**/*"));
        for i in cx.instructions() {
            if !matches!(i.inst.kind, InstructionKind::Copy | InstructionKind::Add)
                || i.inst.flag("from").is_some()
            {
                continue;
            }
            let Some((sources, _)) = i.inst.copy_parts() else {
                continue;
            };
            let cmd = if i.inst.kind == InstructionKind::Add {
                "Add"
            } else {
                "Copy"
            };
            for src in sources {
                let text = &*src.text;
                if text.starts_with("<<")
                    || text.contains("://")
                    || text.starts_with("git@")
                    || has_var(text, cx.model.escape)
                {
                    continue;
                }
                let cleaned = clean(text);
                let root = cleaned == "." || cleaned == "/";
                let decision = ignore.decide(&cleaned);
                if if root {
                    !root_ignored
                } else {
                    !decision.excluded
                } {
                    continue;
                }
                let by = decision
                    .decided_by
                    .and_then(|b| {
                        ignore
                            .patterns()
                            .get(b.index)
                            .map(|p| format!(" (line {}: `{}`)", b.line, p.source))
                    })
                    .unwrap_or_default();
                out.push(
                    Diagnostic::new(meta, i.abs(src.range), format!("Attempting to {cmd} file {cleaned:?} that is excluded by .dockerignore{by}"))
                        .note("Excluded files are not sent to the builder, so this source is missing. Change the pattern or the source."),
                );
            }
        }
    }
}

/// `filepath.Clean` with `/` separators.
fn clean(path: &str) -> String {
    let abs = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            ".." if abs => {}
            _ => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (abs, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Facts;
    use layerwise_analysis::dockerignore::DockerIgnore;

    /// Runs the rule alone, so the facts it is given are the only thing that matters.
    fn run(text: &str, facts: &Facts) -> Vec<Diagnostic> {
        let file = layerwise_syntax::Dockerfile::parse(text);
        let model =
            layerwise_analysis::Model::build(&file, layerwise_analysis::ModelOptions::default());
        let cx = LintContext::new(&file, text, &model, facts);
        let mut out = Vec::new();
        crate::rule::Rule::check(&CopyIgnoredFile, &cx, &mut out);
        out
    }

    fn with_ignore(ignore: &str, text: &str) -> Vec<String> {
        let facts = Facts {
            dockerignore: Some(Some(DockerIgnore::parse(ignore))),
            ..Facts::default()
        };
        run(text, &facts)
            .into_iter()
            .map(|d| text[d.range.as_usize()].to_string())
            .collect()
    }

    #[test]
    fn fires() {
        let t = "FROM scratch\nCOPY ./tmp/helloworld.txt /x\nADD node_modules/a /y\nCOPY . /app\n";
        assert_eq!(
            with_ignore("*/tmp/*\ntmp\nnode_modules\n", t),
            ["./tmp/helloworld.txt", "node_modules/a"]
        );
        assert_eq!(with_ignore("*\n", "FROM scratch\nCOPY . /app\n"), ["."]);
    }

    #[test]
    fn near_miss() {
        let t = "FROM scratch\nCOPY ./forever/helloworld.txt /x\nCOPY --from=build /tmp/x /y\nCOPY $DIR /z\nCOPY . /app\n";
        assert!(with_ignore("tmp\n", t).is_empty());
        // exceptions make the answer depend on the files: quiet, as BuildKit
        assert!(with_ignore("tmp\n!tmp/keep\n", "FROM scratch\nCOPY tmp/a /x\n").is_empty());
        // no facts, or known to have no .dockerignore: quiet
        assert!(run("FROM scratch\nCOPY tmp/a /x\n", &Facts::default()).is_empty());
        assert!(run(
            "FROM scratch\nCOPY tmp/a /x\n",
            &Facts {
                dockerignore: Some(None),
                ..Facts::default()
            }
        )
        .is_empty());
        assert_eq!(clean("./a//b/../c/"), "a/c");
        assert_eq!(clean("./"), ".");
    }
}
