//! BuildKit's own parser fixtures: every `testfiles/*/result` must match our dump byte for
//! byte, every `testfiles-negative` case must be an error.

mod support;

use layerwise_syntax::{buildkit, Dockerfile};

#[test]
fn positive_fixtures_match_buildkit_dump() {
    let Some(dir) = support::corpus_dir() else {
        return;
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for e in std::fs::read_dir(dir.join("buildkit-parser/testfiles"))
        .unwrap()
        .flatten()
    {
        let case = e.path();
        let input = support::read_lossy(&case.join("Dockerfile"));
        let expected = std::fs::read_to_string(case.join("result")).unwrap();
        let got = match buildkit::dump(&Dockerfile::parse(&input)) {
            Ok(d) => d,
            Err(err) => format!("ERROR: {}", err.message),
        };
        if got != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- got\n{got}",
                case.display()
            ));
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} fixtures found");
    assert!(
        failures.is_empty(),
        "{} of {checked} fixtures differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn negative_fixtures_are_errors() {
    let Some(dir) = support::corpus_dir() else {
        return;
    };
    let mut checked = 0;
    for e in std::fs::read_dir(dir.join("buildkit-parser/testfiles-negative"))
        .unwrap()
        .flatten()
    {
        let input = support::read_lossy(&e.path().join("Dockerfile"));
        assert!(
            buildkit::dump(&Dockerfile::parse(&input)).is_err(),
            "{} parsed without error",
            e.path().display()
        );
        checked += 1;
    }
    assert!(checked >= 4);
}

#[test]
fn line_numbers_match_buildkit() {
    let Some(dir) = support::corpus_dir() else {
        return;
    };
    let input = support::read_lossy(&dir.join("buildkit-parser/testfile-line/Dockerfile"));
    let records = buildkit::records(&Dockerfile::parse(&input)).unwrap();
    let lines: Vec<(u32, u32)> = records.iter().map(|r| (r.start_line, r.end_line)).collect();
    assert_eq!(lines, [(5, 5), (11, 12), (17, 31)]);
}
