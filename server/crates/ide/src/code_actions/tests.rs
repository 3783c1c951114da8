//! Code action tests: each action applied, and the result checked the way a user would
//! (the finding is gone, the file still parses, nothing else changed).

use layerwise_syntax::TextRange;

use super::*;
use crate::split::tests::analysis_with_context;
use crate::Analysis;

/// `$0` marks the cursor.
fn at(text: &str) -> (Analysis, TextRange) {
    let offset = text.find("$0").expect("cursor marker") as u32;
    let clean = text.replacen("$0", "", 1);
    (Analysis::from_text(&clean), TextRange::empty(offset))
}

fn titled<'a>(acts: &'a [CodeAction], title: &str) -> &'a CodeAction {
    acts.iter().find(|a| a.title == title).unwrap_or_else(|| {
        panic!(
            "no action {title:?} in {:#?}",
            acts.iter().map(|a| &a.title).collect::<Vec<_>>()
        )
    })
}

fn rules_of(text: &str) -> Vec<&'static str> {
    Analysis::from_text(text)
        .diagnostics()
        .iter()
        .map(|d| d.rule.name)
        .collect()
}

#[test]
fn rule_fixes_are_quick_fixes() {
    let (a, r) = at("FROM alpine:3.20\nMAIN$0TAINER Jane <jane@example.com>\n");
    let acts = code_actions(&a, r);
    let fix = titled(&acts, "Replace with an OCI authors label");
    assert_eq!(fix.kind, ActionKind::QuickFix);
    assert_eq!(fix.diagnostics.len(), 1);
    let out = apply(&a, &fix.edits);
    assert!(
        out.contains("LABEL org.opencontainers.image.authors="),
        "{out}"
    );
    assert!(!rules_of(&out).contains(&"maintainer-deprecated"));
}

#[test]
fn rule_fixes_that_would_break_the_syntax_are_not_offered() {
    use layerwise_lint::{Applicability, Edit, Fix};
    let a = Analysis::from_text("FROM a\nRUN x\n");
    let fix = |text: &str| Fix {
        title: "t".into(),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            range: TextRange::new(7, 10),
            text: text.to_string().into(),
        }]
        .into(),
    };
    let mut check = SyntaxCheck::new(&a);
    assert!(check.keeps_syntax(&fix("run")));
    // a heredoc nothing closes
    assert!(!check.keeps_syntax(&fix("RUN <<EOF")));
    // the unknown-instruction fix of `N --# s` (`ENV --# s` does not parse) is not offered,
    // at the cursor or for the whole file
    let (a, r) = at("N$0 --# s");
    for range in [r, TextRange::new(0, a.file.len())] {
        let acts = code_actions(&a, range);
        assert!(
            !acts.iter().any(|x| x.title.contains("ENV")),
            "{:?}",
            acts.iter().map(|x| &x.title).collect::<Vec<_>>()
        );
    }
}

