use super::*;

/// `$0` marks the cursor.
fn at(text: &str) -> (Analysis, u32) {
    let offset = text.find("$0").expect("cursor marker") as u32;
    (Analysis::from_text(&text.replacen("$0", "", 1)), offset)
}

/// `line:column text` of each range, to read failures easily.
fn show(a: &Analysis, ranges: &[TextRange]) -> Vec<String> {
    ranges
        .iter()
        .map(|r| {
            let before = &a.text[..r.start as usize];
            let line = before.matches('\n').count() + 1;
            let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
            format!("{line}:{col} {}", a.slice(*r))
        })
        .collect()
}

fn apply(a: &Analysis, edits: &[Edit]) -> String {
    let mut text = a.text.clone();
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    for e in edits {
        text.replace_range(e.range.as_usize(), &e.new_text);
    }
    text
}

const STAGES: &str = "FROM golang:1.22 AS Build\nRUN go build -o /out/app .\n\nFROM build AS test\nRUN go test ./...\n\nFROM alpine:3.20\nCOPY --from=BUILD /out/app /app\nCOPY --from=0 /etc/ssl /etc/ssl\nRUN --mount=type=cache,from=build,target=/x true\n";

#[test]
fn stage_references_are_case_insensitive_and_include_index_uses() {
    let (a, o) = at(&STAGES.replacen("--from=BUILD", "--from=BU$0ILD", 1));
    assert_eq!(
        show(&a, &references(&a, o, true)),
        [
            "1:20 Build",
            "4:5 build",
            "8:12 BUILD",
            "9:12 0",
            "10:28 build"
        ]
    );
    assert_eq!(
        show(&a, &references(&a, o, false)),
        ["4:5 build", "8:12 BUILD", "9:12 0", "10:28 build"]
    );
    assert_eq!(show(&a, &[definition(&a, o).unwrap()]), ["1:20 Build"]);
}

#[test]
fn stage_definition_from_mount_and_from_lines() {
    let (a, o) = at(&STAGES.replacen("from=build,", "from=bu$0ild,", 1));
    assert_eq!(show(&a, &[definition(&a, o).unwrap()]), ["1:20 Build"]);
    let (a, o) = at(&STAGES.replacen("FROM build", "FROM bu$0ild", 1));
    assert_eq!(show(&a, &[definition(&a, o).unwrap()]), ["1:20 Build"]);
    // an unnamed stage used by index: its FROM line
    let (a, o) = at("FROM alpine:3.20\nRUN true\nFROM scratch\nCOPY --from=$00 /a /a\n");
    assert_eq!(show(&a, &[definition(&a, o).unwrap()]), ["1:5 alpine:3.20"]);
}

#[test]
fn highlights_mark_the_definition_as_write() {
    let (a, o) = at(&STAGES.replacen("AS Build", "AS B$0uild", 1));
    let h = highlights(&a, o);
    assert_eq!(h[0].access, Access::Write);
    assert!(h[1..].iter().all(|o| o.access == Access::Read));
    assert_eq!(h.len(), 5);
}

#[test]
fn stage_rename_keeps_index_references_and_quotes() {
    let text = STAGES.replacen("--from=0", "--from=\"build\"", 1);
    let (a, o) = at(&text.replacen("AS Build", "AS B$0uild", 1));
    let (range, placeholder) = prepare_rename(&a, o).unwrap().unwrap();
    assert_eq!((a.slice(range), placeholder.as_str()), ("Build", "Build"));
    let edits = rename(&a, o, "compile").unwrap();
    let out = apply(&a, &edits);
    assert!(out.contains("AS compile\n"));
    assert!(out.contains("FROM compile AS test"));
    assert!(out.contains("--from=compile /out"));
    assert!(out.contains("--from=\"compile\" /etc"));
    assert!(out.contains("from=compile,target"));
    let before = Analysis::from_text(&a.text);
    let after = Analysis::from_text(&out);
    assert_eq!(before.model.refs.len(), after.model.refs.len());
    assert_eq!(
        before
            .model
            .refs
            .iter()
            .map(|r| r.target.clone())
            .collect::<Vec<_>>(),
        after
            .model
            .refs
            .iter()
            .map(|r| r.target.clone())
            .collect::<Vec<_>>()
    );
}

#[test]
fn stage_rename_rejects_bad_and_taken_names() {
    let (a, o) = at(&STAGES.replacen("AS Build", "AS B$0uild", 1));
    let e = rename(&a, o, "1build").unwrap_err();
    assert!(e.0.contains("not a valid stage name"), "{e}");
    assert!(rename(&a, o, "my stage").is_err());
    assert!(rename(&a, o, "").is_err());
    let e = rename(&a, o, "Test").unwrap_err();
    assert!(e.0.contains("already named"), "{e}");
    // upper-case letters are fine: BuildKit lower-cases names before checking them
    assert!(rename(&a, o, "Compile.v2").is_ok());
    // an unnamed stage cannot be renamed from an index reference
    let (a, o) = at("FROM alpine:3.20\nFROM scratch\nCOPY --from=$00 /a /a\n");
    assert!(prepare_rename(&a, o).unwrap_err().0.contains("no name"));
}

