//! `layerwise check` output through the built binary: snippets numbered with their own lines
//! deep in a file (they are cut from the file before rendering), and the note that a build
//! context was not read in full (text and JSON).

mod common;

use common::{json, layerwise, stdout};

#[test]
fn snippets_deep_in_a_file_keep_their_line_numbers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::from("FROM ubuntu:22.04\n");
    for i in 2..40 {
        text.push_str(&format!("# comment {i}\n"));
    }
    text.push_str("RUN apt-get update\nRUN apt-get install curl\n");
    std::fs::write(dir.path().join("Dockerfile"), text).expect("write");
    let out = layerwise(dir.path(), &["check", "--no-context", "Dockerfile"]);
    let stdout = stdout(&out);
    assert!(stdout.contains("--> Dockerfile:40:5"), "{stdout}");
    assert!(stdout.contains("40 | RUN apt-get update"), "{stdout}");
    assert!(stdout.contains("--> Dockerfile:41:5"), "{stdout}");
    assert!(stdout.contains("41 | RUN apt-get install curl"), "{stdout}");
    // Only the finding's own lines are shown.
    assert!(!stdout.contains("comment 20"), "{stdout}");
}

#[test]
fn a_context_cut_short_is_said_in_text_and_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Deeper than the walk's depth limit (64): the walk skips the rest and says so.
    let deep = (0..70).fold(dir.path().to_path_buf(), |p, _| p.join("d"));
    std::fs::create_dir_all(&deep).expect("mkdir");
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM alpine:3.20\nCOPY . /app\n",
    )
    .expect("write");
    let text = layerwise(dir.path(), &["check", "Dockerfile"]);
    let stdout = stdout(&text);
    assert!(
        stdout.contains("note: Dockerfile: the build context `.` was not read in full"),
        "{stdout}"
    );
    let doc = json(&layerwise(
        dir.path(),
        &["check", "--format", "json", "Dockerfile"],
    ));
    let notes = doc["notes"].as_array().expect("notes");
    assert_eq!(notes.len(), 1, "{doc}");
    assert_eq!(notes[0]["file"], "Dockerfile");
    let message = notes[0]["message"].as_str().expect("message");
    assert!(message.contains("more than 64 levels deep"), "{message}");

    // A context read in full has no note.
    let shallow = tempfile::tempdir().expect("temp dir");
    std::fs::write(shallow.path().join("Dockerfile"), "FROM alpine:3.20\n").expect("write");
    let doc = json(&layerwise(
        shallow.path(),
        &["check", "--format", "json", "Dockerfile"],
    ));
    assert_eq!(doc["notes"], serde_json::json!([]), "{doc}");
}