/// The syntax check edits a copy of the tree instead of parsing the edited text again
/// (F16); it must see what a parse of the edited text sees, edits skipped as `apply` skips
/// them included.
#[test]
fn the_edited_tree_is_the_parse_of_the_edited_text() {
    use layerwise_lint::Edit;
    use layerwise_syntax::Dockerfile;
    let edit = |start: u32, end: u32, text: &str| Edit {
        range: TextRange::new(start, end),
        text: text.to_string().into(),
    };
    let texts = [
        "FROM a\nRUN x\nE\nCMD y\n",
        "# escape=`\nFROM a\nRUN x `\n  y\n",
        "FROM a\nRUN <<EOF\nx\nEOF\nRUN é\n",
        "",
        "A\n",
    ];
    for text in texts {
        let a = Analysis::from_text(text);
        let len = text.len() as u32;
        let cases: Vec<Vec<Edit>> = vec![
            vec![],
            vec![edit(0, 0, "# escape=`\n")],
            vec![edit(7, 10, "RUN <<EOF")],
            vec![edit(7, 10, "run"), edit(0, 4, "from")],
            // overlapping: the later one is skipped, as `apply` skips it
            vec![edit(0, 6, "FROM b"), edit(3, 8, "zz")],
            // two inserts at one place keep their order
            vec![edit(len, len, "ENV\n"), edit(len, len, "ADD x y\n")],
            // out of bounds or inside a character: skipped
            vec![
                edit(len, len + 5, "x"),
                edit(len.saturating_sub(2), len.saturating_sub(2), "\\\n"),
            ],
            vec![edit(0, len, "FROM c\nRUN <<A <<B\nA\n")],
        ];
        for edits in cases {
            let want = Dockerfile::parse(&apply(&a, &edits));
            let got = with_edits(&a, &edits);
            assert_eq!(got, want, "{text:?} {edits:?}");
            assert_eq!(
                syntax_errors(&got),
                want.errors().len(),
                "{text:?} {edits:?}"
            );
            // the edits joined into one make the same text, and the count from the items
            // that one re-lexes is the same count
            let before = super::ErrorCount::of(a.file.items().map(|r| r.item));
            match super::joined(&a, &edits) {
                Some(one) => {
                    let joined = std::slice::from_ref(&one);
                    assert_eq!(apply(&a, joined), apply(&a, &edits), "{text:?} {edits:?}");
                    assert_eq!(
                        super::errors_after_edit(&a, &one, before).0,
                        want.errors().len(),
                        "{text:?} {edits:?}"
                    );
                }
                None => assert_eq!(got, a.file, "{text:?} {edits:?}"),
            }
        }
        // every single edit of a few kinds at every place
        for start in 0..=len {
            for end in [start, (start + 1).min(len), (start + 4).min(len)] {
                for insert in ["", "x", "\n", " \\\n", "RUN <<E\n", "# escape=`\n", "E\n"] {
                    let one = edit(start, end, insert);
                    let want = Dockerfile::parse(&apply(&a, std::slice::from_ref(&one)));
                    let before = super::ErrorCount::of(a.file.items().map(|r| r.item));
                    assert_eq!(
                        super::errors_after_edit(&a, &one, before).0,
                        want.errors().len(),
                        "{text:?} {one:?}"
                    );
                }
            }
        }
    }
    // a character boundary: `é` is two bytes
    let a = Analysis::from_text("FROM a\nRUN é\n");
    let inside = vec![edit(12, 12, "x")];
    assert_eq!(with_edits(&a, &inside), a.file);
    assert_eq!(apply(&a, &inside), a.text);
}

#[test]
fn ignore_uses_our_comment_by_default_and_works() {
    let text = "FROM alpine:3.20\nMAIN$0TAINER Jane\n";
    let (a, r) = at(text);
    let acts = code_actions(&a, r);
    let one = titled(&acts, "Ignore maintainer-deprecated for this instruction");
    let out = apply(&a, &one.edits);
    assert_eq!(
        out,
        "FROM alpine:3.20\n# layerwise: ignore[maintainer-deprecated]\nMAINTAINER Jane\n"
    );
    assert!(!rules_of(&out).contains(&"maintainer-deprecated"));
    let file = titled(&acts, "Ignore maintainer-deprecated in this file");
    let out = apply(&a, &file.edits);
    assert!(
        out.starts_with("# layerwise: ignore-file[maintainer-deprecated]\nFROM"),
        "{out}"
    );
    assert!(!rules_of(&out).contains(&"maintainer-deprecated"));
}

#[test]
fn ignore_follows_hadolint_style_and_extends_existing_comments() {
    let text = "FROM alpine:3.20\n# hadolint ignore=DL3018\nMAIN$0TAINER Jane\n";
    let (a, r) = at(text);
    let acts = code_actions(&a, r);
    let out = apply(
        &a,
        &titled(&acts, "Ignore maintainer-deprecated for this instruction").edits,
    );
    assert_eq!(
        out,
        "FROM alpine:3.20\n# hadolint ignore=DL3018,DL4000\nMAINTAINER Jane\n"
    );
    assert!(!rules_of(&out).contains(&"maintainer-deprecated"));
    let out = apply(
        &a,
        &titled(&acts, "Ignore maintainer-deprecated in this file").edits,
    );
    assert!(
        out.starts_with("# hadolint global ignore=DL4000\n"),
        "{out}"
    );
    assert!(!rules_of(&out).contains(&"maintainer-deprecated"));
}