#[test]
fn later_stage_named_before_definition_is_kept_in_step() {
    let (a, o) = at("FROM alpine:3.20 AS a\nCOPY --from=late /x /x\nFROM alpine:3.20 AS l$0ate\n");
    assert_eq!(
        show(&a, &references(&a, o, true)),
        ["2:12 late", "3:20 late"]
    );
}

const VARS: &str = "ARG VERSION=1.22\nARG BASE=golang\nFROM ${BASE}:${VERSION} AS build\nARG VERSION\nENV GOFLAGS=-mod=vendor V=$VERSION\nRUN echo $VERSION $GOFLAGS && for f in *; do echo $f; done\nCMD echo $VERSION $GOFLAGS\n\nFROM alpine:3.20\nARG VERSION\nRUN echo ${VERSION:-none}\nRUN echo $GOFLAGS\n";

#[test]
fn global_arg_links_uses_and_redeclarations() {
    let (a, o) = at(&VARS.replacen("ARG VERSION=", "ARG VER$0SION=", 1));
    assert_eq!(
        show(&a, &references(&a, o, true)),
        [
            "1:4 VERSION",
            "3:15 VERSION",
            "4:4 VERSION",
            "5:27 VERSION",
            "6:10 VERSION",
            "10:4 VERSION",
            "11:11 VERSION"
        ]
    );
    // CMD runs in the container: build args are gone there
    assert!(!show(&a, &references(&a, o, true)).contains(&"7:10 VERSION".to_string()));
}

#[test]
fn env_is_visible_in_cmd_and_stays_in_its_stage() {
    let (a, o) = at(&VARS.replacen(
        "RUN echo $VERSION $GOFLAGS",
        "RUN echo $VERSION $GOF$0LAGS",
        1,
    ));
    assert_eq!(
        show(&a, &references(&a, o, true)),
        ["5:4 GOFLAGS", "6:19 GOFLAGS", "7:19 GOFLAGS"]
    );
    assert_eq!(show(&a, &[definition(&a, o).unwrap()]), ["5:4 GOFLAGS"]);
    // the last stage is not built from `build`: its $GOFLAGS is not that variable
    let (a, o) = at(&VARS.replacen("RUN echo $GOFLAGS", "RUN echo $GOF$0LAGS", 1));
    assert!(references(&a, o, true).is_empty());
    assert_eq!(definition(&a, o), None);
}

#[test]
fn definition_of_a_use_is_the_declaration_in_scope_and_bare_arg_goes_global() {
    let (a, o) = at(&VARS.replacen("RUN echo ${VERSION", "RUN echo ${VER$0SION", 1));
    assert_eq!(show(&a, &[definition(&a, o).unwrap()]), ["10:4 VERSION"]);
    let (a, o) = at(&VARS.replacen("\nARG VERSION\nRUN", "\nARG VER$0SION\nRUN", 1));
    assert_eq!(show(&a, &[definition(&a, o).unwrap()]), ["1:4 VERSION"]);
    // a use in FROM resolves to the global ARG
    let (a, o) = at(&VARS.replacen("${BASE}", "${BA$0SE}", 1));
    assert_eq!(show(&a, &[definition(&a, o).unwrap()]), ["2:4 BASE"]);
}

#[test]
fn env_flows_into_stages_built_from_a_stage() {
    let (a, o) = at("FROM alpine:3.20 AS base\nENV P$0ATH=/opt:$PATH\nFROM base\nENV PATH=/x:$PATH\nRUN echo $PATH\n");
    assert_eq!(
        show(&a, &references(&a, o, true)),
        ["2:4 PATH", "4:4 PATH", "4:13 PATH", "5:10 PATH"]
    );
}

#[test]
fn highlight_kinds_for_variables() {
    let (a, o) = at("FROM alpine:3.20\nARG $0N=1\nRUN echo $N\n");
    let h = highlights(&a, o);
    assert_eq!(
        h.iter().map(|o| o.access).collect::<Vec<_>>(),
        [Access::Write, Access::Read]
    );
}

#[test]
fn variable_rename_edits_every_linked_occurrence() {
    let (a, o) = at(&VARS.replacen("RUN echo $VERSION", "RUN echo $VER$0SION", 1));
    let (range, name) = prepare_rename(&a, o).unwrap().unwrap();
    assert_eq!((a.slice(range), name.as_str()), ("VERSION", "VERSION"));
    let out = apply(&a, &rename(&a, o, "GO_VERSION").unwrap());
    assert_eq!(out.matches("GO_VERSION").count(), 7);
    assert!(
        out.contains("CMD echo $VERSION"),
        "CMD's $VERSION is not the build arg: {out}"
    );
    assert!(out.contains("${GO_VERSION:-none}"));
}

