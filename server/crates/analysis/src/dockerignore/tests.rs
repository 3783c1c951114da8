//! Table-driven tests of Docker's `.dockerignore` semantics. Cases marked "gitignore differs"
//! are where a `.gitignore` implementation gives the opposite answer.

use super::*;

/// `(ignore file text, path, expected: excluded?)`
const SINGLE: &[(&str, &str, bool)] = &[
    // Anchored at the root: a bare name is not searched for in subdirectories
    // (gitignore differs: `foo` matches at any depth there).
    ("foo", "foo", true),
    ("foo", "foo/bar", true),
    ("foo", "foo/bar/baz", true),
    ("foo", "a/foo", false),
    ("foo", "foobar", false),
    ("foo", "fo", false),
    ("/foo", "foo", true),
    ("/foo", "a/foo", false),
    ("///foo", "foo/x", true),
    // A trailing slash is cleaned away, so it also matches a *file* named foo
    // (gitignore differs: `foo/` only matches directories).
    ("foo/", "foo", true),
    ("foo/", "foo/x", true),
    ("./foo", "foo", true),
    ("a/../foo", "foo", true),
    ("../foo", "foo", false),
    ("/", "foo", false),
    (".", "foo", false),
    // `*` and `?` stay within one path element; `*.log` is root-only
    // (gitignore differs: `*.log` matches in every directory).
    ("*.log", "a.log", true),
    ("*.log", "dir/a.log", false),
    ("*.log", "a.log/inside", true),
    ("*.log", ".log", true),
    ("*/temp*", "a/temp", true),
    ("*/temp*", "a/temporary", true),
    ("*/temp*", "a/b/temp", false),
    ("*/temp*", "temp", false),
    ("*/*/temp*", "a/b/temp.txt", true),
    ("temp?", "temp1", true),
    ("temp?", "temp", false),
    ("temp?", "temp12", false),
    ("a?c", "a/c", false),
    ("*", "anything", true),
    ("*", "dir/inside", true),
    // `.*` hides dotfiles at the root only.
    (".*", ".git", true),
    (".*", ".git/config", true),
    (".*", "src/.env", false),
    (".*", "env", false),
    // `**`: any number of directories, including none.
    ("**", "x", true),
    ("**", "a/b/c", true),
    ("**/", "a/b", true),
    ("**/*.log", "a.log", true),
    ("**/*.log", "dir/a.log", true),
    ("**/*.log", "d/e/f/a.log", true),
    ("**/*.log", "d/a.txt", false),
    ("**/foo", "foo", true),
    ("**/foo", "x/y/foo", true),
    ("**/foo", "x/foo/inside", true),
    ("**/foo", "barfoo", false),
    // A leading `**` without `/` is a plain suffix test in Docker.
    ("**foo", "barfoo", true),
    ("**foo", "x/barfoo", true),
    ("**foo", "foo", true),
    ("dir/**", "dir", false),
    ("dir/**", "dir/a", true),
    ("dir/**", "dir/a/b", true),
    ("abc**", "abcdef", true),
    ("abc**", "abc/x", true),
    ("abc**", "ab", false),
    ("a/**/b", "a/b", true),
    ("a/**/b", "a/x/b", true),
    ("a/**/b", "a/x/y/b", true),
    ("a/**/b", "a/xb", false),
    ("a/**/b", "a/b/c", true),
    // `**` glued to other text is "directories, then": `a**b` does not match `axb`.
    ("a**b", "ab", true),
    ("a**b", "a/b", true),
    ("a**b", "ax/b", true),
    ("a**b", "axb", false),
    ("**/dir/**", "dir/x", true),
    ("**/dir/**", "a/b/dir/x/y", true),
    ("**/dir/**", "a/dirx/y", false),
    (
        "**/node_modules",
        "packages/web/node_modules/react/index.js",
        true,
    ),
    ("node_modules", "packages/web/node_modules/react", false),
    ("node_modules", "node_modules/react/index.js", true),
    // Character classes: `^` negates, `!` does not (gitignore differs: `[!a]` negates).
    ("[abc].txt", "a.txt", true),
    ("[abc].txt", "d.txt", false),
    ("[a-c]x", "bx", true),
    ("[a-c]x", "dx", false),
    ("[^a].txt", "b.txt", true),
    ("[^a].txt", "a.txt", false),
    ("[!a].txt", "!.txt", true),
    ("[!a].txt", "b.txt", false),
    ("[!a].txt", "a.txt", true),
    // Escapes.
    ("a\\*b", "a*b", true),
    ("a\\*b", "axb", false),
    ("\\!important", "!important", true),
    ("a\\ b", "a b", true),
    // Regex-special characters are literal.
    ("a.b", "a.b", true),
    ("a.b", "axb", false),
    ("a+(b)|{c}$", "a+(b)|{c}$", true),
    ("dist/*.whl", "dist/pkg-1.0+local-py3-none-any.whl", true),
    // `^` is literal in plain patterns but an anchor once Docker builds a regex.
    ("a^b", "a^b", true),
    ("a^b*", "a^bc", false),
    ("^foo*", "foobar", true),
    ("^foo*", "^foobar", false),
    // Only a line that *starts* with `#` is a comment.
    ("#foo", "#foo", false),
    ("  #foo", "#foo", true),
    ("foo # trailing", "foo", false),
    ("foo # trailing", "foo # trailing", true),
    // Surrounding whitespace is trimmed.
    ("  foo\t  ", "foo", true),
    ("foo   ", "foo   ", false),
    // Unicode.
    ("données/*", "données/x", true),
    ("?é", "aé", true),
];

