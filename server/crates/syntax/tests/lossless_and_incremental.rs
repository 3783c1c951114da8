//! Invariants 1 and 2 over hand-written fixtures and the corpus: the tree's text equals the
//! input, tokens tile every item exactly, an incremental edit gives the same tree as a full
//! parse of the edited text, and lexing on two threads gives the same tree as on one.

mod support;

use layerwise_syntax::{Dockerfile, TextRange};
use proptest::prelude::*;

/// Fixtures of our own, always tested (the corpus is not in a user's clone).
const FIXTURES: &[&str] = &[
    "",
    "\n",
    "FROM a",
    "\u{feff}FROM a\r\nRUN b \\\r\n  c\r\n",
    "# syntax=docker/dockerfile:1\n# escape=`\nFROM a\nRUN a `\n  b\n",
    "FROM a\nRUN a \\\n# comment\n\n  b\n",
    "FROM a\nRUN <<EOF\necho\nEOF\nCOPY <<A <<-B /x\na\nA\n\tb\n\tB\n",
    "FROM a\nRUN <<EOF\nnever ends\n",
    "FROM a\nRUN a \\",
    "FROM a\nONBUILD RUN <<X cat\nx\nX\n",
    "FROM a\nFOO bar\n  \t\nCMD [\"a\", \"b\"]\nENV A=1 B=\"2 3\"\nENV C d e\nLABEL x\n",
    "\\\nFROM a\n",
    "FROM a\nRUN [\"a\", 1]\n",
    "FROM a\rRUN b\r\rCMD c\n",
    "FROM a\nHEALTHCHECK --interval=5s CMD [\"x\"]\nHEALTHCHECK NONE\n",
    "FROM a\nCOPY --from=b --chown=\"u g\" a b\nRUN --mount=type=cache,target=/root/.cache x\n",
    "FROM \u{e9}\u{a0}x\nRUN --label=\u{e0} echo \u{1F600}\n",
    "\n\u{feff}",
    "FROM a\n\u{feff}RUN b\n",
];

fn check_lossless(text: &str) {
    let file = Dockerfile::parse(text);
    assert_eq!(
        Dockerfile::parse_on_two_threads(text),
        file,
        "two lexing threads must give the one-thread tree for {text:?}"
    );
    assert_eq!(file.text(), text, "text differs");
    assert_eq!(file.len() as usize, text.len());
    let mut expected_start = 0;
    for r in file.items() {
        assert_eq!(r.start, expected_start, "items must tile the file");
        let mut pos = 0;
        for t in r.item.tokens() {
            assert_eq!(
                t.range.start,
                pos,
                "tokens must tile item {:?}: {:?}",
                r.text(),
                r.item.tokens()
            );
            assert!(t.range.end > t.range.start, "empty token");
            pos = t.range.end;
        }
        assert_eq!(pos, r.item.len(), "tokens must cover item {:?}", r.text());
        expected_start += r.item.len();
    }
    assert_eq!(expected_start, file.len());
}

fn check_edit(text: &str, start: usize, end: usize, insert: &str) {
    let mut file = Dockerfile::parse(text);
    file.edit(TextRange::from_usize(start, end), insert);
    let mut new_text = text.to_string();
    new_text.replace_range(start..end, insert);
    let full = Dockerfile::parse(&new_text);
    assert_eq!(
        file, full,
        "incremental != full for edit {start}..{end} -> {insert:?} on {text:?}"
    );
}

#[test]
fn fixtures_are_lossless() {
    for f in FIXTURES {
        check_lossless(f);
    }
}

/// The whole corpus as one big file, parsed the way big files are (two threads).
#[test]
fn corpus_as_one_file_parses_the_same_on_two_threads() {
    let files = support::corpus_files();
    let mut all = String::new();
    for p in &files {
        all.push_str(&support::read_lossy(p));
        all.push('\n');
    }
    assert!(
        all.len() > 1 << 20 || files.is_empty(),
        "big enough for two threads"
    );
    assert_eq!(
        Dockerfile::parse(&all),
        Dockerfile::parse_on_one_thread(&all)
    );
}

