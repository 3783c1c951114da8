use super::*;
use crate::Analysis;

/// Completion at the `$0` marker of `text`.
fn at(text: &str) -> Completions {
    let offset = text.find("$0").expect("a $0 marker");
    let text = text.replacen("$0", "", 1);
    complete_list(&Analysis::from_text(&text), offset as u32, false, &NoImages)
}

fn labels(c: &Completions) -> Vec<&str> {
    c.items.iter().map(|i| i.label.as_str()).collect()
}

/// Finding F2 (`inputs/analyze/completion-inside-a-character`): an offset inside a UTF-8
/// character answers as at the character's start, and no offset panics.
#[test]
fn an_offset_inside_a_character_is_snapped_to_its_start() {
    for text in [
        "FROM a\u{e9}x\n",
        "FROM a AS b\u{3000}\nCOPY --from=\u{e9}\u{1f600} x y\n",
        "# \u{e9}\u{3000}\nFROM a\nRUN echo $\u{e9}{\u{e9}\n",
        "FROM a\nRUN --mount=type=cache,target=\u{3000}\u{e9} x\n",
        "\u{feff}FROM \u{e9}:\u{e9}\nCOPY \u{e9}/ \u{e9}\n",
    ] {
        let a = Analysis::from_text(text);
        for offset in 0..=text.len() as u32 + 2 {
            let got = complete(&a, offset, true, &NoImages);
            let mut start = (offset as usize).min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            assert_eq!(
                got,
                complete(&a, start as u32, true, &NoImages),
                "{text:?} at {offset}"
            );
        }
    }
}

#[test]
fn only_from_and_arg_before_the_first_from() {
    assert_eq!(labels(&at("$0\nFROM a\n")), ["FROM", "ARG"]);
    let after = at("FROM a\n$0\n");
    assert!(labels(&after).contains(&"RUN"));
    assert!(!at("FROM a\nONBUILD $0\n")
        .items
        .iter()
        .any(|i| i.label == "ONBUILD"));
}

#[test]
fn copy_from_offers_earlier_stages_in_file_order() {
    let c = at("FROM a AS one\nFROM b\nFROM c AS three\nCOPY --from=$0 x y\nFROM d AS four\n");
    assert_eq!(labels(&c), ["one", "1"]);
    assert!(!c.incomplete);
    assert_eq!(c.items[0].detail.as_deref(), Some("stage 0 from a"));
    // what is typed narrows the list
    assert_eq!(
        labels(&at(
            "FROM a AS one\nFROM b AS two\nFROM c\nCOPY --from=tw$0 x y\n"
        )),
        ["two"]
    );
}

/// Hundreds of stages: the nearest [`stages::MAX_STAGES`] before the cursor are offered and
/// the answer says more exist; typing reaches the others.
#[test]
fn many_stages_are_bounded_to_the_nearest() {
    let mut text = String::new();
    for i in 0..250 {
        text.push_str(&format!("FROM alpine AS s{i}\n"));
    }
    let copy = format!("{text}COPY --from=$0 x y\n");
    let c = at(&copy);
    assert_eq!(c.items.len(), stages::MAX_STAGES);
    assert!(c.incomplete);
    assert_eq!(c.items.first().map(|i| i.label.as_str()), Some("s149"));
    assert_eq!(c.items.last().map(|i| i.label.as_str()), Some("s248"));
    // the stage of the cursor is not offered; an early one is reached by typing
    let typed = at(&format!("{text}COPY --from=s7$0 x y\n"));
    assert!(!typed.incomplete);
    assert_eq!(labels(&typed)[..2], ["s7", "s17"]);
    assert!(labels(&typed).iter().all(|l| l.contains('7')));
    // FROM offers the same bounded set of named stages
    let from = at(&format!("{text}FROM $0\n"));
    assert!(from.incomplete);
    assert_eq!(
        from.items
            .iter()
            .filter(|i| i.kind == CompletionKind::Stage)
            .count(),
        100
    );
}

#[test]
fn variables_in_scope_after_a_dollar() {
    let c = at("ARG G=1\nFROM a\nARG G\nENV E=2\nRUN echo ${$0}\n");
    let l = labels(&c);
    assert!(l.contains(&"G") && l.contains(&"E"), "{l:?}");
    assert!(l.contains(&"HTTP_PROXY"), "{l:?}");
    assert!(!labels(&at("FROM a\nENV E=2\nCOPY $$0 x\n")).contains(&"HTTP_PROXY"));
}

#[test]
fn cache_mount_targets_start_with_the_package_manager_of_the_run() {
    let c = at("FROM a\nRUN --mount=type=cache,target=$0 pip install x\n");
    assert_eq!(c.items[0].detail.as_deref(), Some("pip cache"));
    let keys = at("FROM a\nRUN --mount=type=cache,$0 x\n");
    let keys = labels(&keys);
    assert!(
        keys.contains(&"sharing=") && !keys.contains(&"rw="),
        "{keys:?}"
    );
}

#[test]
fn directives_in_the_header_and_rule_names_in_suppressions() {
    let header = at("# $0\nFROM a\n");
    let header = labels(&header);
    assert!(
        header.contains(&"syntax=") && header.contains(&"escape="),
        "{header:?}"
    );
    let later = at("FROM a\n# hadolint ignore=$0\nRUN x\n");
    assert!(later.items.iter().all(|i| i.kind == CompletionKind::Rule));
    assert!(labels(&later).iter().any(|l| l.starts_with("DL")));
}

#[test]
fn from_offers_tags_after_a_colon_and_as_after_the_image() {
    struct Tags;
    impl ImageIndex for Tags {
        fn image_names(&self) -> Vec<String> {
            vec!["node".into()]
        }
        fn tags(&self, image: &layerwise_analysis::image_ref::ImageRef) -> Vec<String> {
            vec![format!("{}-tag", image.repository)]
        }
    }
    let text = "FROM 127.0.0.1:5000/app:";
    let a = Analysis::from_text(text);
    let tags = complete(&a, text.len() as u32, false, &Tags);
    assert_eq!(tags.len(), 1);
    assert_eq!(tags[0].label, "app-tag");
    assert_eq!(a.slice(tags[0].replace), "");
    let names = complete(&Analysis::from_text("FROM "), 5, false, &Tags);
    let l: Vec<&str> = names.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(l, ["--platform", "scratch", "node"]);
    assert_eq!(labels(&at("FROM node $0\n")), ["AS"]);
}

/// The size in a stage's detail is the one for the stage's `FROM --platform`, as hover and
/// code lens show it (reliability finding F19's neighbours).
#[test]
fn a_stage_size_is_for_its_platform() {
    let detail = |text: &str| {
        let offset = text.find("$0").expect("a $0 marker");
        let text = text.replacen("$0", "", 1);
        let mut a = Analysis::from_text(&text);
        let f = layerwise_test_support::facts::two_platform_node();
        a.facts.images.insert(f.reference.canonical(), f);
        let c = complete_list(&a, offset as u32, false, &NoImages);
        c.items[0].detail.clone().unwrap_or_default()
    };
    assert_eq!(
        detail("FROM node:20 AS b\nFROM b\nCOPY --from=$0 x y\n"),
        "stage 0 from node:20, 300 MB"
    );
    assert_eq!(
        detail("FROM --platform=linux/arm64 node:20 AS b\nFROM b\nCOPY --from=$0 x y\n"),
        "stage 0 from node:20, 280 MB"
    );
}
