use layerwise_syntax::{ItemKind, TextRange};

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::util::suggest;

declare_rule! {
    /// `# check=skip=` names a check BuildKit does not have.
    ///
    /// ## What it does
    /// Reads the `# check=` parser directive and `# check=skip=` comments above
    /// instructions, and reports names in `skip=` and `experimental=` that are not BuildKit
    /// checks, or that differ from one only in case (BuildKit matches them exactly).
    ///
    /// ## Why is this bad?
    /// BuildKit ignores unknown names silently, so the check you meant to skip still runs
    /// (and fails the build under `error=true`).
    ///
    /// ## Example
    /// ```dockerfile
    /// # check=skip=JsonArgsRecommended
    /// FROM alpine:3.20
    /// CMD echo hello
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// # check=skip=JSONArgsRecommended
    /// FROM alpine:3.20
    /// CMD echo hello
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix writes the check's exact name, so BuildKit skips what the comment says.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker: build checks](https://docs.docker.com/reference/build-checks/)
    pub struct UnknownCheckName {
        name: "unknown-check-name",
        group: Suspicious,
        severity: Warning,
        fix: Sometimes,
        hadolint: [],
        buildkit: None,
    }
}

/// Every check BuildKit knows, spelt as it matches them.
pub(crate) const BUILDKIT_CHECKS: &[&str] = &[
    "StageNameCasing",
    "FromAsCasing",
    "NoEmptyContinuation",
    "ConsistentInstructionCasing",
    "DuplicateStageName",
    "ReservedStageName",
    "JSONArgsRecommended",
    "MaintainerDeprecated",
    "UndefinedArgInFrom",
    "WorkdirRelativePath",
    "UndefinedVar",
    "MultipleInstructionsDisallowed",
    "LegacyKeyValueFormat",
    "InvalidBaseImagePlatform",
    "RedundantTargetPlatform",
    "SecretsUsedInArgOrEnv",
    "InvalidDefaultArgInFrom",
    "FromPlatformFlagConstDisallowed",
    "CopyIgnoredFile",
    "InvalidDefinitionDescription",
    "ExposeProtoCasing",
    "ExposeInvalidFormat",
];

impl RuleCheck for UnknownCheckName {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for r in cx.file.items() {
            let (text, start) = match r.item.kind {
                ItemKind::Directive => match r.item.directive() {
                    Some(d) if &*d.name == "check" => (&*d.value, r.abs(d.value_range).start),
                    _ => continue,
                },
                ItemKind::Comment => {
                    let t = r.text();
                    let Some(at) = t.find("check=") else { continue };
                    if !t[..at]
                        .trim_start()
                        .trim_start_matches('#')
                        .trim()
                        .is_empty()
                    {
                        continue;
                    }
                    let body = &t[at + "check=".len()..];
                    let body = body.split(char::is_whitespace).next().unwrap_or("");
                    (body, r.start + (at + "check=".len()) as u32)
                }
                _ => continue,
            };
            for (name, offset) in listed_names(text) {
                if BUILDKIT_CHECKS.contains(&name) || name.eq_ignore_ascii_case("all") {
                    continue;
                }
                let range =
                    TextRange::new(start + offset as u32, start + (offset + name.len()) as u32);
                let exact = BUILDKIT_CHECKS
                    .iter()
                    .find(|c| c.eq_ignore_ascii_case(name))
                    .map(|c| c.to_string());
                let guess = exact.clone().or_else(|| {
                    suggest(name, BUILDKIT_CHECKS.iter().copied(), false).and_then(|g| {
                        BUILDKIT_CHECKS
                            .iter()
                            .find(|c| c.eq_ignore_ascii_case(&g))
                            .map(|c| c.to_string())
                    })
                });
                let message = match (&exact, &guess) {
                    (Some(e), _) => {
                        format!("BuildKit matches check names exactly: `{name}` is not `{e}`")
                    }
                    (None, Some(g)) => {
                        format!("unknown BuildKit check `{name}` (did you mean `{g}`?)")
                    }
                    (None, None) => format!("unknown BuildKit check `{name}`"),
                };
                let mut d = Diagnostic::new(meta, range, message).note("BuildKit ignores names it does not know, so this skips nothing. See https://docs.docker.com/reference/build-checks/ for the names.");
                if let Some(g) = guess {
                    d = d.fix(Fix::replace(
                        format!("Write `{g}`"),
                        range,
                        g,
                        Applicability::Safe,
                    ));
                }
                out.push(d);
            }
        }
    }
}

/// The names listed in `skip=` and `experimental=` of a check value, with their byte offsets.
fn listed_names(value: &str) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    for part in value.split(';') {
        if let Some((k, v)) = part.split_once('=') {
            if matches!(k.trim(), "skip" | "experimental") {
                let mut at = pos + k.len() + 1;
                for name in v.split(',') {
                    let lead = name.len() - name.trim_start().len();
                    let trimmed = name.trim();
                    if !trimmed.is_empty() {
                        out.push((trimmed, at + lead));
                    }
                    at += name.len() + 1;
                }
            }
        }
        pos += part.len() + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "# check=skip=JsonArgsRecommended, StageNameCasng;error=true\nFROM a\n# check=skip=Bogus\nCMD x\n";
        assert_eq!(
            flagged(&UnknownCheckName, t),
            ["JsonArgsRecommended", "StageNameCasng", "Bogus"]
        );
        assert_eq!(fixed(&UnknownCheckName, t), "# check=skip=JSONArgsRecommended, StageNameCasing;error=true\nFROM a\n# check=skip=Bogus\nCMD x\n");
    }

    #[test]
    fn near_miss() {
        let ok = "# check=skip=all;error=true;experimental=InvalidDefinitionDescription\nFROM a\n# check=skip=JSONArgsRecommended\nCMD x\n# this is a comment about check=skip=things\n";
        assert!(
            findings(&UnknownCheckName, ok).is_empty(),
            "{:?}",
            flagged(&UnknownCheckName, ok)
        );
    }
}
