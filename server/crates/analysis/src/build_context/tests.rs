//! Tests of the build-context snapshot and its queries, on hand-built contexts.

use super::*;
use crate::dockerignore::DockerIgnore;

const IGNORE: &str = "\
node_modules
.git
*.log
docs
!docs/README.md
**/*.test.js
";

fn sample_entries() -> Vec<ContextEntry> {
    vec![
        ContextEntry::file("Dockerfile", 100),
        ContextEntry::file(".dockerignore", 20),
        ContextEntry::file("package.json", 300),
        ContextEntry::file("package-lock.json", 5000),
        ContextEntry::dir("src"),
        ContextEntry::file("src/index.js", 1000),
        ContextEntry::file("src/lib/a.js", 200),
        ContextEntry::file("src/lib/a.test.js", 50),
        ContextEntry::dir("node_modules").with_contents(DirContents::Skipped),
        ContextEntry::dir(".git").with_contents(DirContents::Skipped),
        ContextEntry::file("docs/README.md", 10),
        ContextEntry::file("docs/guide.md", 40),
        ContextEntry::file("app.log", 999),
        ContextEntry::symlink("link-to-src", "src"),
        ContextEntry::symlink("link-outside", "../../etc/passwd"),
        ContextEntry::symlink("abs-link", "/package.json"),
        ContextEntry::symlink("loop", "loop"),
        ContextEntry::symlink("dir-link", "src/lib/"),
        ContextEntry::file("go.mod", 10),
        ContextEntry::file("main.go", 20),
        ContextEntry::file("cmd/tool/main.go", 30),
        ContextEntry::file(".eslintrc.json", 7),
    ]
}

fn sample() -> BuildContext {
    let mut raw = RawContext::new("/ctx", sample_entries());
    raw.ignore = Some(IgnoreFile {
        path: ".dockerignore".to_owned(),
        ignore: DockerIgnore::parse(IGNORE),
    });
    BuildContext::new(raw)
}

#[test]
fn entries_are_sorted_so_subtrees_are_contiguous() {
    let ctx = BuildContext::new(RawContext::new(
        "/ctx",
        vec![
            ContextEntry::file("a.txt", 1),
            ContextEntry::file("a/b", 2),
            ContextEntry::file("./a//c/", 3),
            ContextEntry::file("a-b", 4),
            ContextEntry::file("a/b", 99),
            ContextEntry::file(".", 5),
            ContextEntry::file("x/y/z", 6),
        ],
    ));
    let paths: Vec<&str> = ctx.entries().iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        ["a", "a/b", "a/c", "a-b", "a.txt", "x", "x/y", "x/y/z"]
    );
    // Duplicates keep the first; missing parents are added as directories.
    assert_eq!(ctx.entry("a/b").map(|e| e.size), Some(2));
    assert!(ctx.entry("x/y").is_some_and(ContextEntry::is_dir));
    let subtree: Vec<&str> = ctx.subtree("a").iter().map(|e| e.path.as_str()).collect();
    assert_eq!(subtree, ["a/b", "a/c"]);
    assert!(ctx.subtree("a/b").is_empty());
    assert!(ctx.subtree("missing").is_empty());
    assert_eq!(ctx.subtree(".").len(), 8);
}

#[test]
fn ignore_flags_and_deciding_lines() {
    let ctx = sample();
    let state = |path: &str| {
        let e = ctx.entry(path).expect(path);
        (e.is_excluded(), e.is_sent(), e.decided_by().map(|d| d.line))
    };
    assert_eq!(state("node_modules"), (true, false, Some(1)));
    assert_eq!(state("app.log"), (true, false, Some(3)));
    assert_eq!(state("src/lib/a.test.js"), (true, false, Some(6)));
    assert_eq!(state("src/lib/a.js"), (false, true, None));
    // `docs` itself is excluded but still sent, to hold the re-included README.
    assert_eq!(state("docs"), (true, true, Some(4)));
    assert_eq!(state("docs/README.md"), (false, true, Some(5)));
    assert_eq!(state("docs/guide.md"), (true, false, Some(4)));
    assert!(ctx.exists("docs/guide.md"));
    assert!(!ctx.is_sent("docs/guide.md"));
    assert!(ctx.is_sent("./docs/README.md"));
    assert!(ctx.exists("."));
    assert!(!ctx.exists("nope"));
    assert!(!ctx.needs_rewalk());
}

#[test]
fn totals_count_what_is_sent() {
    let totals = sample().totals();
    // Dockerfile .dockerignore package.json lock index.js a.js README go.mod main.go
    // cmd/tool/main.go .eslintrc.json
    assert_eq!(totals.sent_files, 11);
    assert_eq!(
        totals.sent_bytes,
        100 + 20 + 300 + 5000 + 1000 + 200 + 10 + 10 + 20 + 30 + 7
    );
    assert_eq!(totals.excluded_files, 3);
    assert_eq!(totals.excluded_bytes, 50 + 40 + 999);
    assert_eq!(totals.sent_symlinks, 5);
}

#[test]
fn children_list_one_level_for_completion() {
    let ctx = sample();
    let names = |dir: &str| -> Vec<String> {
        ctx.children(dir)
            .iter()
            .map(|e| e.name().to_owned())
            .collect()
    };
    assert_eq!(names("src"), ["index.js", "lib"]);
    assert_eq!(names("src/lib"), ["a.js", "a.test.js"]);
    assert_eq!(names("cmd"), ["tool"]);
    assert!(names("main.go").is_empty());
    let root = names("");
    assert!(root.contains(&"Dockerfile".to_owned()) && root.contains(&"src".to_owned()));
    assert!(!root.iter().any(|n| n.contains('/')));
    assert_eq!(root, names("./"));
}

fn size(ctx: &BuildContext, sources: &[&str]) -> (u64, u64) {
    let s = ctx.copy_size(sources);
    (s.files, s.bytes)
}

#[test]
fn copy_sizes_follow_buildkit() {
    let ctx = sample();
    let all = ctx.totals();
    assert_eq!(size(&ctx, &["."]), (all.sent_files, all.sent_bytes));
    assert_eq!(size(&ctx, &["./"]), (all.sent_files, all.sent_bytes));
    assert_eq!(size(&ctx, &["/"]), (all.sent_files, all.sent_bytes));
    assert_eq!(size(&ctx, &["src/"]), (2, 1200), "the test file is ignored");
    assert_eq!(size(&ctx, &["./src"]), (2, 1200));
    assert_eq!(
        size(&ctx, &["../../src"]),
        (2, 1200),
        "`..` cannot leave the context"
    );
    assert_eq!(size(&ctx, &["package*.json"]), (2, 5300));
    assert_eq!(size(&ctx, &["*.go"]), (1, 20), "wildcards do not recurse");
    assert_eq!(size(&ctx, &["*/*/*.go"]), (1, 30));
    assert_eq!(size(&ctx, &["**/*.go"]), (0, 0), "`**` is `*` in COPY");
    assert_eq!(size(&ctx, &["*.json"]), (3, 5307), "`*` matches dotfiles");
    assert_eq!(size(&ctx, &["src", "go.mod"]), (3, 1210));
    assert_eq!(size(&ctx, &["src", "src/lib"]), (3, 1400), "copied twice");
    assert_eq!(
        size(&ctx, &["docs"]),
        (1, 10),
        "only the re-included README"
    );
    assert_eq!(size(&ctx, &["s?c/l[i]b"]), (1, 200));
    let matched = ctx.copy_size(&["package*.json"]).sources[0].matched.clone();
    assert_eq!(matched, ["package-lock.json", "package.json"]);
}

