//! Image facts from registries, fetched in the background: a request never waits on the
//! network (invariant 5). When facts arrive, analyses are recomputed and the client is asked
//! to refresh hints, lenses and diagnostics.
//!
//! Each lookup (an image on a platform) is either running — its key is in
//! `state.image_lookups` — or finished. A finished lookup that failed is remembered here with
//! its message and a time before which it is not tried again, so views can say *why* a size
//! is missing (instead of "pending" forever) and an editor asking for hints on every
//! keystroke does not hammer a registry that just said no. The backoff doubles with each
//! failure, from [`FIRST_BACKOFF`] up to [`MAX_BACKOFF`], or follows the registry's
//! `Retry-After`. A retry starts on the first request after the backoff; until it answers the
//! old failure is still shown (not "pending" again).
//!
//! The failure table is process-wide (one server per process) because `State` belongs to the
//! protocol core; it is bounded by [`MAX_FAILURES`].

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use layerwise_analysis::image_facts::{FactSource, ImageFacts, Platform};
use layerwise_analysis::image_ref::ImageRef;
use layerwise_analysis::Base;
use layerwise_ide::Analysis;

use crate::server::Backend;

/// Wait at least this long before asking again after a failure.
const FIRST_BACKOFF: Duration = Duration::from_secs(10);
/// Never wait longer than this between attempts (unless the registry said so).
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// After a lookup succeeded, the same image is not looked up again for this long even if its
/// figures still look unsettled (a tag TTL of 0 makes every cache entry stale at once; without
/// this, each refresh would start another lookup).
const RECHECK_AFTER_SUCCESS: Duration = Duration::from_secs(60);
/// Outcomes remembered at most; past this the oldest are forgotten (and may be retried).
const MAX_OUTCOMES: usize = 256;

/// How the last lookup of an image on a platform ended.
#[derive(Debug, Clone)]
struct Outcome {
    /// `None` when it succeeded.
    failure: Option<Failure>,
    /// No new lookup before this.
    next_at: Instant,
}

/// Why the last lookup of an image gave no (or only fallback) figures.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The whole message, for hovers and tooltips. Built from [`RegistryError`], which never
    /// holds a credential.
    pub message: String,
    /// A few words for an inlay hint: `not found`, `registry unreachable`.
    pub short: String,
    /// When the lookup may be tried again.
    pub retry_at: Instant,
    /// Failures in a row.
    attempts: u32,
}

impl Failure {
    /// Seconds until the next attempt may start (0 once it may).
    pub fn retry_in_secs(&self) -> u64 {
        let left = self.retry_at.saturating_duration_since(Instant::now());
        left.as_secs() + u64::from(left.subsec_nanos() > 0)
    }
}

/// What is going on with the registry lookup of an image.
#[derive(Debug, Clone)]
pub enum Status {
    /// The first lookup is running: figures are pending.
    Running,
    /// The last lookup failed (a retry may be running meanwhile).
    Failed(Failure),
}

fn outcomes() -> &'static Mutex<HashMap<String, Outcome>> {
    static OUTCOMES: OnceLock<Mutex<HashMap<String, Outcome>>> = OnceLock::new();
    OUTCOMES.get_or_init(|| Mutex::new(HashMap::new()))
}

/// `canonical|platform`: one lookup. The platform part is empty for "the default".
fn lookup_key(canonical: &str, platform: Option<&Platform>) -> String {
    format!(
        "{canonical}|{}",
        platform.map(|p| p.to_string()).unwrap_or_default()
    )
}

/// The lookup status of an image (any platform), if a lookup ever started.
pub fn status(b: &Backend, canonical: &str) -> Option<Status> {
    let prefix = format!("{canonical}|");
    let failed = outcomes().lock().ok().and_then(|o| {
        o.iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .filter_map(|(_, v)| v.failure.clone())
            .max_by_key(|f| f.retry_at)
    });
    if let Some(f) = failed {
        return Some(Status::Failed(f));
    }
    let running = b
        .state
        .image_lookups
        .lock()
        .map(|l| l.iter().any(|k| k.starts_with(&prefix)))
        .unwrap_or(false);
    running.then_some(Status::Running)
}

