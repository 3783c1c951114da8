//! Reading manifests, indexes and image configs — Docker schema 2 and OCI alike — into the few
//! facts layerwise needs. The structs here are deliberately tolerant (every field optional,
//! unknown fields ignored) so one unexpected value in a field we do not use cannot hide an
//! image's size; what we do use is validated (digest syntax, counts).

use crate::RegistryError;
use layerwise_analysis::image_facts::{LayerFacts, Platform, PlatformFacts};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1";

/// The `Accept` header for manifest requests: indexes and image manifests, OCI and Docker.
pub const MANIFEST_ACCEPT: &[&str] = &[OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST];

/// More entries than any real image has; guards memory and time against hostile manifests.
const MAX_ENTRIES: usize = 4096;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    schema_version: Option<u32>,
    media_type: Option<String>,
    manifests: Option<Vec<RawDescriptor>>,
    config: Option<RawDescriptor>,
    layers: Option<Vec<RawDescriptor>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDescriptor {
    media_type: Option<String>,
    digest: String,
    size: u64,
    platform: Option<RawPlatform>,
    annotations: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct RawPlatform {
    os: String,
    architecture: String,
    variant: Option<String>,
}

/// One entry of an index: a platform's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    pub digest: String,
    pub size: u64,
    pub platform: Option<Platform>,
    /// Attestation manifests (`unknown/unknown`) and the like, never chosen.
    pub attestation: bool,
}

/// A parsed manifest: either an index of platforms, or one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manifest {
    Index(Vec<IndexEntry>),
    Image {
        config_digest: String,
        config_size: u64,
        layers: Vec<LayerFacts>,
    },
}

fn malformed(what: &str, detail: impl Into<String>) -> RegistryError {
    RegistryError::Malformed {
        what: what.to_string(),
        detail: detail.into(),
    }
}