#[test]
fn copy_follows_symlinks_inside_the_context() {
    let ctx = sample();
    assert_eq!(size(&ctx, &["link-to-src"]), (2, 1200));
    assert_eq!(size(&ctx, &["link-to-src/lib"]), (1, 200));
    assert_eq!(
        size(&ctx, &["abs-link"]),
        (1, 300),
        "absolute targets start at the root"
    );
    assert_eq!(size(&ctx, &["dir-link"]), (1, 200));
    assert_eq!(
        size(&ctx, &["link-*"]),
        (2, 1200),
        "the outside link matches nothing real"
    );
    let status = |s: &str| ctx.copy_size(&[s]).sources[0].status.clone();
    assert_eq!(status("link-outside"), SourceStatus::DanglingSymlink);
    assert_eq!(status("loop"), SourceStatus::DanglingSymlink);
    assert_eq!(status("link-to-src/nope"), SourceStatus::NotFound);
    assert_eq!(ctx.copy_size(&["link-to-src"]).sources[0].matched, ["src"]);
}

#[test]
fn copy_source_problems_are_reported() {
    let ctx = sample();
    let status = |s: &str| ctx.copy_size(&[s]).sources[0].status.clone();
    let line = |s: &str| match status(s) {
        SourceStatus::Excluded { decided_by } => decided_by.map(|d| d.line),
        other => panic!("{s}: {other:?}"),
    };
    assert_eq!(line("app.log"), Some(3));
    assert_eq!(line("docs/guide.md"), Some(4));
    assert_eq!(line("node_modules"), Some(1));
    assert_eq!(line("node_modules/react/index.js"), Some(1));
    assert_eq!(status("nope"), SourceStatus::NotFound);
    assert_eq!(status("nope*"), SourceStatus::NoMatch);
    assert_eq!(
        status("*.log"),
        SourceStatus::NoMatch,
        "ignored files cannot match"
    );
    assert!(matches!(status("src/[a"), SourceStatus::InvalidPattern(_)));
    assert_eq!(
        status("https://example.com/a.tgz"),
        SourceStatus::NotInContext
    );
    assert_eq!(status("git@github.com:o/r.git"), SourceStatus::NotInContext);
    assert_eq!(status("src"), SourceStatus::Found);
    assert!(ctx.copy_size(&["src", "nope"]).complete);
}

