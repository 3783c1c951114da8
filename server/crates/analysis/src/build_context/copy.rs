//! Resolving `COPY`/`ADD` sources against a build context the way BuildKit does, and adding
//! up what they send.
//!
//! BuildKit resolves each source inside the context as if the context were the filesystem
//! root: the path is cleaned, `..` cannot climb out, symlinks are followed (absolute targets
//! start at the context root). A source containing `*`, `?` or `[` is expanded one path element
//! at a time with `filepath.Match` (so `*.go` looks only at the top level and `**` means `*`),
//! and matching nothing is not an error. Only what `.dockerignore` lets through can match.

use super::glob::{contains_wildcards, Glob};
use super::{BuildContext, DirContents, EntryKind};
use crate::dockerignore::{clean, clean_in_context, DecidedBy};

/// Symlink hops followed before giving up (the Linux limit).
const MAX_SYMLINK_HOPS: usize = 40;

/// What a list of `COPY` sources sends.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CopySize {
    /// Bytes of regular files, summed over the sources (a file named by two sources counts
    /// twice, as it is copied twice).
    pub bytes: u64,
    pub files: u64,
    pub sources: Vec<SourceSize>,
    /// `true` when every source's answer is exact (see [`SourceSize::complete`]).
    pub complete: bool,
}

/// What one source sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSize {
    /// The source as given.
    pub source: String,
    pub status: SourceStatus,
    pub bytes: u64,
    pub files: u64,
    /// Paths (context-relative, "" for the root) the source resolved to.
    pub matched: Vec<String>,
    /// `false` when the snapshot is partial where it matters, so the size may be too small or
    /// a "not found" may be wrong: a directory in the matched subtree was unreadable or not
    /// walked, or (for wildcards and paths not found) the walk as a whole was incomplete.
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceStatus {
    /// Resolved to at least one path.
    Found,
    /// No wildcard and nothing at that path: the build fails.
    NotFound,
    /// A wildcard that matched nothing: BuildKit copies nothing and carries on.
    NoMatch,
    /// The path exists on disk but `.dockerignore` keeps it out: the build fails as if it
    /// did not exist.
    Excluded { decided_by: Option<DecidedBy> },
    /// A symlink whose target is missing, excluded or loops.
    DanglingSymlink,
    /// A URL or git source: not read from the context.
    NotInContext,
    /// A wildcard `filepath.Match` rejects.
    InvalidPattern(String),
}

/// A node reached while resolving: an entry index, or the context root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Root,
    Entry(usize),
}

enum Resolved {
    Found(Node),
    Missing,
    Excluded(usize),
    Dangling,
}

impl BuildContext {
    /// Resolves `COPY`/`ADD` sources (as written in the Dockerfile, after variable expansion)
    /// and adds up the files they send, with `.dockerignore` applied.
    pub fn copy_size(&self, sources: &[&str]) -> CopySize {
        let mut total = CopySize {
            complete: true,
            ..CopySize::default()
        };
        for source in sources {
            let one = self.source_size(source);
            total.complete &= one.complete;
            total.bytes = total.bytes.saturating_add(one.bytes);
            total.files = total.files.saturating_add(one.files);
            total.sources.push(one);
        }
        total
    }

    fn source_size(&self, source: &str) -> SourceSize {
        let cleaned = clean_in_context(source);
        let wildcard = contains_wildcards(&cleaned);
        let mut out = SourceSize {
            source: source.to_owned(),
            status: SourceStatus::Found,
            bytes: 0,
            files: 0,
            matched: Vec::new(),
            // Expanding a wildcard, or failing to find a path, is only sure on a whole walk.
            complete: self.is_complete(),
        };
        if is_remote(source) {
            out.status = SourceStatus::NotInContext;
            out.complete = true;
            return out;
        }
        let nodes = if wildcard {
            match self.expand_wildcards(&cleaned) {
                Ok(nodes) if nodes.is_empty() => {
                    out.status = SourceStatus::NoMatch;
                    return out;
                }
                Ok(nodes) => nodes,
                Err(message) => {
                    out.status = SourceStatus::InvalidPattern(message);
                    return out;
                }
            }
        } else {
            match self.resolve(&cleaned, true) {
                Resolved::Found(node) => {
                    out.complete = true;
                    vec![node]
                }
                Resolved::Missing => {
                    out.status = SourceStatus::NotFound;
                    return out;
                }
                Resolved::Excluded(i) => {
                    out.status = SourceStatus::Excluded {
                        decided_by: self.entries[i].decided_by,
                    };
                    out.complete = true;
                    return out;
                }
                Resolved::Dangling => {
                    out.status = SourceStatus::DanglingSymlink;
                    return out;
                }
            }
        };
        for node in nodes {
            let (files, bytes, node_complete) = self.sent_size(node);
            out.files = out.files.saturating_add(files);
            out.bytes = out.bytes.saturating_add(bytes);
            out.complete &= node_complete;
            out.matched.push(match node {
                Node::Root => String::new(),
                Node::Entry(i) => self.entries[i].path.clone(),
            });
        }
        out
    }