#[test]
fn single_patterns_follow_docker() {
    for &(text, path, want) in SINGLE {
        let ignore = DockerIgnore::parse(text);
        assert!(
            ignore.errors().is_empty(),
            "{text:?} has errors: {:?}",
            ignore.errors()
        );
        assert_eq!(
            ignore.is_excluded(path, false),
            want,
            "pattern {text:?} on path {path:?}"
        );
        // Docker has no directory-only patterns: the answer never depends on `is_dir`.
        assert_eq!(
            ignore.is_excluded(path, true),
            want,
            "{text:?} on dir {path:?}"
        );
    }
}

/// `(ignore file text, [(path, excluded?)])`
const MULTI: &[(&str, &[(&str, bool)])] = &[
    (
        "*.md\n!README.md\n",
        &[
            ("a.md", true),
            ("README.md", false),
            ("src/a.md", false),
            ("x", false),
        ],
    ),
    // The last matching line wins.
    ("!README.md\n*.md\n", &[("README.md", true)]),
    (
        "docs\n!docs/README.md\n",
        &[
            ("docs", true),
            ("docs/README.md", false),
            ("docs/other.md", true),
            ("docs/README.md/x", false),
        ],
    ),
    (
        "docs/\n!docs/README.md\n",
        &[("docs/README.md", false), ("docs/x", true)],
    ),
    (
        "docs/*\n!docs/README.md\n",
        &[("docs/README.md", false), ("docs/x", true), ("docs", false)],
    ),
    // An exception on a directory re-includes everything below it.
    (
        "**\n!util/docker/web\n",
        &[
            ("util/docker/web/foo", false),
            ("util/docker/web", false),
            ("util/other", true),
        ],
    ),
    (
        "**\n!util/docker/web\nutil/docker/web/foo\n",
        &[
            ("util/docker/web/foo", true),
            ("util/docker/web/bar", false),
        ],
    ),
    // Typical "allow list" file.
    (
        "*\n!src\n!package.json\n!package-lock.json\nsrc/**/*.test.js\n",
        &[
            ("README.md", true),
            ("node_modules/x", true),
            ("package.json", false),
            ("src/index.js", false),
            ("src/a/b.test.js", true),
            ("src/b.test.js", true),
        ],
    ),
    // Exceptions re-include under an excluded directory only where they match
    // (gitignore differs: it cannot re-include a file whose parent directory is excluded).
    (
        "node_modules\n!node_modules/keep\n",
        &[
            ("node_modules/keep/a.js", false),
            ("node_modules/drop/a.js", true),
        ],
    ),
    (
        "*\n!keep\nkeep/secret\n",
        &[
            ("keep/a", false),
            ("keep/secret", true),
            ("keep/secret/x", true),
            ("other", true),
        ],
    ),
    // Docker's evaluation order, not plain "last match wins": when `a` is reached again on
    // line 3 for `a/c`, the earlier result for the parent `a` was not recorded for that line
    // (it was skipped while `a` was already excluded), and `a` does not match `a/c` itself.
    (
        "a\n!a/c\na\n",
        &[("a", true), ("a/c", false), ("a/d", true)],
    ),
    // Exceptions with wildcards.
    (
        "build\n!**/*.md\n",
        &[
            ("build/x.o", true),
            ("build/README.md", false),
            ("build/a/b.md", false),
        ],
    ),
    // `/!foo` is cleaned to `!foo` before the `!` is looked at: an exception.
    ("*\n/!foo\n", &[("foo", false), ("bar", true)]),
    // Comments and blank lines, CRLF line endings and a byte-order mark.
    (
        "\u{feff}# comment\r\n\r\nfoo\r\n  \r\n!foo/keep\r\n",
        &[("foo/x", true), ("foo/keep", false)],
    ),
    ("\u{feff}foo", &[("foo", true)]),
];

