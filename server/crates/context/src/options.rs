//! Limits and progress reporting for a walk.

use std::time::Duration;

/// Bounds on a walk. When one is reached the snapshot says so
/// ([`layerwise_analysis::build_context::WalkStatus::Truncated`]) and sizes become lower bounds.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Files, directories and symlinks recorded before the walk stops.
    pub max_entries: usize,
    /// Directories more than this many levels below the root are recorded but not entered.
    pub max_depth: usize,
    /// Wall-clock budget; `None` for no limit.
    pub time_limit: Option<Duration>,
    /// The progress callback runs after every this many entries (and once at the end).
    pub progress_every: usize,
}

impl Default for WalkOptions {
    /// Generous for real projects (a big monorepo with `node_modules` excluded is well under
    /// this), small enough that an editor never stalls on a home directory opened by mistake.
    fn default() -> WalkOptions {
        WalkOptions {
            max_entries: 200_000,
            max_depth: 64,
            time_limit: Some(Duration::from_secs(10)),
            progress_every: 2_000,
        }
    }
}

/// A progress report.
#[derive(Debug, Clone, Copy)]
pub struct WalkProgress<'a> {
    /// Entries recorded so far.
    pub entries: usize,
    /// Bytes of regular files recorded so far (before `.dockerignore` is applied).
    pub bytes: u64,
    /// The directory being listed ("" for the root).
    pub current_dir: &'a str,
    /// `true` on the final report.
    pub done: bool,
}