#[test]
fn corpus_is_lossless() {
    let files = support::corpus_files();
    for p in &files {
        check_lossless(&support::read_lossy(p));
    }
    eprintln!("{} corpus files lossless", files.len());
}

/// Char-boundary positions of `text`, for edits that keep it valid UTF-8.
fn boundaries(text: &str) -> Vec<usize> {
    (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .collect()
}

const INSERTS: &[&str] = &[
    "",
    "a",
    "\n",
    "\\",
    "\\\n",
    "#",
    "<<EOF\n",
    "EOF\n",
    "`",
    "\"",
    "[",
    "RUN x\n",
    " ",
    "\r\n",
    "--from=a ",
    "FROM b AS c\n",
];

fn random_edits(text: &str, seed: u64, count: usize) {
    let b = boundaries(text);
    let mut state = seed;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n.max(1)
    };
    let mut file = Dockerfile::parse(text);
    let mut current = text.to_string();
    for _ in 0..count {
        let b = boundaries(&current);
        let s = b[next(b.len())];
        let e = b[(b.iter().position(|&x| x == s).unwrap() + next(4)).min(b.len() - 1)];
        let ins = INSERTS[next(INSERTS.len())];
        file.edit(TextRange::from_usize(s, e), ins);
        current.replace_range(s..e, ins);
        let full = Dockerfile::parse(&current);
        assert_eq!(
            file, full,
            "after edit {s}..{e} -> {ins:?}; text now {current:?}"
        );
    }
    let _ = b;
}

#[test]
fn fixture_edits_match_full_parse() {
    for (i, f) in FIXTURES.iter().enumerate() {
        random_edits(f, i as u64, 200);
        for s in boundaries(f) {
            check_edit(f, s, s, "\\\n");
            check_edit(f, s, s, "x");
        }
    }
}

/// Found in review of dafae77: a header edit whose last re-lexed item was reopened with the
/// next old item kept the first round's escape and lexed a directive as a comment.
#[test]
fn header_edits_that_reopen_an_item_match_full_parse() {
    for (text, start, end, insert) in [
        ("# escape\n=`\nFROM a\nRUN b `\n  c\n", 8, 9, ""),
        ("# \nescape=`\nFROM a\nRUN b `\n  c\n", 2, 3, ""),
        (
            "# syntax=x\n# \nescape=`\nFROM a\nRUN b `\n  c\n",
            13,
            14,
            "",
        ),
        (
            "\n\r\n#escape=`\r\nFROM a\nRUN b `\n  c\n",
            0,
            3,
            "\u{feff}",
        ),
    ] {
        check_edit(text, start, end, insert);
    }
}

#[test]
fn corpus_edits_match_full_parse() {
    let files = support::corpus_files();
    for (i, p) in files.iter().enumerate() {
        random_edits(&support::read_lossy(p), i as u64, 12);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn arbitrary_text_is_lossless(text in "(FROM|RUN|COPY|ENV|#|<<EOF|EOF|\\\\|`|\n|\r|\t| |a|\"|\\[|\\]|=|--x=1|ONBUILD|# escape=`\n){0,40}") {
        check_lossless(&text);
    }

    #[test]
    fn arbitrary_edits_match_full_parse(text in "(FROM a\n|RUN b \\\\\n|<<EOF\n|EOF\n|# c\n|\n|x|ENV a=1\n){0,20}", seed in 0u64..1000) {
        random_edits(&text, seed, 20);
    }

    /// Edits in and around the parser directives, which re-lex from the start of the file
    /// (directives split over lines, CR and CRLF, a BOM; deleting line breaks).
    #[test]
    fn edits_in_the_header_match_full_parse(text in "(# escape=`\n|# escape=\\\\\n|# syntax=x\n|# check=skip=a\n|#escape=`\r\n|# \n|escape=`\n|\u{feff}|# c\n|\n|\r\n|FROM a\n|RUN b `\n|RUN b \\\\\n|  c\n|x){0,8}", seed in 0u64..1000) {
        random_edits(&text, seed, 20);
        for at in boundaries(&text).into_iter().take(12) {
            for insert in ["# escape=`\n", "#", "\n", "x", "# syntax=y\n", "\u{feff}"] {
                check_edit(&text, at, at, insert);
            }
        }
    }
}
