//! Rule documentation, generated from the rules' doc comments: `layerwise explain`, `layerwise
//! rules` and the `docs/rules/` pages all come from here.

use crate::rule::{FixAvailability, Rule, RuleMeta};
use crate::rules;

/// The examples of a rule's docs: the first `dockerfile` block after "## Example" (should
/// trigger the rule) and the one after "Use instead:" (should not).
pub fn examples(meta: &RuleMeta) -> (Option<String>, Option<String>) {
    let docs = meta.docs;
    let Some(ex) = docs.find("## Example") else { return (None, None) };
    let rest = &docs[ex..];
    let invalid = first_block(rest);
    let valid = rest.find("Use instead:").and_then(|i| first_block(&rest[i..]));
    (invalid, valid)
}

fn first_block(s: &str) -> Option<String> {
    let start = s.find("```dockerfile")?;
    let body = &s[start + "```dockerfile".len()..];
    let body = body.strip_prefix('\n').unwrap_or(body);
    let end = body.find("```")?;
    Some(body[..end].lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n"))
}

/// Doc comments keep the space after `///`; drop one leading space per line.
pub fn docs_text(meta: &RuleMeta) -> String {
    meta.docs.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n")
}

/// The Markdown page of one rule.
pub fn rule_page(meta: &RuleMeta) -> String {
    let mut out = format!("# {}\n\n", meta.name);
    out.push_str(&format!("- **Group**: `{}`\n", meta.group.as_str()));
    out.push_str(&format!("- **Default severity**: `{}`{}\n", meta.severity.as_str(), if meta.default_enabled { "" } else { " (off by default)" }));
    out.push_str(&format!(
        "- **Fix**: {}\n",
        match meta.fix {
            FixAvailability::Always => "always available",
            FixAvailability::Sometimes => "sometimes available",
            FixAvailability::None => "none",
        }
    ));
    if !meta.hadolint.is_empty() {
        out.push_str(&format!("- **hadolint**: {}\n", meta.hadolint.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")));
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
