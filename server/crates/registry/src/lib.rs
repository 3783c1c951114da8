//! Image sizes and facts for layerwise, from OCI/Docker registries, a disk cache, and an
//! embedded offline catalogue. This is the only crate (with `lsp` and `cli`) that does IO for
//! images; everything it returns is a plain value from `layerwise_analysis::image_facts`.
//!
//! # API
//!
//! ```no_run
//! # async fn demo() -> Result<(), layerwise_registry::RegistryError> {
//! use layerwise_registry::{Registry, RegistrySettings};
//! use layerwise_analysis::image_ref::ImageRef;
//! use layerwise_analysis::image_facts::Platform;
//!
//! let registry = Registry::new(RegistrySettings::default())?;
//! let image = ImageRef::parse("node:20-slim").unwrap();
//! // Network → cache → catalogue; `facts.source` says which answered.
//! let facts = registry.image_facts(&image, Some(&Platform::linux_amd64())).await?;
//! // Never waits on the network (memory/disk cache, then the catalogue): for hover and hints.
//! let quick = registry.cached_facts(&image, None);
//! let tags = registry.list_tags(&image).await?;
//! let slimmer = registry.slimmer_variants(&image, None, facts.compressed_size());
//! # Ok(()) }
//! ```
//!
//! - [`Registry::new`] / [`Registry::with_distribution`]: build from [`RegistrySettings`]; the
//!   second takes any [`Distribution`] (our trait in front of the HTTP client) for tests or to
//!   share one client.
//! - [`Registry::image_facts`]: a fresh cache entry if there is one; else (unless offline) the
//!   registry — `HEAD` for the digest, then index → platform manifest → config, each fetched
//!   once per digest ever; on failure to *reach* the registry a stale cache entry or the
//!   catalogue, with `fallback_reason` set. Answers from the registry (404, 401, ...) are errors.
//!   Concurrent calls for the same image and platform share one fetch.
//! - [`Registry::cached_facts`]: cache (stale allowed, marked), then catalogue. No network.
//! - [`Registry::list_tags`] / [`Registry::cached_tags`]: tag lists, cached with the tag TTL.
//! - [`Registry::slimmer_variants`]: smaller variants of the same image (catalogue figures).
//! - [`RegistryError`]: every failure as a message a user can act on; never holds a secret.
//!
//! # Where credentials go
//!
//! Credentials come from Docker's `config.json` ([`credentials`]). A registry's credential is
//! sent only to that registry and to the token service its own challenge names, only over
//! HTTPS — or plain HTTP to loopback or a registry marked insecure — and never along a redirect
//! to another host. They are never logged: they live in a type whose `Debug` is redacted.
//!
//! # Cache
//!
//! [`cache`]: memory in front of `$XDG_CACHE_HOME/layerwise/registry` (or the platform's cache
//! directory). Digest-keyed data is kept forever; tag → digest for `tag_ttl_secs`. Files are
//! replaced atomically (write + rename), so several layerwise processes can share the directory;
//! a corrupt or truncated file is ignored and refetched.

pub mod cache;
pub mod catalogue;
pub mod credentials;
pub mod distribution;
mod error;
pub mod http;
mod inflight;
pub mod manifest;
pub mod resolve;
pub mod settings;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

pub use catalogue::Catalogue;
pub use distribution::Distribution;
pub use error::RegistryError;
pub use http::HttpDistribution;
pub use settings::RegistrySettings;

use cache::{Cache, Timed};
use inflight::InFlight;
use layerwise_analysis::image_facts::{
    FactSource, ImageFacts, Platform, PlatformFacts, VariantSize,
};
use layerwise_analysis::image_ref::ImageRef;
use resolve::{now_secs, Limits};
use std::path::PathBuf;
use std::sync::Arc;

/// Most tags a tag list keeps (completion needs the recent ones, not 20,000).
const MAX_TAGS: usize = 5000;

type FactsResult = Result<ImageFacts, RegistryError>;

/// The registry client: cache, catalogue and network behind one handle. Cheap to clone.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

struct Inner {
    settings: RegistrySettings,
    default_platform: Platform,
    dist: Arc<dyn Distribution>,
    cache: Cache,
    catalogue: &'static Catalogue,
    facts_inflight: InFlight<(String, String), FactsResult>,
    tags_inflight: InFlight<String, Result<Vec<String>, RegistryError>>,
}

/// The default cache directory: `<user cache dir>/layerwise/registry`.
pub fn default_cache_dir() -> Option<PathBuf> {
    use etcetera::BaseStrategy as _;
    let strategy = etcetera::choose_base_strategy().ok()?;
    Some(strategy.cache_dir().join("layerwise").join("registry"))
}

