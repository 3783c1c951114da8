//! Differential test: our `.dockerignore` matcher against Docker's own
//! (`github.com/moby/patternmatcher`, from Debian's `golang-github-moby-patternmatcher-dev`,
//! built with Debian's `golang-go`), on hand-picked and generated patterns and paths.
//!
//! Skips (with a message) when Go or the package is not installed, unless
//! `LAYERWISE_REQUIRE_ORACLE=1`, which the test suite sets after installing them.
//! `LAYERWISE_ORACLE_CASES` (default 3000) and `LAYERWISE_ORACLE_SEED` widen the search.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use layerwise_analysis::dockerignore::{DockerIgnore, PatternErrorKind};
use serde_json::{json, Value};

const PACKAGE_DIR: &str = "/usr/share/gocode/src/github.com/moby/patternmatcher";

fn find_go() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("go"))
            .find(|go| go.is_file())
    });
    on_path.or_else(|| {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib")
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin/go")))
            .filter(|go| go.is_file() && go.to_string_lossy().contains("/go-"))
            .collect();
        versions.sort();
        versions.pop()
    })
}

/// Builds the oracle once per target directory.
fn build_oracle() -> Option<PathBuf> {
    let required = std::env::var_os("LAYERWISE_REQUIRE_ORACLE").is_some_and(|v| v == "1");
    let Some(go) = find_go().filter(|_| Path::new(PACKAGE_DIR).is_dir()) else {
        assert!(
            !required,
            "LAYERWISE_REQUIRE_ORACLE=1 but Go or {PACKAGE_DIR} is missing"
        );
        eprintln!("skipping: needs golang-go and golang-github-moby-patternmatcher-dev");
        return None;
    };
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("patternmatcher-oracle");
    std::fs::create_dir_all(&work).expect("oracle dir");
    let source =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/patternmatcher_oracle.go");
    std::fs::copy(&source, work.join("main.go")).expect("copy oracle source");
    let binary = work.join("oracle");
    let status = Command::new(&go)
        .args(["build", "-o"])
        .arg(&binary)
        .arg("main.go")
        .current_dir(&work)
        .env("GO111MODULE", "off")
        .env("GOPATH", "/usr/share/gocode")
        .env("GOCACHE", work.join("cache"))
        .env("GOFLAGS", "")
        .status()
        .expect("run go build");
    assert!(status.success(), "building the oracle failed");
    Some(binary)
}

fn ask(oracle: &Path, queries: &Value) -> Vec<Value> {
    let mut child = Command::new(oracle)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start oracle");
    let input = serde_json::to_vec(queries).expect("encode");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(&input).expect("write queries");
    }
    let output = child.wait_with_output().expect("oracle output");
    assert!(output.status.success(), "oracle failed");
    let answers: Value = serde_json::from_slice(&output.stdout).expect("decode answers");
    answers.as_array().cloned().expect("array")
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const PATTERN_PIECES: &[&str] = &[
    "a",
    "b",
    "ab",
    "x.go",
    ".",
    "..",
    "/",
    "/",
    "/",
    "*",
    "*",
    "**",
    "**",
    "?",
    "[ab]",
    "[^a]",
    "[a-b]",
    "[!a]",
    "\\*",
    "\\.",
    "^",
    "$",
    "+",
    "(",
    "]",
    "[",
    "\\",
    " ",
    "#",
    "!",
    "-",
    "é",
    "[[:alpha:]]",
    "\\d",
    "{",
    "|",
    "{2}",
    "{1,}",
    "}",
    "\\x41",
    "\\b",
    "\\0",
    "\\12",
    "[[:digit:]]",
    "[\\d-]",
    "[a-\\x62]",
];
const PATH_PIECES: &[&str] = &[
    "a", "b", "ab", "ba", "aa", "x.go", ".a", "a*", "^a", "[a", "a b", "$", "é", "-", "#a", "!a",
    "a+", "(a)", "5", "A", "{2}", "a\u{0}", "\n",
];

fn random_line(rng: &mut Rng) -> String {
    let mut line = String::new();
    if rng.below(4) == 0 {
        line.push('!');
    }
    for _ in 0..1 + rng.below(5) {
        line.push_str(rng.pick(PATTERN_PIECES));
    }
    line
}

fn random_path(rng: &mut Rng) -> String {
    let depth = 1 + rng.below(4);
    (0..depth)
        .map(|_| rng.pick(PATH_PIECES))
        .collect::<Vec<_>>()
        .join("/")
}

const HAND_CASES: &[&[&str]] = &[
    &["a", "!a/c", "a"],
    &["**", "!util/docker/web", "util/docker/web/foo"],
    &["*", "!keep", "keep/secret"],
    &["docs", "!docs/README.md"],
    &["**foo"],
    &["a**b"],
    &["^foo*"],
    &["a^b"],
    &["/!a"],
    &["*/*.go", "!**/a*"],
    &["[!a]*"],
    &["  #a", "#b"],
];

