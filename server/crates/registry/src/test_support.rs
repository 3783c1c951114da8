//! Helpers for unit tests: a temporary directory removed on drop, and an in-memory registry
//! implementing [`Distribution`] that counts and can fail requests.

use crate::distribution::{BoxFuture, Distribution, ManifestBytes, ManifestHead};
use crate::manifest::{sha256_digest, DOCKER_MANIFEST, OCI_INDEX};
use crate::RegistryError;
use layerwise_analysis::image_ref::ImageRef;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p =
            std::env::temp_dir().join(format!("layerwise-test-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An in-memory registry: repositories of tags, manifests and blobs by digest.
#[derive(Default)]
pub struct FakeRegistry {
    pub tags: Mutex<HashMap<(String, String), String>>,
    pub manifests: Mutex<HashMap<String, (Vec<u8>, String)>>,
    pub blobs: Mutex<HashMap<String, Vec<u8>>>,
    pub tag_lists: Mutex<HashMap<String, Vec<String>>>,
    pub requests: AtomicU64,
    pub down: AtomicBool,
    /// Serve this body instead of the stored one for a digest (to test mismatches).
    pub tamper: Mutex<HashMap<String, Vec<u8>>>,
    /// Registries (by `ImageRef::registry`) that answer as if down.
    pub down_registries: Mutex<Vec<String>>,
    /// Every registry asked, in order.
    pub asked: Mutex<Vec<String>>,
}

pub struct Seeded {
    pub index_digest: String,
    pub amd64_digest: String,
    pub amd64_layer_bytes: u64,
    pub arm64_layer_bytes: u64,
}

impl FakeRegistry {
    fn check(&self, image: &ImageRef) -> Result<(), RegistryError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        self.asked.lock().unwrap().push(image.registry.clone());
        if self.down.load(Ordering::SeqCst)
            || self
                .down_registries
                .lock()
                .unwrap()
                .contains(&image.registry)
        {
            return Err(RegistryError::Unreachable {
                registry: image.registry.clone(),
                detail: "connection refused".into(),
            });
        }
        Ok(())
    }

    pub fn add_blob(&self, bytes: Vec<u8>) -> String {
        let d = sha256_digest(&bytes);
        self.blobs.lock().unwrap().insert(d.clone(), bytes);
        d
    }

    pub fn add_manifest(&self, bytes: Vec<u8>, media_type: &str) -> String {
        let d = sha256_digest(&bytes);
        self.manifests
            .lock()
            .unwrap()
            .insert(d.clone(), (bytes, media_type.to_string()));
        d
    }

    /// An image with layers of the given sizes for `arch`; returns (manifest digest, total).
    pub fn add_image(
        &self,
        arch: &str,
        variant: Option<&str>,
        layer_sizes: &[u64],
    ) -> (String, u64) {
        let v = variant
            .map(|v| format!(r#","variant":"{v}""#))
            .unwrap_or_default();
        let config = format!(
            r#"{{"architecture":"{arch}","os":"linux"{v},"created":"2025-01-01T00:00:00Z","config":{{"User":"app","ExposedPorts":{{"80/tcp":{{}}}},"Cmd":["run"]}},"rootfs":{{"type":"layers","diff_ids":[]}}}}"#
        );
        let config_size = config.len();
        let config_digest = self.add_blob(config.into_bytes());
        let layers: Vec<String> = layer_sizes
            .iter()
            .enumerate()
            .map(|(i, s)| format!(r#"{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"sha256:{:064x}","size":{s}}}"#, i + 1))
            .collect();
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"{DOCKER_MANIFEST}","config":{{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"{config_digest}","size":{config_size}}},"layers":[{}]}}"#,
            layers.join(",")
        );
        (
            self.add_manifest(manifest.into_bytes(), DOCKER_MANIFEST),
            layer_sizes.iter().sum(),
        )
    }

    /// `repo:tag` → an index of linux/amd64 and linux/arm64/v8 images.
    pub fn seed_multi(&self, repo: &str, tag: &str) -> Seeded {
        let (amd, amd_total) = self.add_image("amd64", None, &[1000, 2345]);
        let (arm, arm_total) = self.add_image("arm64", Some("v8"), &[900, 100, 11]);
        let index = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[
            {{"mediaType":"{DOCKER_MANIFEST}","digest":"{amd}","size":1,"platform":{{"architecture":"amd64","os":"linux"}}}},
            {{"mediaType":"{DOCKER_MANIFEST}","digest":"{arm}","size":1,"platform":{{"architecture":"arm64","os":"linux","variant":"v8"}}}}]}}"#
        );
        let idx = self.add_manifest(index.into_bytes(), OCI_INDEX);
        self.tags
            .lock()
            .unwrap()
            .insert((repo.to_string(), tag.to_string()), idx.clone());
        Seeded {
            index_digest: idx,
            amd64_digest: amd,
            amd64_layer_bytes: amd_total,
            arm64_layer_bytes: arm_total,
        }
    }

    fn lookup(
        &self,
        image: &ImageRef,
        reference: &str,
    ) -> Result<(String, Vec<u8>, String), RegistryError> {
        let digest = if reference.contains(':') {
            reference.to_string()
        } else {
            self.tags
                .lock()
                .unwrap()
                .get(&(image.repository.clone(), reference.to_string()))
                .cloned()
                .ok_or_else(|| RegistryError::NotFound {
                    reference: format!("{}:{reference}", image.familiar_name()),
                    detail: None,
                })?
        };
        let (mut bytes, mt) = self
            .manifests
            .lock()
            .unwrap()
            .get(&digest)
            .cloned()
            .ok_or_else(|| RegistryError::NotFound {
                reference: digest.clone(),
                detail: None,
            })?;
        if let Some(t) = self.tamper.lock().unwrap().get(&digest) {
            bytes = t.clone();
        }
        Ok((digest, bytes, mt))
    }
}