    /// Files and bytes sent at or below a node, and whether that part of the snapshot is whole.
    fn sent_size(&self, node: Node) -> (u64, u64, bool) {
        let (slice, own) = match node {
            Node::Root => (&self.entries[..], None),
            Node::Entry(i) => (self.subtree(&self.entries[i].path), Some(&self.entries[i])),
        };
        let mut files = 0u64;
        let mut bytes = 0u64;
        let mut complete = true;
        for e in own.into_iter().chain(slice) {
            if e.kind == EntryKind::File && e.sent {
                files += 1;
                bytes = bytes.saturating_add(e.size);
            }
            if matches!(e.contents, DirContents::NotWalked | DirContents::Unreadable) {
                complete = false;
            }
        }
        (files, bytes, complete)
    }

    /// Expands a wildcard source one element at a time over what Docker sends.
    fn expand_wildcards(&self, cleaned: &str) -> Result<Vec<Node>, String> {
        let elements: Vec<&str> = cleaned.split('/').collect();
        let mut current = vec![Node::Root];
        for (n, element) in elements.iter().enumerate() {
            let last = n + 1 == elements.len();
            let mut next = Vec::new();
            let glob = if contains_wildcards(element) {
                Some(Glob::new(element)?)
            } else {
                None
            };
            for node in current {
                let dir = match node {
                    Node::Root => String::new(),
                    Node::Entry(i) => self.entries[i].path.clone(),
                };
                let candidates: Vec<String> = match &glob {
                    Some(glob) => self
                        .children(&dir)
                        .into_iter()
                        .filter(|e| e.sent && glob.matches(e.name()))
                        .map(|e| e.path.clone())
                        .collect(),
                    None => vec![join(&dir, element)],
                };
                for path in candidates {
                    // Intermediate elements must lead to directories; the last one is
                    // followed too (BuildKit copies what a matched link points to).
                    if let Resolved::Found(found) = self.resolve(&path, true) {
                        let is_dir = match found {
                            Node::Root => true,
                            Node::Entry(i) => self.entries[i].is_dir(),
                        };
                        if last || is_dir {
                            next.push(found);
                        }
                    }
                }
            }
            next.sort_unstable();
            next.dedup();
            current = next;
        }
        Ok(current)
    }

    /// Resolves a clean context-relative path over what Docker sends, following symlinks in
    /// every element (and in the last one when `follow_last`), inside the context. A lookup
    /// that fails on an element of a link's target makes the link dangling.
    fn resolve(&self, cleaned: &str, follow_last: bool) -> Resolved {
        // A stack: the next element is at the end.
        let mut pending: Vec<String> = cleaned
            .split('/')
            .filter(|p| !p.is_empty())
            .rev()
            .map(str::to_owned)
            .collect();
        let mut at = String::new();
        let mut hops = 0;
        // Elements at stack positions >= this came from the last link's target.
        let mut target_base: Option<usize> = None;
        while let Some(element) = pending.pop() {
            let in_target = target_base.is_some_and(|base| pending.len() >= base);
            match element.as_str() {
                "" | "." => continue,
                ".." => {
                    at = super::parent_of(&at).to_owned();
                    continue;
                }
                _ => {}
            }
            let path = join(&at, &element);
            let Some(i) = self.index_of(&path) else {
                return if in_target {
                    Resolved::Dangling
                } else {
                    Resolved::Missing
                };
            };
            let entry = &self.entries[i];
            if !entry.sent {
                return if in_target {
                    Resolved::Dangling
                } else {
                    Resolved::Excluded(i)
                };
            }
            if entry.kind == EntryKind::Symlink && (follow_last || !pending.is_empty()) {
                hops += 1;
                let Some(target) = entry.symlink_target.as_deref() else {
                    return Resolved::Dangling;
                };
                if hops > MAX_SYMLINK_HOPS {
                    return Resolved::Dangling;
                }
                if target.starts_with('/') {
                    at.clear();
                }
                target_base = Some(pending.len());
                pending.extend(
                    clean(target)
                        .split('/')
                        .filter(|p| !p.is_empty())
                        .rev()
                        .map(str::to_owned),
                );
                continue;
            }
            at = path;
        }
        if at.is_empty() {
            return Resolved::Found(Node::Root);
        }
        match self.index_of(&at) {
            Some(i) => Resolved::Found(Node::Entry(i)),
            None => Resolved::Missing,
        }
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// Sources `ADD` fetches instead of reading the context.
fn is_remote(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    ["http://", "https://", "git@", "git://", "ssh://"]
        .iter()
        .any(|p| lower.starts_with(p))
}
