//! Walking real directories (temporary ones) into snapshots.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use layerwise_analysis::build_context::{
    DirContents, EntryKind, SourceStatus, TruncationReason, WalkStatus,
};
use layerwise_context::{snapshot, walk, BuildContext, ContextError, WalkOptions, WalkProgress};

fn write(root: &Path, rel: &str, len: usize) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(path, vec![b'x'; len]).expect("write");
}

fn take(root: &Path, dockerfile: Option<&Path>, options: &WalkOptions) -> BuildContext {
    snapshot(
        root,
        dockerfile,
        options,
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .expect("snapshot")
}

fn truncation_reason(ctx: &BuildContext) -> Option<TruncationReason> {
    match ctx.status() {
        WalkStatus::Complete => None,
        WalkStatus::Truncated(t) => Some(t.reason),
    }
}

#[test]
fn sizes_and_copy_sources() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    write(root, "Dockerfile", 50);
    write(root, "package.json", 300);
    write(root, "package-lock.json", 4000);
    write(root, "src/index.js", 1200);
    write(root, "src/lib/util.js", 800);
    write(root, "main.go", 10);
    write(root, "cmd/app/main.go", 20);
    fs::create_dir(root.join("empty")).expect("mkdir");
    let ctx = take(root, None, &WalkOptions::default());
    assert_eq!(truncation_reason(&ctx), None);
    assert!(ctx.is_complete());
    assert!(ctx.ignore().is_none());
    let totals = ctx.totals();
    assert_eq!(totals.sent_files, 7);
    assert_eq!(totals.sent_bytes, 50 + 300 + 4000 + 1200 + 800 + 10 + 20);
    assert_eq!(
        ctx.entry("src/lib/util.js").map(|e| (e.kind, e.size)),
        Some((EntryKind::File, 800))
    );
    assert!(ctx.entry("empty").is_some_and(|e| e.is_dir()));
    let copy = |sources: &[&str]| {
        let s = ctx.copy_size(sources);
        (s.files, s.bytes)
    };
    assert_eq!(copy(&["."]), (7, totals.sent_bytes));
    assert_eq!(copy(&["src/"]), (2, 2000));
    assert_eq!(copy(&["package*.json"]), (2, 4300));
    assert_eq!(copy(&["*.go"]), (1, 10));
    assert_eq!(copy(&["./src", "./main.go"]), (3, 2010));
    let children: Vec<&str> = ctx.children("src").iter().map(|e| e.name()).collect();
    assert_eq!(children, ["index.js", "lib"]);
}

#[test]
fn dockerignore_is_applied_and_excluded_dirs_are_skipped() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let ignore_text = "# deps\nnode_modules\n*.log\ndocs\n!docs/README.md\n";
    fs::write(root.join(".dockerignore"), ignore_text).expect("write");
    write(root, "node_modules/react/index.js", 5000);
    write(root, "node_modules/react/package.json", 100);
    write(root, "app.log", 700);
    write(root, "docs/README.md", 30);
    write(root, "docs/guide.md", 60);
    write(root, "src/a.js", 10);
    write(root, "src/debug.log", 5);
    let ctx = take(root, None, &WalkOptions::default());
    let ignore = ctx.ignore().expect("ignore file found");
    assert!(ignore.path.ends_with(".dockerignore"));
    // Not entered at all, as BuildKit does not enter it.
    let nm = ctx.entry("node_modules").expect("recorded");
    assert_eq!(nm.contents, DirContents::Skipped);
    assert_eq!(nm.decided_by().map(|d| d.line), Some(2));
    assert!(!ctx.exists("node_modules/react"));
    // Entered because an exception names something inside.
    assert_eq!(
        ctx.entry("docs").map(|e| e.contents),
        Some(DirContents::Listed)
    );
    assert!(ctx.exists("docs/guide.md") && !ctx.is_sent("docs/guide.md"));
    assert!(ctx.is_sent("docs/README.md"));
    // `*.log` is anchored at the root.
    assert!(!ctx.is_sent("app.log"));
    assert!(ctx.is_sent("src/debug.log"));
    let totals = ctx.totals();
    // README, a.js, debug.log and the ignore file itself (BuildKit sends it unless excluded).
    assert_eq!(totals.sent_bytes, 30 + 10 + 5 + ignore_text.len() as u64);
    assert_eq!(ctx.copy_size(&["docs"]).bytes, 30);
    assert!(matches!(
        ctx.copy_size(&["app.log"]).sources[0].status,
        SourceStatus::Excluded { decided_by: Some(d) } if d.line == 3
    ));
    assert!(!ctx.needs_rewalk());
}

