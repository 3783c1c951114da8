use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{ExampleContext, RuleCheck, RuleMeta};
use layerwise_analysis::build_context::BuildContext;

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
    /// layerwise takes the Dockerfile's folder for the context. A Dockerfile in a folder
    /// that holds neither something to leak nor a project's files (`.git`, a manifest such
    /// as `package.json` or `go.mod`, a `Makefile`) is usually built with another context
    /// (`docker build -f docker/Dockerfile .`), whose `.dockerignore` is not known here: the
    /// rule then stays quiet.
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
        let found = cx.facts.context.as_deref().map(leaks).unwrap_or_default();
        if found.is_empty()
            && cx
                .facts
                .context
                .as_ref()
                .is_some_and(|c| !looks_like_project_root(c))
        {
            return;
        }
        let message = if found.is_empty() {
            "the whole build context is copied and there is no `.dockerignore`".to_string()
        } else {
            format!("the whole build context is copied and there is no `.dockerignore`: {} go into the image", describe(&found))
        };
        let mut d = Diagnostic::new(meta, *first, message).note(
            "Add a `.dockerignore` listing what the image does not need (`.git`, `node_modules`, `.env*`, keys, build output): \
             it keeps them out of the image and keeps unrelated changes from invalidating this layer.",
        );
        d = d.related_listed(&copies[1..], "the whole context is copied here too", |n| {
            format!("and {n} more copies of the whole context from here")
        });
        out.push(d);
    }
}

/// Files a project keeps at the folder it is built from, besides the package managers'
/// manifests.
const PROJECT_FILES: &[&str] = &[
    ".git",
    "Makefile",
    "CMakeLists.txt",
    "setup.py",
    "build.gradle.kts",
    "mix.exs",
    "deno.json",
];

/// Whether the folder looks like the root of what the Dockerfile builds: a Git checkout, a
/// package manager's manifest, a build file. A folder holding only Dockerfiles and their
/// scripts is more likely built with its parent as the context.
fn looks_like_project_root(ctx: &BuildContext) -> bool {
    let manifests = || {
        crate::package_managers::ALL
            .iter()
            .flat_map(|m| m.manifests.iter().copied())
            .chain(PROJECT_FILES.iter().copied())
    };
    ctx.children("").iter().any(|e| {
        let name = e.name();
        manifests().any(|m| match m.strip_prefix('*') {
            Some(suffix) => name.ends_with(suffix),
            None => name == m,
        }) || name.ends_with(".sln")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::cache::context_leaks::tests::{context, sample};
    use crate::rules::cache::test_util::run;
    use crate::Facts;

    fn facts(ignore: Option<Option<&str>>) -> Facts {
        Facts {
            context: Some(std::sync::Arc::new(context(sample(), ignore.flatten()))),
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

    /// A generated file of whole-context copies: the finding lists 16 of the others and
    /// counts the rest instead of relating every one.
    #[test]
    fn many_copies_are_counted() {
        let t = format!("FROM node:20\n{}", "COPY . .\n".repeat(1000));
        let d = run(&MissingDockerignore, &t, &facts(Some(None)));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].related.len(), 17);
        assert_eq!(
            d[0].related[16].message,
            "and 983 more copies of the whole context from here"
        );
        assert_eq!(d[0].related[16].range.start as usize, 13 + 17 * 9 + 5);
    }

    #[test]
    fn needs_a_project_folder_or_something_to_leak() {
        use layerwise_analysis::build_context::ContextEntry;
        let t = "FROM node:20\nCOPY . .\n";
        let with = |entries: Vec<ContextEntry>| Facts {
            context: Some(std::sync::Arc::new(context(entries, None))),
            dockerignore: Some(None),
            ..Facts::default()
        };
        // only Dockerfiles and a script: likely built from the parent folder
        let docker_dir = with(vec![
            ContextEntry::file("Dockerfile", 10),
            ContextEntry::file("entrypoint.sh", 10),
        ]);
        assert!(run(&MissingDockerignore, t, &docker_dir).is_empty());
        // a project: reported, even with nothing to leak
        for marker in ["package.json", "go.mod", "Makefile", "App.csproj"] {
            let project = with(vec![
                ContextEntry::file("Dockerfile", 10),
                ContextEntry::file(marker, 10),
            ]);
            let d = run(&MissingDockerignore, t, &project);
            assert_eq!(d.len(), 1, "{marker}");
            assert_eq!(
                d[0].message,
                "the whole build context is copied and there is no `.dockerignore`"
            );
        }
        // a manifest below the root does not count
        let nested = with(vec![ContextEntry::file("app/package.json", 10)]);
        assert!(run(&MissingDockerignore, t, &nested).is_empty());
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
