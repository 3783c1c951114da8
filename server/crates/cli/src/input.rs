//! Reading a Dockerfile from disk: bounded size, invalid UTF-8 reported and replaced rather
//! than refused.

use std::path::Path;

use anyhow::{bail, Context, Result};

/// Files larger than this are refused with a clear message (a Dockerfile is a few KiB).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

pub struct SourceFile {
    pub text: String,
    /// The file was not valid UTF-8; invalid bytes were replaced with U+FFFD.
    pub lossy: bool,
}

pub fn read_dockerfile(path: &Path) -> Result<SourceFile> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if meta.len() > MAX_FILE_BYTES {
        bail!(
            "{} is {} bytes; layerwise reads Dockerfiles up to {} bytes",
            path.display(),
            meta.len(),
            MAX_FILE_BYTES
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => SourceFile { text, lossy: false },
        Err(e) => SourceFile {
            text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            lossy: true,
        },
    })
}
