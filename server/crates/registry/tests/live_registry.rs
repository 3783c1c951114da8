//! The registry client against real registries on loopback, started by
//! `tests/registry/fixture.sh` (Debian's docker-registry with plain HTTP, TLS + Basic auth and
//! bearer-token auth, plus a fault server). `tests/suites/40-registry.sh` starts the fixture and
//! runs this file with `LAYERWISE_REQUIRE_REGISTRY=1`, so there a missing fixture fails instead
//! of skipping. Every address contacted is 127.0.0.1.

use layerwise_analysis::image_facts::{FactSource, Platform};
use layerwise_analysis::image_ref::ImageRef;
use layerwise_registry::{Registry, RegistryError, RegistrySettings};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

struct Fixture {
    plain: String,
    auth: String,
    token: String,
    fault: String,
    sink: String,
    ca: PathBuf,
    user: String,
    pass: String,
    identity_token: String,
    repo: String,
    amd64_manifest: String,
    amd64_bytes: u64,
    arm64_manifest: String,
    arm64_bytes: u64,
    layer_count: usize,
    index_digest: String,
}

fn fixture() -> Option<Fixture> {
    init_log_capture();
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let Some(plain) = var("FIXTURE_PLAIN") else {
        if var("LAYERWISE_REQUIRE_REGISTRY").as_deref() == Some("1") {
            panic!("LAYERWISE_REQUIRE_REGISTRY=1 but the registry fixture is not running (FIXTURE_PLAIN unset)");
        }
        eprintln!("skipped: no registry fixture (run tests/suites/40-registry.sh)");
        return None;
    };
    let need = |k: &str| var(k).unwrap_or_else(|| panic!("fixture variable {k} missing"));
    let num = |k: &str| {
        need(k)
            .parse::<u64>()
            .unwrap_or_else(|_| panic!("{k} is not a number"))
    };
    Some(Fixture {
        plain,
        auth: need("FIXTURE_AUTH"),
        token: need("FIXTURE_TOKEN"),
        fault: need("FIXTURE_FAULT"),
        sink: need("FIXTURE_SINK"),
        ca: PathBuf::from(need("FIXTURE_CA")),
        user: need("FIXTURE_USER"),
        pass: need("FIXTURE_PASS"),
        identity_token: need("FIXTURE_IDENTITY_TOKEN"),
        repo: need("FIXTURE_REPO"),
        amd64_manifest: need("FIXTURE_AMD64_MANIFEST"),
        amd64_bytes: num("FIXTURE_AMD64_LAYER_BYTES"),
        arm64_manifest: need("FIXTURE_ARM64_MANIFEST"),
        arm64_bytes: num("FIXTURE_ARM64_LAYER_BYTES"),
        layer_count: num("FIXTURE_LAYER_COUNT") as usize,
        index_digest: need("FIXTURE_INDEX_DIGEST"),
    })
}

