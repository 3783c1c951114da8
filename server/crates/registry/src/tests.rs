//! The `Registry` facade against an in-memory registry: order of sources, caching, fallbacks,
//! de-duplication. The same behaviour against a real registry is in `tests/live_registry.rs`.

use crate::test_support::{FakeRegistry, TempDir};
use crate::{Registry, RegistryError, RegistrySettings};
use layerwise_analysis::image_facts::{FactSource, Platform};
use layerwise_analysis::image_ref::ImageRef;
use std::sync::atomic::Ordering;
use std::sync::Arc;

fn setup(name: &str) -> (TempDir, Arc<FakeRegistry>, RegistrySettings) {
    let dir = TempDir::new(name);
    let settings = RegistrySettings {
        cache_dir: Some(dir.path().to_path_buf()),
        default_platform: Some(Platform::linux_amd64()),
        ..Default::default()
    };
    (dir, Arc::new(FakeRegistry::default()), settings)
}

fn r(s: &str) -> ImageRef {
    ImageRef::parse(s).unwrap()
}

fn arm64() -> Platform {
    Platform::parse("linux/arm64").unwrap()
}

#[tokio::test]
async fn sizes_per_platform_from_an_index() {
    let (_d, fake, settings) = setup("facts-index");
    let seeded = fake.seed_multi("team/app", "1.0");
    let reg = Registry::with_distribution(settings, fake.clone());
    let f = reg
        .image_facts(&r("example.com/team/app:1.0"), None)
        .await
        .unwrap();
    assert_eq!(f.source, FactSource::Registry);
    assert_eq!(f.digest.as_deref(), Some(seeded.index_digest.as_str()));
    let p = f.primary().unwrap();
    assert_eq!(p.platform, Platform::linux_amd64());
    assert_eq!(p.compressed_size, seeded.amd64_layer_bytes);
    assert_eq!(p.layer_count, 2);
    assert_eq!(
        p.manifest_digest.as_deref(),
        Some(seeded.amd64_digest.as_str())
    );
    assert_eq!(p.user.as_deref(), Some("app"));
    assert_eq!(p.exposed_ports, vec!["80/tcp"]);
    assert_eq!(
        p.unpacked_size, None,
        "registries do not say; never invented"
    );
    assert_eq!(f.available_platforms.len(), 2);
    // HEAD, index, manifest, config.
    assert_eq!(fake.requests.load(Ordering::SeqCst), 4);

    let a = reg
        .image_facts(&r("example.com/team/app:1.0"), Some(&arm64()))
        .await
        .unwrap();
    assert_eq!(
        a.primary().unwrap().compressed_size,
        seeded.arm64_layer_bytes
    );
    assert_eq!(a.primary().unwrap().layer_count, 3);
    assert_eq!(a.primary().unwrap().platform.to_string(), "linux/arm64/v8");
    assert_eq!(a.source, FactSource::Registry);
    // The tag is fresh, so no HEAD: only the arm64 manifest and config were new.
    assert_eq!(fake.requests.load(Ordering::SeqCst), 6);

    let e = reg
        .image_facts(
            &r("example.com/team/app:1.0"),
            Some(&Platform::parse("linux/s390x").unwrap()),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, RegistryError::PlatformNotAvailable { available, .. } if available.len() == 2),
        "{e}"
    );
    assert!(e.to_string().contains("linux/arm64/v8"), "{e}");
}

