use super::*;
use layerwise_syntax::buildkit::records;
use layerwise_syntax::Dockerfile;

fn fmt(text: &str) -> String {
    let a = Analysis::from_text(text);
    apply(text, &format_document(&a))
}

/// Formats, checks the instructions mean the same, and that a second pass changes nothing.
fn check(text: &str, want: &str) {
    let got = fmt(text);
    assert_eq!(got, want);
    assert_eq!(fmt(&got), got, "not idempotent");
}

#[test]
fn keywords_upper_case_one_space_no_indent_no_trailing_space() {
    check(
        "from alpine:3.20 as base  \n  run   echo hi\t\nonbuild   run\tmake\ncopy  --chown=1:1 a b\n\t\nworkdir\t/app\n",
        "FROM alpine:3.20 AS base\nRUN echo hi\nONBUILD RUN make\nCOPY --chown=1:1 a b\n\nWORKDIR /app\n",
    );
}

#[test]
fn continuation_lines_get_four_spaces_and_keep_nesting() {
    check(
        "FROM debian:12\nRUN apt-get update \\\n  && apt-get install -y \\\n      curl \\\n      git \\\n  && rm -rf /var/lib/apt/lists/*\nCOPY a \\\n\tb\n",
        "FROM debian:12\nRUN apt-get update \\\n    && apt-get install -y \\\n        curl \\\n        git \\\n    && rm -rf /var/lib/apt/lists/*\nCOPY a \\\n    b\n",
    );
}

#[test]
fn a_consistent_indent_is_kept() {
    let text = "FROM debian:12\nRUN set -eux; \\\n\tapt-get update; \\\n\t\tapt-get install -y curl\nENV A=1 \\\n\tB=2\n";
    check(text, text);
    let two = "FROM debian:12\nRUN a \\\n  && b\nCOPY x \\\n  y\n";
    check(two, two);
    // inconsistent: everything goes to four spaces
    check(
        "FROM debian:12\nRUN a \\\n  && b\nCOPY x \\\n\ty\n",
        "FROM debian:12\nRUN a \\\n    && b\nCOPY x \\\n    y\n",
    );
}

#[test]
fn joins_that_would_change_meaning_are_left_alone() {
    // inside a quoted string
    let quoted = "FROM alpine\nRUN echo \"a \\\n  b\" && \\\n  true\nCOPY a \\\n\tb\n";
    check(
        quoted,
        "FROM alpine\nRUN echo \"a \\\n  b\" && \\\n    true\nCOPY a \\\n    b\n",
    );
    // no white space at the join: the words are glued together
    let glued = "FROM alpine\nRUN echo foo\\\nbar\n";
    check(glued, glued);
    // white space is part of the value
    let verbatim = "FROM alpine\nWORKDIR /a \\\n  b\nENV K value \\\n  more\nLABEL x y \\\n  z\n";
    check(verbatim, verbatim);
    // JSON stays as written
    let json = "FROM alpine\nCMD [\"a\", \\\n  \"b\"]\n";
    check(json, json);
}

#[test]
fn a_line_after_a_trailing_space_can_be_indented() {
    check(
        "FROM alpine\nRUN a && \\\nb\n",
        "FROM alpine\nRUN a && \\\n    b\n",
    );
}

#[test]
fn comment_and_empty_lines_inside_instructions() {
    check(
        "FROM alpine\nRUN a \\\n# note  \n  && b \\\n   \n  && c\n",
        "FROM alpine\nRUN a \\\n  # note\n  && b \\\n\n  && c\n",
    );
}

#[test]
fn heredoc_bodies_are_untouched() {
    let text =
        "FROM alpine\nrun <<EOF  \n   indented   \n\tEOF\nEOF\nCOPY <<-END /x\n\t  body  \n\tEND\n";
    check(
        text,
        "FROM alpine\nRUN <<EOF\n   indented   \n\tEOF\nEOF\nCOPY <<-END /x\n\t  body  \n\tEND\n",
    );
}

#[test]
fn white_space_after_the_escape_and_crlf() {
    check(
        "FROM alpine\r\nRUN a \\  \r\n  && b  \r\nRUN c \\\r\n d\r\n",
        "FROM alpine\r\nRUN a \\\r\n    && b\r\nRUN c \\\r\n    d\r\n",
    );
    check(
        "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  C:\\x\nCOPY a `\n\tb\n",
        "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n    C:\\x\nCOPY a `\n    b\n",
    );
}