impl Distribution for FakeRegistry {
    fn head_manifest<'a>(
        &'a self,
        image: &'a ImageRef,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<ManifestHead, RegistryError>> {
        Box::pin(async move {
            self.check(image)?;
            let (digest, _, mt) = self.lookup(image, reference)?;
            Ok(ManifestHead {
                digest: Some(digest),
                media_type: Some(mt),
            })
        })
    }

    fn get_manifest<'a>(
        &'a self,
        image: &'a ImageRef,
        reference: &'a str,
        max: u64,
    ) -> BoxFuture<'a, Result<ManifestBytes, RegistryError>> {
        Box::pin(async move {
            self.check(image)?;
            let (_, bytes, mt) = self.lookup(image, reference)?;
            if bytes.len() as u64 > max {
                return Err(RegistryError::TooLarge {
                    what: "manifest".into(),
                    limit: max,
                });
            }
            Ok(ManifestBytes {
                bytes,
                media_type: Some(mt),
            })
        })
    }

    fn get_blob<'a>(
        &'a self,
        image: &'a ImageRef,
        digest: &'a str,
        _max: u64,
    ) -> BoxFuture<'a, Result<Vec<u8>, RegistryError>> {
        Box::pin(async move {
            self.check(image)?;
            self.blobs
                .lock()
                .unwrap()
                .get(digest)
                .cloned()
                .ok_or_else(|| RegistryError::NotFound {
                    reference: digest.to_string(),
                    detail: None,
                })
        })
    }

    fn list_tags<'a>(
        &'a self,
        image: &'a ImageRef,
        max: usize,
    ) -> BoxFuture<'a, Result<Vec<String>, RegistryError>> {
        Box::pin(async move {
            self.check(image)?;
            let mut t = self
                .tag_lists
                .lock()
                .unwrap()
                .get(&image.repository)
                .cloned()
                .unwrap_or_default();
            t.truncate(max);
            Ok(t)
        })
    }

    fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }
}