/// Whether the analysis's facts for an image are good enough not to ask the registry:
/// registry figures or a cache entry within its TTL. Catalogue figures and stale cache
/// entries are worth one more question (a `HEAD` when the digest has not changed).
fn settled(facts: Option<&ImageFacts>) -> bool {
    facts.is_some_and(|f| match f.source {
        FactSource::Registry => true,
        FactSource::Cache { stale, .. } => !stale,
        FactSource::Catalogue { .. } => false,
    })
}

/// Starts registry lookups for base images whose facts are missing, approximate or stale,
/// unless one is running or failed less than its backoff ago.
pub fn fetch_missing(backend: &Backend, analysis: &Analysis) {
    let registry = backend.state.registry();
    if registry.settings().offline {
        return;
    }
    // Each image and platform once, told apart by their text before anything is allocated: a
    // file may have 100,000 stages on the same image, and this runs on every request.
    let mut seen = std::collections::HashSet::new();
    for stage in &analysis.model.stages {
        let Base::Image(image) = &stage.base else {
            continue;
        };
        if image.is_scratch()
            || !seen.insert((stage.base_resolved.as_str(), stage.platform.as_deref()))
        {
            continue;
        }
        let canonical = image.canonical();
        if settled(analysis.facts.images.get(&canonical)) {
            continue;
        }
        let platform = stage
            .platform
            .as_deref()
            .and_then(|p| Platform::parse(p).ok());
        let key = lookup_key(&canonical, platform.as_ref());
        if !may_start(backend, &key) {
            continue;
        }
        spawn_lookup(backend, registry.clone(), image.clone(), platform, key);
    }
}

/// Marks the lookup `key` as running unless it is running already or its backoff has not
/// passed.
fn may_start(backend: &Backend, key: &str) -> bool {
    let waiting = outcomes()
        .lock()
        .map(|o| o.get(key).is_some_and(|x| Instant::now() < x.next_at))
        .unwrap_or(true);
    if waiting {
        return false;
    }
    backend
        .state
        .image_lookups
        .lock()
        .map(|mut s| s.insert(key.to_string()))
        .unwrap_or(false)
}

/// Removes a lookup from the running set when dropped, so a lookup that ends in any way —
/// even a panic in the registry client — can be retried later.
struct Running {
    backend: Backend,
    key: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(mut s) = self.backend.state.image_lookups.lock() {
            s.remove(&self.key);
        }
    }
}

fn spawn_lookup(
    backend: &Backend,
    registry: layerwise_registry::Registry,
    image: ImageRef,
    platform: Option<Platform>,
    key: String,
) {
    let running = Running {
        backend: backend.clone(),
        key: key.clone(),
    };
    tokio::spawn(async move {
        let result = registry.image_facts(&image, platform.as_ref()).await;
        let backend = running.backend.clone();
        match result {
            Ok(facts) if facts.fallback_reason.is_none() => {
                record_success(&key);
                // New analyses (with the cached figures) before the lookup counts as done,
                // so no request in between starts it again from an old analysis.
                backend.state.invalidate_analyses();
                drop(running);
                crate::diagnostics::refresh_all(&backend);
                super::refresh_views(&backend);
            }
            Ok(facts) => {
                // The registry could not be reached; the client answered from a stale cache
                // entry or the catalogue. Those figures are already in the analysis (they
                // need no network), so only the reason is new.
                let why = facts.fallback_reason.unwrap_or_default();
                tracing::info!("registry unavailable for {}: {why}", image.display_name());
                record_failure(&key, why, "registry unavailable".into(), None);
                drop(running);
                super::refresh_views(&backend);
            }
            Err(e) => {
                tracing::info!("no registry facts for {}: {e}", image.display_name());
                record_failure(&key, e.to_string(), e.short(), e.retry_after_secs());
                drop(running);
                super::refresh_views(&backend);
            }
        }
    });
}

fn record_success(key: &str) {
    remember(
        key,
        Outcome {
            failure: None,
            next_at: Instant::now() + RECHECK_AFTER_SUCCESS,
        },
    );
}

/// Remembers a failed lookup with its backoff: doubling per failure in a row, or the
/// registry's `Retry-After` when that is longer.
fn record_failure(key: &str, message: String, short: String, retry_after: Option<u64>) {
    let attempts = outcomes()
        .lock()
        .ok()
        .and_then(|o| {
            o.get(key)
                .and_then(|x| x.failure.as_ref().map(|f| f.attempts))
        })
        .unwrap_or(0)
        .saturating_add(1);
    let retry_at = Instant::now() + backoff(attempts, retry_after);
    remember(
        key,
        Outcome {
            failure: Some(Failure {
                message,
                short,
                retry_at,
                attempts,
            }),
            next_at: retry_at,
        },
    );
}

