//! What layerwise knows about a Dockerfile's surroundings (does IO): the settings files that
//! apply to it, its build context, and the image facts available without waiting on the
//! network. The CLI and the language server both build their [`Facts`] here.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use layerwise_analysis::build_context::{TruncationReason, WalkStatus};
use layerwise_analysis::image_facts::{ImageFacts, Platform, VariantSize};
use layerwise_analysis::{Base, Model, RefTarget};
use layerwise_context::{snapshot, BuildContext, ContextError, WalkOptions};
use layerwise_lint::{Config, Facts};
use layerwise_registry::Registry;

/// Settings file names, looked up from the Dockerfile's folder upwards.
pub const CONFIG_FILE: &str = "layerwise.toml";
pub const HADOLINT_FILES: &[&str] = &[".hadolint.yaml", ".hadolint.yml"];

/// The config for a Dockerfile: `.hadolint.yaml` first, then `layerwise.toml` on top (both
/// the nearest one found walking up from the file's folder).
pub fn load_config(dockerfile: &Path) -> (Config, Vec<PathBuf>) {
    let mut config = Config::default();
    let mut used = Vec::new();
    let dir = dockerfile.parent().unwrap_or(Path::new("."));
    if let Some(p) = find_upwards(dir, HADOLINT_FILES) {
        match std::fs::read_to_string(&p) {
            Ok(text) => config.merge_hadolint_yaml(&text, &p.display().to_string()),
            Err(e) => config
                .warnings
                .push(format!("cannot read {}: {e}", p.display())),
        }
        used.push(p);
    }
    if let Some(p) = find_upwards(dir, &[CONFIG_FILE]) {
        match std::fs::read_to_string(&p) {
            Ok(text) => config.merge_toml(&text, &p.display().to_string()),
            Err(e) => config
                .warnings
                .push(format!("cannot read {}: {e}", p.display())),
        }
        used.push(p);
    }
    (config, used)
}

