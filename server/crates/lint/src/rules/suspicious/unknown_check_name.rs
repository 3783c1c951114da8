use layerwise_syntax::{ItemKind, TextRange};

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::util::suggest;
use crate::suppress::check_comment;
use layerwise_analysis::directives::CheckDirective;

declare_rule! {
    /// `# check=skip=` names a check BuildKit does not have.
    ///
    /// ## What it does
    /// Reads the `# check=` parser directive and `# check=skip=` comments above
    /// instructions, and reports names in `skip=` and `experimental=` that are not BuildKit
    /// checks, or that differ from one only in case (BuildKit matches them exactly; `all`
    /// means every check only in lower case and on its own). It also reports `# check=`
    /// comments above an instruction that BuildKit does not read: one with a value it cannot
    /// parse, and an indented one.
    ///
    /// ## Why is this bad?
    /// BuildKit ignores unknown names and unreadable comments silently, so the check you
    /// meant to skip still runs (and fails the build under `error=true`).
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
                    let line = r.text().trim_end();
                    let Some((value, at)) = check_comment(line) else {
                        indented(line, r.start, meta, out);
                        continue;
                    };
                    let start = r.start + at as u32;
                    // BuildKit drops a comment it cannot read, skips and all
                    if let Some(p) = CheckDirective::parse(value).problem {
                        let span = if p.span.is_empty() {
                            0..value.len()
                        } else {
                            p.span
                        };
                        let range =
                            TextRange::new(start + span.start as u32, start + span.end as u32);
                        out.push(Diagnostic::new(meta, range, format!("BuildKit ignores this `# check=` comment: {}", p.message)).note("A `# check=` comment BuildKit cannot read skips nothing. Write `# check=skip=Name1,Name2` (a space ends the value)."));
                        continue;
                    }
                    (value, start)
                }
                _ => continue,
            };
            for (name, offset, alone) in listed_names(text) {
                if BUILDKIT_CHECKS.contains(&name) {
                    continue;
                }
                let range =
                    TextRange::new(start + offset as u32, start + (offset + name.len()) as u32);
                out.push(unknown(meta, range, name, alone));
            }
        }
    }
}

/// The finding for a listed name BuildKit has no check for.
fn unknown(meta: &'static RuleMeta, range: TextRange, name: &str, alone: bool) -> Diagnostic {
    let note = "BuildKit ignores names it does not know, so this skips nothing. See https://docs.docker.com/reference/build-checks/ for the names.";
    if name.eq_ignore_ascii_case("all") {
        // BuildKit compares the whole list with `all`; anything else is a check name
        let d = Diagnostic::new(
            meta,
            range,
            if alone {
                format!("BuildKit reads only lower-case `all` as every check: `{name}` is taken as a check name")
            } else {
                format!("`{name}` in a list is taken as a check name: `all` means every check only on its own")
            },
        )
        .note(note);
        return if alone {
            d.fix(Fix::replace(
                "Write `all`",
                range,
                "all",
                Applicability::Safe,
            ))
        } else {
            d
        };
    }
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
        (Some(e), _) => format!("BuildKit matches check names exactly: `{name}` is not `{e}`"),
        (None, Some(g)) => format!("unknown BuildKit check `{name}` (did you mean `{g}`?)"),
        (None, None) => format!("unknown BuildKit check `{name}`"),
    };
    let mut d = Diagnostic::new(meta, range, message).note(note);
    if let Some(g) = guess {
        d = d.fix(Fix::replace(
            format!("Write `{g}`"),
            range,
            g,
            Applicability::Safe,
        ));
    }
    d
}

/// An indented `# check=` comment: BuildKit drops the line's first byte and trims, which
/// leaves `# check=...`, a comment that names no directive, so it skips nothing.
fn indented(line: &str, start: u32, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
    let body = line.trim_start();
    let lead = line.len() - body.len();
    if lead == 0 || check_comment(body).is_none() {
        return;
    }
    let range = TextRange::new(start, start + lead as u32);
    out.push(
        Diagnostic::new(meta, TextRange::new(start + lead as u32, start + line.len() as u32), "BuildKit does not read an indented `# check=` comment")
            .note("BuildKit reads `# check=` above an instruction only when `#` starts the line; this one skips nothing.")
            .fix(Fix::replace("Remove the indentation", range, "", Applicability::Safe)),
    );
}

/// The names listed in `skip=` and `experimental=` of a check value, read as BuildKit reads
/// them (at most three `;` parts, a list that is exactly `all` names no check), with their
/// byte offsets and whether the name is the whole list.
fn listed_names(value: &str) -> Vec<(&str, usize, bool)> {
    let mut out = Vec::new();
    let mut pos = 0;
    for part in value.splitn(3, ';') {
        if let Some((k, v)) = part.split_once('=') {
            if matches!(k.trim(), "skip" | "experimental") && v.trim() != "all" {
                let alone = !v.contains(',');
                let mut at = pos + k.len() + 1;
                for name in v.split(',') {
                    let lead = name.len() - name.trim_start().len();
                    let trimmed = name.trim();
                    if !trimmed.is_empty() {
                        out.push((trimmed, at + lead, alone));
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
    fn all_is_lower_case_and_alone() {
        let t = "# check=skip=All\nFROM a\n# check=skip=A,all\nCMD x\n";
        assert_eq!(flagged(&UnknownCheckName, t), ["All", "A", "all"]);
        assert_eq!(
            fixed(&UnknownCheckName, t),
            "# check=skip=all\nFROM a\n# check=skip=A,all\nCMD x\n"
        );
    }

    #[test]
    fn comments_buildkit_does_not_read() {
        let t = "FROM a\n# check=skip=JSONArgsRecommended;error=maybe\nCMD x\n  # check=skip=JSONArgsRecommended\nCMD y\n";
        assert_eq!(
            flagged(&UnknownCheckName, t),
            ["maybe", "# check=skip=JSONArgsRecommended"]
        );
        assert!(fixed(&UnknownCheckName, t).contains("\n# check=skip=JSONArgsRecommended\nCMD y"));
        // the value ends at the first space, as BuildKit cuts it
        let ok = "FROM a\n# check=skip=JSONArgsRecommended // why: an alias\nCMD x\n";
        assert!(findings(&UnknownCheckName, ok).is_empty());
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