impl Registry {
    /// A registry client speaking HTTP(S), configured by `settings`. Fails only on unusable
    /// settings (an unreadable CA certificate file).
    pub fn new(settings: RegistrySettings) -> Result<Registry, RegistryError> {
        let dist = HttpDistribution::new(&settings)?;
        Ok(Registry::with_distribution(settings, Arc::new(dist)))
    }

    /// A registry client that reaches registries through `dist`.
    pub fn with_distribution(settings: RegistrySettings, dist: Arc<dyn Distribution>) -> Registry {
        let dir = if settings.disk_cache {
            settings.cache_dir.clone().or_else(default_cache_dir)
        } else {
            None
        };
        let default_platform = settings
            .default_platform
            .clone()
            .unwrap_or_else(Platform::host);
        Registry {
            inner: Arc::new(Inner {
                default_platform,
                dist,
                cache: Cache::new(dir),
                catalogue: Catalogue::embedded(),
                facts_inflight: InFlight::default(),
                tags_inflight: InFlight::default(),
                settings,
            }),
        }
    }

    pub fn settings(&self) -> &RegistrySettings {
        &self.inner.settings
    }

    /// The platform used when none is given: the setting, else the host's.
    pub fn default_platform(&self) -> &Platform {
        &self.inner.default_platform
    }

    /// The disk cache directory in use, if any.
    pub fn cache_dir(&self) -> Option<&std::path::Path> {
        self.inner.cache.dir()
    }

    /// HTTP requests sent so far (diagnostics; tests use it to prove a cache hit).
    pub fn requests_sent(&self) -> u64 {
        self.inner.dist.requests_sent()
    }

    /// Forgets the in-memory cache level, as a restart would (the disk level stays).
    pub fn clear_memory_cache(&self) {
        self.inner.cache.clear_memory();
    }

    fn limits(&self) -> Limits {
        Limits {
            max_manifest_bytes: self.inner.settings.max_manifest_bytes,
            max_config_bytes: self.inner.settings.max_config_bytes,
            tag_ttl_secs: self.inner.settings.tag_ttl_secs,
        }
    }

    /// Everything layerwise can find out about `image` on `platform` (default: the setting, else
    /// the host's). See the crate docs for the order of sources.
    pub async fn image_facts(&self, image: &ImageRef, platform: Option<&Platform>) -> FactsResult {
        let platform = platform.unwrap_or(&self.inner.default_platform).clone();
        if image.is_scratch() {
            return Ok(scratch_facts(image, &platform));
        }
        let key = (image.canonical(), platform.to_string());
        let this = self.clone();
        let image = image.clone();
        self.inner
            .facts_inflight
            .run(key, move || async move {
                this.resolve_facts(&image, &platform).await
            })
            .await
    }

    async fn resolve_facts(&self, image: &ImageRef, platform: &Platform) -> FactsResult {
        let s = &self.inner.settings;
        if let Some(fresh) =
            resolve::from_cache(&self.inner.cache, image, platform, s.tag_ttl_secs, false)
        {
            return Ok(fresh);
        }
        if s.offline {
            let why = RegistryError::Offline {
                reference: image.display_name(),
            };
            return self.fallback(
                image,
                platform,
                "offline mode: the registry was not asked".into(),
                why,
            );
        }
        match self.fetch_with_mirrors(image, platform).await {
            Ok(facts) => Ok(facts),
            Err(e) if e.allows_fallback() => {
                tracing::info!(image = %image, error = %e, "registry unavailable; trying cache and catalogue");
                self.fallback(image, platform, e.to_string(), e)
            }
            Err(e) => Err(e),
        }
    }

    /// Docker Hub images are tried on each mirror first, then on Docker Hub itself.
    async fn fetch_with_mirrors(&self, image: &ImageRef, platform: &Platform) -> FactsResult {
        let mut endpoints = Vec::new();
        if image.is_docker_hub() {
            for host in self.inner.settings.mirror_hosts() {
                endpoints.push(ImageRef {
                    registry: host,
                    ..image.clone()
                });
            }
        }
        endpoints.push(image.clone());
        let mut last = None;
        for endpoint in &endpoints {
            match resolve::fetch(
                &*self.inner.dist,
                &self.inner.cache,
                image,
                endpoint,
                platform,
                self.limits(),
            )
            .await
            {
                Ok(f) => return Ok(f),
                Err(e) => {
                    if endpoint.registry != image.registry {
                        tracing::info!(mirror = %endpoint.registry, error = %e, "mirror failed; trying the next source");
                    }
                    last = Some(e);
                }
            }
        }
        Err(last.unwrap_or_else(|| RegistryError::Offline {
            reference: image.display_name(),
        }))
    }

