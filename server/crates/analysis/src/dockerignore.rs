//! `.dockerignore` parsing and matching with Docker's semantics.
//!
//! Docker's rules differ from `.gitignore` in ways users trip over, so we do not reuse a
//! gitignore crate:
//!
//! - Every pattern is anchored at the context root: `foo` matches `foo` and `foo/x`, never
//!   `a/foo` (write `**/foo` for that). A leading `/` changes nothing.
//! - Patterns are cleaned like a path, so a trailing `/` is dropped: `foo/` also excludes a
//!   *file* named `foo`. There are no directory-only patterns.
//! - `*` and `?` never cross `/`; `**` matches any number of whole directories.
//! - A pattern that matches a directory excludes everything below it.
//! - `!pattern` re-includes; the last matching line wins (in the exact order Docker evaluates,
//!   see [`DockerIgnore::evaluate`]).
//! - Only a line *starting* with `#` is a comment; `[!a]` is not a negated class (`[^a]` is).
//!
//! Matching follows BuildKit: paths are decided top-down, each directory passing its per-pattern
//! results to its children (moby/patternmatcher's "parent results" mode, used by
//! tonistiigi/fsutil when sending the context). Invalid lines are reported with their line
//! number and left out of matching; note that Docker itself refuses to build with such a file.

mod clean;
mod pattern;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub(crate) use clean::{clean, clean_in_context};
use pattern::{CompileError, Matcher};

/// Lines longer than this make Docker's line scanner fail (`bufio.Scanner`'s default limit).
const MAX_LINE_BYTES: usize = 64 * 1024;
/// More patterns than this are not compiled: each path is checked against every pattern.
pub const MAX_PATTERNS: usize = 10_000;

/// A parsed `.dockerignore` file.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
    errors: Vec<PatternError>,
    /// Set when some exception (`!...`) contains wildcard characters; then BuildKit walks into
    /// every excluded directory, because anything below might be re-included.
    wildcard_exceptions: bool,
}

/// One usable pattern line.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// 1-based line number in the file.
    pub line: u32,
    /// The line as written, whitespace-trimmed (for display).
    pub source: String,
    /// The cleaned pattern Docker matches with, without the leading `!`.
    pub pattern: String,
    /// `true` for `!pattern` lines, which re-include what earlier lines excluded.
    pub exception: bool,
    matcher: Matcher,
}

/// A line that could not be turned into a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// 1-based line number in the file.
    pub line: u32,
    /// The line as written, whitespace-trimmed.
    pub source: String,
    pub message: String,
    pub kind: PatternErrorKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternErrorKind {
    /// Docker rejects this line too: a build with this file fails.
    Invalid,
    /// Docker gives the line a meaning layerwise does not reproduce (and in rare cases, such
    /// as `[*{2}]`, rejects it); the line is ignored when layerwise matches paths, so answers
    /// may differ from Docker's.
    Unsupported,
}

/// Docker's per-pattern results for one directory, handed to its children
/// (patternmatcher's `MatchInfo`). Start a walk with [`MatchState::default`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchState {
    matched: Vec<bool>,
}

/// The answer for one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Decision {
    /// `true` when Docker leaves the path out of the build context.
    pub excluded: bool,
    /// The pattern that settled the answer, if any pattern matched.
    pub decided_by: Option<DecidedBy>,
}

/// Which pattern settled a [`Decision`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecidedBy {
    /// Index into [`DockerIgnore::patterns`].
    pub index: usize,
    /// 1-based line number in the file.
    pub line: u32,
    /// `true` when the deciding line was an exception (`!...`), so the path is included.
    pub exception: bool,
}