/// The nearest of `names` in `dir` or its ancestors (stops at a `.git` folder's parent).
pub fn find_upwards(dir: &Path, names: &[&str]) -> Option<PathBuf> {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    for d in dir.ancestors() {
        for n in names {
            let p = d.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
        if d.join(".git").exists() {
            break;
        }
    }
    None
}

/// Build-context facts for a Dockerfile whose context is its own folder (what `docker build
/// .` next to it uses). Bounded by `options`. A folder that cannot be read gives no facts: the
/// context rules then stay quiet, as when no context was asked for.
pub fn context_facts(dockerfile: &Path, options: &WalkOptions, cancel: &AtomicBool) -> Facts {
    let root = dockerfile
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    context_facts_at(root, dockerfile, options, cancel).unwrap_or_default()
}

/// Build-context facts for a Dockerfile built with `root` as its context (`docker build -f
/// DOCKERFILE ROOT`): the walked snapshot and its `.dockerignore`. Bounded by `options`.
pub fn context_facts_at(
    root: &Path,
    dockerfile: &Path,
    options: &WalkOptions,
    cancel: &AtomicBool,
) -> Result<Facts, ContextError> {
    let ctx = snapshot(root, Some(dockerfile), options, cancel, &mut |_| {})?;
    Ok(Facts {
        dockerignore: Some(ctx.ignore().map(|i| i.ignore.clone())),
        context: Some(std::sync::Arc::new(ctx)),
        ..Facts::default()
    })
}

/// What to tell the user when the walk of `ctx` stopped early (too many entries, too deep, out
/// of time, cancelled), or `None` when it saw everything. Why say it: sizes from a cut-short
/// context are lower bounds, and the rules about its files go quiet or say less, which
/// otherwise looks like a clean result.
pub fn context_walk_note(ctx: &BuildContext) -> Option<String> {
    let WalkStatus::Truncated(t) = ctx.status() else {
        return None;
    };
    let why = match t.reason {
        TruncationReason::MaxEntries { limit } => format!("the walk stopped after {limit} entries"),
        TruncationReason::MaxDepth { limit } => {
            format!("folders more than {limit} levels deep were not entered")
        }
        TruncationReason::TimeLimit => "the walk ran out of time".to_string(),
        TruncationReason::Cancelled => "the walk was cancelled".to_string(),
    };
    // A path can be 64 folders deep: keep its end, which says where.
    const MAX_PATH_CHARS: usize = 80;
    let count = t.path.chars().count();
    let at = match count {
        0 => String::new(),
        n if n <= MAX_PATH_CHARS => format!(", at `{}`", t.path),
        n => {
            let tail: String = t.path.chars().skip(n + 1 - MAX_PATH_CHARS).collect();
            format!(", at `…{tail}`")
        }
    };
    Some(format!(
        "the build context `{}` was not read in full ({why}{at}): sizes from it are lower bounds \
         and the rules about its files may miss problems",
        ctx.root()
    ))
}

/// Image facts that need no network (the disk/memory cache, else the offline catalogue),
/// and slimmer variants of each image, keyed by canonical reference.
pub fn offline_image_facts(
    model: &Model,
    registry: &Registry,
    default_platform: Option<&Platform>,
) -> (
    HashMap<String, ImageFacts>,
    HashMap<String, Vec<VariantSize>>,
) {
    let mut out = HashMap::new();
    let mut variants = HashMap::new();
    let images = model
        .stages
        .iter()
        .filter_map(|s| match &s.base {
            Base::Image(r) => Some((r, s.platform.as_deref())),
            _ => None,
        })
        .chain(model.refs.iter().filter_map(|r| match &r.target {
            RefTarget::Image(i) => Some((i, None)),
            _ => None,
        }));
    // A big file names the same few images hundreds of times: look each up once.
    let mut seen = std::collections::HashSet::new();
    for (image, platform_text) in images {
        if !seen.insert((image, platform_text)) {
            continue;
        }
        let platform = platform_text.and_then(|p| Platform::parse(p).ok());
        let platform = platform.as_ref().or(default_platform);
        let facts = registry
            .cached_facts(image, platform)
            .or_else(|| registry.catalogue_facts(image, platform));
        let size = facts.as_ref().and_then(|f| f.compressed_size());
        let slimmer = registry.slimmer_variants(image, platform, size);
        if !slimmer.is_empty() {
            variants.insert(image.canonical(), slimmer);
        }
        if let Some(f) = facts {
            out.insert(image.canonical(), f);
        }
    }
    (out, variants)
}

#[cfg(test)]
mod tests {
    use super::*;
    use layerwise_analysis::build_context::{RawContext, Truncation};

    fn context(status: WalkStatus) -> BuildContext {
        let mut raw = RawContext::new("/src/app", Vec::new());
        raw.status = status;
        BuildContext::new(raw)
    }

    fn truncated(reason: TruncationReason, path: &str) -> Option<String> {
        context_walk_note(&context(WalkStatus::Truncated(Truncation {
            reason,
            path: path.into(),
        })))
    }

    #[test]
    fn a_complete_walk_has_no_note() {
        assert_eq!(context_walk_note(&context(WalkStatus::Complete)), None);
    }

    #[test]
    fn a_cut_short_walk_says_why_and_where() {
        let note = truncated(TruncationReason::MaxEntries { limit: 200_000 }, "d0199").unwrap();
        assert!(note.contains("`/src/app` was not read in full"), "{note}");
        assert!(
            note.contains("stopped after 200000 entries, at `d0199`"),
            "{note}"
        );
        assert!(note.contains("lower bounds"), "{note}");
        let note = truncated(TruncationReason::TimeLimit, "").unwrap();
        assert!(note.contains("(the walk ran out of time)"), "{note}");
        let deep = "d/".repeat(70);
        let note = truncated(TruncationReason::MaxDepth { limit: 64 }, &deep).unwrap();
        assert!(note.contains("more than 64 levels deep"), "{note}");
        assert!(
            note.contains(&format!("at `…{}`", &deep[deep.len() - 79..])),
            "{note}"
        );
        let note = truncated(TruncationReason::Cancelled, "x").unwrap();
        assert!(note.contains("cancelled"), "{note}");
    }

    #[test]
    fn context_facts_at_reads_the_given_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("docker")).unwrap();
        std::fs::write(dir.path().join("app.js"), "x").unwrap();
        std::fs::write(dir.path().join(".dockerignore"), "secret\n").unwrap();
        let dockerfile = dir.path().join("docker/Dockerfile");
        std::fs::write(&dockerfile, "FROM scratch\n").unwrap();
        let cancel = AtomicBool::new(false);
        let at =
            context_facts_at(dir.path(), &dockerfile, &WalkOptions::default(), &cancel).unwrap();
        assert!(at.context.as_ref().is_some_and(|c| c.exists("app.js")));
        assert!(matches!(at.dockerignore, Some(Some(_))));
        // Next to the file, the context is `docker/`, which has neither.
        let next = context_facts(&dockerfile, &WalkOptions::default(), &cancel);
        assert!(next.context.as_ref().is_some_and(|c| !c.exists("app.js")));
        assert!(matches!(next.dockerignore, Some(None)));
        let missing = dir.path().join("nope");
        assert!(context_facts_at(&missing, &dockerfile, &WalkOptions::default(), &cancel).is_err());
    }
}
