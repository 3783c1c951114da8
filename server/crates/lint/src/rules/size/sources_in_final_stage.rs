use layerwise_analysis::{Base, RefTarget};
use layerwise_syntax::InstructionKind;

use crate::context::{InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::cache::copy_before_install::whole_context_copy;
use crate::rules::size::shipped::{final_command, shipped_stages};

declare_rule! {
    /// Sources, tests or docs copied into the final image.
    ///
    /// ## What it does
    /// Reports, in the final stage or a stage it is built on:
    /// - a `COPY . .` (the whole build context) in a multi-stage build whose builder stage
    ///   already copied the whole context to build the app: the final stage copies the
    ///   sources a second time instead of only the build output;
    /// - a `COPY` of a whole top-level `test`, `tests` or `__tests__` folder, unless the image
    ///   runs tests;
    /// - a `COPY` of a whole top-level `docs` or `doc` folder, unless it goes to a web root
    ///   (`html`, `www`, `public`, `static`, `site`) or the image is a web server (`nginx`,
    ///   `httpd`, `caddy`).
    ///
    /// Files picked from inside those folders are taken to be there on purpose.
    ///
    /// ## Why is this bad?
    /// The running app needs its build output and runtime files, not its sources, test suite
    /// or documentation. They add weight, can leak what was meant to stay private, and bust
    /// the cache of every later layer whenever they change.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// WORKDIR /src
    /// COPY . .
    /// RUN CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /app /app
    /// COPY . /src
    /// CMD ["/app"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// WORKDIR /src
    /// COPY . .
    /// RUN CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /app /app
    /// CMD ["/app"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which files the app needs at run time is for you to say. Copy them
    /// by name, or exclude the rest in `.dockerignore`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker: multi-stage builds](https://docs.docker.com/build/building/multi-stage/)
    pub struct SourcesInFinalStage {
        name: "sources-in-final-stage",
        group: Size,
        severity: Warning,
        fix: None,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for SourcesInFinalStage {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let Some(last) = cx.final_stage() else { return };
        let shipped = shipped_stages(cx.model);
        let needed = cx.model.needed_stages(last);
        let insts = cx.instruction_list();
        let is_shipped = |i: &InstRef<'_>| {
            i.stage
                .is_some_and(|s| shipped.get(s).copied().unwrap_or(false))
        };
        // A stage the final image copies from (needed, not shipped) that took the whole context.
        let copied = copied_from(cx);
        let builder_copy = insts.iter().find(|i| {
            i.stage.is_some_and(|s| {
                needed.get(s).copied().unwrap_or(false)
                    && !shipped.get(s).copied().unwrap_or(false)
                    && copied.get(s).copied().unwrap_or(false)
            }) && whole_context_copy(i).is_some()
        });
        let command = final_command(cx).join(" ");
        let runs_tests = [
            "test", "pytest", "jest", "rspec", "mocha", "vitest", "phpunit",
        ]
        .iter()
        .any(|t| command.contains(t));
        let web_server = web_server_image(cx);
        for i in insts.iter().filter(|i| {
            is_shipped(i)
                && matches!(i.inst.kind, InstructionKind::Copy | InstructionKind::Add)
                && i.inst.flag("from").is_none()
        }) {
            if let (Some(builder), Some(_)) = (builder_copy, whole_context_copy(i)) {
                let stage = builder
                    .stage
                    .and_then(|s| cx.model.stages.get(s))
                    .map_or_else(String::new, |s| s.label());
                out.push(
                    Diagnostic::new(meta, i.head_range(), format!("the final stage copies the whole build context again, though stage `{stage}` already built from it"))
                        .note("Copy only the build output and runtime files (`COPY --from=...`); sources, tests and docs ship otherwise.")
                        .related(builder.head_range(), "the builder copies the context here"),
                );
                continue;
            }
            let Some((sources, dest)) = i.inst.copy_parts() else {
                continue;
            };
            let dest = dest.map_or("", |d| &d.text).to_ascii_lowercase();
            for s in sources {
                // The folder itself (`tests/`, `./docs`, `tests/*`): a file picked from inside
                // it (`test/fixture/ca.pem`) is there on purpose.
                let folder = s
                    .text
                    .trim_start_matches("./")
                    .trim_end_matches('*')
                    .trim_end_matches('/');
                let what = match folder {
                    "test" | "tests" | "__tests__" if !runs_tests => "the test suite",
                    "docs" | "doc"
                        if !web_server
                            && !["html", "www", "public", "static", "site"]
                                .iter()
                                .any(|w| dest.contains(w)) =>
                    {
                        "the documentation"
                    }
                    _ => continue,
                };
                out.push(
                    Diagnostic::new(meta, i.abs(s.range), format!("`{}` copies {what} into the final image", s.text))
                        .note("The running app does not need it: leave it out of the final stage (and out of the build context with `.dockerignore`)."),
                );
            }
        }
    }
}

/// `copied[s]`: another stage copies or mounts from stage `s` (rather than only building on it).
fn copied_from(cx: &LintContext<'_>) -> Vec<bool> {
    let mut copied = vec![false; cx.model.stages.len()];
    for r in cx
        .model
        .refs
        .iter()
        .filter(|r| r.kind != layerwise_analysis::RefKind::FromStage)
    {
        if let RefTarget::Stage(s) = r.target {
            if let Some(c) = copied.get_mut(s) {
                *c = true;
            }
        }
    }
    copied
}

/// The final image is a web server, where `docs/` is the content.
fn web_server_image(cx: &LintContext<'_>) -> bool {
    let shipped = shipped_stages(cx.model);
    cx.model
        .stages
        .iter()
        .filter(|s| shipped.get(s.index).copied().unwrap_or(false))
        .any(|s| match &s.base {
            Base::Image(image) => [
                "nginx",
                "httpd",
                "caddy",
                "apache",
                "lighttpd",
                "static-web-server",
            ]
            .iter()
            .any(|w| image.repository.contains(w)),
            _ => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires() {
        let t = "FROM golang AS build\nCOPY . .\nRUN go build -o /app\nFROM alpine\nCOPY --from=build /app /app\nCOPY . .\n";
        let d = findings(&SourcesInFinalStage, t);
        assert_eq!(d.len(), 1);
        assert_eq!(&t[d[0].range.as_usize()], "COPY . .");
        assert!(
            d[0].range.start as usize > t.find("--from").unwrap(),
            "the final stage's copy"
        );
        assert!(d[0].message.contains("stage `build`"));
        assert_eq!(flagged(&SourcesInFinalStage, "FROM python:3.12-slim\nCOPY app/ /app/\nCOPY ./tests /app/tests\nCOPY docs/ /app/docs\nCMD [\"python\", \"-m\", \"app\"]\n"), ["./tests", "docs/"]);
    }

    #[test]
    fn near_misses() {
        for ok in [
            // interpreted apps: the builder installs dependencies, the sources are the app
            "FROM python AS build\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nFROM python:3.12-slim\nCOPY --from=build /venv /venv\nCOPY . .\n",
            // single stage: the sources are what it builds and runs
            "FROM node:20-slim\nCOPY . .\nRUN npm ci\n",
            // builder stage copying tests to run them
            "FROM golang AS build\nCOPY tests/ tests/\nRUN go test ./...\nFROM alpine\nCOPY --from=build /app /app\n",
            // a test image
            "FROM python\nCOPY tests/ /tests\nCMD [\"pytest\", \"/tests\"]\n",
            // documentation as web content
            "FROM nginx\nCOPY docs/ /usr/share/nginx/html\n",
            "FROM alpine\nCOPY docs/site /var/www\n",
            // files named like the folders, or picked from inside them
            "FROM alpine\nCOPY testdata.json /x\nCOPY docs.conf /etc/\n",
            "FROM alpine\nCOPY test/fixture/ca.pem /etc/ssl/\nCOPY ./test/container/entrypoint.sh /\n",
        ] {
            assert!(findings(&SourcesInFinalStage, ok).is_empty(), "{ok}");
        }
    }
}
