//! `COPY`/`ADD`: sizes from the build context, here-documents, earlier stages; and a record of
//! where things landed in each stage's filesystem, so a later `COPY --from=<stage> <path>` can
//! be sized from what is known about that path, and an install step can find the lockfile a
//! `COPY` put in its working directory.

use layerwise_analysis::build_context::{BuildContext, SourceStatus};

use super::{Amount, SizeEstimate, SizeSource, Total};

/// What a stage's filesystem is known to hold at an absolute path.
#[derive(Debug, Clone)]
pub(super) struct Produced {
    /// Absolute, clean image path where it landed.
    pub at: String,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub(super) enum Origin {
    /// A build-context path (context-relative, "" for the root) copied to `at`: a directory's
    /// contents land inside `at`, a file lands as `at`.
    Context { path: String, is_dir: bool },
    /// The output of a step with a known estimate (e.g. `node_modules` from `npm ci`).
    Estimate(SizeEstimate),
}

/// A clean absolute image path: `.`/`..`/empty elements resolved, no trailing slash.
pub(super) fn clean_abs(path: &str) -> String {
    format!("/{}", crate::clean_path::clean(path))
}

/// `path` against the working directory.
pub(super) fn resolve(workdir: &str, path: &str) -> String {
    if path.starts_with('/') {
        clean_abs(path)
    } else {
        clean_abs(&format!("{workdir}/{path}"))
    }
}

/// `Some(rest)` when `path` is `dir` or inside it (`rest` is "" for `dir` itself).
pub(super) fn within<'a>(path: &'a str, dir: &str) -> Option<&'a str> {
    if dir == "/" {
        return Some(path.trim_start_matches('/'));
    }
    let rest = path.strip_prefix(dir)?;
    if rest.is_empty() {
        Some("")
    } else {
        rest.strip_prefix('/')
    }
}

fn join_ctx(dir: &str, rest: &str) -> String {
    match (dir.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (false, true) => dir.to_string(),
        (false, false) => format!("{dir}/{rest}"),
    }
}