fn remember(key: &str, outcome: Outcome) {
    let Ok(mut o) = outcomes().lock() else {
        return;
    };
    if o.len() >= MAX_OUTCOMES && !o.contains_key(key) {
        if let Some(oldest) = o
            .iter()
            .min_by_key(|(_, v)| v.next_at)
            .map(|(k, _)| k.clone())
        {
            o.remove(&oldest);
        }
    }
    o.insert(key.to_string(), outcome);
}

/// The pause after the `attempts`-th failure in a row.
fn backoff(attempts: u32, retry_after: Option<u64>) -> Duration {
    let doubled = FIRST_BACKOFF
        .saturating_mul(1u32 << attempts.saturating_sub(1).min(16))
        .min(MAX_BACKOFF);
    match retry_after {
        Some(s) => doubled.max(Duration::from_secs(s.min(24 * 3600))),
        None => doubled,
    }
}

/// A failure as a hover paragraph: what went wrong and when layerwise asks again.
pub fn failure_markdown(f: &Failure) -> String {
    let when = match f.retry_in_secs() {
        0 => "on the next request".to_string(),
        s => format!("in {s} s"),
    };
    format!(
        "**Registry lookup failed:** {}.\n\nlayerwise asks again {when}.",
        f.message.trim_end_matches('.')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_cap_and_honours_retry_after() {
        assert_eq!(backoff(1, None), FIRST_BACKOFF);
        assert_eq!(backoff(2, None), FIRST_BACKOFF * 2);
        assert_eq!(backoff(3, None), FIRST_BACKOFF * 4);
        assert_eq!(backoff(60, None), MAX_BACKOFF);
        assert_eq!(backoff(1, Some(120)), Duration::from_secs(120));
        assert_eq!(backoff(6, Some(5)), MAX_BACKOFF);
        assert_eq!(backoff(1, Some(u64::MAX)), Duration::from_secs(24 * 3600));
    }

    #[test]
    fn failures_are_counted_per_lookup_and_forgotten_on_success() {
        let key = "test.invalid/a:1|linux/amd64";
        record_failure(key, "x not found".into(), "not found".into(), None);
        record_failure(key, "x not found".into(), "not found".into(), None);
        let o = outcomes().lock().unwrap().get(key).cloned().unwrap();
        let f = o.failure.unwrap();
        assert_eq!(f.attempts, 2);
        assert!(f.retry_in_secs() > FIRST_BACKOFF.as_secs());
        assert_eq!(o.next_at, f.retry_at);
        assert!(failure_markdown(&f).starts_with("**Registry lookup failed:** x not found."));
        record_success(key);
        let o = outcomes().lock().unwrap().get(key).cloned().unwrap();
        assert!(o.failure.is_none() && o.next_at > Instant::now());
        // the count starts again after a success
        record_failure(key, "x".into(), "x".into(), None);
        let o = outcomes().lock().unwrap().get(key).cloned().unwrap();
        assert_eq!(o.failure.unwrap().attempts, 1);
    }

    #[test]
    fn only_fresh_registry_or_cache_figures_are_settled() {
        use layerwise_analysis::image_facts::PlatformFacts;
        let mut f = ImageFacts {
            reference: ImageRef::parse("node:20").unwrap(),
            digest: None,
            platforms: vec![PlatformFacts::sizes_only(Platform::linux_amd64(), 1, None)],
            available_platforms: Vec::new(),
            source: FactSource::Registry,
            fetched_at: None,
            fallback_reason: None,
        };
        assert!(settled(Some(&f)));
        f.source = FactSource::Cache {
            age_secs: 5,
            stale: false,
        };
        assert!(settled(Some(&f)));
        f.source = FactSource::Cache {
            age_secs: 5,
            stale: true,
        };
        assert!(!settled(Some(&f)));
        f.source = FactSource::Catalogue {
            entry: "node:20".into(),
            exact: true,
            provenance: String::new(),
        };
        assert!(!settled(Some(&f)));
        assert!(!settled(None));
    }
}
