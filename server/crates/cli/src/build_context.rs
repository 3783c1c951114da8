//! Which folder is a Dockerfile's build context. `docker build .` next to the file uses the
//! file's folder; `docker build -f docker/Dockerfile .` uses another one, given here with
//! `--context DIR`. The context rules (`copy-ignored-file`, `missing-dockerignore`,
//! `npm-ci-without-lockfile`, ...) and the `COPY` sizes read the files of that folder, so the
//! wrong one makes them report files as missing or leaked.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use layerwise_context::WalkOptions;
use layerwise_lint::Facts;

/// Where the build context comes from.
#[derive(Debug, Clone)]
pub enum ContextChoice {
    /// `--no-context`: rules about files stay quiet.
    Off,
    /// The Dockerfile's own folder.
    NextToFile,
    /// `--context DIR`, for every Dockerfile checked.
    Dir(PathBuf),
}

impl ContextChoice {
    pub fn from_args(no_context: bool, context: Option<&Path>) -> Self {
        match (no_context, context) {
            (true, _) => Self::Off,
            (false, Some(dir)) => Self::Dir(dir.to_path_buf()),
            (false, None) => Self::NextToFile,
        }
    }

    /// A `--context` that cannot be a build context, said the way the user typed it.
    pub fn problem(&self) -> Option<String> {
        match self {
            Self::Dir(dir) if !dir.is_dir() => Some(format!(
                "--context {}: not a folder (give the folder `docker build` is run with, e.g. `.`)",
                dir.display()
            )),
            _ => None,
        }
    }

    /// The facts about the context of `dockerfile`. With `--context`, a context that cannot
    /// be read is a warning (the rules then say nothing about files); next to the file, it is
    /// silently absent, as before the option existed.
    pub fn facts(&self, dockerfile: &Path, warnings: &mut Vec<String>) -> Facts {
        let cancel = AtomicBool::new(false);
        let options = WalkOptions::default();
        match self {
            Self::Off => Facts::default(),
            Self::NextToFile => layerwise_project::context_facts(dockerfile, &options, &cancel),
            Self::Dir(root) => {
                layerwise_project::context_facts_at(root, dockerfile, &options, &cancel)
                    .unwrap_or_else(|e| {
                        warnings.push(format!("build context {}: {e}", root.display()));
                        Facts::default()
                    })
            }
        }
    }
}