#[tokio::test]
async fn second_lookup_is_a_cache_hit_even_after_a_restart() {
    let (_d, fake, settings) = setup("facts-cache");
    fake.seed_multi("team/app", "1.0");
    let reg = Registry::with_distribution(settings.clone(), fake.clone());
    let first = reg
        .image_facts(&r("example.com/team/app:1.0"), None)
        .await
        .unwrap();
    let sent = fake.requests.load(Ordering::SeqCst);
    let again = reg
        .image_facts(&r("example.com/team/app:1.0"), None)
        .await
        .unwrap();
    assert_eq!(
        fake.requests.load(Ordering::SeqCst),
        sent,
        "memory hit sends nothing"
    );
    assert_eq!(again.platforms, first.platforms);
    // A new process (new Registry) on the same cache directory.
    let restarted = Registry::with_distribution(settings.clone(), fake.clone());
    let cached = restarted
        .cached_facts(&r("example.com/team/app:1.0"), None)
        .unwrap();
    assert!(matches!(
        cached.source,
        FactSource::Cache { stale: false, .. }
    ));
    assert_eq!(cached.platforms, first.platforms);
    assert_eq!(
        fake.requests.load(Ordering::SeqCst),
        sent,
        "cached_facts never uses the network"
    );
    // An expired tag costs exactly one HEAD: everything by digest is still cached.
    let expired = Registry::with_distribution(
        RegistrySettings {
            tag_ttl_secs: 0,
            ..settings
        },
        fake.clone(),
    );
    let f = expired
        .image_facts(&r("example.com/team/app:1.0"), None)
        .await
        .unwrap();
    assert_eq!(f.source, FactSource::Registry);
    assert_eq!(fake.requests.load(Ordering::SeqCst), sent + 1);
}

#[tokio::test]
async fn offline_and_down_fall_back_to_stale_cache_then_catalogue() {
    let (_d, fake, settings) = setup("facts-offline");
    let seeded = fake.seed_multi("team/app", "1.0");
    let reg = Registry::with_distribution(
        RegistrySettings {
            tag_ttl_secs: 0,
            ..settings.clone()
        },
        fake.clone(),
    );
    reg.image_facts(&r("example.com/team/app:1.0"), None)
        .await
        .unwrap();

    fake.down.store(true, Ordering::SeqCst);
    let f = reg
        .image_facts(&r("example.com/team/app:1.0"), None)
        .await
        .unwrap();
    assert!(
        matches!(f.source, FactSource::Cache { stale: true, .. }),
        "{:?}",
        f.source
    );
    assert!(
        f.fallback_reason
            .as_deref()
            .unwrap()
            .contains("cannot reach"),
        "{:?}",
        f.fallback_reason
    );
    assert_eq!(
        f.primary().unwrap().compressed_size,
        seeded.amd64_layer_bytes
    );

    // Nothing cached, but the catalogue knows node.
    let n = reg.image_facts(&r("node:20-slim"), None).await.unwrap();
    assert!(n.source.is_approximate() && n.fallback_reason.is_some());
    // Nothing anywhere: the registry's error.
    let e = reg
        .image_facts(&r("example.com/team/other:1"), None)
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::Unreachable { .. }), "{e}");

    // Offline mode never asks.
    let before = fake.requests.load(Ordering::SeqCst);
    let off = Registry::with_distribution(
        RegistrySettings {
            offline: true,
            tag_ttl_secs: 0,
            ..settings
        },
        fake.clone(),
    );
    let f = off
        .image_facts(&r("example.com/team/app:1.0"), None)
        .await
        .unwrap();
    assert!(matches!(f.source, FactSource::Cache { stale: true, .. }));
    assert!(off
        .image_facts(&r("python:3.12"), None)
        .await
        .unwrap()
        .source
        .is_approximate());
    assert!(matches!(
        off.image_facts(&r("example.com/x/y"), None).await,
        Err(RegistryError::Offline { .. })
    ));
    assert_eq!(fake.requests.load(Ordering::SeqCst), before);
}

#[tokio::test]
async fn answers_from_the_registry_are_not_papered_over() {
    let (_d, fake, settings) = setup("facts-404");
    let reg = Registry::with_distribution(settings, fake.clone());
    // node is in the catalogue, but the registry says this tag does not exist: say so.
    let e = reg.image_facts(&r("node:99"), None).await.unwrap_err();
    assert!(matches!(e, RegistryError::NotFound { .. }), "{e}");
}