/// `sha256:<64 lowercase hex>` (other algorithms are accepted if well-formed; only sha256 is
/// verified).
pub fn is_valid_digest(d: &str) -> bool {
    match d.split_once(':') {
        Some(("sha256", hex)) => {
            hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        }
        Some((alg, hex)) => {
            !alg.is_empty()
                && alg
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+._-".contains(&b))
                && hex.len() >= 32
                && hex.len() <= 256
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut s = String::with_capacity(7 + 64);
    s.push_str("sha256:");
    for b in hash.iter() {
        s.push(char::from(b"0123456789abcdef"[(b >> 4) as usize]));
        s.push(char::from(b"0123456789abcdef"[(b & 15) as usize]));
    }
    s
}

/// Checks that `bytes` hash to `expected` when it is a sha256 digest.
pub fn verify_digest(bytes: &[u8], expected: &str) -> Result<(), RegistryError> {
    if expected.starts_with("sha256:") {
        let actual = sha256_digest(bytes);
        if actual != expected {
            return Err(RegistryError::DigestMismatch {
                expected: expected.to_string(),
                actual,
            });
        }
    }
    Ok(())
}

/// Parses a manifest or index. `content_type` is the served `Content-Type`, used when the body
/// has no `mediaType`.
pub fn parse_manifest(bytes: &[u8], content_type: Option<&str>) -> Result<Manifest, RegistryError> {
    let raw: RawManifest = serde_json::from_slice(bytes)
        .map_err(|e| malformed("manifest", format!("not valid manifest JSON: {e}")))?;
    let media_type = raw
        .media_type
        .as_deref()
        .or(content_type.map(|c| c.split(';').next().unwrap_or(c).trim()))
        .unwrap_or("");
    if media_type.starts_with(DOCKER_SCHEMA1) || raw.schema_version == Some(1) {
        return Err(malformed(
            "manifest",
            "Docker schema 1 manifests are not supported (the image is very old; re-push it)",
        ));
    }
    let is_index = media_type == OCI_INDEX
        || media_type == DOCKER_LIST
        || (raw.manifests.is_some() && raw.layers.is_none());
    if is_index {
        let list = raw.manifests.unwrap_or_default();
        if list.len() > MAX_ENTRIES {
            return Err(malformed(
                "index",
                format!("{} entries is more than {MAX_ENTRIES}", list.len()),
            ));
        }
        let mut entries = Vec::with_capacity(list.len());
        for d in list {
            if !is_valid_digest(&d.digest) {
                return Err(malformed(
                    "index",
                    format!("invalid digest {:?}", truncate(&d.digest)),
                ));
            }
            let attestation = d
                .annotations
                .as_ref()
                .and_then(|a| a.get("vnd.docker.reference.type"))
                .is_some_and(|t| t == "attestation-manifest")
                || d.platform
                    .as_ref()
                    .is_some_and(|p| p.os == "unknown" || p.architecture == "unknown");
            let platform = d
                .platform
                .map(|p| Platform::new(&p.os, &p.architecture, p.variant.as_deref()));
            entries.push(IndexEntry {
                digest: d.digest,
                size: d.size,
                platform,
                attestation,
            });
        }
        return Ok(Manifest::Index(entries));
    }
    let config = raw
        .config
        .ok_or_else(|| malformed("manifest", "no config descriptor"))?;
    if !is_valid_digest(&config.digest) {
        return Err(malformed(
            "manifest",
            format!("invalid config digest {:?}", truncate(&config.digest)),
        ));
    }
    let raw_layers = raw.layers.unwrap_or_default();
    if raw_layers.len() > MAX_ENTRIES {
        return Err(malformed(
            "manifest",
            format!("{} layers is more than {MAX_ENTRIES}", raw_layers.len()),
        ));
    }
    let mut layers = Vec::with_capacity(raw_layers.len());
    for l in raw_layers {
        if !is_valid_digest(&l.digest) {
            return Err(malformed(
                "manifest",
                format!("invalid layer digest {:?}", truncate(&l.digest)),
            ));
        }
        layers.push(LayerFacts {
            digest: l.digest,
            size: l.size,
            media_type: l.media_type,
        });
    }
    Ok(Manifest::Image {
        config_digest: config.digest,
        config_size: config.size,
        layers,
    })
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

#[derive(Deserialize, Default)]
struct RawConfig {
    created: Option<String>,
    architecture: Option<String>,
    os: Option<String>,
    variant: Option<String>,
    config: Option<RawContainerConfig>,
    history: Option<Vec<RawHistory>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct RawContainerConfig {
    user: Option<String>,
    exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    entrypoint: Option<Vec<String>>,
    cmd: Option<Vec<String>>,
    working_dir: Option<String>,
}

#[derive(Deserialize)]
struct RawHistory {
    created_by: Option<String>,
    empty_layer: Option<bool>,
}

/// Builds a platform's facts from its manifest layers and config blob. The platform comes from
/// the config, else from the index entry that led here.
pub fn platform_facts(
    manifest_digest: &str,
    layers: Vec<LayerFacts>,
    config: &[u8],
    index_platform: Option<&Platform>,
) -> Result<PlatformFacts, RegistryError> {
    let raw: RawConfig = serde_json::from_slice(config)
        .map_err(|e| malformed("image config", format!("not valid JSON: {e}")))?;
    let platform = match (&raw.os, &raw.architecture) {
        (Some(os), Some(arch)) if !os.is_empty() && !arch.is_empty() => {
            Platform::new(os, arch, raw.variant.as_deref())
        }
        _ => index_platform
            .cloned()
            .unwrap_or_else(|| Platform::new("unknown", "unknown", None)),
    };
    let c = raw.config.unwrap_or_default();
    let history = raw
        .history
        .unwrap_or_default()
        .into_iter()
        .filter(|h| h.empty_layer != Some(true))
        .map(|h| h.created_by.unwrap_or_default())
        .take(MAX_ENTRIES)
        .collect();
    let compressed_size = layers
        .iter()
        .fold(0u64, |acc, l| acc.saturating_add(l.size));
    Ok(PlatformFacts {
        platform,
        manifest_digest: Some(manifest_digest.to_string()),
        compressed_size,
        unpacked_size: None,
        layer_count: layers.len(),
        layers,
        created: raw.created,
        user: c.user.filter(|u| !u.is_empty()),
        exposed_ports: c
            .exposed_ports
            .map(|p| p.into_keys().take(256).collect())
            .unwrap_or_default(),
        entrypoint: c.entrypoint,
        cmd: c.cmd,
        working_dir: c.working_dir.filter(|w| !w.is_empty()),
        history,
    })
}

/// Picks the index entry for `wanted`: an exact match first, then one that matches once default
/// variants are filled in. Attestation entries are never picked.
pub fn select_platform<'a>(entries: &'a [IndexEntry], wanted: &Platform) -> Option<&'a IndexEntry> {
    let candidates = || entries.iter().filter(|e| !e.attestation);
    candidates()
        .find(|e| e.platform.as_ref() == Some(wanted))
        .or_else(|| candidates().find(|e| e.platform.as_ref().is_some_and(|p| p.matches(wanted))))
        .or_else(|| {
            // An index whose only entry names no platform is a plain wrapper around one image.
            let mut all = candidates();
            match (all.next(), all.next()) {
                (Some(only), None) if only.platform.is_none() => Some(only),
                _ => None,
            }
        })
}

/// The platforms an index offers, attestations left out.
pub fn available_platforms(entries: &[IndexEntry]) -> Vec<Platform> {
    entries
        .iter()
        .filter(|e| !e.attestation)
        .filter_map(|e| e.platform.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const C: &str = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

    #[test]
    fn digest_of_known_input() {
        // sha256("") is a well-known constant.
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(verify_digest(
            b"",
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        )
        .is_ok());
        assert!(matches!(
            verify_digest(b"x", A),
            Err(RegistryError::DigestMismatch { .. })
        ));
        assert!(
            is_valid_digest(A) && !is_valid_digest("sha256:abc") && !is_valid_digest("../../etc")
        );
    }

    #[test]
    fn image_manifest_sizes_are_the_sum_of_layers() {
        let m = format!(
            r#"{{"schemaVersion":2,"mediaType":"{DOCKER_MANIFEST}","config":{{"mediaType":"x","digest":"{A}","size":7}},
            "layers":[{{"mediaType":"l","digest":"{B}","size":100}},{{"mediaType":"l","digest":"{C}","size":23}}],"extra":1}}"#
        );
        let Manifest::Image {
            config_digest,
            layers,
            ..
        } = parse_manifest(m.as_bytes(), None).unwrap()
        else {
            panic!("expected an image manifest")
        };
        assert_eq!(config_digest, A);
        let config = br#"{"architecture":"arm64","os":"linux","variant":"v8","created":"2025-01-02T03:04:05Z",
            "config":{"User":"node","ExposedPorts":{"8080/tcp":{},"443/tcp":{}},"Entrypoint":null,"Cmd":["node"]},
            "history":[{"created_by":"ADD rootfs"},{"created_by":"ENV x","empty_layer":true},{"created_by":"RUN y"}]}"#;
        let f = platform_facts(B, layers, config, None).unwrap();
        assert_eq!(f.compressed_size, 123);
        assert_eq!(f.layer_count, 2);
        assert_eq!(f.platform.to_string(), "linux/arm64/v8");
        assert_eq!(f.user.as_deref(), Some("node"));
        assert_eq!(f.exposed_ports, vec!["443/tcp", "8080/tcp"]);
        assert_eq!(f.entrypoint, None);
        assert_eq!(f.cmd, Some(vec!["node".to_string()]));
        assert_eq!(f.history, vec!["ADD rootfs", "RUN y"]);
    }

    #[test]
    fn index_selection() {
        let idx = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[
              {{"digest":"{A}","size":1,"platform":{{"os":"linux","architecture":"amd64"}}}},
              {{"digest":"{B}","size":1,"platform":{{"os":"linux","architecture":"arm64","variant":"v8"}}}},
              {{"digest":"{C}","size":1,"platform":{{"os":"unknown","architecture":"unknown"}},
                "annotations":{{"vnd.docker.reference.type":"attestation-manifest"}}}}]}}"#
        );
        let Manifest::Index(entries) = parse_manifest(idx.as_bytes(), None).unwrap() else {
            panic!()
        };
        let p = |s: &str| Platform::parse(s).unwrap();
        assert_eq!(
            select_platform(&entries, &p("linux/amd64")).unwrap().digest,
            A
        );
        assert_eq!(
            select_platform(&entries, &p("linux/arm64")).unwrap().digest,
            B
        );
        assert!(select_platform(&entries, &p("linux/s390x")).is_none());
        assert_eq!(available_platforms(&entries).len(), 2);
    }

    #[test]
    fn rejects_what_it_cannot_use() {
        let cases: Vec<(String, &str)> = vec![
            ("{not json".into(), "not valid manifest JSON"),
            (r#"{"schemaVersion":1,"fsLayers":[]}"#.into(), "schema 1"),
            (r#"{"schemaVersion":2,"layers":[]}"#.into(), "no config"),
            (
                format!(
                    r#"{{"config":{{"digest":"{A}","size":1}},"layers":[{{"digest":"../x","size":1}}]}}"#
                ),
                "invalid layer digest",
            ),
            (
                format!(r#"{{"config":{{"digest":"{A}","size":-1}},"layers":[]}}"#),
                "not valid",
            ),
            (
                format!(
                    r#"{{"mediaType":"{OCI_INDEX}","manifests":[{{"digest":"bad","size":1}}]}}"#
                ),
                "invalid digest",
            ),
        ];
        for (body, want) in cases {
            let e = parse_manifest(body.as_bytes(), None)
                .expect_err(&body)
                .to_string();
            assert!(e.contains(want), "{body}: {e}");
        }
        assert!(platform_facts(A, vec![], b"[1,2]", None).is_err());
    }
}