#[test]
fn ignore_follows_the_check_directive() {
    let text = "# check=error=true\nFROM alpine:3.20\nRUN true\nMAIN$0TAINER Jane\n";
    let (a, r) = at(text);
    let acts = code_actions(&a, r);
    let out = apply(
        &a,
        &titled(&acts, "Ignore maintainer-deprecated in this file").edits,
    );
    assert!(
        out.starts_with("# check=skip=MaintainerDeprecated;error=true\n"),
        "{out}"
    );
    assert!(!rules_of(&out).contains(&"maintainer-deprecated"));
    let out = apply(
        &a,
        &titled(&acts, "Ignore maintainer-deprecated for this instruction").edits,
    );
    assert!(
        out.contains("RUN true\n# check=skip=MaintainerDeprecated\nMAINTAINER"),
        "{out}"
    );
    assert!(!rules_of(&out).contains(&"maintainer-deprecated"));
    // extending an existing layerwise comment
    let (a, r) = at("FROM alpine:3.20\n# layerwise: ignore[untagged-image]\nMAIN$0TAINER Jane\n");
    let out = apply(
        &a,
        &titled(
            &code_actions(&a, r),
            "Ignore maintainer-deprecated for this instruction",
        )
        .edits,
    );
    assert!(
        out.contains("# layerwise: ignore[untagged-image, maintainer-deprecated]\n"),
        "{out}"
    );
}

#[test]
fn fix_all_applies_every_safe_fix_and_converges() {
    let text = "FROM alpine:3.20\nMAINTAINER Jane\nFROM alpine:3.20\nMAINTAINER Joe\n";
    let a = Analysis::from_text(text);
    let act = fix_all(&a).expect("fix-all");
    assert_eq!(act.kind, ActionKind::FixAll);
    let out = apply(&a, &act.edits);
    assert_eq!(
        out.matches("LABEL org.opencontainers.image.authors")
            .count(),
        2,
        "{out}"
    );
    let again = Analysis::from_text(&out);
    assert!(
        fix_all(&again).is_none(),
        "a second fix-all changes nothing"
    );
}

#[test]
fn exec_form_for_plain_commands_only() {
    let (a, r) = at("FROM node:20-slim\nCMD n$0pm start\n");
    let acts = code_actions(&a, r);
    if let Some(act) = acts.iter().find(|x| x.title == "Convert CMD to exec form") {
        assert_eq!(
            apply(&a, &act.edits),
            "FROM node:20-slim\nCMD [\"npm\", \"start\"]\n"
        );
    } else {
        // a rule offers the same conversion
        assert!(acts
            .iter()
            .any(|x| apply(&a, &x.edits) == "FROM node:20-slim\nCMD [\"npm\", \"start\"]\n"));
    }
    for t in [
        "FROM node:20-slim\nCMD n$0pm start && echo done\n",
        "FROM node:20-slim\nCMD n$0ode $APP\n",
        "FROM node:20-slim\nCMD [\"n$0pm\", \"start\"]\n",
    ] {
        let (a, r) = at(t);
        assert!(
            !code_actions(&a, r)
                .iter()
                .any(|x| x.title.contains("exec form")),
            "{t}"
        );
    }
}

#[test]
fn npm_ci_needs_a_lockfile() {
    let (a, r) = at("FROM node:20\nCOPY package.json ./\nRUN npm ins$0tall\n");
    assert!(!code_actions(&a, r)
        .iter()
        .any(|x| x.title.contains("npm ci")));
    let (a, r) = at("FROM node:20\nCOPY package.json package-lock.json ./\nRUN npm ins$0tall\n");
    let acts = code_actions(&a, r);
    // ours, or the rule's identical fix instead (never both)
    let to_ci: Vec<&CodeAction> = acts
        .iter()
        .filter(|x| apply(&a, &x.edits).ends_with("RUN npm ci\n"))
        .collect();
    assert_eq!(
        to_ci.len(),
        1,
        "{:?}",
        acts.iter().map(|a| &a.title).collect::<Vec<_>>()
    );
}

#[test]
fn apt_update_is_merged_into_the_install() {
    let (a, r) = at("FROM debian:12\n# lists\nRUN apt-get up$0date\nRUN apt-get install -y curl\n");
    let acts = code_actions(&a, r);
    let act = titled(&acts, "Merge `apt-get update` into the install");
    assert_eq!(
        apply(&a, &act.edits),
        "FROM debian:12\n# lists\nRUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*\n"
    );
}

