//! The directory walk itself.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use layerwise_analysis::build_context::{
    BuildContext, ContextEntry, DirContents, IgnoreFile, RawContext, Truncation, TruncationReason,
    UnreadablePath, WalkStatus,
};
use layerwise_analysis::dockerignore::{DockerIgnore, MatchState};

use crate::{ContextError, WalkOptions, WalkProgress};

/// The filesystem calls the walk makes, behind a seam so tests can make a directory fail to
/// list even when they run as root (who can read a `chmod 000` directory).
pub(crate) trait Fs {
    fn list(&self, dir: &Path) -> io::Result<Vec<OsString>>;
    fn lstat(&self, path: &Path) -> io::Result<fs::Metadata>;
    fn read_link(&self, path: &Path) -> io::Result<PathBuf>;
}

pub(crate) struct RealFs;

impl Fs for RealFs {
    fn list(&self, dir: &Path) -> io::Result<Vec<OsString>> {
        fs::read_dir(dir)?
            .map(|entry| entry.map(|e| e.file_name()))
            .collect()
    }

    fn lstat(&self, path: &Path) -> io::Result<fs::Metadata> {
        fs::symlink_metadata(path)
    }

    fn read_link(&self, path: &Path) -> io::Result<PathBuf> {
        fs::read_link(path)
    }
}

/// Walks `context_root` into a snapshot with `ignore` applied.
///
/// Errors only when the root itself cannot be listed; everything below is recorded in the
/// snapshot (unreadable paths, skipped special files, truncation). Setting `cancel` stops the
/// walk soon after and returns what was seen, marked as cancelled.
pub fn walk(
    context_root: &Path,
    ignore: Option<IgnoreFile>,
    options: &WalkOptions,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&WalkProgress<'_>),
) -> Result<BuildContext, ContextError> {
    walk_with(&RealFs, context_root, ignore, options, cancel, progress)
}

/// A directory waiting to be listed.
struct Pending {
    rel: String,
    /// Index of its entry in `Walker::entries` (`None` for the root).
    entry: Option<usize>,
    depth: usize,
    state: MatchState,
}

struct Walker<'a> {
    fs: &'a dyn Fs,
    root: &'a Path,
    rules: &'a DockerIgnore,
    options: &'a WalkOptions,
    cancel: &'a AtomicBool,
    started: Instant,
    entries: Vec<ContextEntry>,
    bytes: u64,
    unreadable: Vec<UnreadablePath>,
    special: Vec<String>,
    truncation: Option<Truncation>,
    /// Directories already entered, by device and inode, so a bind mount of an ancestor
    /// cannot make the walk go round forever.
    #[cfg(unix)]
    seen_dirs: std::collections::HashSet<(u64, u64)>,
}

pub(crate) fn walk_with(
    fs: &dyn Fs,
    context_root: &Path,
    ignore: Option<IgnoreFile>,
    options: &WalkOptions,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&WalkProgress<'_>),
) -> Result<BuildContext, ContextError> {
    // The root may itself be a symlink to the real directory: that one is followed.
    let root_meta = fs::metadata(context_root).map_err(|error| ContextError::Root {
        path: context_root.to_owned(),
        error,
    })?;
    if !root_meta.is_dir() {
        return Err(ContextError::Root {
            path: context_root.to_owned(),
            error: io::Error::new(io::ErrorKind::InvalidInput, "not a directory"),
        });
    }
    let empty = DockerIgnore::default();
    let rules = ignore.as_ref().map_or(&empty, |f| &f.ignore);
    let mut walker = Walker {
        fs,
        root: context_root,
        rules,
        options,
        cancel,
        started: Instant::now(),
        entries: Vec::new(),
        bytes: 0,
        unreadable: Vec::new(),
        special: Vec::new(),
        truncation: None,
        #[cfg(unix)]
        seen_dirs: std::collections::HashSet::new(),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        walker.seen_dirs.insert((root_meta.dev(), root_meta.ino()));
    }
    walker.run(progress)?;
    progress(&WalkProgress {
        entries: walker.entries.len(),
        bytes: walker.bytes,
        current_dir: "",
        done: true,
    });
    let Walker {
        entries,
        unreadable,
        special,
        truncation,
        ..
    } = walker;
    let status = match truncation {
        Some(truncation) => WalkStatus::Truncated(truncation),
        None => WalkStatus::Complete,
    };
    Ok(BuildContext::new(RawContext {
        root: context_root.display().to_string(),
        entries,
        ignore,
        status,
        unreadable,
        skipped_special: special,
    }))
}

