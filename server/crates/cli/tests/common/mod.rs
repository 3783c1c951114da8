//! What the CLI's integration tests share: running the built `layerwise` binary one way (in a
//! chosen folder, colour off so text output compares as plain text) and reading what it printed.
//! Each test file includes this with `mod common;`.

use std::path::Path;
use std::process::{Command, Output};

/// Runs the built binary with `args` in `dir` and waits for it.
pub fn layerwise(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_layerwise"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run layerwise")
}

/// What a run printed on stdout, as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The JSON document a `--format json` run printed on stdout.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("json output")
}
