//! What layerwise knows about a Dockerfile's surroundings (does IO): the settings files that
//! apply to it, its build context, and the image facts available without waiting on the
//! network. The CLI and the language server both build their [`Facts`] here.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use layerwise_analysis::image_facts::{ImageFacts, Platform, VariantSize};
use layerwise_analysis::{Base, Model, RefTarget};
use layerwise_context::{snapshot, WalkOptions};
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
/// .` next to it uses). Bounded by `options`.
pub fn context_facts(dockerfile: &Path, options: &WalkOptions, cancel: &AtomicBool) -> Facts {
    let root = dockerfile
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut facts = Facts::default();
    if let Ok(ctx) = snapshot(root, Some(dockerfile), options, cancel, &mut |_| {}) {
        facts.dockerignore = Some(ctx.ignore().map(|i| i.ignore.clone()));
        facts.context = Some(std::sync::Arc::new(ctx));
    }
    facts
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
