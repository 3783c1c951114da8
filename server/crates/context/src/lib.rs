//! Walks a build context on disk into a [`BuildContext`] snapshot (does IO).
//!
//! The walk mirrors what `docker build` (BuildKit) sends: it reads the ignore file Docker would
//! use, never follows symlinks (Docker sends links as links, so loops and links out of the
//! context cost nothing), skips sockets, FIFOs and devices, and does not enter directories that
//! `.dockerignore` excludes in the places BuildKit does not enter them either. It is bounded
//! (entries, depth, time), cancellable, reports progress, and records what it could not read
//! instead of failing. All answers about the snapshot live in `layerwise_analysis`.

mod ignore_file;
mod options;
mod walk;

pub use ignore_file::read_ignore_file;
pub use layerwise_analysis::build_context::BuildContext;
pub use options::{WalkOptions, WalkProgress};
pub use walk::walk;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// Why no snapshot could be made at all. Problems below the root are recorded in the
/// snapshot instead.
#[derive(Debug)]
pub enum ContextError {
    /// The context directory does not exist, is not a directory, or cannot be listed.
    Root {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The ignore file exists but cannot be read (Docker fails the build in that case too).
    IgnoreFile {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContextError::Root { path, error } => {
                write!(f, "cannot read build context {}: {error}", path.display())
            }
            ContextError::IgnoreFile { path, error } => {
                write!(f, "cannot read ignore file {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for ContextError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ContextError::Root { error, .. } | ContextError::IgnoreFile { error, .. } => {
                Some(error)
            }
        }
    }
}

/// Reads the ignore file that applies (see [`read_ignore_file`]) and walks the context with it.
pub fn snapshot(
    context_root: &Path,
    dockerfile: Option<&Path>,
    options: &WalkOptions,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&WalkProgress<'_>),
) -> Result<BuildContext, ContextError> {
    let ignore = read_ignore_file(context_root, dockerfile)?;
    walk(context_root, ignore, options, cancel, progress)
}
