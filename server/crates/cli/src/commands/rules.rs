//! `layerwise rules` and `layerwise explain RULE`: the rule docs, generated from the code.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use layerwise_lint::docs;

#[derive(Args)]
pub struct RulesArgs {
    /// Print JSON (name, group, severity, fix, hadolint, buildkit, summary).
    #[arg(long)]
    pub json: bool,
    /// Write the Markdown pages into this folder (`docs/rules`).
    #[arg(long, value_name = "DIR")]
    pub write_docs: Option<PathBuf>,
    /// With --write-docs: fail if the folder differs instead of writing (for CI).
    #[arg(long, requires = "write_docs")]
    pub check: bool,
}

#[derive(Args)]
pub struct ExplainArgs {
    /// A rule name, hadolint code (DL3006) or BuildKit check name (StageNameCasing).
    pub rule: String,
}

pub fn run(args: &RulesArgs) -> Result<u8> {
    if let Some(dir) = &args.write_docs {
        return write_docs(dir, args.check);
    }
    let rules = docs::all_rules();
    if args.json {
        let list: Vec<_> = rules
            .iter()
            .map(|r| {
                let m = r.meta();
                serde_json::json!({ "name": m.name, "group": m.group, "severity": m.severity, "default_enabled": m.default_enabled, "fix": m.fix, "hadolint": m.hadolint, "buildkit": m.buildkit, "summary": m.summary() })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(0);
    }
    for r in rules {
        let m = r.meta();
        let codes: Vec<&str> = m.hadolint.iter().copied().chain(m.buildkit).collect();
        println!(
            "{:<36} {:<16} {:<8}{} {}{}",
            m.name,
            m.group.as_str(),
            m.severity.as_str(),
            if m.default_enabled { "    " } else { "(off)" },
            m.summary(),
            if codes.is_empty() {
                String::new()
            } else {
                format!(" [{}]", codes.join(", "))
            }
        );
    }
    Ok(0)
}

pub fn explain(args: &ExplainArgs) -> Result<u8> {
    match layerwise_lint::rules::find(&args.rule) {
        Some(r) => {
            print!("{}", docs::rule_page(r.meta()));
            Ok(0)
        }
        None => {
            eprintln!(
                "layerwise: no rule named {:?}; `layerwise rules` lists them",
                args.rule
            );
            Ok(2)
        }
    }
}

fn write_docs(dir: &std::path::Path, check: bool) -> Result<u8> {
    let files = docs::generated_files();
    if check {
        let mut stale = Vec::new();
        for (name, content) in &files {
            if std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(content.as_str()) {
                stale.push(name.clone());
            }
        }
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if n.ends_with(".md") && !files.iter().any(|(f, _)| *f == n) {
                    stale.push(format!("{n} (no such rule)"));
                }
            }
        }
        if !stale.is_empty() {
            bail!(
                "docs/rules is stale ({}); run `layerwise rules --write-docs {}`",
                stale.join(", "),
                dir.display()
            );
        }
        return Ok(0);
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.file_name().to_string_lossy().ends_with(".md") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    for (name, content) in files {
        std::fs::write(dir.join(&name), content).with_context(|| format!("cannot write {name}"))?;
    }
    Ok(0)
}