fn base_name(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Estimates a `COPY`/`ADD` from the build context and records where its sources land.
/// `sources` and `dest` are expanded; `dest` is absolute (resolved against `WORKDIR`).
pub(super) fn from_context(
    ctx: &BuildContext,
    sources: &[String],
    dest: &str,
    dest_is_dir: bool,
    is_add: bool,
    produced: &mut Vec<Produced>,
) -> SizeEstimate {
    let refs: Vec<&str> = sources.iter().map(String::as_str).collect();
    let size = ctx.copy_size(&refs);
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    for s in &size.sources {
        match &s.status {
            SourceStatus::Found => {}
            SourceStatus::NotFound => {
                problems.push(format!("`{}` is not in the build context", s.source))
            }
            SourceStatus::NoMatch => notes.push(format!("`{}` matches nothing", s.source)),
            SourceStatus::Excluded { .. } => {
                problems.push(format!("`{}` is excluded by .dockerignore", s.source))
            }
            SourceStatus::DanglingSymlink => {
                problems.push(format!("`{}` is a dangling symlink", s.source))
            }
            SourceStatus::NotInContext => {}
            SourceStatus::InvalidPattern(e) => problems.push(format!("`{}`: {e}", s.source)),
        }
        let many = sources.len() > 1 || dest_is_dir;
        for m in &s.matched {
            let is_dir = m.is_empty() || ctx.entry(m).is_some_and(|e| e.is_dir());
            let at = if is_dir {
                dest.to_string()
            } else if many || has_wildcard(&s.source) {
                clean_abs(&format!("{dest}/{}", base_name(m)))
            } else {
                dest.to_string()
            };
            produced.push(Produced {
                at,
                origin: Origin::Context {
                    path: m.clone(),
                    is_dir,
                },
            });
        }
    }
    let mut note = format!(
        "{} file{}, {} from the build context{}",
        size.files,
        if size.files == 1 { "" } else { "s" },
        layerwise_analysis::image_facts::format_bytes(size.bytes),
        if ctx.ignore().is_some() {
            " (.dockerignore applied)"
        } else {
            " (no .dockerignore)"
        }
    );
    if !size.complete {
        note.push_str("; the context was not read in full, so this is a lower bound");
    }
    if is_add
        && sources.iter().any(|s| {
            [".tar", ".tgz", ".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst"]
                .iter()
                .any(|x| s.ends_with(x))
        })
    {
        note.push_str("; ADD unpacks local archives, which take more room unpacked");
    }
    for n in notes.iter().chain(problems.iter()) {
        note.push_str("; ");
        note.push_str(n);
    }
    if !problems.is_empty() {
        note.push_str(" (the build fails)");
    }
    let mut e = SizeEstimate::new(
        Amount::Bytes(size.bytes),
        false,
        SizeSource::BuildContext,
        note,
    );
    // An incomplete walk or an unpacked archive: the real figure may be larger.
    e.plus_unknown = !size.complete
        || is_add
            && sources
                .iter()
                .any(|s| s.contains(".tar") || s.ends_with(".tgz"));
    e
}

/// Sizes `COPY --from=<stage> <sources>` from what the source stage is known to hold.
/// `unknown_writes` are the working directories of that stage's steps of unknown size.
pub(super) fn from_stage(
    ctx: Option<&BuildContext>,
    stage: usize,
    stage_label: &str,
    sources: &[String],
    produced: &[Produced],
    unknown_writes: &[String],
) -> SizeEstimate {
    let mut total = Total::default();
    let mut explained = Vec::new();
    let mut unexplained = Vec::new();
    for src in sources {
        let p = clean_abs(src);
        if has_wildcard(&p) {
            unexplained.push(src.clone());
            continue;
        }
        let mut found = false;
        // Later records overwrite earlier ones at the same place, so walk backwards: a record
        // that holds all of `p` ends the walk; records inside `p` count unless a later one
        // already covered their place.
        let mut counted: Vec<&str> = Vec::new();
        for rec in produced.iter().rev() {
            let covers = within(&p, &rec.at);
            let inside = within(&rec.at, &p).is_some();
            if covers.is_none() && !inside {
                continue;
            }
            if inside && counted.iter().any(|c| within(&rec.at, c).is_some()) {
                continue;
            }
            let mut hit = false;
            match &rec.origin {
                Origin::Context { path, is_dir } => {
                    let ctx_path = match covers {
                        Some(rest) if !is_dir && !rest.is_empty() => continue,
                        Some(rest) => join_ctx(path, rest),
                        None => path.clone(),
                    };
                    let Some(ctx) = ctx else { continue };
                    let size = ctx.copy_size(&[ctx_path.as_str()]);
                    if size.sources.first().map(|s| &s.status) == Some(&SourceStatus::Found) {
                        total.add(Amount::Bytes(size.bytes), !counted.is_empty());
                        hit = true;
                    }
                }
                Origin::Estimate(e) => {
                    if inside {
                        total.add_total(&e.to_total());
                    } else {
                        // Part of a step's output: its share is unknown.
                        total.unknown += 1;
                    }
                    hit = true;
                }
            }
            if hit {
                found = true;
                if covers.is_some() {
                    break;
                }
                counted.push(&rec.at);
            }
        }
        // Steps of unknown size that ran inside the copied folder may have written there.
        if unknown_writes.iter().any(|w| within(w, &p).is_some()) {
            total.unknown += 1;
        }
        if found {
            explained.push(src.clone());
        } else {
            unexplained.push(src.clone());
        }
    }
    total.unknown = total
        .unknown
        .saturating_add(u32::try_from(unexplained.len()).unwrap_or(u32::MAX));
    let mut note = format!("files of stage `{stage_label}`");
    if !explained.is_empty() {
        note.push_str(&format!(
            ": {} known from what earlier steps put there",
            explained.join(", ")
        ));
    }
    if !unexplained.is_empty() {
        note.push_str(&format!(
            "; {} made by steps layerwise cannot size (a build output?)",
            unexplained.join(", ")
        ));
    }
    SizeEstimate::from_total(&total, SizeSource::StageFiles(stage), note)
}

/// Where a file at an absolute image path came from in the build context, if a `COPY` put it
/// there (the latest such `COPY` wins).
pub(super) fn context_path_of(produced: &[Produced], image_path: &str) -> Option<String> {
    for rec in produced.iter().rev() {
        if let Origin::Context { path, is_dir } = &rec.origin {
            if let Some(rest) = within(image_path, &rec.at) {
                if rest.is_empty() && !is_dir {
                    return Some(path.clone());
                }
                if *is_dir && !rest.is_empty() {
                    return Some(join_ctx(path, rest));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_like_the_builder() {
        assert_eq!(clean_abs("/a/./b/../c/"), "/a/c");
        assert_eq!(clean_abs("../.."), "/");
        assert_eq!(resolve("/app", "dist"), "/app/dist");
        assert_eq!(resolve("/app", "/x/y"), "/x/y");
        assert_eq!(within("/app/dist/x", "/app"), Some("dist/x"));
        assert_eq!(within("/app", "/app"), Some(""));
        assert_eq!(within("/apple", "/app"), None);
        assert_eq!(within("/x", "/"), Some("x"));
    }

    #[test]
    fn context_paths_map_back_through_copies() {
        let produced = vec![
            Produced {
                at: "/app".into(),
                origin: Origin::Context {
                    path: String::new(),
                    is_dir: true,
                },
            },
            Produced {
                at: "/app/package-lock.json".into(),
                origin: Origin::Context {
                    path: "web/package-lock.json".into(),
                    is_dir: false,
                },
            },
        ];
        assert_eq!(
            context_path_of(&produced, "/app/package-lock.json").as_deref(),
            Some("web/package-lock.json")
        );
        assert_eq!(
            context_path_of(&produced, "/app/requirements.txt").as_deref(),
            Some("requirements.txt")
        );
        assert_eq!(context_path_of(&produced, "/other/x"), None);
    }
}
