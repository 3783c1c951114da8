use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::flag_table::{accepted_flags, parsed_flags};
use crate::rules::correctness::util::suggest;

declare_rule! {
    /// A `--flag` the instruction does not accept.
    ///
    /// ## What it does
    /// Reports flags BuildKit does not know for that instruction, such as `--platform` on
    /// `COPY`, `--from` on `ADD`, a misspelt `--chmdo`, or any flag on `WORKDIR`. Flag names
    /// are case-sensitive. `ARG`, `STOPSIGNAL` and `HEALTHCHECK NONE` are not checked because
    /// BuildKit ignores their flags.
    ///
    /// ## Why is this bad?
    /// `docker build` stops with `unknown flag`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY --chmdo=755 run.sh /usr/local/bin/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY --chmod=755 run.sh /usr/local/bin/
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix renames the flag to the closest known one (edit distance below 3).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
    pub struct UnknownFlag {
        name: "unknown-flag",
        group: Correctness,
        severity: Error,
        fix: Sometimes,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for UnknownFlag {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.instructions() {
            let Some(table) = accepted_flags(i.inst) else {
                continue;
            };
            for f in parsed_flags(i.inst) {
                let name = f.name();
                if table.iter().any(|(n, _)| *n == name) {
                    continue;
                }
                let kw = i.inst.kind.keyword();
                let mut d = Diagnostic::new(
                    meta,
                    i.abs(f.range),
                    format!("unknown flag for {kw}: --{name}"),
                );
                if table.is_empty() {
                    d = d.note(format!("{kw} takes no flags; docker build stops here."));
                } else {
                    let known: Vec<String> = table.iter().map(|(n, _)| format!("--{n}")).collect();
                    d = d.note(format!(
                        "{kw} accepts {}; docker build stops here.",
                        known.join(", ")
                    ));
                }
                let same_but_case = table
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(n, _)| n.to_string());
                if let Some(m) =
                    same_but_case.or_else(|| suggest(name, table.iter().map(|(n, _)| *n), true))
                {
                    d = d.fix(Fix::replace(
                        format!("Replace with `--{m}`"),
                        i.abs(f.name_range),
                        m,
                        Applicability::Unsafe,
                    ));
                }
                out.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM a\nCOPY --chmdo=755 --platform=linux/amd64 x /y\nWORKDIR --x /a\nADD --from=b x y\nRUN --MOUNT=type=cache,target=/x true\n";
        assert_eq!(
            flagged(&UnknownFlag, t),
            [
                "--chmdo=755",
                "--platform=linux/amd64",
                "--x",
                "--from=b",
                "--MOUNT=type=cache,target=/x"
            ]
        );
        assert_eq!(
            fixed(&UnknownFlag, t),
            "FROM a\nCOPY --chmod=755 --platform=linux/amd64 x /y\nWORKDIR --x /a\nADD --from=b x y\nRUN --mount=type=cache,target=/x true\n"
        );
    }

    #[test]
    fn near_miss() {
        let ok = "FROM --platform=$BUILDPLATFORM a AS b\nCOPY --from=b --chown=1:1 --chmod=644 --link --exclude=*.md --exclude=x --parents a /b/\n\
                  ADD --checksum=sha256:00 --keep-git-dir=true --unpack https://x/y.tgz /z\nRUN --mount=type=cache,target=/c --network=none --security=sandbox true\n\
                  HEALTHCHECK --interval=5s --timeout=3s --start-period=1s --start-interval=1s --retries=3 CMD true\nHEALTHCHECK --foo NONE\nARG --foo x\nSTOPSIGNAL --bar 9\n\
                  RUN -- --not-a-flag\nONBUILD RUN --whatever x\n";
        assert!(
            findings(&UnknownFlag, ok).is_empty(),
            "{:?}",
            flagged(&UnknownFlag, ok)
        );
    }
}
