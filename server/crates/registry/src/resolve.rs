//! From a reference to facts: tag → digest (`HEAD`), digest → index or manifest, index →
//! the platform's manifest, manifest → layer sizes, config blob → created/user/ports/entrypoint.
//!
//! Each digest-addressed step is looked up in the cache first and stored after, so a second
//! lookup of anything costs at most the `HEAD` (and nothing while the tag is fresh). Everything
//! fetched by digest is checked against that digest.

use crate::cache::{Cache, DigestRecord, Timed};
use crate::distribution::Distribution;
use crate::manifest::{self, Manifest};
use crate::RegistryError;
use layerwise_analysis::image_facts::{FactSource, ImageFacts, Platform, PlatformFacts};
use layerwise_analysis::image_ref::ImageRef;

/// Limits for what is fetched.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_manifest_bytes: u64,
    pub max_config_bytes: u64,
    /// A tag → digest record younger than this is used without asking (no `HEAD`).
    pub tag_ttl_secs: u64,
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The cache key of a tag: the canonical reference with its tag (`docker.io/library/node:20`).
pub fn tag_key(image: &ImageRef) -> Option<String> {
    let tag = image.effective_tag()?;
    Some(format!("{}/{}:{tag}", image.registry, image.repository))
}

/// Fetches facts for `image` from `endpoint` (the same repository, possibly on a mirror),
/// recording what it learns in `cache` under `image`'s name.
pub async fn fetch(
    dist: &dyn Distribution,
    cache: &Cache,
    image: &ImageRef,
    endpoint: &ImageRef,
    platform: &Platform,
    limits: Limits,
) -> Result<ImageFacts, RegistryError> {
    let now = now_secs();
    let fresh_tag = tag_key(image)
        .and_then(|k| cache.get_tag(&k))
        .filter(|t| now.saturating_sub(t.fetched_at) < limits.tag_ttl_secs)
        .map(|t| t.value);
    let top = match (&image.digest, fresh_tag) {
        (Some(d), _) => d.clone(),
        (None, Some(d)) => d,
        (None, None) => {
            let tag = image.effective_tag().unwrap_or("latest");
            let head = dist.head_manifest(endpoint, tag).await?;
            match head.digest.filter(|d| manifest::is_valid_digest(d)) {
                Some(d) => d,
                None => {
                    // No usable Docker-Content-Digest: GET by tag and hash it ourselves.
                    let m = dist
                        .get_manifest(endpoint, tag, limits.max_manifest_bytes)
                        .await?;
                    let digest = manifest::sha256_digest(&m.bytes);
                    if cache.get_digest(&digest).is_none() {
                        let record = record_for(
                            dist,
                            endpoint,
                            &digest,
                            &m.bytes,
                            m.media_type.as_deref(),
                            limits,
                            None,
                        )
                        .await?;
                        cache.put_digest(
                            &digest,
                            Timed {
                                fetched_at: now,
                                value: record,
                            },
                        );
                    }
                    digest
                }
            }
        }
    };
    let top_record = digest_record(dist, cache, endpoint, &top, limits, None, now).await?;
    let (facts, available) = match top_record {
        DigestRecord::Image { facts } => {
            let available = vec![facts.platform.clone()];
            (*facts, available)
        }
        DigestRecord::Index { entries } => {
            let available = manifest::available_platforms(&entries);
            let chosen = manifest::select_platform(&entries, platform).ok_or_else(|| {
                RegistryError::PlatformNotAvailable {
                    reference: image.display_name(),
                    wanted: platform.to_string(),
                    available: available.iter().map(ToString::to_string).collect(),
                }
            })?;
            let child = digest_record(
                dist,
                cache,
                endpoint,
                &chosen.digest,
                limits,
                chosen.platform.as_ref(),
                now,
            )
            .await?;
            match child {
                DigestRecord::Image { facts } => (*facts, available),
                DigestRecord::Index { .. } => {
                    return Err(RegistryError::Malformed {
                        what: "index".into(),
                        detail: "an index that points to another index is not supported".into(),
                    })
                }
            }
        }
    };
    if image.digest.is_none() {
        if let Some(key) = tag_key(image) {
            cache.put_tag(
                &key,
                Timed {
                    fetched_at: now,
                    value: top.clone(),
                },
            );
        }
    }
    Ok(ImageFacts {
        reference: image.clone(),
        digest: Some(top),
        platforms: vec![facts],
        available_platforms: available,
        source: FactSource::Registry,
        fetched_at: Some(now),
        fallback_reason: None,
    })
}

