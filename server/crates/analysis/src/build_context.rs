//! A snapshot of a build context (the directory sent to `docker build`) as plain values, and
//! the questions the IDE asks about it: how big is what a `COPY` source sends, what is in this
//! directory (path completion), does this path exist, and which `.dockerignore` line hid it.
//!
//! The snapshot is produced by `layerwise-context` (which does the IO) or built by hand in
//! tests. Whether each entry reaches Docker is computed here, from the `.dockerignore` in force,
//! so a changed ignore file can be re-applied without walking the disk again.

mod copy;
mod glob;
#[cfg(test)]
mod tests;

use std::cmp::Ordering;

use crate::dockerignore::{clean_in_context, DecidedBy, DockerIgnore, MatchState};

pub use copy::{CopySize, SourceSize, SourceStatus};

/// What kind of filesystem object an entry is. Sockets, FIFOs and devices are not entries (the
/// walker skips them and lists them in [`RawContext::skipped_special`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    /// A symbolic link, never followed by the walker (Docker sends links as links).
    Symlink,
}

/// Whether a directory's contents are in the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirContents {
    /// Listed in full (also the value for files and symlinks).
    Listed,
    /// Excluded by `.dockerignore` and not walked, exactly where BuildKit does not walk either.
    Skipped,
    /// Not walked, or only partly listed, because a limit was reached (depth, entry count,
    /// time, cancellation).
    NotWalked,
    /// Could not be read (see [`BuildContext::unreadable`]).
    Unreadable,
}

/// One file, directory or symlink in the context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextEntry {
    /// Relative to the context root, `/`-separated, clean (no `./`, no trailing `/`).
    pub path: String,
    pub kind: EntryKind,
    /// Bytes for files (apparent size); the length of the target text for symlinks; 0 for
    /// directories.
    pub size: u64,
    /// The link text of a symlink, as read from disk.
    pub symlink_target: Option<String>,
    pub contents: DirContents,
    excluded: bool,
    decided_by: Option<DecidedBy>,
    sent: bool,
}

impl ContextEntry {
    pub fn file(path: impl Into<String>, size: u64) -> ContextEntry {
        ContextEntry::new(path.into(), EntryKind::File, size, None)
    }

    pub fn dir(path: impl Into<String>) -> ContextEntry {
        ContextEntry::new(path.into(), EntryKind::Dir, 0, None)
    }

    pub fn symlink(path: impl Into<String>, target: impl Into<String>) -> ContextEntry {
        let target = target.into();
        let size = u64::try_from(target.len()).unwrap_or(u64::MAX);
        ContextEntry::new(path.into(), EntryKind::Symlink, size, Some(target))
    }

    /// Marks a directory's contents as skipped, not walked or unreadable.
    pub fn with_contents(mut self, contents: DirContents) -> ContextEntry {
        self.contents = contents;
        self
    }

    fn new(path: String, kind: EntryKind, size: u64, target: Option<String>) -> ContextEntry {
        ContextEntry {
            path,
            kind,
            size,
            symlink_target: target,
            contents: DirContents::Listed,
            excluded: false,
            decided_by: None,
            sent: true,
        }
    }

    pub fn is_dir(&self) -> bool {
        self.kind == EntryKind::Dir
    }

    pub fn is_symlink(&self) -> bool {
        self.kind == EntryKind::Symlink
    }

    /// The last path element.
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// `true` when `.dockerignore` excludes this path itself.
    pub fn is_excluded(&self) -> bool {
        self.excluded
    }

    /// The `.dockerignore` line that decided this entry, if any line matched.
    pub fn decided_by(&self) -> Option<DecidedBy> {
        self.decided_by
    }

    /// `true` when Docker sends this entry: it is not excluded, or (for a directory) something
    /// below it is re-included by an exception, so Docker creates the directory to hold it.
    pub fn is_sent(&self) -> bool {
        self.sent
    }
}

/// A `.dockerignore` together with where it was read from.
#[derive(Debug, Clone)]
pub struct IgnoreFile {
    /// The file's path, as the caller wants it displayed.
    pub path: String,
    pub ignore: DockerIgnore,
}

/// Whether the walk saw everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkStatus {
    Complete,
    /// Sizes and listings are lower bounds.
    Truncated(Truncation),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truncation {
    pub reason: TruncationReason,
    /// The directory being walked when the limit was hit ("" for the root).
    pub path: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TruncationReason {
    /// More entries than the limit; the walk stopped.
    MaxEntries { limit: usize },
    /// Directories deeper than the limit were not entered; the rest was walked.
    MaxDepth { limit: usize },
    /// The time budget ran out; the walk stopped.
    TimeLimit,
    /// The caller cancelled; the walk stopped.
    Cancelled,
}

/// A path the walker could not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadablePath {
    pub path: String,
    pub error: String,
}

