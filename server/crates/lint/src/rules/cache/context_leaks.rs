//! What a `COPY . .` drags in that a `.dockerignore` should keep out: the Git directory,
//! `node_modules`, `.env` files and key files. Shared by `missing-dockerignore` and
//! `dockerignore-gaps`, which differ only in whether an ignore file exists.

use layerwise_analysis::build_context::{BuildContext, EntryKind};
use layerwise_analysis::image_facts::format_bytes;
use layerwise_syntax::{InstructionKind, TextRange};

use crate::context::LintContext;

/// How many leaks a message names before it says "and N more".
const SHOWN: usize = 4;

/// One entry sent to the builder that should not be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Leak {
    pub path: String,
    /// Bytes under a directory, or the file size.
    pub bytes: u64,
    pub is_dir: bool,
}

/// Templates committed on purpose: they hold no secrets.
fn is_env_template(name: &str) -> bool {
    [
        ".example",
        ".sample",
        ".template",
        ".dist",
        ".defaults",
        ".tmpl",
    ]
    .iter()
    .any(|s| name.ends_with(s))
}

/// The sent entries a `.dockerignore` should exclude, in path order. Directories are reported
/// once (nothing below a reported directory is reported again).
pub(crate) fn leaks(ctx: &BuildContext) -> Vec<Leak> {
    let entries = ctx.entries();
    let mut out: Vec<Leak> = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        let e = &entries[i];
        i += 1;
        if !e.is_sent() {
            continue;
        }
        let name = e.name();
        let dir_leak = e.kind == EntryKind::Dir && (e.path == ".git" || name == "node_modules");
        let file_leak = e.kind == EntryKind::File
            && ((name == ".env" || name.starts_with(".env.") && !is_env_template(name))
                || name.ends_with(".pem")
                || name.ends_with(".key"));
        if dir_leak {
            // The subtree follows its directory: sum it and skip past it.
            let prefix = format!("{}/", e.path);
            let mut bytes = 0u64;
            while let Some(child) = entries.get(i).filter(|c| c.path.starts_with(&prefix)) {
                if child.is_sent() && child.kind == EntryKind::File {
                    bytes = bytes.saturating_add(child.size);
                }
                i += 1;
            }
            out.push(Leak {
                path: e.path.clone(),
                bytes,
                is_dir: true,
            });
        } else if file_leak {
            out.push(Leak {
                path: e.path.clone(),
                bytes: e.size,
                is_dir: false,
            });
        }
    }
    out
}

/// "`.git` (12.0 MB), `node_modules` (310 MB) and `.env`".
pub(crate) fn describe(leaks: &[Leak]) -> String {
    let mut parts: Vec<String> = leaks
        .iter()
        .take(SHOWN)
        .map(|l| {
            if l.is_dir && l.bytes > 0 {
                format!("`{}` ({})", l.path, format_bytes(l.bytes))
            } else {
                format!("`{}`", l.path)
            }
        })
        .collect();
    if leaks.len() > SHOWN {
        parts.push(format!("{} more", leaks.len() - SHOWN));
    }
    match parts.len() {
        0 => String::new(),
        1 => parts.remove(0),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

/// The ranges of the whole-context source words (`COPY . .` → the first `.`), in file order.
pub(crate) fn whole_context_copies(cx: &LintContext<'_>) -> Vec<TextRange> {
    cx.instructions()
        .filter(|i| {
            matches!(i.inst.kind, InstructionKind::Copy | InstructionKind::Add)
                && i.inst.flag("from").is_none()
        })
        .filter_map(|i| {
            let (sources, _) = i.inst.copy_parts()?;
            let whole = sources
                .iter()
                .find(|s| matches!(&*s.text, "." | "./" | "*" | "./*" | "./."))?;
            Some(i.abs(whole.range))
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use layerwise_analysis::build_context::{ContextEntry, IgnoreFile, RawContext};
    use layerwise_analysis::dockerignore::DockerIgnore;

    /// A context with these entries and, when given, this `.dockerignore` text.
    pub(crate) fn context(entries: Vec<ContextEntry>, ignore: Option<&str>) -> BuildContext {
        let mut raw = RawContext::new("/ctx", entries);
        raw.ignore = ignore.map(|t| IgnoreFile {
            path: ".dockerignore".into(),
            ignore: DockerIgnore::parse(t),
        });
        BuildContext::new(raw)
    }

    pub(crate) fn sample() -> Vec<ContextEntry> {
        vec![
            ContextEntry::dir(".git"),
            ContextEntry::file(".git/objects/pack/p.pack", 12_000_000),
            ContextEntry::file(".env", 10),
            ContextEntry::file(".env.example", 10),
            ContextEntry::dir("node_modules"),
            ContextEntry::file("node_modules/x/index.js", 5_000),
            ContextEntry::file("node_modules/x/test/cert.pem", 5),
            ContextEntry::file("certs/server.key", 1),
            ContextEntry::file("src/main.js", 100),
        ]
    }

    #[test]
    fn finds_and_describes_leaks() {
        let l = leaks(&context(sample(), None));
        let paths: Vec<&str> = l.iter().map(|l| l.path.as_str()).collect();
        assert_eq!(paths, [".env", ".git", "certs/server.key", "node_modules"]);
        assert_eq!(
            describe(&l),
            "`.env`, `.git` (12.0 MB), `certs/server.key` and `node_modules` (5.00 kB)"
        );
        let l = leaks(&context(
            sample(),
            Some(".git\nnode_modules\n.env*\n!.env.example\n*.key\n**/*.key\n"),
        ));
        assert!(l.is_empty(), "{l:?}");
        assert_eq!(describe(&[]), "");
    }
}