impl DockerIgnore {
    /// Parses the text of a `.dockerignore` file the way Docker reads it: a UTF-8 BOM is
    /// dropped, lines split on `\n` (a trailing `\r` removed), lines *starting* with `#` are
    /// comments, surrounding whitespace is trimmed, blank lines skipped, `!` marks an exception,
    /// and each pattern is cleaned like a path with a leading `/` removed.
    pub fn parse(text: &str) -> DockerIgnore {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut ignore = DockerIgnore::default();
        for (index, raw) in text.split('\n').enumerate() {
            let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if raw.starts_with('#') {
                continue;
            }
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                continue;
            }
            let error = |message: String, kind| PatternError {
                line,
                source: trimmed.to_owned(),
                message,
                kind,
            };
            if raw.len() > MAX_LINE_BYTES {
                ignore.errors.push(error(
                    format!("line is longer than {MAX_LINE_BYTES} bytes; Docker cannot read it"),
                    PatternErrorKind::Invalid,
                ));
                continue;
            }
            if ignore.patterns.len() >= MAX_PATTERNS {
                ignore.errors.push(error(
                    format!("more than {MAX_PATTERNS} patterns; layerwise ignores the rest"),
                    PatternErrorKind::Unsupported,
                ));
                continue;
            }
            match normalize(trimmed) {
                Err(message) => ignore
                    .errors
                    .push(error(message, PatternErrorKind::Invalid)),
                Ok((exception, cleaned)) => match pattern::compile(&cleaned) {
                    Ok(matcher) => {
                        if exception && has_wildcards(trim_trailing_glob(&cleaned)) {
                            ignore.wildcard_exceptions = true;
                        }
                        ignore.patterns.push(Pattern {
                            line,
                            source: trimmed.to_owned(),
                            pattern: cleaned,
                            exception,
                            matcher,
                        });
                    }
                    Err(CompileError::Invalid(message)) => {
                        ignore
                            .errors
                            .push(error(message, PatternErrorKind::Invalid));
                    }
                    Err(CompileError::Unsupported(message)) => {
                        ignore
                            .errors
                            .push(error(message, PatternErrorKind::Unsupported));
                    }
                },
            }
        }
        ignore
    }

    /// The usable patterns, in file order.
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// Lines that could not be used, in file order.
    pub fn errors(&self) -> &[PatternError] {
        &self.errors
    }

    /// `true` when the file has at least one `!` exception.
    pub fn has_exceptions(&self) -> bool {
        self.patterns.iter().any(|p| p.exception)
    }

    /// Decides one path given its parent directory's [`MatchState`] (use the default state for
    /// entries at the context root), returning the decision and the state to hand to this
    /// path's children if it is a directory. `path` is the full context-relative path,
    /// `/`-separated and clean (as produced by a walk).
    ///
    /// Docker's order of evaluation: patterns are taken in file order with a running verdict;
    /// an inclusion pattern is only tested while the path is not yet excluded and an exception
    /// only while it is, but a pattern that matched a parent directory always applies. The
    /// last pattern that applied decides.
    pub fn evaluate(&self, path: &str, parent: &MatchState) -> (Decision, MatchState) {
        let mut decision = Decision::default();
        let mut matched = vec![false; self.patterns.len()];
        for (index, pattern) in self.patterns.iter().enumerate() {
            let mut hit = parent.matched.get(index).copied().unwrap_or(false);
            if !hit {
                if pattern.exception != decision.excluded {
                    continue;
                }
                hit = pattern.matcher.matches(path);
            }
            matched[index] = hit;
            if hit {
                decision.excluded = !pattern.exception;
                decision.decided_by = Some(DecidedBy {
                    index,
                    line: pattern.line,
                    exception: pattern.exception,
                });
            }
        }
        (decision, MatchState { matched })
    }

    /// Decides a context-relative path by evaluating each of its ancestors from the root.
    /// The path is cleaned first (`./a//b/` is `a/b`); the context root itself and paths that
    /// leave the context are never excluded.
    pub fn decide(&self, path: &str) -> Decision {
        let cleaned = clean(path);
        let cleaned = cleaned.trim_start_matches('/');
        if cleaned.is_empty() || cleaned == "." || cleaned == ".." || cleaned.starts_with("../") {
            return Decision::default();
        }
        let mut state = MatchState::default();
        let mut decision = Decision::default();
        let ends = cleaned
            .match_indices('/')
            .map(|(at, _)| at)
            .chain(std::iter::once(cleaned.len()));
        for end in ends {
            let (d, s) = self.evaluate(&cleaned[..end], &state);
            decision = d;
            state = s;
        }
        decision
    }

    /// `true` when Docker leaves `path` out of the build context.
    ///
    /// `is_dir` does not change the answer: Docker's patterns cannot tell files from
    /// directories (`foo/` is cleaned to `foo` and excludes a file named `foo` too). It is in
    /// the signature so callers coming from `.gitignore` semantics need not know that. For a
    /// directory, `true` does not mean nothing below it is sent: an exception may re-include a
    /// descendant, and Docker then sends the directory too.
    pub fn is_excluded(&self, path: &str, is_dir: bool) -> bool {
        let _ = is_dir;
        self.decide(path).excluded
    }

    /// Whether a walker may skip the contents of an excluded directory, by BuildKit's rule:
    /// yes if there are no exceptions; no if some exception has wildcards (anything below could
    /// be re-included); otherwise only if no exception names a path inside `dir`.
    /// Skipping exactly when BuildKit does keeps our snapshot equal to what it would send.
    pub fn can_skip_dir(&self, dir: &str, decision: &Decision) -> bool {
        if !decision.excluded {
            return false;
        }
        if self.wildcard_exceptions {
            return false;
        }
        let dir_slash = format!("{dir}/");
        !self.patterns.iter().filter(|p| p.exception).any(|p| {
            let mut named = trim_trailing_glob(&p.pattern).to_owned();
            named.push('/');
            named.starts_with(&dir_slash)
        })
    }
}

