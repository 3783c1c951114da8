use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{ExampleContext, RuleCheck, RuleMeta};
use crate::rules::cache::context_leaks::{describe, leaks, whole_context_copies};

declare_rule! {
    /// The `.dockerignore` lets `.git`, `node_modules`, `.env` files or keys into a `COPY . .`.
    ///
    /// ## What it does
    /// When the build context and its `.dockerignore` are known and a `COPY`/`ADD` takes the
    /// whole context, reports the entries the ignore file lets through that an image should
    /// not get: the root `.git` directory, `node_modules` directories, `.env` and `.env.*`
    /// files (templates such as `.env.example` aside), and `*.pem`/`*.key` files. Only entries
    /// that exist in the context are reported. Without facts about the context the rule
    /// stays quiet.
    ///
    /// ## Why is this bad?
    /// `.git` changes with every commit and rebuilds the copy and every later layer; a local
    /// `node_modules` (built for another OS) overwrites the one the image installed; `.env`
    /// files and private keys are readable by anyone who pulls the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY . .
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY package.json package-lock.json server.js ./
    /// ```
    ///
    /// ## Fix safety
    /// No fix in the Dockerfile: add the entries to `.dockerignore` (`.git`, `node_modules`,
    /// `.env*` with `!.env.example`, `**/*.pem`, `**/*.key`).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker: .dockerignore files](https://docs.docker.com/build/concepts/context/#dockerignore-files)
    pub struct DockerignoreGaps {
        name: "dockerignore-gaps",
        group: Cache,
        severity: Warning,
        fix: None,
        hadolint: [],
        buildkit: None,
        example_context: ExampleContext {
            files: &[".git/HEAD", ".env", "node_modules/", "package.json", "package-lock.json", "server.js"],
            dockerignore: Some("node_modules\n"),
        },
    }
}

impl RuleCheck for DockerignoreGaps {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        if !matches!(cx.facts.dockerignore, Some(Some(_))) {
            return;
        }
        let Some(ctx) = &cx.facts.context else { return };
        let copies = whole_context_copies(cx);
        let Some(first) = copies.first() else { return };
        let found = leaks(ctx);
        if found.is_empty() {
            return;
        }
        let mut d = Diagnostic::new(meta, *first, format!("`.dockerignore` lets {} into this copy of the whole context", describe(&found)))
            .note("Add them to `.dockerignore` (`.git`, `node_modules`, `.env*` with `!.env.example`, `**/*.pem`, `**/*.key`).");
        d = d.related_listed(&copies[1..], "the whole context is copied here too", |n| {
            format!("and {n} more copies of the whole context from here")
        });
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::cache::context_leaks::tests::{context, sample};
    use crate::rules::cache::test_util::run;
    use crate::Facts;
    use layerwise_analysis::dockerignore::DockerIgnore;

    fn facts(ignore: &str) -> Facts {
        Facts {
            context: Some(std::sync::Arc::new(context(sample(), Some(ignore)))),
            dockerignore: Some(Some(DockerIgnore::parse(ignore))),
            ..Facts::default()
        }
    }

    #[test]
    fn fires_on_what_gets_through() {
        let t = "FROM node:20\nWORKDIR /app\nCOPY . .\n";
        let d = run(&DockerignoreGaps, t, &facts("node_modules\n*.key\n"));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].message, "`.dockerignore` lets `.env`, `.git` (12.0 MB) and `certs/server.key` into this copy of the whole context");
    }

    #[test]
    fn near_misses() {
        let t = "FROM node:20\nCOPY . .\n";
        assert!(run(
            &DockerignoreGaps,
            t,
            &facts(".git\nnode_modules\n.env*\n!.env.example\n**/*.key\n")
        )
        .is_empty());
        assert!(
            run(
                &DockerignoreGaps,
                "FROM node:20\nCOPY src/ ./src/\n",
                &facts("")
            )
            .is_empty(),
            "no whole-context copy"
        );
        assert!(
            run(&DockerignoreGaps, t, &Facts::default()).is_empty(),
            "no facts: quiet"
        );
        let absent = Facts {
            context: Some(std::sync::Arc::new(context(sample(), None))),
            dockerignore: Some(None),
            ..Facts::default()
        };
        assert!(
            run(&DockerignoreGaps, t, &absent).is_empty(),
            "no ignore file: missing-dockerignore's job"
        );
    }
}