#[test]
fn formatting_keeps_what_buildkit_parses() {
    let text = "from alpine as a\nrun echo 'x  y' \\\n  &&   echo \"$A\"\nenv A=1 \\\n  B=\"two words\"\ncopy --from=a \\\n  /x /y\nhealthcheck cmd curl \\\n  -f x\n";
    let before = records(&Dockerfile::parse(text)).unwrap();
    let after = records(&Dockerfile::parse(&fmt(text))).unwrap();
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!((&b.cmd, &b.flags, &b.json), (&a.cmd, &a.flags, &a.json));
    }
}

#[test]
fn range_formatting_touches_only_items_in_range() {
    let text = "from alpine\nrun  a\nrun  b\n";
    let a = Analysis::from_text(text);
    let second = text.find("run  b").unwrap() as u32;
    let out = apply(text, &format_range(&a, TextRange::new(second, second + 3)));
    assert_eq!(out, "from alpine\nrun  a\nRUN b\n");
}

#[test]
fn on_type_indents_a_new_continuation_line() {
    // the user typed Enter after `\` on the RUN line
    let text = "FROM alpine\nRUN apk add \\  \n\n";
    let a = Analysis::from_text(text);
    let at = text.len() as u32 - 1;
    let out = apply(text, &format_on_type(&a, at));
    assert_eq!(out, "FROM alpine\nRUN apk add \\\n    \n");
    // after a continuation line, the next one gets the same indent
    let text = "FROM alpine\nRUN a \\\n      b \\\n  \n";
    let a = Analysis::from_text(text);
    let at = text.len() as u32 - 1;
    assert_eq!(
        apply(text, &format_on_type(&a, at)),
        "FROM alpine\nRUN a \\\n      b \\\n      \n"
    );
    // not after a line that does not continue
    let text = "FROM alpine\nRUN a\n\n";
    let a = Analysis::from_text(text);
    assert!(format_on_type(&a, text.len() as u32 - 1).is_empty());
}

#[test]
fn odd_input_does_not_panic() {
    for t in [
        "",
        "\u{feff}  from a\n",
        "RUN \\",
        "RUN \\\n",
        "run <<EOF",
        "FROM a\nRUN \"unterminated \\\n  x",
        "ONBUILD",
        "\r\r\n",
        "RUN a\\\\\n  b\n",
    ] {
        let a = Analysis::from_text(t);
        let out = apply(t, &format_document(&a));
        let _ = fmt(&out);
        for o in 0..=t.len() as u32 {
            let _ = format_on_type(&a, o);
        }
    }
}

/// Finding F4 (`inputs/format/indent-before-a-bom-removed`): the indent before a U+FEFF on the
/// first line stays, or the U+FEFF would start the file and be read as a byte-order mark.
#[test]
fn the_indent_before_a_feff_on_the_first_line_stays() {
    let text = " \u{feff}RUN x\n";
    check(text, text);
    // after a real byte-order mark, and on later lines, the indent still goes
    check("\u{feff} RUN x\n", "\u{feff}RUN x\n");
    check("FROM a\n \u{feff}RUN x\n", "FROM a\n\u{feff}RUN x\n");
}

/// Finding F5 (`inputs/format/lone-cr-trailing-tabs`): only the `\r` of a CRLF ends a line, so
/// blanks next to lone `\r`s are not trailing and a second pass finds nothing more.
#[test]
fn blanks_next_to_lone_carriage_returns_are_kept() {
    let lone = "# a\t\r\r\tb\t\t\r\r\r\r\t";
    check(lone, lone);
    let continued = "FROM a\nRUN b \\\n    c\t\r\r\t";
    check(continued, continued);
    // a CRLF's `\r` still ends the line, and blanks before `\r\r\n` are trailing for BuildKit
    check("# a \t\r\nFROM a  \r\n", "# a\r\nFROM a\r\n");
    check(
        "FROM a\nRUN b \\\n  c \t\r\r\n",
        "FROM a\nRUN b \\\n  c\r\r\n",
    );
}