#[test]
fn wildcard_exceptions_make_the_walk_enter_excluded_dirs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    fs::write(root.join(".dockerignore"), "build\n!**/*.md\n").expect("write");
    write(root, "build/out.o", 1000);
    write(root, "build/notes/NOTES.md", 12);
    let ctx = take(root, None, &WalkOptions::default());
    assert_eq!(
        ctx.entry("build").map(|e| e.contents),
        Some(DirContents::Listed)
    );
    assert!(ctx.is_sent("build/notes/NOTES.md"));
    assert!(!ctx.is_sent("build/out.o"));
    assert!(ctx.is_sent("build"), "created to hold the re-included file");
}

#[test]
fn a_dockerfile_specific_ignore_file_wins() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    fs::write(root.join(".dockerignore"), "a.txt\n").expect("write");
    write(root, "a.txt", 1);
    write(root, "b.txt", 1);
    write(root, "ci/app.Dockerfile", 1);
    fs::write(root.join("ci/app.Dockerfile.dockerignore"), "b.txt\n").expect("write");
    let with_named = take(
        root,
        Some(&root.join("ci/app.Dockerfile")),
        &WalkOptions::default(),
    );
    assert!(with_named.is_sent("a.txt") && !with_named.is_sent("b.txt"));
    let ignore = with_named.ignore().expect("ignore");
    assert!(ignore.path.ends_with("app.Dockerfile.dockerignore"));
    // Another Dockerfile without its own ignore file falls back to `.dockerignore`.
    let plain = take(
        root,
        Some(&root.join("Dockerfile")),
        &WalkOptions::default(),
    );
    assert!(!plain.is_sent("a.txt") && plain.is_sent("b.txt"));
}

#[test]
fn an_unreadable_ignore_file_is_an_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::create_dir(tmp.path().join(".dockerignore")).expect("mkdir");
    let result = snapshot(
        tmp.path(),
        None,
        &WalkOptions::default(),
        &AtomicBool::new(false),
        &mut |_| {},
    );
    let err = result.expect_err("a directory is not a readable ignore file");
    assert!(matches!(err, ContextError::IgnoreFile { .. }));
    assert!(err.to_string().contains(".dockerignore"));
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_links_out_of_the_context_are_not_followed() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().expect("tempdir");
    write(outside.path(), "big.bin", 100_000);
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    write(root, "src/a.txt", 3);
    symlink(".", root.join("self")).expect("symlink");
    symlink("..", root.join("src/up")).expect("symlink");
    symlink("loop-b", root.join("loop-a")).expect("symlink");
    symlink("loop-a", root.join("loop-b")).expect("symlink");
    symlink(outside.path(), root.join("out")).expect("symlink");
    symlink("src", root.join("to-src")).expect("symlink");
    symlink("missing", root.join("dangling")).expect("symlink");
    let ctx = take(root, None, &WalkOptions::default());
    assert!(ctx.is_complete());
    for link in [
        "self", "src/up", "loop-a", "loop-b", "out", "to-src", "dangling",
    ] {
        assert!(ctx.entry(link).is_some_and(|e| e.is_symlink()), "{link}");
    }
    assert_eq!(
        ctx.entry("out").and_then(|e| e.symlink_target.clone()),
        Some(outside.path().display().to_string())
    );
    assert!(!ctx.exists("out/big.bin"));
    assert!(!ctx.exists("self/src"));
    assert_eq!(ctx.totals().sent_bytes, 3);
    // COPY resolves links inside the context only.
    assert_eq!(ctx.copy_size(&["to-src"]).bytes, 3);
    assert_eq!(ctx.copy_size(&["self"]).bytes, 3);
    for source in ["out", "loop-a", "dangling"] {
        assert_eq!(
            ctx.copy_size(&[source]).sources[0].status,
            SourceStatus::DanglingSymlink,
            "{source}"
        );
    }
}

#[cfg(unix)]
#[test]
fn sockets_are_skipped_and_listed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    write(root, "a", 1);
    let _listener =
        std::os::unix::net::UnixListener::bind(root.join("app.sock")).expect("bind socket");
    let ctx = take(root, None, &WalkOptions::default());
    assert!(!ctx.exists("app.sock"));
    assert_eq!(ctx.skipped_special(), ["app.sock"]);
    assert_eq!(ctx.totals().sent_files, 1);
}

/// Without read permission a directory cannot be listed. Tests usually run as root here, and
/// root lists it anyway: then the walk must simply see its contents. The failure path itself
/// is covered with an injected error in `src/walk.rs`.
#[cfg(unix)]
#[test]
fn a_directory_without_read_permission() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    write(root, "locked/secret", 4);
    write(root, "open/file", 2);
    let locked = root.join("locked");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod");
    let privileged = fs::read_dir(&locked).is_ok();
    let ctx = take(root, None, &WalkOptions::default());
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).expect("chmod back");
    assert!(ctx.exists("open/file"));
    if privileged {
        assert!(ctx.unreadable().is_empty());
        assert!(ctx.exists("locked/secret"));
    } else {
        assert_eq!(ctx.unreadable().len(), 1);
        assert_eq!(ctx.unreadable()[0].path, "locked");
        assert_eq!(
            ctx.entry("locked").map(|e| e.contents),
            Some(DirContents::Unreadable)
        );
        assert!(!ctx.is_complete());
    }
}

