//! "Create .dockerignore": offered when the build context is known to have none. The file
//! keeps out what no image needs (VCS data, editor folders, local dependency and build
//! folders of the stacks the stages build) and what must never reach an image (`.env*`,
//! keys). An entry that would hide a file a `COPY` names is left out.

use layerwise_analysis::dockerignore::DockerIgnore;
use layerwise_lint::Applicability;
use layerwise_syntax::{InstructionKind, TextRange};

use super::{ActionKind, CodeAction, NewFile};
use crate::split::{stacks_and_build_steps, JavaTool, Stack};
use crate::Analysis;

pub(super) fn actions(a: &Analysis, range: TextRange) -> Vec<CodeAction> {
    if !matches!(a.facts.dockerignore, Some(None)) {
        return Vec::new();
    }
    let text = contents(a);
    let mut act = CodeAction::new(
        "Create .dockerignore for this build context",
        ActionKind::Source,
        Vec::new(),
    );
    act.new_files.push(NewFile {
        name: ".dockerignore".into(),
        text,
    });
    act.applicability = Applicability::Safe;
    // a quick fix too, for the finding that asks for one
    act.diagnostics = super::diagnostics_in(a, range)
        .filter(|(_, d)| d.rule.name.contains("dockerignore"))
        .map(|(i, _)| i)
        .collect();
    if !act.diagnostics.is_empty() {
        act.kind = ActionKind::QuickFix;
    }
    vec![act]
}

/// The `.dockerignore` text for this Dockerfile's stacks.
pub(crate) fn contents(a: &Analysis) -> String {
    let mut stacks: Vec<(Stack, bool)> = stacks_and_build_steps(a);
    stacks.dedup();
    let mut groups: Vec<(&str, Vec<&str>)> = vec![
        (
            "Version control, editors, OS files",
            vec![
                ".git",
                ".hg",
                ".svn",
                ".idea",
                ".vscode",
                "**/.DS_Store",
                "**/*.swp",
            ],
        ),
        (
            "Secrets: never send them to the builder",
            vec![
                ".env",
                ".env.*",
                "*.pem",
                "*.key",
                "**/id_rsa*",
                ".npmrc.local",
            ],
        ),
        (
            "Docker files themselves (changing them should not bust the COPY cache)",
            vec![
                "Dockerfile*",
                "*.Dockerfile",
                ".dockerignore",
                "docker-compose*.yml",
                "compose*.yaml",
            ],
        ),
    ];
    let mut push = |title: &'static str, entries: &[&'static str]| {
        if !groups.iter().any(|(t, _)| *t == title) {
            groups.push((title, entries.to_vec()));
        }
    };
    // build output folders only when the image builds them itself
    for &(s, builds) in &stacks {
        match (s, builds) {
            (Stack::Node(_), true) => push(
                "Node.js",
                &[
                    "**/node_modules",
                    "npm-debug.log*",
                    "yarn-debug.log*",
                    "yarn-error.log*",
                    ".pnpm-store",
                    "coverage",
                    ".next",
                    "dist",
                ],
            ),
            (Stack::Node(_), false) => push(
                "Node.js",
                &[
                    "**/node_modules",
                    "npm-debug.log*",
                    "yarn-debug.log*",
                    "yarn-error.log*",
                    ".pnpm-store",
                    "coverage",
                ],
            ),
            (Stack::Python(_), _) => push(
                "Python",
                &[
                    "**/__pycache__",
                    "**/*.py[cod]",
                    ".venv",
                    "venv",
                    ".pytest_cache",
                    ".mypy_cache",
                    ".ruff_cache",
                    ".tox",
                    ".coverage",
                    "htmlcov",
                    "*.egg-info",
                ],
            ),
            (Stack::Go, true) => push("Go", &["*.test", "*.out", "bin"]),
            (Stack::Go, false) => push("Go", &["*.test", "*.out"]),
            (Stack::Rust, true) => push("Rust", &["target"]),
            (Stack::Java(JavaTool::Maven), true) => push("Java (Maven)", &["target"]),
            (Stack::Java(JavaTool::Gradle), true) => push("Java (Gradle)", &["build", ".gradle"]),
            (Stack::Java(JavaTool::Gradle), false) => push("Java (Gradle)", &[".gradle"]),
            _ => {}
        }
    }
    let named = copied_paths(a);
    let nl = super::line_break(&a.text);
    let mut out = format!("# Written by layerwise: what the image build never needs.{nl}");
    for (title, entries) in groups {
        let kept: Vec<&str> = entries
            .into_iter()
            .filter(|e| {
                let ignore = DockerIgnore::parse(e);
                !named.iter().any(|p| {
                    ignore.is_excluded(p, false)
                        || p.split('/')
                            .scan(String::new(), |acc, part| {
                                if !acc.is_empty() {
                                    acc.push('/');
                                }
                                acc.push_str(part);
                                Some(acc.clone())
                            })
                            .any(|prefix| ignore.is_excluded(&prefix, true))
                })
            })
            .collect();
        if kept.is_empty() {
            continue;
        }
        out.push_str(nl);
        out.push_str(&format!("# {title}{nl}"));
        for e in kept {
            out.push_str(e);
            out.push_str(nl);
        }
    }
    out
}

/// Context paths the Dockerfile copies by name (`COPY dist/ /app`, `COPY .env.example .`):
/// an ignore entry must not hide them.
fn copied_paths(a: &Analysis) -> Vec<String> {
    let mut out = Vec::new();
    for (_, inst) in a.file.instructions() {
        if !matches!(inst.kind, InstructionKind::Copy | InstructionKind::Add)
            || inst.flag("from").is_some()
        {
            continue;
        }
        let Some((sources, _)) = inst.copy_parts() else {
            continue;
        };
        for s in sources {
            let p = s.text.trim_start_matches("./").trim_end_matches('/');
            if p.is_empty() || p == "." || p.contains(['*', '?', '[', '$']) || p.starts_with("<<") {
                continue;
            }
            out.push(p.to_string());
        }
    }
    out
}