#[tokio::test]
async fn tampered_content_is_rejected() {
    let (_d, fake, settings) = setup("facts-tamper");
    let seeded = fake.seed_multi("team/app", "1.0");
    fake.tamper
        .lock()
        .unwrap()
        .insert(seeded.amd64_digest.clone(), b"{}".to_vec());
    let reg = Registry::with_distribution(settings, fake.clone());
    let e = reg
        .image_facts(&r("example.com/team/app:1.0"), None)
        .await
        .unwrap_err();
    assert!(
        matches!(e, RegistryError::DigestMismatch { ref expected, .. } if *expected == seeded.amd64_digest),
        "{e}"
    );
}

#[tokio::test]
async fn concurrent_lookups_share_one_fetch() {
    let (_d, fake, settings) = setup("facts-dedup");
    fake.seed_multi("team/app", "1.0");
    let reg = Registry::with_distribution(settings, fake.clone());
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let reg = reg.clone();
            tokio::spawn(async move { reg.image_facts(&r("example.com/team/app:1.0"), None).await })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap().is_ok());
    }
    assert_eq!(fake.requests.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn mirrors_first_then_docker_hub_and_scratch_is_free() {
    let (_d, fake, mut settings) = setup("facts-mirror");
    settings.registry_mirrors = vec!["https://mirror.local".into()];
    fake.seed_multi("library/node", "20");
    fake.down_registries
        .lock()
        .unwrap()
        .push("mirror.local".into());
    let reg = Registry::with_distribution(settings, fake.clone());
    let f = reg.image_facts(&r("node:20"), None).await.unwrap();
    assert_eq!(f.source, FactSource::Registry);
    let asked = fake.asked.lock().unwrap().clone();
    assert_eq!(asked.first().map(String::as_str), Some("mirror.local"));
    assert!(asked[1..].iter().all(|a| a == "docker.io"), "{asked:?}");
    // Non-Hub images never go to a Docker Hub mirror.
    fake.asked.lock().unwrap().clear();
    fake.seed_multi("team/app", "1");
    reg.image_facts(&r("ghcr.io/team/app:1"), None)
        .await
        .unwrap();
    assert!(fake.asked.lock().unwrap().iter().all(|a| a == "ghcr.io"));

    let before = fake.requests.load(Ordering::SeqCst);
    let s = reg.image_facts(&r("scratch"), None).await.unwrap();
    assert_eq!(s.compressed_size(), Some(0));
    assert_eq!(fake.requests.load(Ordering::SeqCst), before);
}

#[tokio::test]
async fn tag_lists_are_cached_and_fall_back() {
    let (_d, fake, settings) = setup("tags");
    fake.tag_lists
        .lock()
        .unwrap()
        .insert("library/node".into(), vec!["20".into(), "22".into()]);
    let reg = Registry::with_distribution(settings, fake.clone());
    assert_eq!(reg.list_tags(&r("node")).await.unwrap(), vec!["20", "22"]);
    let sent = fake.requests.load(Ordering::SeqCst);
    assert_eq!(
        reg.list_tags(&r("node:20")).await.unwrap(),
        vec!["20", "22"]
    );
    assert_eq!(fake.requests.load(Ordering::SeqCst), sent);
    // Unreachable, nothing cached: the catalogue's tags.
    fake.down.store(true, Ordering::SeqCst);
    let tags = reg.list_tags(&r("python")).await.unwrap();
    assert!(tags.iter().any(|t| t == "3.12-slim"), "{tags:?}");
    assert!(reg.list_tags(&r("example.com/a/b")).await.is_err());
}

#[test]
fn facts_serialise_to_json_with_sizes_in_bytes() {
    let reg = Registry::with_distribution(
        RegistrySettings {
            disk_cache: false,
            ..Default::default()
        },
        Arc::new(FakeRegistry::default()),
    );
    let f = reg
        .catalogue_facts(&r("node:22-slim"), Some(&Platform::linux_amd64()))
        .unwrap();
    let json = serde_json::to_value(&f).unwrap();
    assert_eq!(json["platforms"][0]["compressed_size"], 74_000_000u64);
    assert_eq!(json["source"]["kind"], "catalogue");
    let back: layerwise_analysis::image_facts::ImageFacts = serde_json::from_value(json).unwrap();
    assert_eq!(back, f);
}
