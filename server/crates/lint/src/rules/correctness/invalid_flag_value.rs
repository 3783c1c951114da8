use layerwise_syntax::{Flag, InstructionKind, TextRange};

use crate::context::{InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::flag_table::{accepted_flags, parsed_flags, FlagType};
use crate::rules::correctness::util::{has_var, suggest};
use crate::rules::correctness::values::{chmod_problem, go_duration_nanos};

declare_rule! {
    /// A flag value `docker build` rejects.
    ///
    /// ## What it does
    /// Checks flag values the way BuildKit parses them: a value is present where one is
    /// needed (`--from build` is not `--from=build`); booleans are `true` or `false`;
    /// `HEALTHCHECK` durations are Go durations of at least 1ms (`30s`, `1m30s`) and
    /// `--retries` a non-negative integer; `--chmod` is an octal mode up to `7777` or a
    /// symbolic mode; `RUN --network` is `default`, `none` or `host` and `--security` is
    /// `sandbox` or `insecure`; `COPY --from` has no variables; `ADD --checksum` has one
    /// remote source. `--mount` has its own rule, `invalid-mount`.
    ///
    /// ## Why is this bad?
    /// `docker build` stops with an error at this instruction.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// HEALTHCHECK --interval=30 CMD wget -q -O- http://localhost/ || exit 1
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// HEALTHCHECK --interval=30s CMD wget -q -O- http://localhost/ || exit 1
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the intended value is not known.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Dockerfile reference: HEALTHCHECK](https://docs.docker.com/reference/dockerfile/#healthcheck)
    /// - [Dockerfile reference: COPY --chmod](https://docs.docker.com/reference/dockerfile/#copy---chown---chmod)
    pub struct InvalidFlagValue {
        name: "invalid-flag-value",
        group: Correctness,
        severity: Error,
        fix: None,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for InvalidFlagValue {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.instructions() {
            let Some(table) = accepted_flags(i.inst) else {
                continue;
            };
            for f in parsed_flags(i.inst) {
                let name = f.name();
                let Some((_, ty)) = table.iter().find(|(n, _)| *n == name) else {
                    continue;
                };
                if let Some((range, message)) = check_flag(cx, &i, f, name, *ty) {
                    out.push(
                        Diagnostic::new(meta, range, message)
                            .note("docker build stops at this instruction."),
                    );
                }
            }
            if i.inst.kind == InstructionKind::Add {
                if let Some((range, message)) = checksum_sources(cx, &i) {
                    out.push(
                        Diagnostic::new(meta, range, message)
                            .note("docker build stops at this instruction."),
                    );
                }
            }
        }
    }
}

fn check_flag(
    cx: &LintContext<'_>,
    i: &InstRef<'_>,
    f: &Flag,
    name: &str,
    ty: FlagType,
) -> Option<(TextRange, String)> {
    let whole = i.abs(f.range);
    let value_range = f.value_range.map_or(whole, |r| i.abs(r));
    let value = match (ty, f.value()) {
        (FlagType::Bool, None) => return None,
        (FlagType::Bool, Some("")) => {
            return Some((whole, format!("missing a value on flag: --{name}")))
        }
        (FlagType::Bool, Some(v)) => {
            return (!matches!(v.to_ascii_lowercase().as_str(), "true" | "false")).then(|| {
                (
                    value_range,
                    format!("expecting boolean value for flag --{name}, not: {v}"),
                )
            });
        }
        (_, None) => {
            return Some((
                whole,
                format!("missing a value on flag: --{name} (write `--{name}=<value>`)"),
            ))
        }
        (_, Some(v)) => v,
    };
    let escape = cx.model.escape;
    let kind = i.inst.kind;
    match (kind, name) {
        (InstructionKind::Healthcheck, "interval" | "timeout" | "start-period" | "start-interval") if !value.is_empty() => match go_duration_nanos(value) {
            None => Some((value_range, format!("invalid duration {value:?} for --{name}: use a number with a unit, like `30s` or `1m30s`"))),
            Some(n) if n != 0.0 && n < 1e6 => Some((value_range, format!("Interval {name:?} cannot be less than 1ms"))),
            Some(_) => None,
        },
        (InstructionKind::Healthcheck, "retries") if !value.is_empty() => match value.parse::<i64>() {
            Ok(n) if n < 0 => Some((value_range, format!("--retries cannot be negative ({n})"))),
            Ok(n) if i32::try_from(n).is_err() => Some((value_range, format!("--retries value {value} is out of range"))),
            Ok(_) => None,
            Err(_) => Some((value_range, format!("invalid --retries value {value:?}: expected a whole number"))),
        },
        (InstructionKind::Copy | InstructionKind::Add, "chmod") if !value.is_empty() && !has_var(value, escape) => chmod_problem(value).map(|m| (value_range, m)),
        (InstructionKind::Copy, "from") if has_var(value, escape) => Some((
            value_range,
            "variable expansion is not supported for --from; define a stage with `FROM ${VAR} AS name` (ARG in the global scope) and copy from that stage".into(),
        )),
        (InstructionKind::Run, "network") if !matches!(value, "default" | "none" | "host") => {
            let hint = suggest(value, ["default", "none", "host"], true).map_or(String::new(), |m| format!(" (did you mean {m}?)"));
            Some((value_range, format!("invalid network mode {value:?}: use default, none or host{hint}")))
        }
        (InstructionKind::Run, "security") if !matches!(value, "sandbox" | "insecure") => Some((value_range, format!("security {value:?} is not valid: use sandbox or insecure"))),
        (InstructionKind::From, "platform") if !value.is_empty() && !has_var(value, escape) => platform_problem(value).map(|m| (value_range, m)),
        _ => None,
    }
}

/// A constant `--platform` that containerd's parser rejects: more than three parts, an empty
/// part, or characters outside `[A-Za-z0-9_.-]`. (Single words like `linux` or `arm64` are
/// accepted there as OS or architecture.)
fn platform_problem(value: &str) -> Option<String> {
    let parts: Vec<&str> = value.split('/').collect();
    let part_ok = |p: &&str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    };
    if parts.len() > 3 || !parts.iter().all(part_ok) {
        return Some(format!(
            "failed to parse platform {value:?}: expected os/arch[/variant], e.g. linux/amd64"
        ));
    }
    None
}

/// `ADD --checksum` needs exactly one source, fetched over HTTP(S) or Git.
fn checksum_sources(cx: &LintContext<'_>, i: &InstRef<'_>) -> Option<(TextRange, String)> {
    let f = i.inst.flag("checksum")?;
    if f.value().is_none_or(str::is_empty) {
        return None;
    }
    let (sources, _) = i.inst.copy_parts()?;
    if sources.len() > 1 {
        return Some((
            i.abs(f.range),
            "checksum can't be specified for multiple sources".into(),
        ));
    }
    let src = sources.first()?;
    let text = &*src.text;
    let remote = text.contains("://")
        || text.starts_with("git@")
        || text.contains(".git")
        || text.starts_with("github.com/");
    if !remote && !has_var(text, cx.model.escape) && !text.starts_with("<<") {
        return Some((
            i.abs(src.range),
            "checksum requires HTTP(S) or Git sources".into(),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires() {
        let t = "FROM --platform=linux//amd64 a\n\
                 HEALTHCHECK --interval=30 --timeout=100us --retries=-1 --start-period=x CMD true\n\
                 COPY --chmod=888 --link=maybe --from build a b\n\
                 COPY --from=${STAGE} a b\n\
                 RUN --network=hots --security=unsafe true\n\
                 ADD --checksum=sha256:00 a.tgz /x\n\
                 ADD --checksum=sha256:00 https://a/b https://a/c /x/\n";
        assert_eq!(
            flagged(&InvalidFlagValue, t),
            [
                "linux//amd64",
                "30",
                "100us",
                "-1",
                "x",
                "888",
                "maybe",
                "--from",
                "${STAGE}",
                "hots",
                "unsafe",
                "a.tgz",
                "--checksum=sha256:00"
            ]
        );
        assert!(
            findings(&InvalidFlagValue, "FROM a\nRUN --network=hots true\n")[0]
                .message
                .contains("did you mean host?")
        );
    }

    #[test]
    fn near_miss() {
        let ok = "ARG P\nFROM --platform=$P a\nFROM --platform=linux/arm64/v8 b\nFROM --platform=arm64 c\n\
                  HEALTHCHECK --interval=1m30s --timeout=0 --start-period= --retries=3 CMD true\n\
                  COPY --chmod=0755 --link --link=false --from=b a b\nCOPY --chmod=u+x,go-w --chmod=$MODE a b\n\
                  RUN --network=host --security=insecure true\nADD --checksum=sha256:00 https://example.com/a.tgz /x\n\
                  ADD --checksum=sha256:00 git@github.com:moby/buildkit.git#v0.10 /src\nHEALTHCHECK --interval=oops NONE\n";
        assert!(
            findings(&InvalidFlagValue, ok).is_empty(),
            "{:?}",
            flagged(&InvalidFlagValue, ok)
        );
    }
}