#[test]
fn non_root_user_fits_the_image() {
    for (text, want) in [
        ("FROM python:3.12-slim\n# start\nCMD [\"python\", \"a.py\"]$0\n", "FROM python:3.12-slim\nRUN useradd --no-log-init --create-home --uid 10001 app\nUSER app\n# start\nCMD"),
        ("FROM alpine:3.20\nCMD [\"/app\"]$0\n", "RUN adduser -D -u 10001 app\nUSER app\nCMD"),
        ("FROM scratch\nCOPY app /app$0\n", "COPY app /app\nUSER 65534:65534\n"),
    ] {
        let (a, r) = at(text);
        let acts = code_actions(&a, r);
        let act = acts
            .iter()
            .find(|x| x.title.starts_with("Run the final stage as non-root user"))
            .unwrap_or_else(|| panic!("{text}: {:?}", acts.iter().map(|a| &a.title).collect::<Vec<_>>()));
        let out = apply(&a, &act.edits);
        assert!(out.contains(want), "{out}");
    }
    let (a, r) = at("FROM python:3.12-slim\nUSER 1000\nCMD [\"x\"]$0\n");
    assert!(!code_actions(&a, r)
        .iter()
        .any(|x| x.title.contains("non-root")));
}

#[test]
fn slimmer_base_with_the_size_saved() {
    use layerwise_analysis::image_facts::{
        FactSource, ImageFacts, Platform, PlatformFacts, VariantSize,
    };
    use layerwise_analysis::image_ref::ImageRef;
    let (mut a, r) = at("FROM no$0de:20\nCMD [\"node\", \"a.js\"]\n");
    let node = ImageRef::parse("node:20").unwrap();
    a.facts.images.insert(
        node.canonical(),
        ImageFacts {
            reference: node.clone(),
            digest: None,
            platforms: vec![PlatformFacts::sizes_only(
                Platform::linux_amd64(),
                400_000_000,
                Some(1_100_000_000),
            )],
            available_platforms: Vec::new(),
            source: FactSource::Registry,
            fetched_at: None,
            fallback_reason: None,
        },
    );
    a.facts.variants.insert(
        node.canonical(),
        vec![VariantSize {
            reference: "node:20-slim".into(),
            platform: Platform::linux_amd64(),
            compressed_size: 70_000_000,
            unpacked_size: Some(200_000_000),
            source: FactSource::Registry,
        }],
    );
    let acts = code_actions(&a, r);
    let act = titled(&acts, "Switch to node:20-slim (saves ≈900 MB)");
    assert_eq!(
        apply(&a, &act.edits),
        "FROM node:20-slim\nCMD [\"node\", \"a.js\"]\n"
    );
    // toolchain-final-image offers the same switch: shown once, as the rule's quick fix,
    // with the saving the slimmer-variant action would have shown
    let switches: Vec<&CodeAction> = acts
        .iter()
        .filter(|x| x.title.starts_with("Switch to node:20-slim"))
        .collect();
    assert_eq!(
        switches.len(),
        1,
        "{:?}",
        acts.iter().map(|x| &x.title).collect::<Vec<_>>()
    );
    assert_eq!(switches[0].kind, ActionKind::QuickFix);
}

#[test]
fn dockerignore_is_created_when_missing() {
    let text = "FROM node:20\nWORKDIR /app\nCOPY . .\nCOPY dist/ /srv/\nRUN npm ci && npm run build\nCMD [\"node\", \"dist/x.js\"]\n";
    let mut a = analysis_with_context(text, None, &[]);
    assert!(!code_actions(&a, TextRange::empty(0))
        .iter()
        .any(|x| !x.new_files.is_empty()));
    a.facts.dockerignore = Some(None);
    let acts = code_actions(&a, TextRange::empty(0));
    let act = titled(&acts, "Create .dockerignore for this build context");
    let file = &act.new_files[0];
    assert_eq!(file.name, ".dockerignore");
    for want in [".git\n", "**/node_modules\n", ".env\n", "*.pem\n"] {
        assert!(file.text.contains(want), "{want}: {}", file.text);
    }
    // `dist` is copied by name: it must not be ignored
    assert!(!file.text.lines().any(|l| l == "dist"), "{}", file.text);
    let ignore = layerwise_analysis::dockerignore::DockerIgnore::parse(&file.text);
    assert!(ignore.errors().is_empty());
    assert!(
        ignore.is_excluded("node_modules", true) && ignore.is_excluded("web/node_modules", true)
    );
    assert!(!ignore.is_excluded("src/index.js", false));
}