/// Everything logged at any level by any test in this binary (including reqwest/hyper through
/// the `log` bridge), for the secret check.
static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn init_log_capture() {
    LOG.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let writer = Capture(buf.clone());
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init();
        buf
    });
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p =
            std::env::temp_dir().join(format!("layerwise-live-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(p.join("docker")).unwrap();
        std::fs::write(p.join("docker/config.json"), "{}").unwrap();
        TempDir(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
    /// Writes Docker's config.json with `auths` for `registry`.
    fn login(&self, registry: &str, entry: serde_json::Value) {
        let config = serde_json::json!({ "auths": { registry: entry } });
        std::fs::write(self.0.join("docker/config.json"), config.to_string()).unwrap();
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn settings(tmp: &TempDir) -> RegistrySettings {
    RegistrySettings {
        cache_dir: Some(tmp.path().join("cache")),
        docker_config_dir: Some(tmp.path().join("docker")),
        default_platform: Some(Platform::linux_amd64()),
        request_timeout_ms: 3000,
        connect_timeout_ms: 2000,
        unreachable_backoff_secs: 0,
        ..Default::default()
    }
}

fn image(registry: &str, path: &str) -> ImageRef {
    ImageRef::parse(&format!("{registry}/{path}")).unwrap()
}

fn arm64() -> Platform {
    Platform::parse("linux/arm64").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_registry_sizes_equal_the_seeded_layers() {
    let Some(fx) = fixture() else { return };
    let tmp = TempDir::new("plain");
    let reg = Registry::new(settings(&tmp)).unwrap();
    let f = reg
        .image_facts(&image(&fx.plain, &format!("{}:1.0", fx.repo)), None)
        .await
        .unwrap();
    assert_eq!(f.source, FactSource::Registry);
    assert_eq!(f.digest.as_deref(), Some(fx.amd64_manifest.as_str()));
    let p = f.primary().unwrap();
    assert_eq!(p.compressed_size, fx.amd64_bytes);
    assert_eq!(p.layer_count, fx.layer_count);
    assert_eq!(p.layers.iter().map(|l| l.size).sum::<u64>(), fx.amd64_bytes);
    assert_eq!(p.platform, Platform::linux_amd64());
    assert_eq!(p.created.as_deref(), Some("2025-03-04T05:06:07Z"));
    assert_eq!(p.user.as_deref(), Some("1000:1000"));
    assert_eq!(p.exposed_ports, vec!["8080/tcp"]);
    assert_eq!(p.entrypoint, Some(vec!["/app/run".to_string()]));
    assert_eq!(p.cmd, Some(vec!["--serve".to_string()]));
    assert_eq!(p.history, vec!["ADD base", "COPY app", "COPY extra"]);
    let mut tags = reg.list_tags(&image(&fx.plain, &fx.repo)).await.unwrap();
    tags.sort();
    assert_eq!(tags, vec!["1.0", "multi"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_yields_the_requested_platform() {
    let Some(fx) = fixture() else { return };
    let tmp = TempDir::new("index");
    let reg = Registry::new(settings(&tmp)).unwrap();
    let multi = image(&fx.plain, &format!("{}:multi", fx.repo));
    let amd = reg
        .image_facts(&multi, Some(&Platform::linux_amd64()))
        .await
        .unwrap();
    let arm = reg.image_facts(&multi, Some(&arm64())).await.unwrap();
    assert_eq!(amd.digest.as_deref(), Some(fx.index_digest.as_str()));
    assert_eq!(arm.digest.as_deref(), Some(fx.index_digest.as_str()));
    assert_eq!(amd.primary().unwrap().compressed_size, fx.amd64_bytes);
    assert_eq!(arm.primary().unwrap().compressed_size, fx.arm64_bytes);
    assert_eq!(
        arm.primary().unwrap().manifest_digest.as_deref(),
        Some(fx.arm64_manifest.as_str())
    );
    assert_eq!(
        arm.primary().unwrap().platform.to_string(),
        "linux/arm64/v8"
    );
    assert_eq!(amd.available_platforms.len(), 2);
    let e = reg
        .image_facts(&multi, Some(&Platform::parse("linux/riscv64").unwrap()))
        .await
        .unwrap_err();
    assert!(
        matches!(e, RegistryError::PlatformNotAvailable { .. }),
        "{e}"
    );
    // Pinning the digest gives the same answer.
    let pinned = multi.with_digest(&fx.index_digest);
    assert_eq!(
        reg.image_facts(&pinned, Some(&arm64()))
            .await
            .unwrap()
            .primary()
            .unwrap()
            .compressed_size,
        fx.arm64_bytes
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_auth_over_tls_with_a_private_ca() {
    let Some(fx) = fixture() else { return };
    let reference = image(&fx.auth, &format!("{}:multi", fx.repo));

    // Unknown CA: a clear TLS error, not a fall back to plain HTTP.
    let tmp = TempDir::new("tls-unknown");
    let e = Registry::new(settings(&tmp))
        .unwrap()
        .image_facts(&reference, None)
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::Tls { .. }), "{e}");
    assert!(e.to_string().contains("TLS"), "{e}");

    // Trusted CA, no credentials: 401 that says to log in.
    let tmp = TempDir::new("tls-anon");
    let s = RegistrySettings {
        ca_certificates: vec![fx.ca.clone()],
        ..settings(&tmp)
    };
    let e = Registry::new(s.clone())
        .unwrap()
        .image_facts(&reference, None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            RegistryError::Unauthorized {
                had_credentials: false,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("docker login"), "{e}");

    // Wrong password.
    tmp.login(
        &fx.auth,
        serde_json::json!({"username": fx.user, "password": "wrong"}),
    );
    let e = Registry::new(s.clone())
        .unwrap()
        .image_facts(&reference, None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            RegistryError::Unauthorized {
                had_credentials: true,
                ..
            }
        ),
        "{e}"
    );

    // Right password.
    tmp.login(
        &fx.auth,
        serde_json::json!({"username": fx.user, "password": fx.pass}),
    );
    let f = Registry::new(s)
        .unwrap()
        .image_facts(&reference, Some(&arm64()))
        .await
        .unwrap();
    assert_eq!(f.primary().unwrap().compressed_size, fx.arm64_bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_tokens_anonymous_password_and_identity_token() {
    let Some(fx) = fixture() else { return };
    let reference = image(&fx.token, &format!("{}:1.0", fx.repo));

    let tmp = TempDir::new("token-anon");
    let f = Registry::new(settings(&tmp))
        .unwrap()
        .image_facts(&reference, None)
        .await
        .unwrap();
    assert_eq!(f.primary().unwrap().compressed_size, fx.amd64_bytes);

    let tmp = TempDir::new("token-pass");
    tmp.login(
        &fx.token,
        serde_json::json!({"username": fx.user, "password": fx.pass}),
    );
    let f = Registry::new(settings(&tmp))
        .unwrap()
        .image_facts(&reference, None)
        .await
        .unwrap();
    assert_eq!(f.primary().unwrap().compressed_size, fx.amd64_bytes);

    let tmp = TempDir::new("token-identity");
    tmp.login(
        &fx.token,
        serde_json::json!({"identitytoken": fx.identity_token}),
    );
    let f = Registry::new(settings(&tmp))
        .unwrap()
        .image_facts(&reference, None)
        .await
        .unwrap();
    assert_eq!(f.primary().unwrap().compressed_size, fx.amd64_bytes);

    let tmp = TempDir::new("token-wrong");
    tmp.login(
        &fx.token,
        serde_json::json!({"username": fx.user, "password": "wrong"}),
    );
    let e = Registry::new(settings(&tmp))
        .unwrap()
        .image_facts(&reference, None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            RegistryError::Unauthorized {
                had_credentials: true,
                ..
            }
        ),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_lookup_is_served_from_the_cache_and_corrupt_files_are_refetched() {
    let Some(fx) = fixture() else { return };
    let tmp = TempDir::new("cache");
    let reference = image(&fx.plain, &format!("{}:multi", fx.repo));
    let reg = Registry::new(settings(&tmp)).unwrap();
    let first = reg.image_facts(&reference, None).await.unwrap();
    let sent = reg.requests_sent();
    assert!(sent >= 4, "ping, HEAD, index, manifest, config: {sent}");

    // Same process: nothing sent.
    let again = reg.image_facts(&reference, None).await.unwrap();
    assert_eq!(reg.requests_sent(), sent);
    assert_eq!(again.platforms, first.platforms);

    // A new process on the same cache directory: nothing sent either, and the source says cache.
    let restarted = Registry::new(settings(&tmp)).unwrap();
    let cached = restarted.image_facts(&reference, None).await.unwrap();
    assert_eq!(restarted.requests_sent(), 0);
    assert!(
        matches!(cached.source, FactSource::Cache { stale: false, .. }),
        "{:?}",
        cached.source
    );
    assert_eq!(cached.platforms, first.platforms);

    // Truncate every cache file: they are ignored, the registry is asked again, the answer is right.
    let files = files_under(&tmp.path().join("cache"));
    assert!(files.len() >= 3, "tag, index, platform image: {files:?}");
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        std::fs::write(f, &bytes[..bytes.len() / 3]).unwrap();
    }
    let fresh = Registry::new(settings(&tmp)).unwrap();
    let refetched = fresh.image_facts(&reference, None).await.unwrap();
    assert!(fresh.requests_sent() > 0);
    assert_eq!(refetched.source, FactSource::Registry);
    assert_eq!(refetched.primary().unwrap().compressed_size, fx.amd64_bytes);
    // ...and the rewritten files are whole again.
    let healed = Registry::new(settings(&tmp)).unwrap();
    assert!(healed
        .cached_facts(&reference, None)
        .is_some_and(|f| matches!(f.source, FactSource::Cache { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_slow_and_offline() {
    let Some(fx) = fixture() else { return };
    // A port nobody listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let tmp = TempDir::new("down");
    let reg = Registry::new(settings(&tmp)).unwrap();
    let e = reg
        .image_facts(&image(&format!("127.0.0.1:{port}"), "a/b:1"), None)
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::Unreachable { .. }), "{e}");
    assert!(e.to_string().contains("cannot reach"), "{e}");

    let slow = RegistrySettings {
        request_timeout_ms: 1000,
        ..settings(&tmp)
    };
    let e = Registry::new(slow)
        .unwrap()
        .image_facts(&image(&fx.fault, "fault/slow:1"), None)
        .await
        .unwrap_err();
    assert!(
        matches!(e, RegistryError::Timeout { after_ms: 1000, .. }),
        "{e}"
    );

    // Fetch, then go offline: the cache answers (stale once the TTL is over) and nothing is sent.
    let reference = image(&fx.plain, &format!("{}:1.0", fx.repo));
    reg.image_facts(&reference, None).await.unwrap();
    let offline = Registry::new(RegistrySettings {
        offline: true,
        tag_ttl_secs: 0,
        ..settings(&tmp)
    })
    .unwrap();
    let f = offline.image_facts(&reference, None).await.unwrap();
    assert!(
        matches!(f.source, FactSource::Cache { stale: true, .. }),
        "{:?}",
        f.source
    );
    assert_eq!(f.primary().unwrap().compressed_size, fx.amd64_bytes);
    assert_eq!(offline.requests_sent(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_and_content_faults_give_clear_errors() {
    let Some(fx) = fixture() else { return };
    // Every fault repository serves the same content, and digest-keyed data is rightly shared
    // across repositories, so each case gets a cache of its own.
    let run = |name: &'static str| {
        let fault = fx.fault.clone();
        async move {
            let tmp = TempDir::new(name);
            Registry::new(settings(&tmp))
                .unwrap()
                .image_facts(&image(&fault, &format!("fault/{name}:1")), None)
                .await
        }
    };
    assert!(run("ok")
        .await
        .is_ok_and(|f| f.primary().unwrap().compressed_size == 7500));
    type Check = fn(&RegistryError) -> bool;
    let cases: Vec<(&str, Check, &str)> = vec![
        (
            "notfound",
            |e| matches!(e, RegistryError::NotFound { .. }),
            "not found",
        ),
        (
            "private",
            |e| {
                matches!(
                    e,
                    RegistryError::Unauthorized {
                        had_credentials: false,
                        ..
                    }
                )
            },
            "authentication",
        ),
        (
            "forbidden",
            |e| matches!(e, RegistryError::Forbidden { .. }),
            "denied",
        ),
        (
            "ratelimited",
            |e| {
                matches!(
                    e,
                    RegistryError::RateLimited {
                        retry_after_secs: Some(120),
                        ..
                    }
                )
            },
            "retry in 2 min",
        ),
        (
            "broken",
            |e| matches!(e, RegistryError::Server { status: 500, .. }),
            "HTTP 500",
        ),
        (
            "malformed",
            |e| matches!(e, RegistryError::Malformed { .. }),
            "malformed manifest",
        ),
        (
            "mismatch",
            |e| matches!(e, RegistryError::DigestMismatch { .. }),
            "does not match",
        ),
        (
            "oversized",
            |e| matches!(e, RegistryError::TooLarge { .. }),
            "larger than",
        ),
        (
            "oversized-stream",
            |e| matches!(e, RegistryError::TooLarge { .. }),
            "larger than",
        ),
    ];
    for (name, is_expected, words) in cases {
        let e = run(name).await.expect_err(name);
        assert!(is_expected(&e), "{name}: {e:?}");
        assert!(e.to_string().contains(words), "{name}: {e}");
    }
    // After a 429 the client holds off instead of asking again.
    let tmp = TempDir::new("faults-429");
    let reg = Registry::new(settings(&tmp)).unwrap();
    let _ = reg
        .image_facts(&image(&fx.fault, "fault/ratelimited:1"), None)
        .await;
    let sent = reg.requests_sent();
    let e = reg
        .image_facts(&image(&fx.fault, "fault/ok:1"), None)
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::RateLimited { .. }), "{e}");
    assert_eq!(reg.requests_sent(), sent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_another_host_carries_no_credentials() {
    let Some(fx) = fixture() else { return };
    let tmp = TempDir::new("redirect");
    tmp.login(
        &fx.fault,
        serde_json::json!({"username": fx.user, "password": fx.pass}),
    );
    let reg = Registry::new(settings(&tmp)).unwrap();
    let f = reg
        .image_facts(&image(&fx.fault, "fault/redirect:1"), None)
        .await
        .unwrap();
    assert_eq!(
        f.primary().unwrap().user.as_deref(),
        Some("app"),
        "the config came from the other host"
    );
    let seen = |host: &str| -> Vec<Option<String>> {
        let out = std::process::Command::new("curl")
            .args(["-s", &format!("http://{host}/seen")])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    assert!(
        seen(&fx.fault)
            .iter()
            .any(|a| a.as_deref().is_some_and(|a| a.starts_with("Basic "))),
        "the registry itself got credentials"
    );
    let at_sink = seen(&fx.sink);
    assert!(!at_sink.is_empty(), "the sink was asked");
    assert!(
        at_sink.iter().all(Option::is_none),
        "credentials followed the redirect: {at_sink:?}"
    );

    // The other host wanting credentials is an error that says why none were sent. (A fresh cache:
    // the content is the same as fault/redirect's, which the cache would rightly reuse.)
    let tmp = TempDir::new("redirect-auth");
    tmp.login(
        &fx.fault,
        serde_json::json!({"username": fx.user, "password": fx.pass}),
    );
    let reg = Registry::new(settings(&tmp)).unwrap();
    let e = reg
        .image_facts(&image(&fx.fault, "fault/redirect-auth:1"), None)
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::Redirect { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("never sends credentials to another host"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tag_lists_follow_pagination() {
    let Some(fx) = fixture() else { return };
    let tmp = TempDir::new("tags");
    let reg = Registry::new(settings(&tmp)).unwrap();
    let tags = reg
        .list_tags(&image(&fx.fault, "fault/paged"))
        .await
        .unwrap();
    assert_eq!(tags, vec!["a", "b", "c", "d", "e"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_logs_cache_or_errors() {
    let Some(fx) = fixture() else { return };
    let tmp = TempDir::new("secrets");
    let mut messages = Vec::new();
    // Basic over TLS, bearer with password, identity token, wrong passwords, redirect with creds.
    let runs: Vec<(&str, serde_json::Value, ImageRef, bool)> = vec![
        (
            &fx.auth,
            serde_json::json!({"username": fx.user, "password": fx.pass}),
            image(&fx.auth, &format!("{}:1.0", fx.repo)),
            true,
        ),
        (
            &fx.auth,
            serde_json::json!({"username": fx.user, "password": format!("{}-x", fx.pass)}),
            image(&fx.auth, &format!("{}:1.0", fx.repo)),
            true,
        ),
        (
            &fx.token,
            serde_json::json!({"username": fx.user, "password": fx.pass}),
            image(&fx.token, &format!("{}:1.0", fx.repo)),
            false,
        ),
        (
            &fx.token,
            serde_json::json!({"identitytoken": fx.identity_token}),
            image(&fx.token, &format!("{}:multi", fx.repo)),
            false,
        ),
        (
            &fx.fault,
            serde_json::json!({"username": fx.user, "password": fx.pass}),
            image(&fx.fault, "fault/redirect-auth:1"),
            false,
        ),
    ];
    for (registry, entry, reference, tls) in runs {
        tmp.login(registry, entry);
        let s = if tls {
            RegistrySettings {
                ca_certificates: vec![fx.ca.clone()],
                ..settings(&tmp)
            }
        } else {
            settings(&tmp)
        };
        match Registry::new(s)
            .unwrap()
            .image_facts(&reference, None)
            .await
        {
            Ok(f) => messages.push(format!("{f:?}")),
            Err(e) => messages.push(format!("{e} {e:?}")),
        }
    }
    let secrets = [
        fx.pass.clone(),
        fx.identity_token.clone(),
        base64(&format!("{}:{}", fx.user, fx.pass)),
    ];
    let logs = String::from_utf8_lossy(&LOG.get().unwrap().lock().unwrap()).to_string();
    assert!(
        logs.contains("layerwise_registry") || logs.contains("reqwest") || logs.contains("hyper"),
        "logs were captured"
    );
    let mut cache_text = String::new();
    for f in files_under(&tmp.path().join("cache")) {
        cache_text.push_str(&String::from_utf8_lossy(&std::fs::read(f).unwrap()));
    }
    assert!(!cache_text.is_empty());
    for s in &secrets {
        assert!(!logs.contains(s.as_str()), "a secret reached the logs");
        assert!(
            !cache_text.contains(s.as_str()),
            "a secret reached the cache"
        );
        assert!(
            !messages.iter().any(|m| m.contains(s.as_str())),
            "a secret reached an error or result"
        );
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn base64(s: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = (chunk[0] as u32) << 16
            | (*chunk.get(1).unwrap_or(&0) as u32) << 8
            | *chunk.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