/// BuildKit ignores a trailing `/**` or `/*` on exceptions when deciding whether to skip.
fn trim_trailing_glob(pattern: &str) -> &str {
    let pattern = pattern.strip_suffix("/**").unwrap_or(pattern);
    pattern.strip_suffix("/*").unwrap_or(pattern)
}

/// The characters that make BuildKit treat an exception as a wildcard pattern.
fn has_wildcards(pattern: &str) -> bool {
    pattern.contains(['*', '[', ']', '?', '^', '\\'])
}

/// Turns a trimmed, non-comment line into `(is_exception, cleaned pattern)`, in the two steps
/// Docker uses (reading the file, then building the matcher). The second step re-cleans the
/// whole text *including* `!`, which is why `/!foo` is an exception and `!/` is an error.
fn normalize(trimmed: &str) -> Result<(bool, String), String> {
    // Step 1: the ignore-file reader.
    let (invert, rest) = match trimmed.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, trimmed),
    };
    let mut read = String::new();
    if !rest.is_empty() {
        read = clean(rest);
        if read.len() > 1 {
            if let Some(stripped) = read.strip_prefix('/') {
                read = stripped.to_owned();
            }
        }
    }
    if invert {
        read.insert(0, '!');
    }
    // Step 2: the matcher.
    let again = clean(read.trim());
    match again.strip_prefix('!') {
        Some("") => Err("`!` needs a pattern after it".to_owned()),
        Some(rest) => Ok((true, rest.to_owned())),
        None => Ok((false, again)),
    }
}

/// The ignore files BuildKit considers for a build, most specific first: the first that exists
/// is used and the others are ignored (they are not merged).
///
/// `<Dockerfile name>.dockerignore` next to the Dockerfile (e.g. `build/app.Dockerfile` uses
/// `build/app.Dockerfile.dockerignore`), then `.dockerignore` at the context root. With no
/// Dockerfile path (e.g. a Dockerfile read from stdin) only the latter applies. The legacy
/// builder (`DOCKER_BUILDKIT=0`) reads only `.dockerignore`.
pub fn ignore_file_candidates(context_root: &Path, dockerfile: Option<&Path>) -> Vec<PathBuf> {
    let mut candidates = Vec::with_capacity(2);
    if let Some(dockerfile) = dockerfile {
        if let Some(name) = dockerfile.file_name() {
            let mut specific = name.to_os_string();
            specific.push(".dockerignore");
            candidates.push(dockerfile.with_file_name(specific));
        }
    }
    candidates.push(context_root.join(".dockerignore"));
    candidates
}