#[test]
fn split_is_offered_as_a_refactoring() {
    let (a, r) =
        at("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .$0\nCMD [\"/app\"]\n");
    let acts = code_actions(&a, r);
    let act = titled(&acts, "Split into build and runtime stages");
    assert_eq!(act.kind, ActionKind::RefactorRewrite);
    let out = apply(&a, &act.edits);
    assert!(
        out.contains("FROM gcr.io/distroless/static-debian12:nonroot"),
        "{out}"
    );
}

#[test]
fn crlf_and_no_final_newline_are_respected() {
    let (a, r) = at("FROM alpine:3.20\r\nMAIN$0TAINER Jane");
    let acts = code_actions(&a, r);
    let out = apply(
        &a,
        &titled(&acts, "Ignore maintainer-deprecated for this instruction").edits,
    );
    assert_eq!(
        out,
        "FROM alpine:3.20\r\n# layerwise: ignore[maintainer-deprecated]\r\nMAINTAINER Jane"
    );
}

#[test]
fn large_files_are_handled() {
    // 10,000 lines: every action over the whole file, the split (refused: too long) and
    // fix-all all finish and keep the file parsing
    let mut text = String::from("FROM node:20\nWORKDIR /app\n");
    for i in 0..2_500 {
        text.push_str(&format!(
            "MAINTAINER m{i}\nRUN apt-get update\nRUN apt-get install -y pkg{i}\nENV K{i}=v\n"
        ));
    }
    text.push_str("CMD npm start\n");
    let a = Analysis::from_text(&text);
    let started = std::time::Instant::now();
    let acts = code_actions(&a, TextRange::new(0, a.file.len()));
    assert!(acts.iter().any(|x| x.title.starts_with("Ignore")));
    assert!(!acts.iter().any(|x| x.title.starts_with("Split")));
    let all = fix_all(&a).expect("fix-all");
    let out = apply(&a, &all.edits);
    assert!(Analysis::from_text(&out).file.errors().len() <= a.file.errors().len());
    eprintln!(
        "10,000 lines: {} actions and fix-all in {:?}",
        acts.len(),
        started.elapsed()
    );
    // the longest stage the split takes: many copies, workdirs and state to move
    let mut text = String::from("FROM golang:1.22\n");
    for i in 0..249 {
        text.push_str(&format!(
            "WORKDIR /src/d{i}\nCOPY f{i} /etc/app/\nENV K{i}=v\nRUN go build -o /out/b{i} .\n"
        ));
    }
    text.push_str("CMD [\"/out/b1\"]\n");
    let a = Analysis::from_text(&text);
    let started = std::time::Instant::now();
    let s = crate::split::split(&a, &crate::split::SplitOptions::default()).expect("split");
    assert!(Analysis::from_text(&s.text).file.errors().is_empty());
    eprintln!(
        "split of {} instructions in {:?}",
        a.model.instructions.len(),
        started.elapsed()
    );
}

/// The findings of a range are those that meet it, whatever their length: one that starts
/// before the range and ends in it counts, one that starts after it does not.
#[test]
fn findings_in_a_range_are_those_meeting_it() {
    let text = "FROM a\nRUN sudo x\nFROM b\nRUN sudo y\n";
    let a = Analysis::from_text(text);
    let all = a.diagnostics();
    assert!(all.len() >= 4, "{all:?}");
    for start in 0..=text.len() as u32 {
        for end in start..=text.len() as u32 {
            let r = TextRange::new(start, end);
            let got: Vec<usize> = diagnostics_in(&a, r).map(|(i, _)| i).collect();
            let want: Vec<usize> = (0..all.len()).filter(|&i| meets(all[i].range, r)).collect();
            assert_eq!(got, want, "{r:?}");
        }
    }
}

