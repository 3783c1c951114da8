//! Server state shared by every handler: open documents, settings, what the client can do,
//! the registry client, and cached facts (settings files, build contexts, image facts).
//! Locks are held only for quick copies, never across an `.await` or a long computation.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use layerwise_analysis::build_context::BuildContext;
use layerwise_analysis::dockerignore::DockerIgnore;
use layerwise_analysis::image_facts::Platform;
use layerwise_analysis::ModelOptions;
use layerwise_ide::Analysis;
use layerwise_lint::{Config, Facts};
use layerwise_registry::{Registry, RegistrySettings};
use layerwise_syntax::Dockerfile;

use crate::document::{AnalysisKey, Document};
use crate::position::Encoding;
use crate::settings::Settings;
use crate::types::Uri;

/// What the client told us it supports.
#[derive(Debug, Clone, Default)]
pub struct ClientCaps {
    pub encoding: Encoding,
    pub pull_diagnostics: bool,
    pub configuration: bool,
    pub inlay_hint_refresh: bool,
    pub code_lens_refresh: bool,
    pub semantic_tokens_refresh: bool,
    pub diagnostic_refresh: bool,
    pub work_done_progress: bool,
    pub snippets: bool,
    pub dynamic_watchers: bool,
    pub apply_edit: bool,
}

/// The build context of one folder, once walked.
#[derive(Clone)]
pub struct ContextFacts {
    pub context: Option<Arc<BuildContext>>,
    pub dockerignore: Option<Option<DockerIgnore>>,
}

pub struct State {
    pub docs: Mutex<HashMap<Uri, Document>>,
    pub settings: RwLock<Settings>,
    pub caps: RwLock<ClientCaps>,
    pub registry: RwLock<Registry>,
    /// Build contexts by folder; `None` while a walk is running.
    pub contexts: Mutex<HashMap<PathBuf, Option<ContextFacts>>>,
    /// Settings files by the Dockerfile's folder.
    pub configs: Mutex<HashMap<PathBuf, Arc<Config>>>,
    /// Image references whose registry lookup is running or failed recently.
    pub image_lookups: Mutex<HashSet<String>>,
    pub workspace_folders: RwLock<Vec<PathBuf>>,
    pub shutting_down: AtomicBool,
    /// Bumped whenever settings or facts change, so analyses computed before are not reused.
    pub generation: AtomicU64,
}

/// The registry client for `settings`, and what to tell the user when the settings cannot be
/// used as given (an unreadable CA certificate...): the server then works offline, from the
/// disk cache and the catalogue, rather than quietly trusting less or failing every lookup.
pub fn registry_for(settings: &Settings) -> (Registry, Option<String>) {
    let s = &settings.registry;
    let mut refused = Vec::new();
    let ca_certificates = s
        .ca_certificates
        .iter()
        .filter(|p| !p.is_empty())
        .filter_map(|p| machine_path(p, "caCertificates", &mut refused))
        .collect();
    let docker_config_dir = (!s.docker_config.is_empty())
        .then(|| machine_path(&s.docker_config, "dockerConfig", &mut refused))
        .flatten();
    let rs = RegistrySettings {
        offline: s.offline,
        registry_mirrors: s.mirrors.clone(),
        insecure_registries: s.insecure.clone(),
        default_platform: Platform::parse(&s.platform).ok(),
        cache_dir: (!s.cache_dir.is_empty()).then(|| PathBuf::from(&s.cache_dir)),
        tag_ttl_secs: s.tag_ttl_seconds,
        ca_certificates,
        docker_config_dir,
        ..RegistrySettings::default()
    };
    let refused = (!refused.is_empty()).then(|| {
        format!(
            "layerwise: ignored {}: paths to credentials and certificates must be absolute \
             (a relative one would be read from the folder the editor started the server in)",
            refused.join(", ")
        )
    });
    match Registry::new(rs.clone()) {
        Ok(r) => (r, refused),
        Err(e) => {
            let problem = format!(
                "layerwise: registry settings unusable ({e}); image sizes come from the disk \
                 cache and the offline catalogue until they are fixed"
            );
            tracing::warn!("{problem}");
            let offline = Registry::new(RegistrySettings {
                offline: true,
                ca_certificates: Vec::new(),
                ..rs
            })
            .expect("offline registry needs no certificates");
            (offline, Some(problem))
        }
    }
}

/// An absolute path from a registry setting (`~/` is the home folder); a relative one is
/// refused and named in `refused`.
fn machine_path(value: &str, key: &str, refused: &mut Vec<String>) -> Option<PathBuf> {
    let path = match value.strip_prefix("~/") {
        Some(rest) => PathBuf::from(std::env::var_os("HOME")?).join(rest),
        None => PathBuf::from(value),
    };
    if path.is_absolute() {
        Some(path)
    } else {
        refused.push(format!("layerwise.registry.{key} {value:?}"));
        None
    }
}