/// The record for `digest`: from the cache, else fetched, verified, parsed and cached.
async fn digest_record(
    dist: &dyn Distribution,
    cache: &Cache,
    endpoint: &ImageRef,
    digest: &str,
    limits: Limits,
    index_platform: Option<&Platform>,
    now: u64,
) -> Result<DigestRecord, RegistryError> {
    if let Some(r) = cache.get_digest(digest) {
        return Ok(r.value);
    }
    let m = dist
        .get_manifest(endpoint, digest, limits.max_manifest_bytes)
        .await?;
    manifest::verify_digest(&m.bytes, digest)?;
    let record = record_for(
        dist,
        endpoint,
        digest,
        &m.bytes,
        m.media_type.as_deref(),
        limits,
        index_platform,
    )
    .await?;
    cache.put_digest(
        digest,
        Timed {
            fetched_at: now,
            value: record.clone(),
        },
    );
    Ok(record)
}

/// Parses manifest bytes into a record, fetching the config blob for an image manifest.
async fn record_for(
    dist: &dyn Distribution,
    endpoint: &ImageRef,
    digest: &str,
    bytes: &[u8],
    media_type: Option<&str>,
    limits: Limits,
    index_platform: Option<&Platform>,
) -> Result<DigestRecord, RegistryError> {
    match manifest::parse_manifest(bytes, media_type)? {
        Manifest::Index(entries) => Ok(DigestRecord::Index { entries }),
        Manifest::Image {
            config_digest,
            config_size,
            layers,
        } => {
            if config_size > limits.max_config_bytes {
                return Err(RegistryError::TooLarge {
                    what: "image config".into(),
                    limit: limits.max_config_bytes,
                });
            }
            let config = dist
                .get_blob(endpoint, &config_digest, limits.max_config_bytes)
                .await?;
            manifest::verify_digest(&config, &config_digest)?;
            let facts: PlatformFacts =
                manifest::platform_facts(digest, layers, &config, index_platform)?;
            Ok(DigestRecord::Image {
                facts: Box::new(facts),
            })
        }
    }
}

/// Facts from the cache alone. `ttl` decides whether a tag record is fresh; with `allow_stale`
/// an expired one is used too and the result is marked stale.
pub fn from_cache(
    cache: &Cache,
    image: &ImageRef,
    platform: &Platform,
    ttl: u64,
    allow_stale: bool,
) -> Option<ImageFacts> {
    let now = now_secs();
    let (top, fetched_at) = match &image.digest {
        Some(d) => (d.clone(), cache.get_digest(d)?.fetched_at),
        None => {
            let t = cache.get_tag(&tag_key(image)?)?;
            (t.value, t.fetched_at)
        }
    };
    let age = now.saturating_sub(fetched_at);
    // Digest-pinned data never goes stale.
    let stale = image.digest.is_none() && age >= ttl;
    if stale && !allow_stale {
        return None;
    }
    let (facts, available) = match cache.get_digest(&top)?.value {
        DigestRecord::Image { facts } => {
            let available = vec![facts.platform.clone()];
            (*facts, available)
        }
        DigestRecord::Index { entries } => {
            let chosen = manifest::select_platform(&entries, platform)?;
            match cache.get_digest(&chosen.digest)?.value {
                DigestRecord::Image { facts } => (*facts, manifest::available_platforms(&entries)),
                DigestRecord::Index { .. } => return None,
            }
        }
    };
    Some(ImageFacts {
        reference: image.clone(),
        digest: Some(top),
        platforms: vec![facts],
        available_platforms: available,
        source: FactSource::Cache {
            age_secs: age,
            stale,
        },
        fetched_at: Some(fetched_at),
        fallback_reason: None,
    })
}
