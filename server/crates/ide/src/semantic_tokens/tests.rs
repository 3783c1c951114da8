use super::*;
use TokenType::{
    Class, Comment, EnumMember, Keyword, Macro, Number, Operator, Parameter, Property, Type,
    Variable,
};
const STRING: TokenType = TokenType::String;

/// `(text, type)` of every token.
fn toks(text: &str) -> Vec<(String, TokenType)> {
    let a = Analysis::from_text(text);
    semantic_tokens(&a, None)
        .into_iter()
        .map(|t| (a.slice(t.range).to_string(), t.ty))
        .collect()
}

fn has(text: &str, want: &[(&str, TokenType)]) {
    let got = toks(text);
    for (s, ty) in want {
        assert!(
            got.iter().any(|(g, t)| g == s && t == ty),
            "missing {s:?} as {ty:?} in {got:?}"
        );
    }
}

fn check_invariants(a: &Analysis, tokens: &[SemanticToken]) {
    let mut end = 0;
    for t in tokens {
        assert!(t.range.start >= end, "overlap or disorder at {t:?}");
        assert!(!t.range.is_empty());
        let s = a.slice(t.range);
        assert!(
            !s.contains('\n') && !s.contains('\r'),
            "multi-line token {s:?}"
        );
        end = t.range.end;
    }
}

#[test]
fn from_line_with_stage_names_images_and_variables() {
    let text = "# syntax=docker/dockerfile:1\nARG TAG=20\nFROM --platform=$BUILDPLATFORM node:${TAG} AS build\nFROM build\n";
    let head: Vec<_> = toks(text).into_iter().take(4).collect();
    assert_eq!(
        head,
        [
            ("# ".to_string(), Comment),
            ("syntax".to_string(), Macro),
            ("=".to_string(), Comment),
            ("docker/dockerfile:1".to_string(), STRING),
        ]
    );
    has(
        text,
        &[
            ("docker/dockerfile:1", STRING),
            ("ARG", Keyword),
            ("TAG", Variable),
            ("=", Operator),
            ("20", STRING),
            ("--platform", Parameter),
            ("$BUILDPLATFORM", Variable),
            ("node:", Type),
            ("${TAG}", Variable),
            ("AS", Keyword),
            ("build", Class),
        ],
    );
    // `FROM build` names the stage
    let got = toks(text);
    assert_eq!(got.last(), Some(&("build".to_string(), Class)));
}

#[test]
fn modifiers_mark_declarations_and_builder_variables() {
    let a = Analysis::from_text("FROM alpine:3.20 AS b\nARG TARGETARCH\nENV A=$TARGETARCH\n");
    let t = semantic_tokens(&a, None);
    let find = |s: &str| t.iter().find(|x| a.slice(x.range) == s).expect(s);
    assert_eq!(find("b").modifiers, modifiers::DECLARATION);
    assert_eq!(
        find("TARGETARCH").modifiers,
        modifiers::DECLARATION | modifiers::DEFAULT_LIBRARY
    );
    assert_eq!(find("A").modifiers, modifiers::DECLARATION);
    assert_eq!(find("$TARGETARCH").modifiers, modifiers::DEFAULT_LIBRARY);
}

#[test]
fn flags_copy_from_and_mount_fields() {
    let text = "FROM golang:1.22 AS build\nFROM alpine:3.20\nCOPY --from=build --chmod=0755 /a /b\nCOPY --from=nginx:1 /c /d\nRUN --mount=type=cache,target=/root/.cache,from=build,uid=1000 go build\n";
    has(
        text,
        &[
            ("--from", Parameter),
            ("build", Class),
            ("--chmod", Parameter),
            ("0755", Number),
            ("nginx:1", Type),
            ("--mount", Parameter),
            ("type", Property),
            ("cache", STRING),
            ("target", Property),
            ("/root/.cache", STRING),
            ("from", Property),
            ("1000", Number),
        ],
    );
}

#[test]
fn shell_text_operators_strings_variables_and_comments() {
    let text = "FROM alpine:3.20\nENV NAME=x\nRUN echo \"hi $NAME there\" && cat 'a $b' | sort; true || false # done\n";
    let got = toks(text);
    let run: Vec<_> = got.iter().skip_while(|(s, _)| s != "RUN").collect();
    assert_eq!(
        run.iter()
            .map(|(s, t)| (s.as_str(), *t))
            .collect::<Vec<_>>(),
        [
            ("RUN", Keyword),
            ("\"hi ", STRING),
            ("$NAME", Variable),
            (" there\"", STRING),
            ("&&", Operator),
            ("'a $b'", STRING),
            ("|", Operator),
            (";", Operator),
            ("||", Operator),
            ("# done", Comment),
        ]
    );
}