/// What a walker hands over to build a [`BuildContext`].
#[derive(Debug, Clone)]
pub struct RawContext {
    /// The context directory, for display.
    pub root: String,
    pub entries: Vec<ContextEntry>,
    pub ignore: Option<IgnoreFile>,
    pub status: WalkStatus,
    pub unreadable: Vec<UnreadablePath>,
    /// Sockets, FIFOs and device files that were left out.
    pub skipped_special: Vec<String>,
}

impl RawContext {
    /// A complete snapshot with no problems recorded.
    pub fn new(root: impl Into<String>, entries: Vec<ContextEntry>) -> RawContext {
        RawContext {
            root: root.into(),
            entries,
            ignore: None,
            status: WalkStatus::Complete,
            unreadable: Vec::new(),
            skipped_special: Vec::new(),
        }
    }
}

/// Sizes of what Docker sends and what `.dockerignore` keeps out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub sent_files: u64,
    pub sent_bytes: u64,
    pub sent_dirs: u64,
    pub sent_symlinks: u64,
    /// Files seen but excluded (files inside skipped directories are not counted).
    pub excluded_files: u64,
    pub excluded_bytes: u64,
}

/// A build context snapshot with `.dockerignore` applied.
#[derive(Debug, Clone)]
pub struct BuildContext {
    root: String,
    /// Sorted element by element (`a`, `a/b`, `a.txt`), so every directory's descendants
    /// directly follow it.
    entries: Vec<ContextEntry>,
    ignore: Option<IgnoreFile>,
    status: WalkStatus,
    unreadable: Vec<UnreadablePath>,
    skipped_special: Vec<String>,
    needs_rewalk: bool,
}

/// Orders paths element by element, so a directory's subtree is contiguous.
fn cmp_paths(a: &str, b: &str) -> Ordering {
    a.split('/').cmp(b.split('/'))
}

fn is_within(path: &str, dir: &str) -> bool {
    dir.is_empty()
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(parent, _)| parent)
}

impl BuildContext {
    /// Normalizes the entries (cleans paths, drops the root and duplicates, adds missing parent
    /// directories, sorts) and applies the ignore file.
    pub fn new(raw: RawContext) -> BuildContext {
        let mut entries: Vec<ContextEntry> = raw
            .entries
            .into_iter()
            .filter_map(|mut e| {
                e.path = clean_in_context(&e.path);
                (!e.path.is_empty()).then_some(e)
            })
            .collect();
        entries.sort_by(|a, b| cmp_paths(&a.path, &b.path));
        entries.dedup_by(|later, earlier| later.path == earlier.path);
        let mut missing: Vec<String> = Vec::new();
        for e in &entries {
            let mut parent = parent_of(&e.path);
            while !parent.is_empty()
                && entries
                    .binary_search_by(|x| cmp_paths(&x.path, parent))
                    .is_err()
                && !missing.iter().any(|m| m == parent)
            {
                missing.push(parent.to_owned());
                parent = parent_of(parent);
            }
        }
        if !missing.is_empty() {
            entries.extend(missing.into_iter().map(ContextEntry::dir));
            entries.sort_by(|a, b| cmp_paths(&a.path, &b.path));
        }
        let mut context = BuildContext {
            root: raw.root,
            entries,
            ignore: None,
            status: raw.status,
            unreadable: raw.unreadable,
            skipped_special: raw.skipped_special,
            needs_rewalk: false,
        };
        context.set_ignore(raw.ignore);
        context
    }

