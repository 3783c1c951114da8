use layerwise_syntax::{InstructionKind, ItemKind, TextRange};

use crate::context::{InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// A comment right above a stage or `ARG` that does not describe it.
    ///
    /// ## What it does
    /// `docker buildx build --call=outline` and `--call=targets` take the comment block right
    /// above `FROM ... AS name` and `ARG NAME` as its description when the block's last line
    /// starts with the name. This rule reports such comment blocks whose last line starts
    /// with something else. Suppression comments (`# hadolint ...`, `# check=...`,
    /// `# layerwise: ...`) are not descriptions and are skipped. Off by default, like
    /// BuildKit's experimental check.
    ///
    /// ## Why is this bad?
    /// The outline shows an unrelated comment, or none, as the description.
    ///
    /// ## Example
    /// ```dockerfile
    /// # a non-descriptive comment
    /// FROM scratch AS base
    ///
    /// # another non-descriptive comment
    /// ARG VERSION=1
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// # base is a stage for compiling source
    /// FROM scratch AS base
    /// # VERSION This is the version number.
    /// ARG VERSION=1
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix adds an empty line between the comment and the instruction, so the
    /// comment is no longer taken as a description.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit InvalidDefinitionDescription](https://docs.docker.com/reference/build-checks/invalid-definition-description/)
    pub struct InvalidDefinitionDescription {
        name: "invalid-definition-description",
        group: Style,
        severity: Warning,
        fix: Always,
        default_enabled: false,
        hadolint: [],
        buildkit: Some("InvalidDefinitionDescription"),
    }
}

impl RuleCheck for InvalidDefinitionDescription {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.instructions() {
            let keys: Vec<String> = match i.inst.kind {
                InstructionKind::From => i
                    .inst
                    .from_parts()
                    .and_then(|p| p.name)
                    .map(|n| vec![n.text.as_str().to_ascii_lowercase()])
                    .unwrap_or_default(),
                InstructionKind::Arg => i
                    .inst
                    .pairs()
                    .iter()
                    .map(|p| p.key.text.to_string())
                    .collect(),
                _ => continue,
            };
            if keys.is_empty() {
                continue;
            }
            let Some((range, text)) = last_comment_above(cx, &i) else {
                continue;
            };
            let first = text.split(' ').next().unwrap_or("");
            if keys.iter().any(|k| k == first) {
                continue;
            }
            let kw = i.inst.kind.keyword();
            let example = if keys.len() > 1 {
                "<arg_key>"
            } else {
                keys[0].as_str()
            };
            out.push(
                Diagnostic::new(meta, range, format!("Comment for {kw} should follow the format: `# {example} <description>`"))
                    .note("Build outlines use the comment right above a stage or ARG as its description. Start it with the name, or separate it with an empty line.")
                    .fix(Fix { title: "Separate the comment with an empty line".into(), applicability: Applicability::Safe, edits: vec![Edit { range: TextRange::empty(i.range().start), text: "\n".into() }].into() }),
            );
        }
    }
}

/// The comment line directly above `i` (no blank line between) with its text after `#`,
/// skipping suppression comments, which BuildKit would also count but which describe nothing.
fn last_comment_above(cx: &LintContext<'_>, i: &InstRef<'_>) -> Option<(TextRange, String)> {
    let prev = cx.file.item(i.item.index.checked_sub(1)?)?;
    if prev.item.kind != ItemKind::Comment {
        return None;
    }
    let text = prev
        .text()
        .trim()
        .trim_start_matches('#')
        .trim()
        .to_string();
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("hadolint")
        || lower.starts_with("check=")
        || lower.starts_with("layerwise:")
        || text.is_empty()
    {
        return None;
    }
    let r = prev.range();
    let trimmed_end = r.start + prev.text().trim_end().len() as u32;
    Some((
        TextRange::new(
            r.start + (prev.text().len() - prev.text().trim_start().len()) as u32,
            trimmed_end,
        ),
        text,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "# a non-descriptive comment\nFROM scratch AS base\n# another one\nARG VERSION=1\n";
        assert_eq!(
            flagged(&InvalidDefinitionDescription, t),
            ["# a non-descriptive comment", "# another one"]
        );
        assert_eq!(
            fixed(&InvalidDefinitionDescription, t),
            "# a non-descriptive comment\n\nFROM scratch AS base\n# another one\n\nARG VERSION=1\n"
        );
    }

    #[test]
    fn near_miss() {
        let ok = "# base is a stage\nFROM scratch AS Base\n# VERSION the version\nARG VERSION=1\n# comment\n\nARG B\n# hadolint ignore=DL3006\nFROM x AS y\n# no name here\nFROM z\n";
        assert!(
            findings(&InvalidDefinitionDescription, ok).is_empty(),
            "{:?}",
            flagged(&InvalidDefinitionDescription, ok)
        );
    }
}