#[test]
fn partial_snapshots_say_so() {
    let mut entries = sample_entries();
    entries.push(ContextEntry::dir("src/deep").with_contents(DirContents::NotWalked));
    let mut raw = RawContext::new("/ctx", entries);
    raw.status = WalkStatus::Truncated(Truncation {
        reason: TruncationReason::MaxDepth { limit: 2 },
        path: "src/deep".to_owned(),
    });
    let ctx = BuildContext::new(raw);
    assert!(!ctx.is_complete());
    assert!(
        !ctx.copy_size(&["src"]).complete,
        "an unwalked directory inside"
    );
    assert!(
        ctx.copy_size(&["cmd"]).complete,
        "that subtree was walked in full"
    );
    assert!(
        !ctx.copy_size(&["nope"]).complete,
        "might be in what was not walked"
    );
    assert!(!ctx.copy_size(&["*.go"]).complete);
    assert!(!ctx.copy_size(&["cmd", "src"]).complete);
}

#[test]
fn a_new_ignore_file_is_applied_without_walking_again() {
    let mut ctx = sample();
    assert!(!ctx.is_sent("app.log"));
    let needs_rewalk = ctx.set_ignore(Some(IgnoreFile {
        path: ".dockerignore".to_owned(),
        ignore: DockerIgnore::parse("node_modules\n.git\n"),
    }));
    assert!(!needs_rewalk);
    assert!(ctx.is_sent("app.log"));
    assert!(ctx.is_sent("docs/guide.md"));
    assert_eq!(ctx.entry("docs").and_then(ContextEntry::decided_by), None);
    // Dropping `node_modules` from the file: the snapshot never looked inside it.
    assert!(ctx.set_ignore(Some(IgnoreFile {
        path: ".dockerignore".to_owned(),
        ignore: DockerIgnore::parse(".git\n"),
    })));
    assert!(ctx.needs_rewalk());
    assert!(ctx.set_ignore(None));
    assert!(ctx.is_sent("node_modules"));
}

#[test]
fn random_sources_and_ignore_files_never_panic() {
    // xorshift64*: deterministic, so a failure reproduces.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move |n: usize| {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
    };
    let pieces = [
        "src",
        "/",
        "/",
        ".",
        "..",
        "*",
        "?",
        "[",
        "]",
        "[a-z]",
        "\\",
        "link-to-src",
        "loop",
        "lib",
        "docs",
        "!",
        "**",
        "{2}",
        "|",
        "^",
        "é",
        " ",
        "package*.json",
        "-",
    ];
    let mut ctx = sample();
    for round in 0..2_000 {
        let mut text = String::new();
        for _ in 0..1 + next(6) {
            text.push_str(pieces[next(pieces.len())]);
        }
        let copy = ctx.copy_size(&[&text, "."]);
        assert!(copy.bytes >= copy.sources[0].bytes);
        let _ = ctx.children(&text);
        let _ = ctx.subtree(&text);
        let _ = ctx.exists(&text);
        if round % 20 == 0 {
            let ignore = DockerIgnore::parse(&text.replace(' ', "\n"));
            ctx.set_ignore(Some(IgnoreFile {
                path: "x".to_owned(),
                ignore,
            }));
        }
    }
}