impl State {
    pub fn new() -> Self {
        let settings = Settings::default();
        Self {
            docs: Mutex::new(HashMap::new()),
            registry: RwLock::new(registry_for(&settings).0),
            settings: RwLock::new(settings),
            caps: RwLock::new(ClientCaps::default()),
            contexts: Mutex::new(HashMap::new()),
            configs: Mutex::new(HashMap::new()),
            image_lookups: Mutex::new(HashSet::new()),
            workspace_folders: RwLock::new(Vec::new()),
            shutting_down: AtomicBool::new(false),
            generation: AtomicU64::new(0),
        }
    }

    pub fn caps(&self) -> ClientCaps {
        self.caps.read().map(|c| c.clone()).unwrap_or_default()
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn registry(&self) -> Registry {
        self.registry
            .read()
            .map(|r| r.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    pub fn version(&self, uri: &Uri) -> Option<i32> {
        self.docs.lock().ok()?.get(uri).map(|d| d.version)
    }

    /// Whether `analysis` is no longer the one of `uri`'s current text and facts: the document
    /// changed or closed, or settings or facts changed since (a new generation; the version
    /// alone stays the same then). Its diagnostics are not worth finishing or publishing: a
    /// newer analysis is on its way ([`invalidate_analyses`](Self::invalidate_analyses) is
    /// always followed by a refresh).
    pub fn superseded(&self, uri: &Uri, analysis: &Analysis) -> bool {
        self.version(uri) != Some(analysis.version)
            || self.generation.load(Ordering::Acquire) != analysis.generation
    }

    /// The lock held while a document's diagnostics are computed for publishing.
    pub fn publishing(&self, uri: &Uri) -> Option<Arc<tokio::sync::Mutex<()>>> {
        Some(self.docs.lock().ok()?.get(uri)?.publishing.clone())
    }

    /// The settings files for a Dockerfile (cached per folder).
    pub fn config_for(&self, path: Option<&Path>) -> Arc<Config> {
        let Some(path) = path else {
            return Arc::new(Config::default());
        };
        let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
        if let Some(c) = self.configs.lock().ok().and_then(|m| m.get(&dir).cloned()) {
            return c;
        }
        let (config, _) = layerwise_project::load_config(path);
        let config = Arc::new(config);
        if let Ok(mut m) = self.configs.lock() {
            m.insert(dir, config.clone());
        }
        config
    }

    /// The build context facts for a folder if walked already. `Err(true)` means a walk should
    /// be started (and is now marked as running).
    pub fn context_for(&self, dir: &Path) -> Result<ContextFacts, bool> {
        let Ok(mut m) = self.contexts.lock() else {
            return Err(false);
        };
        match m.get(dir) {
            Some(Some(c)) => Ok(c.clone()),
            Some(None) => Err(false),
            None => {
                m.insert(dir.to_path_buf(), None);
                Err(true)
            }
        }
    }

    /// The analysis of a document's current version (computed and cached on first use).
    /// `start_walk` is told the folder whose build context should be walked in the background.
    pub fn analysis(
        &self,
        uri: &Uri,
        start_walk: &mut dyn FnMut(PathBuf),
    ) -> Option<Arc<Analysis>> {
        let generation = self.generation.load(Ordering::Acquire);
        let (cell, text, tree, version, path) = {
            let mut docs = self.docs.lock().ok()?;
            let d = docs.get_mut(uri)?;
            if let Some((v, a)) = &d.analysis {
                if *v == d.version {
                    return Some(a.clone());
                }
            }
            let key = (d.version, generation);
            let cell = match &d.in_flight {
                Some((k, cell)) if *k == key => cell.clone(),
                _ => {
                    let cell = Arc::new(OnceLock::new());
                    d.in_flight = Some((key, cell.clone()));
                    cell
                }
            };
            (
                cell,
                d.rope.to_string(),
                d.tree.clone(),
                d.version,
                d.path.clone(),
            )
        };
        // One computation per (version, generation); concurrent callers block here until it
        // is done (`OnceLock` runs one initialiser).
        cell.get_or_init(|| {
            self.compute_analysis(uri, text, tree, (version, generation), path, start_walk)
        })
        .clone()
    }

    fn compute_analysis(
        &self,
        uri: &Uri,
        text: String,
        tree: Dockerfile,
        (version, generation): AnalysisKey,
        path: Option<PathBuf>,
        start_walk: &mut dyn FnMut(PathBuf),
    ) -> Option<Arc<Analysis>> {
        let started = std::time::Instant::now();
        let settings = self.settings();
        let config = settings.lint_config(&self.config_for(path.as_deref()));
        let mut facts = Facts {
            trusted_registries: config.trusted_registries.clone(),
            ..Facts::default()
        };
        if settings.context.enabled {
            if let Some(dir) = path.as_deref().and_then(Path::parent) {
                match self.context_for(dir) {
                    Ok(c) => {
                        facts.context = c.context;
                        facts.dockerignore = c.dockerignore;
                    }
                    Err(true) => start_walk(dir.to_path_buf()),
                    Err(false) => {}
                }
            }
        }
        let configured = started.elapsed();
        let platform = Platform::parse(&settings.registry.platform).ok();
        let target_platform = platform
            .as_ref()
            .map_or_else(|| Platform::host().to_string(), |p| p.to_string());
        let mut analysis = Analysis::new(
            text,
            tree,
            ModelOptions {
                target_platform,
                build_args: Vec::new(),
            },
            facts,
            config,
        );
        analysis.version = version;
        analysis.generation = generation;
        let modelled = started.elapsed();
        let (images, variants) = layerwise_project::offline_image_facts(
            &analysis.model,
            &self.registry(),
            platform.as_ref(),
        );
        analysis.facts.images = images;
        analysis.facts.variants = variants;
        let done = started.elapsed();
        tracing::debug!(
            "analysis of {} v{version}: model and facts in {done:.2?} (settings and context \
             {configured:.2?}, model {:.2?}, image facts {:.2?})",
            uri.as_str(),
            modelled.saturating_sub(configured),
            done.saturating_sub(modelled)
        );
        let analysis = Arc::new(analysis);
        if let Ok(mut docs) = self.docs.lock() {
            if let Some(d) = docs.get_mut(uri) {
                // not if a change or new facts arrived meanwhile: that would cache stale results
                if d.version == version && self.generation.load(Ordering::Acquire) == generation {
                    d.analysis = Some((version, analysis.clone()));
                }
            }
        }
        Some(analysis)
    }

    /// Forgets cached analyses (after settings or facts changed).
    pub fn invalidate_analyses(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut docs) = self.docs.lock() {
            for d in docs.values_mut() {
                d.analysis = None;
            }
        }
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Relaxed)
    }
}

impl Default for State {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(value: serde_json::Value) -> Settings {
        let (s, problem) = Settings::from_value(&value);
        assert_eq!(problem, None);
        s
    }

