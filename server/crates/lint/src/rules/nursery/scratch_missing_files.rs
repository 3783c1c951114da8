use layerwise_analysis::{Base, RefTarget};
use layerwise_syntax::InstructionKind;

use crate::context::{InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::{
    final_chain, root_base, root_image, run_scripts_with, runs_a_program,
};

declare_rule! {
    /// A `scratch` image runs a program but has no CA certificates or time zone data.
    ///
    /// ## What it does
    /// For a final image built on `scratch` that runs a program copied from a Go or Rust
    /// build stage, reports the `FROM scratch` when no CA certificate bundle is copied in
    /// (`/etc/ssl/certs`, `ca-certificates.crt`, `/etc/pki`), and an `ENV TZ=<zone>` when no
    /// time zone data is (`/usr/share/zoneinfo`; not needed for `UTC`, or for Go built with
    /// `-tags timetzdata`).
    ///
    /// ## Why is this bad?
    /// `scratch` is empty. A program that makes HTTPS calls fails every one of them with
    /// "certificate signed by unknown authority", and loading a time zone fails with "unknown
    /// time zone" — at run time, not at build time, so the build looks fine.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// WORKDIR /src
    /// COPY . .
    /// RUN CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM scratch
    /// COPY --from=build /app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// WORKDIR /src
    /// COPY . .
    /// RUN CGO_ENABLED=0 go build -o /app .
    ///
    /// FROM scratch
    /// COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
    /// COPY --from=build /app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: where the builder keeps its bundle depends on its distribution.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker: scratch](https://hub.docker.com/_/scratch)
    /// - [Go: time/tzdata](https://pkg.go.dev/time/tzdata)
    pub struct ScratchMissingFiles {
        name: "scratch-missing-runtime-files",
        group: Nursery,
        severity: Warning,
        fix: None,
        default_enabled: false,
        hadolint: [],
        buildkit: None,
    }
}

const CERT_MARKS: &[&str] = &[
    "/etc/ssl",
    "ca-certificates",
    "ca-bundle",
    "/etc/pki",
    "cacert",
    "certs",
];
const ZONE_MARKS: &[&str] = &["zoneinfo", "tzdata"];

/// Whether a `COPY`/`ADD` in the shipped chain brings a path matching one of `marks`.
fn copies(insts: &[InstRef<'_>], chain: &[usize], marks: &[&str]) -> bool {
    insts
        .iter()
        .filter(|i| {
            i.stage.is_some_and(|s| chain.contains(&s))
                && matches!(i.inst.kind, InstructionKind::Copy | InstructionKind::Add)
        })
        .any(|i| {
            i.inst
                .arg_words()
                .iter()
                .any(|w| marks.iter().any(|m| w.text.contains(m)))
        })
}

/// Whether a stage the final image copies from builds Go or Rust (those binaries are static and
/// bring nothing of their own).
fn copies_go_or_rust_build(cx: &LintContext<'_>, chain: &[usize]) -> bool {
    cx.model
        .refs
        .iter()
        .filter(|r| chain.contains(&r.stage))
        .any(|r| {
            let RefTarget::Stage(s) = r.target else {
                return false;
            };
            root_image(cx, s).is_some_and(|img| {
                let repo = img.repository.rsplit('/').next().unwrap_or("");
                repo.starts_with("golang")
                    || repo.starts_with("rust")
                    || repo.contains("go-toolset")
                    || repo.contains("rust-musl")
            })
        })
}

impl RuleCheck for ScratchMissingFiles {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let Some(final_stage) = cx.final_stage() else {
            return;
        };
        if !matches!(root_base(cx, final_stage), Some(Base::Scratch)) || !runs_a_program(cx) {
            return;
        }
        let chain = final_chain(cx);
        if !copies_go_or_rust_build(cx, &chain) {
            return;
        }
        let insts = cx.instruction_list();
        let scratch_stage = chain.last().copied().unwrap_or(final_stage);
        let from_range = cx.model.stages[scratch_stage].base_range;
        if !copies(insts, &chain, CERT_MARKS) {
            out.push(
                Diagnostic::new(meta, from_range, "This `scratch` image has no CA certificates: HTTPS calls will fail")
                    .note("Copy the builder's bundle: `COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/`."),
            );
        }
        let embeds_tzdata = run_scripts_with(cx, &["timetzdata"]).iter().any(|s| {
            s.commands
                .iter()
                .any(|c| c.words.iter().any(|w| w.text.contains("timetzdata")))
        });
        if embeds_tzdata || copies(insts, &chain, ZONE_MARKS) {
            return;
        }
        for i in insts.iter().filter(|i| {
            i.stage.is_some_and(|s| chain.contains(&s)) && i.inst.kind == InstructionKind::Env
        }) {
            for p in i
                .inst
                .pairs()
                .iter()
                .filter(|p| p.key.text.as_str() == "TZ")
            {
                let value = p.value.as_ref().map_or("", |v| &*v.text);
                if matches!(
                    value.trim_start_matches(':'),
                    "" | "UTC" | "Etc/UTC" | "GMT" | "Etc/GMT" | "UTC0"
                ) {
                    continue;
                }
                out.push(
                    Diagnostic::new(meta, i.abs(p.range), format!("`TZ={value}` needs time zone data, which this `scratch` image lacks"))
                        .note("Copy `/usr/share/zoneinfo` from the builder, or build Go with `-tags timetzdata`."),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    const BUILD: &str = "FROM golang:1.22 AS build\nRUN go build -o /app .\n";

    #[test]
    fn fires() {
        let t = format!("{BUILD}FROM scratch\nCOPY --from=build /app /app\nENV TZ=Europe/Paris\nENTRYPOINT [\"/app\"]\n");
        assert_eq!(
            flagged(&ScratchMissingFiles, &t),
            ["scratch", "TZ=Europe/Paris"]
        );
    }

    #[test]
    fn near_misses() {
        for t in [
            format!("{BUILD}FROM scratch\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n"),
            format!("{BUILD}FROM alpine:3.20\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n"),
            format!("{BUILD}FROM scratch\nCOPY --from=build /app /app\n"),
            "FROM node:20 AS build\nRUN npm ci\nFROM scratch\nCOPY --from=build /out /\nCMD [\"/x\"]\n".to_string(),
            format!("{BUILD}FROM scratch\nCOPY --from=build /etc/ssl /etc/ssl\nCOPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo\nENV TZ=Europe/Paris\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n"),
            format!("{BUILD}FROM scratch\nCOPY --from=build /etc/ssl/certs /etc/ssl/certs\nENV TZ=UTC\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n"),
        ] {
            assert!(findings(&ScratchMissingFiles, &t).is_empty(), "{t}");
        }
    }
}