#[test]
fn continuation_lines_and_comment_lines_inside_a_run() {
    let text = "FROM alpine:3.20\nRUN echo \"a \\\n  b\" && \\\n# note\n    ls\n";
    let a = Analysis::from_text(text);
    let t = semantic_tokens(&a, None);
    check_invariants(&a, &t);
    let got: Vec<_> = t.iter().map(|x| (a.slice(x.range), x.ty)).collect();
    assert!(got.contains(&("\"a ", STRING)), "{got:?}");
    assert!(got.contains(&("  b\"", STRING)), "{got:?}");
    assert!(got.contains(&("&&", Operator)), "{got:?}");
    assert!(got.contains(&("# note", Comment)), "{got:?}");
}

#[test]
fn heredocs_are_split_per_line() {
    let text = "FROM alpine:3.20\nRUN <<EOF\nset -e\necho $HOME && ls\nEOF\nCOPY <<-'CONF' /etc/x\n\tk=$v\n\tCONF\n";
    let a = Analysis::from_text(text);
    let t = semantic_tokens(&a, None);
    check_invariants(&a, &t);
    let got: Vec<_> = t.iter().map(|x| (a.slice(x.range), x.ty)).collect();
    for want in [
        ("<<", Operator),
        ("EOF", STRING),
        ("$HOME", Variable),
        ("&&", Operator),
        ("<<-", Operator),
        ("'CONF'", STRING),
        ("\tk=$v", STRING),
        ("\tCONF", STRING),
    ] {
        assert!(got.contains(&want), "missing {want:?} in {got:?}");
    }
}

#[test]
fn expose_json_label_user_and_healthcheck() {
    has(
        "FROM alpine:3.20\nEXPOSE 8080/tcp 9000-9010\nLABEL org.example=\"v\"\nUSER 1000:1000\nHEALTHCHECK --retries=3 CMD curl -f x || exit 1\nCMD [\"node\", \"main.js\"]\nONBUILD RUN make\n",
        &[
            ("8080", Number),
            ("/", Operator),
            ("tcp", EnumMember),
            ("9000", Number),
            ("9010", Number),
            ("org.example", Property),
            ("\"v\"", STRING),
            ("1000", Number),
            ("--retries", Parameter),
            ("3", Number),
            ("CMD", Keyword),
            ("||", Operator),
            ("\"node\"", STRING),
            ("ONBUILD", Keyword),
            ("RUN", Keyword),
        ],
    );
}

#[test]
fn range_requests_cover_only_the_items_in_range() {
    let text = "FROM alpine:3.20\nRUN a && b\nRUN c && d\n";
    let a = Analysis::from_text(text);
    let second = text.find("RUN c").unwrap() as u32;
    let t = semantic_tokens(&a, Some(TextRange::new(second, second + 10)));
    let got: Vec<_> = t.iter().map(|x| a.slice(x.range)).collect();
    assert_eq!(got, ["RUN", "&&"]);
}

#[test]
fn ten_thousand_lines_hold_the_invariants() {
    let mut text = String::from("# syntax=docker/dockerfile:1\nARG V=1\n");
    let mut i = 0;
    while text.lines().count() < 10_000 {
        text.push_str(&format!(
            "FROM node:20 AS s{i}\nENV N{i}=${{V}} \\\n    M=\"x y\"\nRUN --mount=type=cache,target=/c echo $N{i} && \\\n    ls 'q' | wc -l\nCOPY --from=s{i} /a /b\nEXPOSE 80{i}/tcp\nRUN <<EOF\necho {i}\nEOF\n",
        ));
        i += 1;
    }
    let a = Analysis::from_text(&text);
    let t = semantic_tokens(&a, None);
    check_invariants(&a, &t);
    assert!(t.len() > 10_000);
}

#[test]
fn odd_input_does_not_panic() {
    for text in [
        "",
        "RUN \"unterminated",
        "RUN 'x\\\ny",
        "FROM a AS",
        "RUN --mount=\"type=cache,target=/x\" y",
        "RUN ${",
        "RUN $",
        "RUN echo \\é",
        "\u{feff}FROM a\r\nRUN b &&\r\n c\r\n",
        "HEALTHCHECK NONE",
        "EXPOSE $P/udp",
        "RUN <<EOF",
        "ONBUILD ONBUILD RUN x",
    ] {
        let a = Analysis::from_text(text);
        let t = semantic_tokens(&a, None);
        check_invariants(&a, &t);
        let _ = semantic_tokens(&a, Some(TextRange::new(0, text.len() as u32)));
    }
}

#[test]
fn huge_items_get_only_their_keyword() {
    let text = format!(
        "FROM alpine:3.20\nRUN {}\nRUN a && b\n",
        "echo $A && ".repeat(200_000)
    );
    let a = Analysis::from_text(&text);
    let got: Vec<_> = semantic_tokens(&a, None)
        .into_iter()
        .map(|t| a.slice(t.range).to_string())
        .collect();
    assert_eq!(got, ["FROM", "alpine:3.20", "RUN", "RUN", "&&"]);
}
