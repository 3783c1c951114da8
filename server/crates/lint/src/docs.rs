//! Rule documentation, generated from the rules' doc comments: `layerwise explain`, `layerwise
//! rules` and the `docs/rules/` pages all come from here.

use crate::rule::{FixAvailability, Rule, RuleMeta};
use crate::rules;

/// The examples of a rule's docs: the first `dockerfile` block after "## Example" (should
/// trigger the rule) and the one after "Use instead:" (should not).
pub fn examples(meta: &RuleMeta) -> (Option<String>, Option<String>) {
    let docs = meta.docs;
    let Some(ex) = docs.find("## Example") else {
        return (None, None);
    };
    let rest = &docs[ex..];
    let invalid = first_block(rest);
    let valid = rest
        .find("Use instead:")
        .and_then(|i| first_block(&rest[i..]));
    (invalid, valid)
}

fn first_block(s: &str) -> Option<String> {
    let start = s.find("```dockerfile")?;
    let body = &s[start + "```dockerfile".len()..];
    let body = body.strip_prefix('\n').unwrap_or(body);
    let end = body.find("```")?;
    Some(
        body[..end]
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// Doc comments keep the space after `///`; drop one leading space per line.
pub fn docs_text(meta: &RuleMeta) -> String {
    meta.docs
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The Markdown page of one rule.
pub fn rule_page(meta: &RuleMeta) -> String {
    let mut out = format!("# {}\n\n", meta.name);
    out.push_str(&format!("- **Group**: `{}`\n", meta.group.as_str()));
    out.push_str(&format!(
        "- **Default severity**: `{}`{}\n",
        meta.severity.as_str(),
        if meta.default_enabled {
            ""
        } else {
            " (off by default)"
        }
    ));
    out.push_str(&format!(
        "- **Fix**: {}\n",
        match meta.fix {
            FixAvailability::Always => "always available",
            FixAvailability::Sometimes => "sometimes available",
            FixAvailability::None => "none",
        }
    ));
    if !meta.hadolint.is_empty() {
        out.push_str(&format!(
            "- **hadolint**: {}\n",
            meta.hadolint
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(b) = meta.buildkit {
        out.push_str(&format!("- **BuildKit check**: `{b}`\n"));
    }
    out.push('\n');
    out.push_str(docs_text(meta).trim());
    out.push('\n');
    out
}

/// The index page listing every rule.
pub fn index_page() -> String {
    let mut out = String::from("# Rules\n\nGenerated from the rules' source by `layerwise rules --markdown`; do not edit by hand.\n\n");
    out.push_str("| rule | group | severity | fix | hadolint | BuildKit | summary |\n|---|---|---|---|---|---|---|\n");
    for r in rules::all() {
        let m = r.meta();
        out.push_str(&format!(
            "| [{n}]({n}.md) | {g} | {s}{off} | {f} | {h} | {b} | {sum} |\n",
            n = m.name,
            g = m.group.as_str(),
            s = m.severity.as_str(),
            off = if m.default_enabled { "" } else { " (off)" },
            f = match m.fix {
                FixAvailability::Always => "yes",
                FixAvailability::Sometimes => "some",
                FixAvailability::None => "",
            },
            h = m.hadolint.join(", "),
            b = m.buildkit.unwrap_or(""),
            sum = m.summary().replace('|', "\\|"),
        ));
    }
    out
}

/// Every generated file: `(relative path, contents)` under `docs/rules/`.
pub fn generated_files() -> Vec<(String, String)> {
    let mut out = vec![("README.md".to_string(), index_page())];
    for r in rules::all() {
        out.push((format!("{}.md", r.meta().name), rule_page(r.meta())));
    }
    out
}

/// All rules as `&dyn Rule` (re-exported for the CLI).
pub fn all_rules() -> Vec<&'static dyn Rule> {
    rules::all().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::lint_with;
    use crate::Facts;

    /// Every rule documents an example that triggers it and a fixed version that does not;
    /// both are checked here so the docs cannot drift from the code.
    #[test]
    fn doc_examples_are_true() {
        let mut problems = Vec::new();
        for r in rules::all() {
            let m = r.meta();
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Fix safety",
                "## Options",
                "## References",
            ] {
                if !m.docs.contains(section) {
                    problems.push(format!("{}: docs lack `{section}`", m.name));
                }
            }
            let (invalid, valid) = examples(m);
            let (Some(invalid), Some(valid)) = (invalid, valid) else {
                problems.push(format!(
                    "{}: docs need an example and a `Use instead:` example",
                    m.name
                ));
                continue;
            };
            if m.name == "unused-suppression" {
                continue; // reported by the engine, checked in its own tests
            }
            let hit: Vec<_> = lint_with(&invalid, &Facts::default())
                .into_iter()
                .filter(|d| d.rule.name == m.name)
                .collect();
            if hit.is_empty() {
                problems.push(format!("{}: the example does not trigger the rule", m.name));
            }
            let still: Vec<_> = lint_with(&valid, &Facts::default())
                .into_iter()
                .filter(|d| d.rule.name == m.name)
                .collect();
            if !still.is_empty() {
                problems.push(format!(
                    "{}: the `Use instead` example still triggers it: {}",
                    m.name, still[0].message
                ));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn rule_names_are_unique_kebab_case() {
        let mut names: Vec<&str> = rules::all().map(|r| r.meta().name).collect();
        for n in &names {
            assert!(
                n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{n}"
            );
        }
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "duplicate rule names");
    }
}