    /// A stale cache entry, else the catalogue, else `why`.
    fn fallback(
        &self,
        image: &ImageRef,
        platform: &Platform,
        reason: String,
        why: RegistryError,
    ) -> FactsResult {
        let reason = Some(reason);
        if let Some(mut f) = resolve::from_cache(
            &self.inner.cache,
            image,
            platform,
            self.inner.settings.tag_ttl_secs,
            true,
        ) {
            f.fallback_reason = reason;
            return Ok(f);
        }
        if let Some(mut f) = self.catalogue_facts(image, Some(platform)) {
            f.fallback_reason = reason;
            return Ok(f);
        }
        Err(why)
    }

    /// What is known without the network: the cache (stale entries allowed and marked), then
    /// the catalogue. Reads small files at most; never waits on a registry.
    pub fn cached_facts(
        &self,
        image: &ImageRef,
        platform: Option<&Platform>,
    ) -> Option<ImageFacts> {
        let platform = platform.unwrap_or(&self.inner.default_platform);
        if image.is_scratch() {
            return Some(scratch_facts(image, platform));
        }
        resolve::from_cache(
            &self.inner.cache,
            image,
            platform,
            self.inner.settings.tag_ttl_secs,
            true,
        )
        .or_else(|| self.catalogue_facts(image, Some(platform)))
    }

    /// The catalogue's approximate figures alone.
    pub fn catalogue_facts(
        &self,
        image: &ImageRef,
        platform: Option<&Platform>,
    ) -> Option<ImageFacts> {
        let platform = platform.unwrap_or(&self.inner.default_platform);
        let hit = self.inner.catalogue.lookup(image, platform)?;
        Some(ImageFacts {
            reference: image.clone(),
            digest: None,
            source: hit.source(),
            available_platforms: Vec::new(),
            platforms: vec![hit.facts],
            fetched_at: None,
            fallback_reason: None,
        })
    }

    /// Smaller variants of the same image, smallest first (catalogue figures, compared with
    /// `current_size` when the real size is known).
    pub fn slimmer_variants(
        &self,
        image: &ImageRef,
        platform: Option<&Platform>,
        current_size: Option<u64>,
    ) -> Vec<VariantSize> {
        let platform = platform.unwrap_or(&self.inner.default_platform);
        self.inner
            .catalogue
            .slimmer_variants(image, platform, current_size)
    }

    /// The repository's tags (for completion): cache while fresh, else the registry; when the
    /// registry cannot be reached, a stale list or the catalogue's tags.
    pub async fn list_tags(&self, image: &ImageRef) -> Result<Vec<String>, RegistryError> {
        let key = format!("{}/{}", image.registry, image.repository);
        let ttl = self.inner.settings.tag_ttl_secs;
        if let Some(t) = self.inner.cache.get_tag_list(&key) {
            if now_secs().saturating_sub(t.fetched_at) < ttl {
                return Ok(t.value);
            }
        }
        let offline_answer = |why: RegistryError| -> Result<Vec<String>, RegistryError> {
            match self.cached_tags(image) {
                Some(t) if !t.is_empty() => Ok(t),
                _ => Err(why),
            }
        };
        if self.inner.settings.offline {
            return offline_answer(RegistryError::Offline {
                reference: image.familiar_name(),
            });
        }
        let this = self.clone();
        let image_owned = image.clone();
        let result = self
            .inner
            .tags_inflight
            .run(key.clone(), move || async move {
                let tags = this.inner.dist.list_tags(&image_owned, MAX_TAGS).await?;
                this.inner.cache.put_tag_list(
                    &key,
                    Timed {
                        fetched_at: now_secs(),
                        value: tags.clone(),
                    },
                );
                Ok(tags)
            })
            .await;
        match result {
            Ok(t) => Ok(t),
            Err(e) if e.allows_fallback() => offline_answer(e),
            Err(e) => Err(e),
        }
    }

    /// Tags known without the network: a cached list (any age), else the catalogue's.
    pub fn cached_tags(&self, image: &ImageRef) -> Option<Vec<String>> {
        let key = format!("{}/{}", image.registry, image.repository);
        if let Some(t) = self.inner.cache.get_tag_list(&key) {
            return Some(t.value);
        }
        let tags = self.inner.catalogue.tags(image);
        (!tags.is_empty()).then_some(tags)
    }
}

/// `FROM scratch` is an empty filesystem: 0 bytes, no layers, nothing to fetch.
fn scratch_facts(image: &ImageRef, platform: &Platform) -> ImageFacts {
    ImageFacts {
        reference: image.clone(),
        digest: None,
        platforms: vec![PlatformFacts::sizes_only(platform.clone(), 0, Some(0))],
        available_platforms: Vec::new(),
        source: FactSource::Catalogue {
            entry: "scratch".into(),
            exact: true,
            provenance: "scratch is the empty image: it adds no layers and no bytes".into(),
        },
        fetched_at: None,
        fallback_reason: None,
    }
}
