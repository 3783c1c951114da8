//! `layerwise check --context DIR` through the built binary: a Dockerfile in `docker/` built
//! with the project folder as its context (`docker build -f docker/Dockerfile .`).

use std::process::Output;

mod common;

use common::{json, layerwise, stdout};

/// A project whose Dockerfile lives in `docker/` and copies files from the project root,
/// where the `.dockerignore` excludes one of them.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir(root.join("docker")).expect("mkdir");
    std::fs::write(root.join("package.json"), "{\"name\":\"x\"}\n").expect("write");
    std::fs::write(root.join("package-lock.json"), "{}\n").expect("write");
    std::fs::write(root.join("secret.txt"), "s\n").expect("write");
    std::fs::write(root.join("server.js"), vec![b'x'; 8_000_000]).expect("write");
    std::fs::write(root.join(".dockerignore"), "secret.txt\n.git\n").expect("write");
    std::fs::write(
        root.join("docker/Dockerfile"),
        "FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev\nCOPY secret.txt server.js ./\nUSER node\nCMD [\"node\", \"server.js\"]\n",
    )
    .expect("write");
    dir
}

/// The rule names of the findings in `check --format json` output.
fn rules(out: &Output) -> Vec<String> {
    json(out)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str().map(str::to_string))
        .collect()
}

/// The "final image ≈ ..." line of the text output's size summary.
fn final_size(out: &Output) -> String {
    stdout(out)
        .lines()
        .find(|l| l.trim_start().starts_with("final image"))
        .expect("size summary")
        .to_string()
}

fn megabytes(line: &str) -> f64 {
    let after = line.split('≈').nth(1).expect("≈ figure").trim();
    let number: String = after
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let value: f64 = number.parse().expect("number");
    if after[number.len()..].trim_start().starts_with("GB") {
        value * 1000.0
    } else {
        value
    }
}

#[test]
fn the_context_rules_read_the_given_folder() {
    let dir = project();
    let json = ["check", "--format", "json", "--fail-on", "never"];
    // default: the Dockerfile's own folder, which has no .dockerignore
    let own = layerwise(dir.path(), &[&json[..], &["docker/Dockerfile"]].concat());
    assert!(own.status.success(), "{own:?}");
    assert!(!rules(&own).iter().any(|r| r == "copy-ignored-file"));
    // the project root: its .dockerignore excludes secret.txt, which the COPY names
    let root = layerwise(
        dir.path(),
        &[&json[..], &["--context", ".", "docker/Dockerfile"]].concat(),
    );
    assert!(root.status.success(), "{root:?}");
    assert_eq!(
        rules(&root)
            .iter()
            .filter(|r| *r == "copy-ignored-file")
            .count(),
        1,
        "{}",
        stdout(&root)
    );
    // an absolute folder works the same from anywhere
    let abs = dir.path().display().to_string();
    let docker = dir.path().join("docker");
    let from_elsewhere = layerwise(
        &docker,
        &[&json[..], &["--context", &abs, "Dockerfile"]].concat(),
    );
    assert_eq!(rules(&from_elsewhere), rules(&root));
}

#[test]
fn sizes_count_the_files_of_the_given_folder() {
    let dir = project();
    let text = ["check", "--fail-on", "never"];
    let own = final_size(&layerwise(
        dir.path(),
        &[&text[..], &["docker/Dockerfile"]].concat(),
    ));
    let root = final_size(&layerwise(
        dir.path(),
        &[&text[..], &["--context", ".", "docker/Dockerfile"]].concat(),
    ));
    // server.js (8 MB) is in the project root only
    assert!(
        megabytes(&root) >= megabytes(&own) + 7.0,
        "own folder: {own}; project root: {root}"
    );
}

#[test]
fn a_bad_context_is_a_clear_error() {
    let dir = project();
    let missing = layerwise(
        dir.path(),
        &["check", "--context", "nope", "docker/Dockerfile"],
    );
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("--context nope: not a folder"), "{err}");
    // a file is not a folder either
    let file = layerwise(
        dir.path(),
        &["check", "--context", "package.json", "docker/Dockerfile"],
    );
    assert_eq!(file.status.code(), Some(2));
    // and it makes no sense with --no-context
    let both = layerwise(
        dir.path(),
        &[
            "check",
            "--context",
            ".",
            "--no-context",
            "docker/Dockerfile",
        ],
    );
    assert_eq!(both.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&both.stderr).contains("cannot be used with"));
}

#[test]
fn split_takes_the_context_too() {
    let dir = project();
    let missing = layerwise(
        dir.path(),
        &["split", "--context", "nope", "docker/Dockerfile"],
    );
    assert_eq!(missing.status.code(), Some(2));
    let ok = layerwise(
        dir.path(),
        &["split", "--context", ".", "docker/Dockerfile"],
    );
    // node:20-slim is no toolchain image and nothing is built: nothing to split, but the
    // context was accepted
    assert!(matches!(ok.status.code(), Some(0 | 1)), "{ok:?}");
}
