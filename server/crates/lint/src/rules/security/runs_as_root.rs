use layerwise_analysis::image_ref::ImageRef;
use layerwise_analysis::Base;
use layerwise_syntax::{InstructionKind, TextRange};

use crate::context::{InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::{
    base_chain, final_chain, is_windows_image, root_base, runs_a_program, stage_insts,
};
use crate::rules::security::user_root::{is_root_user, last_user};

declare_rule! {
    /// The final stage never sets a `USER`, so the container runs as root.
    ///
    /// ## What it does
    /// Reports the final stage when neither it nor the stages it is built `FROM` set a `USER`
    /// and its base image is not known to run as an unprivileged user. Images known to default
    /// to a non-root user stay quiet: distroless and other `nonroot`/`rootless`/`unprivileged`
    /// tags, Chainguard and Bitnami images, Red Hat's UBI language images, and any image whose
    /// fetched config names a non-root user. So do images whose entrypoint drops privileges
    /// itself (`gosu`, `su-exec`, `setpriv`, `runuser`, `s6-setuidgid`, `chroot --userspec`),
    /// and base or tool images whose command is a bare shell or REPL (or that set none): they
    /// are meant to be built on. Builder stages are not checked.
    ///
    /// ## Why is this bad?
    /// Without `USER` the main process runs as root. A bug or a compromised dependency then
    /// has full control of the container and an easier path out of it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// WORKDIR /app
    /// COPY . .
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// WORKDIR /app
    /// COPY --chown=node:node . .
    /// USER node
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// For `node` images the fix appends `USER node` (the user those images ship). Unsafe:
    /// files the program writes must then be writable by that user.
    ///
    /// ## Options
    /// None. Image facts (the base image's configured user), when available, decide over the
    /// built-in list of non-root images.
    ///
    /// ## References
    /// - [Docker: USER](https://docs.docker.com/reference/dockerfile/#user)
    /// - [Docker build best practices: USER](https://docs.docker.com/build/building/best-practices/#user)
    pub struct RunsAsRoot {
        name: "runs-as-root",
        group: Security,
        severity: Warning,
        fix: Sometimes,
        hadolint: [],
        buildkit: None,
    }
}

/// Programs that start a service as root and switch to another user themselves.
const PRIVILEGE_DROPPERS: &[&str] = &[
    "gosu",
    "su-exec",
    "setpriv",
    "runuser",
    "s6-setuidgid",
    "setuser",
    "chpst",
];

/// Whether the image is known to run as a non-root user by default (from its name alone).
pub(crate) fn known_non_root(image: &ImageRef) -> bool {
    let tag = image.tag.as_deref().unwrap_or("").to_ascii_lowercase();
    let repo = image.repository.to_ascii_lowercase();
    let marks = ["nonroot", "non-root", "rootless", "unprivileged"];
    if marks.iter().any(|m| tag.contains(m) || repo.contains(m)) {
        return true;
    }
    if image.registry == "cgr.dev" || repo.starts_with("bitnami/") {
        return true;
    }
    if matches!(
        image.registry.as_str(),
        "registry.access.redhat.com" | "registry.redhat.io"
    ) {
        let name = repo.rsplit('/').next().unwrap_or("");
        let langs = [
            "nodejs",
            "python",
            "ruby",
            "php",
            "perl",
            "go-toolset",
            "openjdk",
            "dotnet",
        ];
        return repo.starts_with("ubi") && langs.iter().any(|l| name.starts_with(l));
    }
    matches!(
        repo.as_str(),
        "jenkins/jenkins" | "jenkins/inbound-agent" | "sonarsource/sonar-scanner-cli"
    )
}

impl RuleCheck for RunsAsRoot {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let Some(final_stage) = cx.final_stage() else {
            return;
        };
        let insts = cx.instruction_list();
        if last_user(cx, insts).is_some() {
            return; // a USER is set: `user-root` judges it
        }
        let image = match root_base(cx, final_stage) {
            Some(Base::Image(i)) => Some(i),
            Some(Base::Scratch) => None,
            _ => return, // unresolved base: unknown user
        };
        if let Some(image) = image {
            if is_windows_image(image) {
                return;
            }
            // the user of the platform the root stage asks for (`FROM --platform`)
            let platform = base_chain(cx, final_stage)
                .last()
                .and_then(|&root| cx.model.stages.get(root))
                .and_then(|root| cx.model.requested_platform(root));
            // the catalogue knows sizes only: its facts say nothing about the user
            let facts_user = cx
                .facts
                .images
                .get(&image.canonical())
                .filter(|f| !f.source.is_approximate())
                .and_then(|f| f.for_platform_or_primary(platform.as_ref()))
                .map(|p| p.user.clone().unwrap_or_default());
            match facts_user {
                Some(u) if !u.is_empty() && !is_root_user(&u) => return,
                Some(_) => {}
                None if known_non_root(image) => return,
                None => {}
            }
        }
        if drops_privileges(cx, insts) || !runs_a_program(cx) {
            return;
        }
        let stage = &cx.model.stages[final_stage];
        let mut d = Diagnostic::new(meta, stage.base_range, format!("The image runs as root: the final stage (`FROM {}`) sets no `USER`", stage.base_text))
            .note("Add `USER <name or uid>` after the steps that need root (create the user first if the image has none). Builder stages may stay root.");
        if image.is_some_and(|i| i.is_official() && i.repository == "library/node") {
            let end = stage.range.end;
            let text = if cx.text[..end as usize].ends_with('\n') {
                "USER node\n"
            } else {
                "\nUSER node\n"
            };
            d = d.fix(Fix {
                title: "Run as the image's `node` user".into(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    range: TextRange::empty(end),
                    text: text.into(),
                }]
                .into(),
            });
        }
        out.push(d);
    }
}