#[test]
fn matches_dockers_patternmatcher() {
    let Some(oracle) = build_oracle() else { return };
    let cases: usize = std::env::var("LAYERWISE_ORACLE_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3000);
    let seed: u64 = std::env::var("LAYERWISE_ORACLE_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15);
    let mut rng = Rng(seed | 1);
    let mut files: Vec<Vec<String>> = HAND_CASES
        .iter()
        .map(|c| c.iter().map(|l| (*l).to_owned()).collect())
        .collect();
    for _ in 0..cases {
        files.push(
            (0..1 + rng.below(4))
                .map(|_| random_line(&mut rng))
                .collect(),
        );
    }
    let mut paths: Vec<String> = (0..40).map(|_| random_path(&mut rng)).collect();
    paths.extend(
        [
            "a",
            "a/c",
            "a/d",
            "util/docker/web/foo",
            "keep/x",
            "keep/secret",
            "docs/README.md",
        ]
        .map(str::to_owned),
    );
    paths.extend(
        [
            "barfoo", "x/foo", "ab", "a/b", "axb", "foobar", "a^b", "!a", "b/c.go",
        ]
        .map(str::to_owned),
    );

    // 1. Whole files on many paths.
    let queries: Vec<Value> = files
        .iter()
        .map(|lines| json!({"lines": lines, "paths": paths}))
        .collect();
    let answers = ask(&oracle, &Value::Array(queries));
    let (mut compared, mut skipped) = (0, 0);
    for (lines, answer) in files.iter().zip(&answers) {
        let ours = DockerIgnore::parse(&lines.join("\n"));
        let invalid = ours
            .errors()
            .iter()
            .any(|e| e.kind == PatternErrorKind::Invalid);
        let unsupported = ours
            .errors()
            .iter()
            .any(|e| e.kind == PatternErrorKind::Unsupported);
        match answer["error"].as_str().unwrap_or("") {
            "" => {}
            docker_error => {
                assert!(
                    invalid || unsupported,
                    "Docker rejects {lines:?} ({docker_error}) but layerwise accepts it"
                );
                continue;
            }
        }
        if invalid || unsupported {
            // Docker compiles lazily: a bad line that no path reached goes unnoticed there.
            skipped += 1;
            continue;
        }
        let docker = answer["excluded"].as_array().expect("excluded");
        for (path, want) in paths.iter().zip(docker) {
            let want = want.as_bool().expect("bool");
            assert_eq!(
                ours.is_excluded(path, false),
                want,
                "file {lines:?}, path {path:?}"
            );
        }
        compared += 1;
    }
    eprintln!(
        "compared {compared} files on {} paths; {skipped} with bad lines",
        paths.len()
    );
    assert!(compared > cases / 3, "too few comparable cases: {compared}");

    // 2. Each line alone: Docker must reject exactly the lines we call invalid, and accept the
    //    ones we call unsupported. A single inclusion pattern is always compiled by a match.
    let mut singles: Vec<String> = Vec::new();
    for lines in &files {
        for line in lines {
            let trimmed = line.trim();
            if trimmed.starts_with('#') || line.starts_with('#') {
                continue;
            }
            let bare = trimmed.strip_prefix('!').map_or(trimmed, str::trim);
            // Only inclusion patterns are sure to be compiled by Docker on the first path; a
            // line such as `/!x` is cleaned into an exception.
            let leading = bare.trim_start_matches(['/', '.']);
            if bare.is_empty() || leading.starts_with('!') || bare.starts_with('#') {
                continue;
            }
            singles.push(bare.to_owned());
        }
    }
    singles.sort();
    singles.dedup();
    let queries: Vec<Value> = singles
        .iter()
        .map(|l| json!({"lines": [l], "paths": ["x"]}))
        .collect();
    let answers = ask(&oracle, &Value::Array(queries));
    let mut unsupported = 0;
    for (line, answer) in singles.iter().zip(&answers) {
        let docker_rejects = !answer["error"].as_str().unwrap_or("").is_empty();
        let ours = DockerIgnore::parse(line);
        let kind = ours.errors().first().map(|e| e.kind);
        match kind {
            Some(PatternErrorKind::Invalid) => {
                assert!(
                    docker_rejects,
                    "{line:?}: layerwise says invalid, Docker accepts it"
                )
            }
            // "Unsupported" promises nothing: Docker may accept the line with a meaning we do
            // not reproduce, or reject it (`[*{2}]` becomes an invalid Go regex there).
            Some(PatternErrorKind::Unsupported) => unsupported += 1,
            None => assert!(
                !docker_rejects,
                "{line:?}: Docker rejects it, layerwise accepts it"
            ),
        }
    }
    eprintln!(
        "checked {} single lines ({unsupported} unsupported)",
        singles.len()
    );
    assert!(
        unsupported * 20 < singles.len(),
        "too many unsupported lines: {unsupported}"
    );
}