#[test]
fn variable_rename_rejects_invalid_taken_and_builtin_names() {
    let (a, o) = at(&VARS.replacen("ARG VERSION=", "ARG VER$0SION=", 1));
    assert!(rename(&a, o, "1X")
        .unwrap_err()
        .0
        .contains("not a valid variable name"));
    assert!(rename(&a, o, "A-B").is_err());
    assert!(rename(&a, o, "BASE")
        .unwrap_err()
        .0
        .contains("already defined"));
    assert!(rename(&a, o, "TARGETARCH").is_err());
    let (a, o) = at("FROM alpine:3.20\nARG TARGET$0ARCH\nRUN echo $TARGETARCH\n");
    assert!(prepare_rename(&a, o).is_err());
    // references still work for it
    assert_eq!(references(&a, o, true).len(), 2);
}

#[test]
fn undefined_and_shell_variables_have_no_target() {
    let (a, o) = at("FROM alpine:3.20\nRUN for f in *; do echo $$0f; done\n");
    assert_eq!(definition(&a, o), None);
    assert!(references(&a, o, true).is_empty());
    assert_eq!(prepare_rename(&a, o), Ok(None));
    assert!(rename(&a, o, "g").is_err());
}

#[test]
fn comment_lines_inside_a_run_are_not_uses() {
    let (a, o) =
        at("FROM alpine:3.20\nARG $0N=1\nRUN echo $N \\\n# $N here is a comment\n && true\n");
    assert_eq!(show(&a, &references(&a, o, true)), ["2:4 N", "3:10 N"]);
}

const HEREDOC: &str = "FROM alpine:3.20\nRUN <<EOF\necho hi\nEOF\nCOPY <<-\"CONF\" /etc/app.conf\n\tkey=value\n\tCONF\n";

#[test]
fn heredoc_opener_and_terminator_are_one_symbol() {
    let (a, o) = at(&HEREDOC.replacen("<<EOF", "<<E$0OF", 1));
    assert_eq!(show(&a, &references(&a, o, true)), ["2:6 EOF", "4:0 EOF"]);
    assert_eq!(show(&a, &[definition(&a, o).unwrap()]), ["4:0 EOF"]);
    let (a, o) = at(&HEREDOC.replacen("\nEOF", "\nE$0OF", 1));
    assert_eq!(show(&a, &[definition(&a, o).unwrap()]), ["2:6 EOF"]);
    let h = highlights(&a, o);
    assert_eq!(h[0].access, Access::Write);
    assert_eq!(h[1].access, Access::Read);
}

#[test]
fn heredoc_rename_keeps_quotes_tabs_and_checks_the_body() {
    let (a, o) = at(&HEREDOC.replacen("\tCONF", "\tCO$0NF", 1));
    assert_eq!(show(&a, &references(&a, o, true)), ["5:9 CONF", "7:1 CONF"]);
    let out = apply(&a, &rename(&a, o, "END").unwrap());
    assert!(
        out.contains("COPY <<-\"END\" /etc/app.conf\n\tkey=value\n\tEND\n"),
        "{out}"
    );
    let parsed = Analysis::from_text(&out);
    assert!(parsed.file.errors().is_empty());
    let e = rename(&a, o, "key=value").unwrap_err();
    assert!(e.0.contains("not a usable delimiter"), "{e}");
    let (a, o) = at("FROM alpine:3.20\nRUN <<E$0OF\nSTOP\nEOF\n");
    assert!(rename(&a, o, "STOP")
        .unwrap_err()
        .0
        .contains("end it early"));
}

#[test]
fn nothing_under_the_cursor() {
    let (a, o) = at("FROM alpine:3.20\nRUN ec$0ho hi\n");
    assert_eq!(definition(&a, o), None);
    assert!(references(&a, o, true).is_empty());
    assert!(highlights(&a, o).is_empty());
    assert_eq!(prepare_rename(&a, o), Ok(None));
}

#[test]
fn no_panics_on_odd_input() {
    let texts = [
        "",
        "FROM",
        "FROM a AS",
        "COPY --from= a b",
        "RUN <<",
        "RUN <<EOF",
        "ARG\nFROM $",
        "FROM ${",
        "RUN --mount=from= x",
        "FROM a AS b\nCOPY --from=B\u{e9} x y",
        "\u{feff}FROM a\nENV \u{1F600}=1 $\u{1F600}",
    ];
    for t in texts {
        let a = Analysis::from_text(t);
        for o in 0..=t.len() as u32 {
            let _ = definition(&a, o);
            let _ = references(&a, o, true);
            let _ = highlights(&a, o);
            let _ = prepare_rename(&a, o);
            let _ = rename(&a, o, "x");
        }
    }
}