impl Walker<'_> {
    fn run(&mut self, progress: &mut dyn FnMut(&WalkProgress<'_>)) -> Result<(), ContextError> {
        let mut stack = vec![Pending {
            rel: String::new(),
            entry: None,
            depth: 0,
            state: MatchState::default(),
        }];
        let every = self.options.progress_every.max(1);
        let mut since_report = 0usize;
        while let Some(dir) = stack.pop() {
            if let Some(reason) = self.should_stop() {
                self.stop(reason, &dir.rel, std::iter::once(&dir).chain(&stack));
                return Ok(());
            }
            let abs = self.abs(&dir.rel);
            let mut names = match self.fs.list(&abs) {
                Ok(names) => names,
                Err(error) if dir.entry.is_none() => {
                    return Err(ContextError::Root {
                        path: self.root.to_owned(),
                        error,
                    });
                }
                Err(error) => {
                    self.unreadable.push(UnreadablePath {
                        path: dir.rel.clone(),
                        error: error.to_string(),
                    });
                    self.set_contents(dir.entry, DirContents::Unreadable);
                    continue;
                }
            };
            names.sort();
            let mut subdirs: Vec<Pending> = Vec::new();
            for name in names {
                let reason = if self.entries.len() >= self.options.max_entries {
                    Some(TruncationReason::MaxEntries {
                        limit: self.options.max_entries,
                    })
                } else {
                    self.should_stop()
                };
                if let Some(reason) = reason {
                    let rest = std::iter::once(&dir).chain(&subdirs).chain(&stack);
                    self.stop(reason, &dir.rel, rest);
                    return Ok(());
                }
                let name = name.to_string_lossy().into_owned();
                let rel = if dir.rel.is_empty() {
                    name
                } else {
                    format!("{}/{name}", dir.rel)
                };
                if let Some(child) = self.record(rel, dir.depth + 1) {
                    subdirs.push(child);
                }
                since_report += 1;
                if since_report >= every {
                    since_report = 0;
                    progress(&WalkProgress {
                        entries: self.entries.len(),
                        bytes: self.bytes,
                        current_dir: &dir.rel,
                        done: false,
                    });
                }
            }
            for mut child in subdirs.into_iter().rev() {
                let (decision, state) = self.rules.evaluate(&child.rel, &dir.state);
                if self.rules.can_skip_dir(&child.rel, &decision) {
                    self.set_contents(child.entry, DirContents::Skipped);
                    continue;
                }
                if child.depth > self.options.max_depth {
                    self.set_contents(child.entry, DirContents::NotWalked);
                    if self.truncation.is_none() {
                        self.truncation = Some(Truncation {
                            reason: TruncationReason::MaxDepth {
                                limit: self.options.max_depth,
                            },
                            path: child.rel.clone(),
                        });
                    }
                    continue;
                }
                child.state = state;
                stack.push(child);
            }
        }
        Ok(())
    }

    /// Records one directory entry; returns it as a pending directory if it is one to enter.
    fn record(&mut self, rel: String, depth: usize) -> Option<Pending> {
        let abs = self.abs(&rel);
        let meta = match self.fs.lstat(&abs) {
            Ok(meta) => meta,
            Err(error) => {
                // Typically removed while we walked.
                self.unreadable.push(UnreadablePath {
                    path: rel,
                    error: error.to_string(),
                });
                return None;
            }
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let target = match self.fs.read_link(&abs) {
                Ok(target) => target.to_string_lossy().into_owned(),
                Err(error) => {
                    self.unreadable.push(UnreadablePath {
                        path: rel.clone(),
                        error: error.to_string(),
                    });
                    String::new()
                }
            };
            self.entries.push(ContextEntry::symlink(rel, target));
            None
        } else if kind.is_dir() {
            if !self.first_visit(&meta) {
                self.unreadable.push(UnreadablePath {
                    path: rel.clone(),
                    error: "directory already visited (a bind mount of an ancestor?)".to_owned(),
                });
                self.entries
                    .push(ContextEntry::dir(rel).with_contents(DirContents::Unreadable));
                return None;
            }
            self.entries.push(ContextEntry::dir(rel.clone()));
            Some(Pending {
                rel,
                entry: Some(self.entries.len() - 1),
                depth,
                state: MatchState::default(),
            })
        } else if kind.is_file() {
            self.bytes = self.bytes.saturating_add(meta.len());
            self.entries.push(ContextEntry::file(rel, meta.len()));
            None
        } else {
            // Sockets, FIFOs and devices: nothing to size, and reading a FIFO would block.
            self.special.push(rel);
            None
        }
    }

    #[cfg(unix)]
    fn first_visit(&mut self, meta: &fs::Metadata) -> bool {
        use std::os::unix::fs::MetadataExt;
        self.seen_dirs.insert((meta.dev(), meta.ino()))
    }

    #[cfg(not(unix))]
    fn first_visit(&mut self, _meta: &fs::Metadata) -> bool {
        true
    }

    fn should_stop(&self) -> Option<TruncationReason> {
        if self.cancel.load(Ordering::Relaxed) {
            return Some(TruncationReason::Cancelled);
        }
        match self.options.time_limit {
            Some(limit) if self.started.elapsed() >= limit => Some(TruncationReason::TimeLimit),
            _ => None,
        }
    }

    /// Ends the walk: every directory not yet (fully) listed is marked as such.
    fn stop<'p>(
        &mut self,
        reason: TruncationReason,
        at: &str,
        unfinished: impl Iterator<Item = &'p Pending>,
    ) {
        for pending in unfinished {
            self.set_contents(pending.entry, DirContents::NotWalked);
        }
        // A stopping reason is more useful to report than a depth cut seen earlier.
        self.truncation = Some(Truncation {
            reason,
            path: at.to_owned(),
        });
    }

    fn set_contents(&mut self, entry: Option<usize>, contents: DirContents) {
        if let Some(entry) = entry.and_then(|i| self.entries.get_mut(i)) {
            entry.contents = contents;
        }
    }

    fn abs(&self, rel: &str) -> PathBuf {
        if rel.is_empty() {
            self.root.to_owned()
        } else {
            self.root.join(rel)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real filesystem, except that listing one directory fails as it would without
    /// read permission.
    struct DenyList {
        denied: PathBuf,
    }

    impl Fs for DenyList {
        fn list(&self, dir: &Path) -> io::Result<Vec<OsString>> {
            if dir == self.denied {
                return Err(io::Error::from(io::ErrorKind::PermissionDenied));
            }
            RealFs.list(dir)
        }
        fn lstat(&self, path: &Path) -> io::Result<fs::Metadata> {
            RealFs.lstat(path)
        }
        fn read_link(&self, path: &Path) -> io::Result<PathBuf> {
            RealFs.read_link(path)
        }
    }

    #[test]
    fn an_unlistable_directory_is_recorded_and_the_walk_goes_on() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        fs::create_dir_all(root.join("locked/inner")).expect("mkdir");
        fs::write(root.join("locked/inner/f"), b"x").expect("write");
        fs::create_dir(root.join("open")).expect("mkdir");
        fs::write(root.join("open/g"), b"hello").expect("write");
        let fs = DenyList {
            denied: root.join("locked"),
        };
        let ctx = walk_with(
            &fs,
            root,
            None,
            &WalkOptions::default(),
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .expect("walk");
        assert_eq!(ctx.unreadable().len(), 1);
        assert_eq!(ctx.unreadable()[0].path, "locked");
        assert_eq!(
            ctx.entry("locked").map(|e| e.contents),
            Some(DirContents::Unreadable)
        );
        assert!(!ctx.exists("locked/inner"));
        assert_eq!(ctx.entry("open/g").map(|e| e.size), Some(5));
        assert!(!ctx.is_complete());
        assert!(!ctx.copy_size(&["locked"]).complete);
        assert!(ctx.copy_size(&["open"]).complete);
    }

    #[test]
    fn an_unlistable_root_is_an_error() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let fs = DenyList {
            denied: tmp.path().to_owned(),
        };
        let result = walk_with(
            &fs,
            tmp.path(),
            None,
            &WalkOptions::default(),
            &AtomicBool::new(false),
            &mut |_| {},
        );
        assert!(matches!(result, Err(ContextError::Root { .. })));
    }
}
