//! Two-level cache of what registries said: memory (for the editor's hot path) in front of files
//! under the user cache directory (so a restart or another process does not refetch).
//!
//! - Digest-keyed records (a platform's facts, an index's platform list) never expire: a digest
//!   names fixed content.
//! - Tag → digest records and tag lists carry the time they were fetched; the caller decides
//!   whether they are fresh (TTL) or may be served stale (offline, registry unreachable).
//!
//! Every file is written to a temporary name in the same directory and renamed into place, so a
//! reader — in this process or another sharing the directory — sees a whole old file or a whole
//! new one. A file that does not parse, belongs to another key, or is oversized is ignored (and
//! later replaced by a fresh fetch). The cache is best effort: IO errors are logged and ignored.

use crate::manifest::{sha256_digest, IndexEntry};
use layerwise_analysis::image_facts::PlatformFacts;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Bump when the record layout changes; old files are then ignored, not misread.
const FORMAT: u32 = 1;
/// No legitimate cache file is this big; a larger one is not read.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// Memory entries per kind before the memory level is cleared (the disk level still has them).
const MAX_MEMORY_ENTRIES: usize = 8192;

/// What a digest names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DigestRecord {
    Index { entries: Vec<IndexEntry> },
    Image { facts: Box<PlatformFacts> },
}

/// A timestamped record (tag → digest, tag list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timed<T> {
    pub fetched_at: u64,
    pub value: T,
}

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    format: u32,
    key: String,
    data: T,
}

#[derive(Default)]
struct Memory {
    digests: HashMap<String, Timed<DigestRecord>>,
    tags: HashMap<String, Timed<String>>,
    tag_lists: HashMap<String, Timed<Vec<String>>>,
}

/// The cache. Cheap to share behind an `Arc`; all methods take `&self`.
pub struct Cache {
    dir: Option<PathBuf>,
    memory: Mutex<Memory>,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Cache {
    /// A cache with a disk level in `dir` (created on first write), or memory only.
    pub fn new(dir: Option<PathBuf>) -> Cache {
        Cache {
            dir,
            memory: Mutex::new(Memory::default()),
        }
    }

    /// The directory of the disk level, if any.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, Memory> {
        // A panic while holding the lock cannot leave the maps inconsistent (each operation is
        // one insert or lookup), so a poisoned lock is still usable.
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn get_digest(&self, digest: &str) -> Option<Timed<DigestRecord>> {
        if let Some(r) = self.memory().digests.get(digest) {
            return Some(r.clone());
        }
        let path = self.digest_path(digest)?;
        let record: Timed<DigestRecord> = read_file(&path, digest)?;
        insert_bounded(
            &mut self.memory().digests,
            digest.to_string(),
            record.clone(),
        );
        Some(record)
    }

    pub fn put_digest(&self, digest: &str, record: Timed<DigestRecord>) {
        if let Some(path) = self.digest_path(digest) {
            write_file(&path, digest, &record);
        }
        insert_bounded(&mut self.memory().digests, digest.to_string(), record);
    }

    /// `key` is the canonical reference (`docker.io/library/node:20`).
    pub fn get_tag(&self, key: &str) -> Option<Timed<String>> {
        if let Some(r) = self.memory().tags.get(key) {
            return Some(r.clone());
        }
        let record: Timed<String> = read_file(&self.keyed_path("tags", key)?, key)?;
        insert_bounded(&mut self.memory().tags, key.to_string(), record.clone());
        Some(record)
    }

    pub fn put_tag(&self, key: &str, record: Timed<String>) {
        if let Some(path) = self.keyed_path("tags", key) {
            write_file(&path, key, &record);
        }
        insert_bounded(&mut self.memory().tags, key.to_string(), record);
    }

    /// `key` is `registry/repository`.
    pub fn get_tag_list(&self, key: &str) -> Option<Timed<Vec<String>>> {
        if let Some(r) = self.memory().tag_lists.get(key) {
            return Some(r.clone());
        }
        let record: Timed<Vec<String>> = read_file(&self.keyed_path("tag-lists", key)?, key)?;
        insert_bounded(
            &mut self.memory().tag_lists,
            key.to_string(),
            record.clone(),
        );
        Some(record)
    }

    pub fn put_tag_list(&self, key: &str, record: Timed<Vec<String>>) {
        if let Some(path) = self.keyed_path("tag-lists", key) {
            write_file(&path, key, &record);
        }
        insert_bounded(&mut self.memory().tag_lists, key.to_string(), record);
    }

    /// Forgets the memory level (the disk level stays), as a restart would.
    pub fn clear_memory(&self) {
        *self.memory() = Memory::default();
    }

    /// `digests/sha256/<hex>.json`; `None` for a digest that is not safe as a file name.
    fn digest_path(&self, digest: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let (alg, hex) = digest.split_once(':')?;
        let safe = |s: &str| {
            !s.is_empty()
                && s.len() <= 256
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        };
        if !safe(alg) || !safe(hex) {
            return None;
        }
        Some(dir.join("digests").join(alg).join(format!("{hex}.json")))
    }

    /// Free-form keys are hashed into file names.
    fn keyed_path(&self, kind: &str, key: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let hash = sha256_digest(key.as_bytes());
        let hex = hash.strip_prefix("sha256:").unwrap_or(&hash);
        Some(dir.join(kind).join(format!("{hex}.json")))
    }
}

fn insert_bounded<V>(map: &mut HashMap<String, V>, key: String, value: V) {
    if map.len() >= MAX_MEMORY_ENTRIES && !map.contains_key(&key) {
        map.clear();
    }
    map.insert(key, value);
}

fn read_file<T: DeserializeOwned>(path: &Path, key: &str) -> Option<T> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::debug!(path = %path.display(), error = %e, "cache file unreadable");
            }
            return None;
        }
    };
    let mut bytes = Vec::new();
    if let Err(e) = file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes) {
        tracing::debug!(path = %path.display(), error = %e, "cache file unreadable");
        return None;
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        tracing::warn!(path = %path.display(), "cache file too large; ignoring it");
        return None;
    }
    match serde_json::from_slice::<Envelope<T>>(&bytes) {
        Ok(env) if env.format == FORMAT && env.key == key => Some(env.data),
        Ok(_) => {
            tracing::debug!(path = %path.display(), "cache file has another format or key; ignoring it");
            None
        }
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "corrupt cache file; ignoring it and refetching");
            None
        }
    }
}