#[test]
fn pattern_lists_follow_docker() {
    for &(text, cases) in MULTI {
        let ignore = DockerIgnore::parse(text);
        assert!(
            ignore.errors().is_empty(),
            "{text:?} has errors: {:?}",
            ignore.errors()
        );
        for &(path, want) in cases {
            assert_eq!(
                ignore.is_excluded(path, false),
                want,
                "file {text:?} on path {path:?}"
            );
        }
    }
}

#[test]
fn decisions_name_the_deciding_line() {
    let ignore = DockerIgnore::parse("# header\n*.md\n\n!README.md\nbuild\n");
    let lines = |path: &str| {
        let d = ignore.decide(path);
        (d.excluded, d.decided_by.map(|by| (by.line, by.exception)))
    };
    assert_eq!(lines("a.md"), (true, Some((2, false))));
    assert_eq!(lines("README.md"), (false, Some((4, true))));
    assert_eq!(lines("build/out/x"), (true, Some((5, false))));
    assert_eq!(lines("src/main.rs"), (false, None));
    assert_eq!(ignore.patterns()[1].source, "!README.md");
    assert_eq!(ignore.patterns()[1].pattern, "README.md");
    assert!(ignore.patterns()[1].exception);
    let by = ignore.decide("README.md").decided_by.expect("decided");
    assert_eq!(ignore.patterns()[by.index].line, by.line);
}

#[test]
fn the_root_and_outside_paths_are_never_excluded() {
    let ignore = DockerIgnore::parse("*\n**\n.\n..\n");
    for path in ["", ".", "./", "/", "..", "../x"] {
        assert!(!ignore.is_excluded(path, true), "{path:?}");
    }
    // Paths are cleaned before matching.
    assert!(ignore.is_excluded("./a//b/", false));
}

#[test]
fn bad_lines_are_reported_with_their_line_numbers() {
    let text = "ok\n!\n! \n!/\n[\nsrc/[a-\nx[]\n[z-a]\ntrail\\\n\\y\n\\pL\n[*]\nfine/*.go\n";
    let ignore = DockerIgnore::parse(text);
    let errors: Vec<(u32, PatternErrorKind)> =
        ignore.errors().iter().map(|e| (e.line, e.kind)).collect();
    use PatternErrorKind::{Invalid, Unsupported};
    assert_eq!(
        errors,
        vec![
            (2, Invalid),
            (3, Invalid),
            (4, Invalid),
            (5, Invalid),
            (6, Invalid),
            (7, Invalid),
            (8, Invalid),
            (9, Invalid),
            (10, Invalid),
            (11, Unsupported),
            (12, Unsupported),
        ]
    );
    assert!(ignore.errors().iter().all(|e| !e.message.is_empty()));
    assert_eq!(ignore.errors()[3].source, "[");
    // The good lines still work.
    let lines: Vec<u32> = ignore.patterns().iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![1, 13]);
    assert!(ignore.is_excluded("ok", false));
    assert!(ignore.is_excluded("fine/a.go", false));
}