    /// Review of F16: the stoppable lint asked only whether the version changed, so an
    /// analysis made stale by new facts or settings (same version, new generation) kept
    /// linting, and its findings could be published.
    #[test]
    fn an_analysis_is_superseded_by_new_facts_as_by_a_new_version() {
        let state = State::new();
        let uri: Uri = "file:///w/Dockerfile".parse().expect("a URI");
        let doc = Document::new("FROM a\n", 1, "dockerfile".into(), None);
        state.docs.lock().expect("docs").insert(uri.clone(), doc);
        let a = state.analysis(&uri, &mut |_| {}).expect("an analysis");
        assert!(!state.superseded(&uri, &a));
        state.invalidate_analyses(); // a context walked, settings changed...
        assert_eq!(state.version(&uri), Some(a.version)); // all a version check sees
        assert!(state.superseded(&uri, &a));
        let b = state.analysis(&uri, &mut |_| {}).expect("an analysis");
        assert!(!Arc::ptr_eq(&a, &b));
        assert!(!state.superseded(&uri, &b));
        if let Some(d) = state.docs.lock().expect("docs").get_mut(&uri) {
            d.version = 2;
        }
        assert!(state.superseded(&uri, &b));
        state.docs.lock().expect("docs").remove(&uri);
        assert!(state.superseded(&uri, &b));
    }

    #[test]
    fn relative_credential_and_certificate_paths_are_refused() {
        let (_, problem) = registry_for(&settings(serde_json::json!({
            "registry": {"offline": true, "dockerConfig": ".cfg", "caCertificates": ["ca.pem"]}
        })));
        let problem = problem.expect("a message for the user");
        assert!(
            problem.contains("layerwise.registry.dockerConfig \".cfg\""),
            "{problem}"
        );
        assert!(
            problem.contains("layerwise.registry.caCertificates \"ca.pem\""),
            "{problem}"
        );
        let (_, fine) = registry_for(&settings(serde_json::json!({
            "registry": {"offline": true, "dockerConfig": "/etc/layerwise-test-docker"}
        })));
        assert_eq!(fine, None);
    }
}