fn write_file<T: Serialize>(path: &Path, key: &str, data: &T) {
    if let Err(e) = try_write_file(path, key, data) {
        tracing::debug!(path = %path.display(), error = %e, "could not write cache file");
    }
}

fn try_write_file<T: Serialize>(path: &Path, key: &str, data: &T) -> std::io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("cache path has no parent"))?;
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_vec(&Envelope {
        format: FORMAT,
        key: key.to_string(),
        data,
    })
    .map_err(std::io::Error::other)?;
    // Unique per process and per write, so concurrent writers never share a temporary file.
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("entry");
    let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let result = (|| {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&json)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::TempDir;
    use layerwise_analysis::image_facts::{Platform, PlatformFacts};

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn record() -> Timed<DigestRecord> {
        Timed {
            fetched_at: 7,
            value: DigestRecord::Image {
                facts: Box::new(PlatformFacts::sizes_only(Platform::linux_amd64(), 42, None)),
            },
        }
    }

    #[test]
    fn survives_a_restart_through_disk() {
        let tmp = TempDir::new("cache-restart");
        let a = Cache::new(Some(tmp.path().to_path_buf()));
        a.put_digest(D, record());
        a.put_tag(
            "docker.io/library/node:20",
            Timed {
                fetched_at: 9,
                value: D.to_string(),
            },
        );
        a.put_tag_list(
            "docker.io/library/node",
            Timed {
                fetched_at: 9,
                value: vec!["20".into()],
            },
        );
        let b = Cache::new(Some(tmp.path().to_path_buf()));
        assert_eq!(b.get_digest(D), Some(record()));
        assert_eq!(b.get_tag("docker.io/library/node:20").unwrap().value, D);
        assert_eq!(
            b.get_tag_list("docker.io/library/node").unwrap().value,
            vec!["20".to_string()]
        );
        assert!(b.get_tag("docker.io/library/node:21").is_none());
        // No temporary files are left behind.
        let leftovers = walk(tmp.path())
            .into_iter()
            .filter(|p| p.to_string_lossy().ends_with(".tmp"))
            .count();
        assert_eq!(leftovers, 0);
    }

    #[test]
    fn corrupt_truncated_or_foreign_files_are_ignored() {
        let tmp = TempDir::new("cache-corrupt");
        let writer = Cache::new(Some(tmp.path().to_path_buf()));
        writer.put_digest(D, record());
        let path = writer.digest_path(D).unwrap();
        let good = std::fs::read(&path).unwrap();
        for bad in [
            good[..good.len() / 2].to_vec(),
            b"\0\0\0garbage".to_vec(),
            Vec::new(),
        ] {
            std::fs::write(&path, &bad).unwrap();
            assert_eq!(
                Cache::new(Some(tmp.path().to_path_buf())).get_digest(D),
                None
            );
        }
        // A well-formed file stored under the wrong name (another key) is not trusted.
        let other = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
        let other_path = writer.digest_path(other).unwrap();
        std::fs::create_dir_all(other_path.parent().unwrap()).unwrap();
        std::fs::write(&other_path, &good).unwrap();
        assert_eq!(
            Cache::new(Some(tmp.path().to_path_buf())).get_digest(other),
            None
        );
        // A refetch overwrites the corrupt file.
        writer.put_digest(D, record());
        assert_eq!(
            Cache::new(Some(tmp.path().to_path_buf())).get_digest(D),
            Some(record())
        );
    }

    #[test]
    fn unsafe_digests_never_become_paths() {
        let tmp = TempDir::new("cache-unsafe");
        let c = Cache::new(Some(tmp.path().to_path_buf()));
        for d in [
            "sha256:../../x",
            "../x",
            "sha256:",
            "SHA256:AB",
            "sha256:a/b",
        ] {
            assert!(c.digest_path(d).is_none(), "{d}");
            c.put_digest(d, record()); // memory only, no panic
        }
    }

    #[test]
    fn concurrent_writers_and_readers_never_see_a_partial_file() {
        let tmp = TempDir::new("cache-concurrent");
        let dir = tmp.path().to_path_buf();
        let threads: Vec<_> = (0..4)
            .map(|i| {
                let dir = dir.clone();
                std::thread::spawn(move || {
                    for n in 0..50u64 {
                        let c = Cache::new(Some(dir.clone()));
                        if i % 2 == 0 {
                            c.put_tag(
                                "k",
                                Timed {
                                    fetched_at: n,
                                    value: D.to_string(),
                                },
                            );
                        } else if let Some(t) = c.get_tag("k") {
                            assert_eq!(t.value, D);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(Cache::new(Some(dir)).get_tag("k").unwrap().value, D);
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }
}