#[test]
fn a_large_tree_is_cut_at_the_entry_limit() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    for d in 0..10 {
        for f in 0..50 {
            write(root, &format!("d{d}/f{f:02}"), 1);
        }
    }
    let options = WalkOptions {
        max_entries: 100,
        ..WalkOptions::default()
    };
    let ctx = take(root, None, &options);
    assert_eq!(ctx.entries().len(), 100);
    assert_eq!(
        truncation_reason(&ctx),
        Some(TruncationReason::MaxEntries { limit: 100 })
    );
    assert!(!ctx.is_complete());
    let copy = ctx.copy_size(&["."]);
    assert!(!copy.complete);
    assert!(copy.files < 500);
    // Directories the walk did not finish say so.
    assert!(ctx
        .entries()
        .iter()
        .any(|e| e.contents == DirContents::NotWalked));
    // Deterministic: the same cut every time.
    let again = take(root, None, &options);
    let paths = |c: &BuildContext| {
        c.entries()
            .iter()
            .map(|e| e.path.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(paths(&ctx), paths(&again));
}

#[test]
fn deep_directories_are_cut_at_the_depth_limit() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    write(root, "a/b/c/d/e/f.txt", 1);
    write(root, "top.txt", 1);
    let options = WalkOptions {
        max_depth: 2,
        ..WalkOptions::default()
    };
    let ctx = take(root, None, &options);
    assert_eq!(
        truncation_reason(&ctx),
        Some(TruncationReason::MaxDepth { limit: 2 })
    );
    assert!(ctx.exists("a/b/c"));
    assert_eq!(
        ctx.entry("a/b/c").map(|e| e.contents),
        Some(DirContents::NotWalked)
    );
    assert!(!ctx.exists("a/b/c/d"));
    assert!(ctx.exists("top.txt"));
    assert!(ctx.copy_size(&["top.txt"]).complete);
    assert!(!ctx.copy_size(&["a"]).complete);
}

#[test]
fn a_zero_time_budget_stops_before_reading() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "a", 1);
    let options = WalkOptions {
        time_limit: Some(Duration::ZERO),
        ..WalkOptions::default()
    };
    let ctx = take(tmp.path(), None, &options);
    assert_eq!(truncation_reason(&ctx), Some(TruncationReason::TimeLimit));
    assert!(ctx.entries().is_empty());
}

#[test]
fn cancelling_stops_the_walk() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    for f in 0..200 {
        write(root, &format!("f{f:03}"), 1);
    }
    let cancel = AtomicBool::new(true);
    let ctx = walk(root, None, &WalkOptions::default(), &cancel, &mut |_| {}).expect("walk");
    assert_eq!(truncation_reason(&ctx), Some(TruncationReason::Cancelled));
    assert!(ctx.entries().is_empty());

    // Cancelled from the progress callback, as an editor would from another thread.
    let cancel = AtomicBool::new(false);
    let options = WalkOptions {
        progress_every: 10,
        ..WalkOptions::default()
    };
    let ctx = walk(root, None, &options, &cancel, &mut |p: &WalkProgress<
        '_,
    >| {
        if p.entries >= 30 {
            cancel.store(true, Ordering::Relaxed);
        }
    })
    .expect("walk");
    assert_eq!(truncation_reason(&ctx), Some(TruncationReason::Cancelled));
    assert_eq!(ctx.entries().len(), 30);
}

#[test]
fn progress_is_reported_and_ends_with_done() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    for f in 0..25 {
        write(root, &format!("dir/f{f:02}"), 2);
    }
    let mut reports: Vec<(usize, u64, bool)> = Vec::new();
    let options = WalkOptions {
        progress_every: 10,
        ..WalkOptions::default()
    };
    walk(
        root,
        None,
        &options,
        &AtomicBool::new(false),
        &mut |p: &WalkProgress<'_>| {
            reports.push((p.entries, p.bytes, p.done));
        },
    )
    .expect("walk");
    assert_eq!(
        reports,
        vec![(10, 18, false), (20, 38, false), (26, 50, true)]
    );
}

#[test]
fn a_missing_or_non_directory_root_is_an_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let missing = tmp.path().join("nope");
    let err = walk(
        &missing,
        None,
        &WalkOptions::default(),
        &AtomicBool::new(false),
        &mut |_| {},
    );
    assert!(matches!(err, Err(ContextError::Root { .. })));
    write(tmp.path(), "file", 1);
    let err = walk(
        &tmp.path().join("file"),
        None,
        &WalkOptions::default(),
        &AtomicBool::new(false),
        &mut |_| {},
    );
    assert!(matches!(err, Err(ContextError::Root { .. })));
}