/// Whether the final image's `RUN`s or entrypoint use a tool that switches users at start.
fn drops_privileges(cx: &LintContext<'_>, insts: &[InstRef<'_>]) -> bool {
    final_chain(cx).into_iter().any(|s| {
        stage_insts(insts, s).any(|i| {
            // cheap text test first: most instructions mention none of the tools
            let text = i.item.text();
            if !PRIVILEGE_DROPPERS.iter().any(|d| text.contains(d)) && !text.contains("--userspec")
            {
                return false;
            }
            let words: Vec<String> = match i.inst.kind {
                InstructionKind::Run => cx
                    .run_commands(i)
                    .iter()
                    .flat_map(|c| &c.words)
                    .map(|w| w.text.to_string())
                    .collect(),
                InstructionKind::Entrypoint | InstructionKind::Cmd => i
                    .inst
                    .arg_words()
                    .iter()
                    .flat_map(|w| {
                        w.text
                            .split_whitespace()
                            .map(str::to_string)
                            .collect::<Vec<_>>()
                    })
                    .collect(),
                _ => Vec::new(),
            };
            words.iter().any(|w| {
                let b = w.rsplit('/').next().unwrap_or(w);
                PRIVILEGE_DROPPERS.contains(&b) || w.starts_with("--userspec")
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use crate::Facts;
    use layerwise_analysis::image_facts::{ImageFacts, PlatformFacts};

    #[test]
    fn fires_without_user() {
        assert_eq!(flagged(&RunsAsRoot, "FROM golang:1.22 AS build\nRUN go build\nFROM debian:12-slim\nCOPY --from=build /x /x\nCMD [\"/x\"]\n"), ["debian:12-slim"]);
        assert_eq!(
            flagged(
                &RunsAsRoot,
                "FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]\n"
            ),
            ["scratch"]
        );
        // USER in a builder stage does not count
        assert_eq!(
            flagged(
                &RunsAsRoot,
                "FROM a:1 AS b\nUSER app\nFROM c:1\nCMD [\"app\"]\n"
            ),
            ["c:1"]
        );
        // CMD inherited from a base stage
        assert_eq!(
            flagged(&RunsAsRoot, "FROM a:1 AS b\nCMD [\"app\"]\nFROM b\n"),
            ["b"]
        );
    }

    #[test]
    fn near_misses() {
        assert!(findings(&RunsAsRoot, "FROM a:1\nUSER app\n").is_empty());
        // base and tool images: no command, or a bare shell or REPL
        assert!(findings(&RunsAsRoot, "FROM debian:12\nRUN apt-get install -y curl\n").is_empty());
        assert!(findings(&RunsAsRoot, "FROM debian:12\nCMD [\"bash\"]\n").is_empty());
        let node_base = "FROM alpine:3.20\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"node\"]\n";
        assert!(
            findings(&RunsAsRoot, node_base).is_empty(),
            "an entrypoint wrapper around a REPL"
        );
        assert!(findings(
            &RunsAsRoot,
            "FROM node:20 AS b\nCMD [\"app\"]\nFROM b\nENTRYPOINT [\"node\"]\n"
        )
        .is_empty());
        assert!(findings(&RunsAsRoot, "ARG BASE\nFROM $BASE\nCMD x\n").is_empty());
        // inherited USER from a base stage
        assert!(findings(
            &RunsAsRoot,
            "FROM a:1 AS base\nUSER app\nFROM base\nCMD x\n"
        )
        .is_empty());
        // images known to run as non-root
        for img in [
            "gcr.io/distroless/static-debian12:nonroot",
            "cgr.dev/chainguard/node",
            "bitnami/nginx:1.25",
            "nginxinc/nginx-unprivileged:1.25",
            "registry.access.redhat.com/ubi9/nodejs-20",
        ] {
            assert!(
                findings(&RunsAsRoot, &format!("FROM {img}\nCMD x\n")).is_empty(),
                "{img}"
            );
        }
        // entrypoints that drop privileges themselves
        assert!(findings(
            &RunsAsRoot,
            "FROM debian:12\nRUN apt-get install -y gosu\nENTRYPOINT [\"docker-entrypoint.sh\"]\n"
        )
        .is_empty());
        // Windows images and unresolved bases
        assert!(findings(
            &RunsAsRoot,
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        )
        .is_empty());
        assert!(findings(&RunsAsRoot, "ARG BASE\nFROM $BASE\nCMD x\n").is_empty());
        // base and tool images: no command, or a bare shell or REPL
        assert!(findings(&RunsAsRoot, "FROM debian:12\nRUN apt-get install -y curl\n").is_empty());
        assert!(findings(&RunsAsRoot, "FROM debian:12\nCMD [\"bash\"]\n").is_empty());
        let node_base = "FROM alpine:3.20\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"node\"]\n";
        assert!(
            findings(&RunsAsRoot, node_base).is_empty(),
            "an entrypoint wrapper around a REPL"
        );
        assert!(findings(
            &RunsAsRoot,
            "FROM node:20 AS b\nCMD [\"app\"]\nFROM b\nENTRYPOINT [\"node\"]\n"
        )
        .is_empty());
    }

    #[test]
    fn image_facts_decide() {
        let text = "FROM acme/app:1\nCMD x\n";
        let image = ImageRef::parse("acme/app:1").unwrap();
        let mut platform = PlatformFacts::sizes_only(
            layerwise_analysis::image_facts::Platform::linux_amd64(),
            1,
            None,
        );
        platform.user = Some("1001".into());
        let facts = ImageFacts {
            reference: image.clone(),
            digest: None,
            platforms: vec![platform],
            available_platforms: Vec::new(),
            source: layerwise_analysis::image_facts::FactSource::Registry,
            fetched_at: None,
            fallback_reason: None,
        };
        let mut f = Facts::default();
        f.images.insert(image.canonical(), facts.clone());
        assert!(findings_with(&RunsAsRoot, text, &f).is_empty());
        let mut root = facts;
        root.platforms[0].user = Some(String::new());
        f.images.insert(image.canonical(), root);
        assert_eq!(findings_with(&RunsAsRoot, text, &f).len(), 1);
    }

    /// The user comes from the figures of the stage's `FROM --platform` (F19's neighbours):
    /// here the amd64 image runs as 1001 and the arm64 one as root.
    #[test]
    fn the_user_is_the_stage_platform_one() {
        use layerwise_analysis::image_facts::Platform;
        let image = ImageRef::parse("acme/app:1").unwrap();
        let mut amd64 = PlatformFacts::sizes_only(Platform::linux_amd64(), 1, None);
        amd64.user = Some("1001".into());
        let mut arm64 = PlatformFacts::sizes_only(Platform::parse("linux/arm64").unwrap(), 1, None);
        arm64.user = Some(String::new());
        let mut f = Facts::default();
        f.images.insert(
            image.canonical(),
            ImageFacts {
                reference: image.clone(),
                digest: None,
                platforms: vec![amd64, arm64],
                available_platforms: Vec::new(),
                source: layerwise_analysis::image_facts::FactSource::Registry,
                fetched_at: None,
                fallback_reason: None,
            },
        );
        let on = |from: &str| findings_with(&RunsAsRoot, &format!("{from}\nCMD x\n"), &f).len();
        assert_eq!(on("FROM acme/app:1"), 0);
        assert_eq!(on("FROM --platform=linux/arm64 acme/app:1"), 1);
        assert_eq!(on("FROM --platform=linux/arm64 acme/app:1 AS b\nFROM b"), 1);
    }

    #[test]
    fn fix_for_node_images() {
        let t = "FROM node:20-slim\nCMD [\"node\", \"s.js\"]";
        assert_eq!(
            fixed(&RunsAsRoot, t),
            "FROM node:20-slim\nCMD [\"node\", \"s.js\"]\nUSER node\n"
        );
        assert!(findings(&RunsAsRoot, &fixed(&RunsAsRoot, t)).is_empty());
    }
}