    /// Applies a different ignore file (or none) without walking the disk again. Returns
    /// [`BuildContext::needs_rewalk`].
    pub fn set_ignore(&mut self, ignore: Option<IgnoreFile>) -> bool {
        self.ignore = ignore;
        self.needs_rewalk = false;
        let empty = DockerIgnore::default();
        let rules = self.ignore.as_ref().map_or(&empty, |f| &f.ignore);
        let root_state = MatchState::default();
        let mut stack: Vec<(usize, MatchState)> = Vec::new();
        for i in 0..self.entries.len() {
            while let Some((dir, _)) = stack.last() {
                if is_within(&self.entries[i].path, &self.entries[*dir].path) {
                    break;
                }
                stack.pop();
            }
            let parent_state = stack.last().map_or(&root_state, |(_, s)| s);
            let (decision, state) = rules.evaluate(&self.entries[i].path, parent_state);
            let entry = &mut self.entries[i];
            entry.excluded = decision.excluded;
            entry.decided_by = decision.decided_by;
            entry.sent = !decision.excluded;
            if entry.contents == DirContents::Skipped && !rules.can_skip_dir(&entry.path, &decision)
            {
                self.needs_rewalk = true;
            }
            if entry.is_dir() {
                stack.push((i, state));
            }
        }
        // An excluded directory is still sent when something below it is; children follow
        // their parent, so walking backwards sees every child before its parent.
        for i in (0..self.entries.len()).rev() {
            if !self.entries[i].sent {
                continue;
            }
            let parent = parent_of(&self.entries[i].path);
            if parent.is_empty() {
                continue;
            }
            if let Ok(p) = self
                .entries
                .binary_search_by(|x| cmp_paths(&x.path, parent))
            {
                self.entries[p].sent = true;
            }
        }
        self.needs_rewalk
    }

    /// `true` when the ignore file in force would let Docker walk into a directory the snapshot
    /// skipped, so the snapshot misses entries Docker would send: walk again.
    pub fn needs_rewalk(&self) -> bool {
        self.needs_rewalk
    }

    pub fn root(&self) -> &str {
        &self.root
    }

    /// Every entry, sorted element by element.
    pub fn entries(&self) -> &[ContextEntry] {
        &self.entries
    }

    pub fn ignore(&self) -> Option<&IgnoreFile> {
        self.ignore.as_ref()
    }

    pub fn status(&self) -> &WalkStatus {
        &self.status
    }

    pub fn is_complete(&self) -> bool {
        self.status == WalkStatus::Complete && self.unreadable.is_empty()
    }

    pub fn unreadable(&self) -> &[UnreadablePath] {
        &self.unreadable
    }

    pub fn skipped_special(&self) -> &[String] {
        &self.skipped_special
    }

    /// The entry at a context-relative path (cleaned first; `..` cannot leave the context).
    pub fn entry(&self, path: &str) -> Option<&ContextEntry> {
        self.index_of(&clean_in_context(path))
            .map(|i| &self.entries[i])
    }

    /// `true` when the path is in the snapshot, whether or not Docker sends it. The context
    /// root always exists.
    pub fn exists(&self, path: &str) -> bool {
        clean_in_context(path).is_empty() || self.entry(path).is_some()
    }

    /// `true` when the path exists and Docker sends it (the root always).
    pub fn is_sent(&self, path: &str) -> bool {
        clean_in_context(path).is_empty() || self.entry(path).is_some_and(ContextEntry::is_sent)
    }

    /// Everything below a directory ("" or "." for the whole context), in order.
    pub fn subtree(&self, dir: &str) -> &[ContextEntry] {
        let dir = clean_in_context(dir);
        if dir.is_empty() {
            return &self.entries;
        }
        let start = self
            .entries
            .partition_point(|e| cmp_paths(&e.path, &dir) != Ordering::Greater);
        let end = self.entries.partition_point(|e| {
            cmp_paths(&e.path, &dir) != Ordering::Greater || is_within(&e.path, &dir)
        });
        &self.entries[start..end.max(start)]
    }

    /// The direct children of a directory (for path completion), sent or not: check
    /// [`ContextEntry::is_sent`] before offering one.
    pub fn children(&self, dir: &str) -> Vec<&ContextEntry> {
        let dir = clean_in_context(dir);
        let depth = if dir.is_empty() {
            0
        } else {
            dir.split('/').count()
        };
        self.subtree(&dir)
            .iter()
            .filter(|e| e.path.split('/').count() == depth + 1)
            .collect()
    }

    /// What the whole context sends and what the ignore file keeps out.
    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for e in &self.entries {
            match (e.kind, e.sent) {
                (EntryKind::File, true) => {
                    totals.sent_files += 1;
                    totals.sent_bytes = totals.sent_bytes.saturating_add(e.size);
                }
                (EntryKind::File, false) => {
                    totals.excluded_files += 1;
                    totals.excluded_bytes = totals.excluded_bytes.saturating_add(e.size);
                }
                (EntryKind::Dir, true) => totals.sent_dirs += 1,
                (EntryKind::Symlink, true) => totals.sent_symlinks += 1,
                _ => {}
            }
        }
        totals
    }

    fn index_of(&self, cleaned: &str) -> Option<usize> {
        self.entries
            .binary_search_by(|e| cmp_paths(&e.path, cleaned))
            .ok()
    }
}