/// A whole-file selection of a file with more findings than one answer lists gets the fixes
/// of the first ones only, and the rest are counted.
#[test]
fn a_huge_selection_lists_the_fixes_of_the_first_findings() {
    let n = MAX_FINDINGS_PER_REQUEST + 40;
    let a = Analysis::from_text(&format!("FROM alpine:3.20\n{}", "MAINTAINER x\n".repeat(n)));
    let whole = TextRange::new(0, a.text.len() as u32);
    let all = diagnostics_in(&a, whole).count();
    assert_eq!(all, a.diagnostics().len());
    assert!(all >= n, "{all}");
    assert_eq!(findings_left_out(&a, whole), all - MAX_FINDINGS_PER_REQUEST);
    let acts = code_actions(&a, whole);
    let mut covered: Vec<usize> = acts
        .iter()
        .flat_map(|act| act.diagnostics.clone())
        .collect();
    covered.sort_unstable();
    covered.dedup();
    assert_eq!(covered.len(), MAX_FINDINGS_PER_REQUEST);
    assert_eq!(covered.last(), Some(&(MAX_FINDINGS_PER_REQUEST - 1)));
    // a selection of the last lines still gets their fixes
    let end = a.text.len() as u32;
    let tail = TextRange::new(end - 13, end);
    assert_eq!(findings_left_out(&a, tail), 0);
    let acts = code_actions(&a, tail);
    assert!(
        acts.iter().any(|act| act.diagnostics.contains(&(all - 1))),
        "{acts:#?}"
    );
}

/// Fix-all still fixes every finding of a huge file, but names only the first ones it
/// resolves (the list goes out with the answer).
#[test]
fn fix_all_on_many_findings_lists_the_first() {
    let n = MAX_FINDINGS_PER_REQUEST + 40;
    let a = Analysis::from_text(&format!("FROM alpine:3.20\n{}", "MAINTAINER x\n".repeat(n)));
    let act = fix_all(&a).expect("fix-all");
    assert_eq!(act.diagnostics.len(), MAX_FINDINGS_PER_REQUEST);
    assert!(act.diagnostics.windows(2).all(|w| w[0] < w[1]));
    let fixed = apply(&a, &act.edits);
    assert!(!fixed.contains("MAINTAINER"), "{}", &fixed[..200]);
    assert!(act.title.contains(&format!("({n} fixes)")), "{}", act.title);
}

/// Actions made one per matching instruction (here the apt-get merge rewrite) are bounded
/// per request like the quick fixes: a whole-file selection of a generated file made one for
/// every pair of lines.
#[test]
fn per_instruction_actions_are_bounded() {
    let text = "FROM debian:12\n".to_string()
        + &"RUN apt-get update\nRUN apt-get install -y curl\n".repeat(MAX_OTHER_ACTIONS + 100);
    let a = Analysis::from_text(&text);
    let all = TextRange::new(0, text.len() as u32);
    let rewrites = code_actions(&a, all)
        .into_iter()
        .filter(|c| c.kind == ActionKind::RefactorRewrite)
        .count();
    assert!(rewrites > 0 && rewrites <= MAX_OTHER_ACTIONS, "{rewrites}");
}

/// The check of fixes is charged what it re-lexes: fixes inside one big item spend the
/// budget by the item's size, and once it is spent no fix is offered unchecked. A fix of
/// many edits is checked as one joined edit (applied one by one, 100,000 edits in one `RUN`
/// took 90 s).
#[test]
fn fix_checks_are_charged_what_they_relex() {
    use layerwise_lint::{Edit, Fix};
    let mut text = String::from("FROM a\nRUN a \\\n");
    for _ in 0..200 {
        text.push('\n');
    }
    text.push_str("  b\n");
    let a = Analysis::from_text(&text);
    let run = a.file.item(1).unwrap();
    let item_len = run.range().len() as usize;
    // one edit per empty line: many edits, one joined check of the whole item
    let empties: Vec<Edit> = (0..200)
        .map(|k| Edit {
            range: TextRange::new(run.start + 9 + k, run.start + 10 + k),
            text: "".into(),
        })
        .collect();
    let many = Fix::safe("drop the empty lines", empties);
    let mut check = super::SyntaxCheck::new(&a);
    check.budget = 2 * item_len;
    assert!(check.keeps_syntax(&many));
    assert_eq!(check.budget, item_len, "charged the item it re-lexed");
    let one = Fix::safe(
        "x",
        vec![Edit {
            range: TextRange::empty(run.start + 4),
            text: "b".into(),
        }],
    );
    assert!(check.keeps_syntax(&one));
    assert_eq!(check.budget, 0);
    assert!(
        !check.keeps_syntax(&one),
        "budget spent: not offered unchecked"
    );
}