#[test]
fn overlong_lines_and_too_many_patterns_are_bounded() {
    let long = "a".repeat(MAX_LINE_BYTES + 1);
    let ignore = DockerIgnore::parse(&format!("{long}\nb\n"));
    assert_eq!(ignore.errors().len(), 1);
    assert_eq!(ignore.errors()[0].line, 1);
    assert_eq!(ignore.patterns().len(), 1);

    let many: String = (0..MAX_PATTERNS + 5).map(|i| format!("f{i}\n")).collect();
    let ignore = DockerIgnore::parse(&many);
    assert_eq!(ignore.patterns().len(), MAX_PATTERNS);
    assert_eq!(ignore.errors().len(), 5);
    assert_eq!(ignore.errors()[0].kind, PatternErrorKind::Unsupported);
}

#[test]
fn arbitrary_text_never_panics() {
    let nasty = [
        "[",
        "]",
        "\\",
        "[\\",
        "[^",
        "[]]",
        "[[:",
        "[[:]",
        "[[:alpha:",
        "**\\",
        "a[b-\\]",
        "\u{0}",
        "\u{feff}",
        "!\u{feff}",
        "[é-a]",
        "?*?**?***",
        "[[]",
        "[:alpha:]",
        "\\é",
        "a\\\u{1F600}",
        "[\\d-z]",
        "[a-\\d]",
    ];
    for text in nasty {
        let ignore = DockerIgnore::parse(text);
        let _ = ignore.decide("a/b/c");
        let _ = ignore.decide(text);
    }
    let all_bytes: String = (0u8..128).map(char::from).collect();
    let ignore = DockerIgnore::parse(&all_bytes);
    let _ = ignore.decide(&all_bytes);
}

#[test]
fn evaluating_top_down_equals_decide() {
    let ignore = DockerIgnore::parse("a\n!a/c\na\n**/x\n!**/x/keep\n");
    let tree = [
        "a",
        "a/c",
        "a/c/x",
        "a/c/x/keep",
        "a/d",
        "b",
        "b/x",
        "b/x/keep",
        "b/x/y",
    ];
    let mut states: Vec<(String, MatchState)> = Vec::new();
    for path in tree {
        let parent = path.rsplit_once('/').map(|(p, _)| p);
        let parent_state = parent
            .and_then(|p| states.iter().find(|(q, _)| q == p))
            .map(|(_, s)| s.clone())
            .unwrap_or_default();
        let (decision, state) = ignore.evaluate(path, &parent_state);
        assert_eq!(decision, ignore.decide(path), "{path}");
        states.push((path.to_owned(), state));
    }
}

#[test]
fn walkers_may_skip_only_where_buildkit_does() {
    let skip = |text: &str, dir: &str| {
        let ignore = DockerIgnore::parse(text);
        let decision = ignore.decide(dir);
        ignore.can_skip_dir(dir, &decision)
    };
    assert!(skip("node_modules\n", "node_modules"));
    assert!(!skip("node_modules\n", "src"), "not excluded");
    assert!(!skip("docs\n!docs/README.md\n", "docs"));
    assert!(skip("build\n!docs/README.md\n", "build"));
    assert!(!skip("build\n!build/**\n", "build"));
    assert!(!skip("build\n!build/*\n", "build"));
    assert!(
        !skip("build\n!**/*.md\n", "build"),
        "wildcard exceptions disable skipping"
    );
    assert!(skip("a\n!ab/x\n", "a"), "`ab/` is not inside `a/`");
}

#[test]
fn ignore_file_next_to_a_named_dockerfile_comes_first() {
    let root = Path::new("/ctx");
    assert_eq!(
        ignore_file_candidates(root, Some(Path::new("/ctx/build/app.Dockerfile"))),
        vec![
            PathBuf::from("/ctx/build/app.Dockerfile.dockerignore"),
            PathBuf::from("/ctx/.dockerignore"),
        ]
    );
    assert_eq!(
        ignore_file_candidates(root, Some(Path::new("/ctx/Dockerfile"))),
        vec![
            PathBuf::from("/ctx/Dockerfile.dockerignore"),
            PathBuf::from("/ctx/.dockerignore")
        ]
    );
    assert_eq!(
        ignore_file_candidates(root, None),
        vec![PathBuf::from("/ctx/.dockerignore")]
    );
    assert_eq!(
        ignore_file_candidates(root, Some(Path::new("/"))),
        vec![PathBuf::from("/ctx/.dockerignore")]
    );
}
