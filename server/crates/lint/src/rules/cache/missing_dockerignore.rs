use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{ExampleContext, RuleCheck, RuleMeta};
use crate::rules::cache::context_leaks::{describe, leaks, whole_context_copies};

declare_rule! {
    /// The whole build context is copied and there is no `.dockerignore`.
    ///
    /// ## What it does
    /// Reports the first `COPY . <dest>` (or `ADD .`, `COPY *`) from the build context when
    /// the context is known to have no `.dockerignore` (nor a `<Dockerfile>.dockerignore`).
    /// When the context is known, the message names what gets in: the Git directory,
    /// `node_modules`, `.env` files, key files. Without facts about the build context (as on
    /// the command line without a context) the rule stays quiet.
    ///
    /// ## Why is this bad?
    /// Everything in the directory goes into the layer: the `.git` directory changes with
    /// every commit, so the copy and every layer after it are rebuilt even when no source
    /// changed; local `node_modules` overwrite what the image installed; `.env` files and
    /// keys end up in the image for anyone who pulls it.
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
    /// No fix in the Dockerfile: add a `.dockerignore` next to it (the editor offers to
    /// create one with the entries your stack needs).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker: .dockerignore files](https://docs.docker.com/build/concepts/context/#dockerignore-files)
    pub struct MissingDockerignore {
        name: "missing-dockerignore",
        group: Cache,
        severity: Warning,
        fix: None,
        hadolint: [],
        buildkit: None,
        example_context: ExampleContext {
            files: &[".git/HEAD", ".env", "package.json", "package-lock.json", "server.js"],
            dockerignore: None,
        },
    }
}

impl RuleCheck for MissingDockerignore {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        if !matches!(cx.facts.dockerignore, Some(None)) {
            return;
        }
        let copies = whole_context_copies(cx);
        let Some(first) = copies.first() else { return };
        let found = cx.facts.context.as_ref().map(leaks).unwrap_or_default();
        let message = if found.is_empty() {
            "the whole build context is copied and there is no `.dockerignore`".to_string()
        } else {
            format!("the whole build context is copied and there is no `.dockerignore`: {} go into the image", describe(&found))
        };
        let mut d = Diagnostic::new(meta, *first, message).note(
            "Add a `.dockerignore` listing what the image does not need (`.git`, `node_modules`, `.env*`, keys, build output): \
             it keeps them out of the image and keeps unrelated changes from invalidating this layer.",
        );
        for other in &copies[1..] {
            d = d.related(*other, "the whole context is copied here too");
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::cache::context_leaks::tests::{context, sample};
    use crate::rules::cache::test_util::run;
    use crate::Facts;

    fn facts(ignore: Option<Option<&str>>) -> Facts {
        Facts {
            context: Some(context(sample(), ignore.flatten())),
            dockerignore: ignore
                .map(|i| i.map(layerwise_analysis::dockerignore::DockerIgnore::parse)),
            ..Facts::default()
        }
    }

    #[test]
    fn fires_when_known_absent() {
        let t = "FROM node:20\nCOPY . .\nFROM node:20-slim\nCOPY ./ /app\n";
        let d = run(&MissingDockerignore, t, &facts(Some(None)));
        assert_eq!(d.len(), 1);
        assert_eq!(&t[d[0].range.as_usize()], ".");
        assert_eq!(d[0].related.len(), 1);
        assert!(d[0].message.ends_with(": `.env`, `.git` (12.0 MB), `certs/server.key` and `node_modules` (5.00 kB) go into the image"), "{}", d[0].message);
        let bare = Facts {
            dockerignore: Some(None),
            ..Facts::default()
        };
        assert_eq!(
            run(&MissingDockerignore, t, &bare)[0].message,
            "the whole build context is copied and there is no `.dockerignore`"
        );
    }

    #[test]
    fn near_misses() {
        let t = "FROM node:20\nCOPY . .\n";
        assert!(
            run(&MissingDockerignore, t, &Facts::default()).is_empty(),
            "unknown context: quiet"
        );
        assert!(
            run(&MissingDockerignore, t, &facts(Some(Some(".git\n")))).is_empty(),
            "an ignore file exists"
        );
        for t in [
            "FROM node:20\nCOPY package.json src/ ./\n",
            "FROM node:20\nCOPY --from=build . .\n",
        ] {
            assert!(
                run(&MissingDockerignore, t, &facts(Some(None))).is_empty(),
                "{t}"
            );
        }
    }
}
