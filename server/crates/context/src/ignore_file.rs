//! Finding and reading the ignore file Docker would use for a build.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use layerwise_analysis::build_context::IgnoreFile;
use layerwise_analysis::dockerignore::{ignore_file_candidates, DockerIgnore};

use crate::ContextError;

/// Ignore files larger than this are read only this far (real ones are a few hundred bytes).
const MAX_IGNORE_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads the first ignore file that exists among
/// [`ignore_file_candidates`]: `<Dockerfile name>.dockerignore` next to the Dockerfile, then
/// `.dockerignore` at the context root. `Ok(None)` when there is none.
pub fn read_ignore_file(
    context_root: &Path,
    dockerfile: Option<&Path>,
) -> Result<Option<IgnoreFile>, ContextError> {
    for candidate in ignore_file_candidates(context_root, dockerfile) {
        match read_capped(&candidate) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                return Ok(Some(IgnoreFile {
                    path: candidate.display().to_string(),
                    ignore: DockerIgnore::parse(&text),
                }));
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => {
                return Err(ContextError::IgnoreFile {
                    path: candidate,
                    error,
                })
            }
        }
    }
    Ok(None)
}

fn read_capped(path: &Path) -> io::Result<Vec<u8>> {
    let file = fs::File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is a directory",
        ));
    }
    let mut bytes = Vec::new();
    file.take(MAX_IGNORE_FILE_BYTES).read_to_end(&mut bytes)?;
    Ok(bytes)
}
