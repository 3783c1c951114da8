//! Rule documentation, generated from the rules' doc comments: `layerwise explain`, `layerwise
//! rules` and the `docs/rules/` pages all come from here.

use layerwise_analysis::build_context::{BuildContext, ContextEntry, IgnoreFile, RawContext};
use layerwise_analysis::dockerignore::DockerIgnore;

use crate::context::Facts;
use crate::rule::{ExampleContext, FixAvailability, Rule, RuleMeta};
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

/// The facts a rule's doc examples are linted with: its [`ExampleContext`] as a build context
/// and `.dockerignore`, or no facts at all.
pub fn example_facts(meta: &RuleMeta) -> Facts {
    let Some(ex) = meta.example_context else {
        return Facts::default();
    };
    /// Example files are small; only their presence matters to the rules.
    const FILE_SIZE: u64 = 100;
    let entries = ex
        .files
        .iter()
        .map(|f| match f.strip_suffix('/') {
            Some(dir) => ContextEntry::dir(dir),
            None => ContextEntry::file(*f, FILE_SIZE),
        })
        .collect();
    let ignore = ex.dockerignore.map(DockerIgnore::parse);
    let mut raw = RawContext::new(".", entries);
    raw.ignore = ignore.clone().map(|ignore| IgnoreFile {
        path: ".dockerignore".into(),
        ignore,
    });
    Facts {
        context: Some(std::sync::Arc::new(BuildContext::new(raw))),
        dockerignore: Some(ignore),
        ..Facts::default()
    }
}

/// "`a`, `b` and `c`".
fn code_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.map(|i| format!("`{i}`")).collect();
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// The sentence a rule page puts under "## Example" when the examples assume a build context.
pub fn example_context_sentence(ex: &ExampleContext) -> String {
    let files = if ex.files.is_empty() {
        "no files".to_string()
    } else {
        code_list(ex.files.iter().copied())
    };
    let ignore = match ex.dockerignore {
        None => "no `.dockerignore`".to_string(),
        Some(text) => {
            let lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
            if lines.clone().next().is_none() {
                "an empty `.dockerignore`".to_string()
            } else {
                format!("a `.dockerignore` containing {}", code_list(lines))
            }
        }
    };
    format!("These examples assume a build context holding {files}, with {ignore}.")
}

/// The rule's docs as Markdown: the doc comment without the space after `///`, and the
/// build context the examples assume stated under "## Example".
pub fn docs_text(meta: &RuleMeta) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in meta.docs.lines() {
        let line = line.strip_prefix(' ').unwrap_or(line);
        out.push(line.to_string());
        if line.trim_end() == "## Example" {
            if let Some(ex) = &meta.example_context {
                out.push(example_context_sentence(ex));
                out.push(String::new());
            }
        }
    }
    out.join("\n")
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

    #[test]
    fn example_context_is_stated_and_given() {
        let ex = ExampleContext {
            files: &["tmp/a.txt", "b.md", "out/"],
            dockerignore: Some("tmp\n\n*.md\n"),
        };
        assert_eq!(
            example_context_sentence(&ex),
            "These examples assume a build context holding `tmp/a.txt`, `b.md` and `out/`, \
             with a `.dockerignore` containing `tmp` and `*.md`."
        );
        let none = ExampleContext {
            files: &["a"],
            dockerignore: None,
        };
        assert_eq!(
            example_context_sentence(&none),
            "These examples assume a build context holding `a`, with no `.dockerignore`."
        );
        let meta = crate::rules::correctness::copy_ignored_file::CopyIgnoredFile::META;
        let text = docs_text(&meta);
        let at = text
            .find("## Example\nThese examples assume a build context holding `tmp/helloworld.txt`");
        assert!(at.is_some(), "{text}");
        assert!(
            text.contains("containing `tmp`.\n\n```dockerfile"),
            "{text}"
        );
        let facts = example_facts(&meta);
        let ctx = facts.context.as_ref().expect("a context");
        assert!(ctx.exists("tmp/helloworld.txt") && !ctx.is_sent("tmp/helloworld.txt"));
        assert!(ctx.is_sent("forever/helloworld.txt"));
        assert!(matches!(facts.dockerignore, Some(Some(_))));
        // no example_context: no facts, and the docs are the doc comment as written
        let plain = crate::rules::style::maintainer_deprecated::MaintainerDeprecated::META;
        assert!(example_facts(&plain).context.is_none());
        assert!(!docs_text(&plain).contains("These examples assume"));
    }

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
            let facts = example_facts(m);
            let hit: Vec<_> = lint_with(&invalid, &facts)
                .into_iter()
                .filter(|d| d.rule.name == m.name)
                .collect();
            if hit.is_empty() {
                problems.push(format!("{}: the example does not trigger the rule", m.name));
            }
            let still: Vec<_> = lint_with(&valid, &facts)
                .into_iter()
                .filter(|d| d.rule.name == m.name)
                .collect();
            if !still.is_empty() {
                problems.push(format!(
                    "{}: the `Use instead` example still triggers it: {}",
                    m.name, still[0].message
                ));
            }
            // An assumed context must be needed: the page states it, so it must matter.
            if m.example_context.is_some()
                && lint_with(&invalid, &Facts::default())
                    .iter()
                    .any(|d| d.rule.name == m.name)
            {
                problems.push(format!(
                    "{}: the example triggers the rule without its example_context",
                    m.name
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
