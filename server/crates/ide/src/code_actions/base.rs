//! "Switch to <slimmer variant>" on the final stage's base image, with the size saved in the
//! title, from the slimmer variants the registry facts list for that image.

use layerwise_analysis::image_ref::ImageRef;
use layerwise_analysis::Base;
use layerwise_lint::rules::size::toolchains::{switch_sizes, switch_title};
use layerwise_lint::{Applicability, Edit};
use layerwise_syntax::TextRange;

use super::{ActionKind, CodeAction};
use crate::Analysis;

pub(super) fn actions(a: &Analysis, range: TextRange) -> Vec<CodeAction> {
    let Some(stage) = a.model.stages.last() else {
        return Vec::new();
    };
    let Some(from) = a.model.instructions.get(stage.from) else {
        return Vec::new();
    };
    if !(from.range.start <= range.end && range.start <= from.range.end) {
        return Vec::new();
    }
    let Base::Image(image) = &stage.base else {
        return Vec::new();
    };
    let written = &stage.base_text;
    // the reference is rewritten whole: only where it is written as the model read it
    if written.contains('$') || image.digest.is_some() || a.slice(stage.base_range) != written {
        return Vec::new();
    }
    let Some(variants) = a.facts.variants.get(&image.canonical()) else {
        return Vec::new();
    };
    let Ok((_, spans)) = ImageRef::parse_spanned(written) else {
        return Vec::new();
    };
    // the figures for the stage's `FROM --platform`, as hover and the code lens show them
    let platform = a.model.requested_platform(stage);
    let mut out = Vec::new();
    // a list can hold one variant for several platforms: one action each, with the figures
    // `switch_sizes` picks
    let mut offered: Vec<String> = Vec::new();
    for v in variants {
        let Ok(variant) = ImageRef::parse(&v.reference) else {
            continue;
        };
        let Some(tag) = variant.tag.clone() else {
            continue;
        };
        if offered.contains(&variant.canonical()) {
            continue;
        }
        offered.push(variant.canonical());
        // the whole reference is rewritten, as the toolchain-final-image rule's fix does:
        // when the rule offers the same switch, the two have the same edit and only the
        // rule's is shown (with the same title, see `switch_title`)
        let (cut, keep) = match &spans.tag {
            Some(t) => ((t.start, t.end), ""),
            None => ((spans.name.end, spans.name.end), ":"),
        };
        let (Some(head), Some(tail)) = (written.get(..cut.0), written.get(cut.1..)) else {
            continue;
        };
        let new_text = format!("{head}{keep}{tag}{tail}");
        let edit = Edit {
            range: stage.base_range,
            text: new_text.into(),
        };
        let shown = format!("{}:{tag}", image.familiar_name());
        let (from, to) = switch_sizes(&a.facts, image, &variant, platform.as_ref());
        let title = switch_title(&shown, from, to);
        let mut act = CodeAction::new(title, ActionKind::RefactorRewrite, vec![edit]);
        act.applicability = Applicability::Unsafe;
        out.push(act);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code_actions::{apply, code_actions};
    use layerwise_analysis::image_facts::{
        FactSource, ImageFacts, Platform, PlatformFacts, VariantSize,
    };

    fn variant(reference: &str, compressed: u64, unpacked: Option<u64>) -> VariantSize {
        variant_on(Platform::linux_amd64(), reference, compressed, unpacked)
    }

    fn variant_on(
        platform: Platform,
        reference: &str,
        compressed: u64,
        unpacked: Option<u64>,
    ) -> VariantSize {
        VariantSize {
            reference: reference.into(),
            platform,
            compressed_size: compressed,
            unpacked_size: unpacked,
            source: FactSource::Registry,
        }
    }

    /// `text` with its `$0` cursor, facts for `image` (sizes, if given) and its variants.
    fn at(
        text: &str,
        image: &str,
        sizes: Option<(u64, Option<u64>)>,
        variants: Vec<VariantSize>,
    ) -> (Analysis, TextRange) {
        let offset = text.find("$0").expect("cursor marker") as u32;
        let mut a = Analysis::from_text(&text.replace("$0", ""));
        let r = ImageRef::parse(image).unwrap();
        if let Some((c, u)) = sizes {
            a.facts.images.insert(
                r.canonical(),
                ImageFacts {
                    reference: r.clone(),
                    digest: None,
                    platforms: vec![PlatformFacts::sizes_only(Platform::linux_amd64(), c, u)],
                    available_platforms: Vec::new(),
                    source: FactSource::Registry,
                    fetched_at: None,
                    fallback_reason: None,
                },
            );
        }
        a.facts.variants.insert(r.canonical(), variants);
        (a, TextRange::empty(offset))
    }

    fn switches(a: &Analysis, r: TextRange) -> Vec<(String, String)> {
        code_actions(a, r)
            .into_iter()
            .filter(|x| x.title.starts_with("Switch to ") && x.title.contains('('))
            .map(|x| (x.title.clone(), apply(a, &x.edits)))
            .collect()
    }

    #[test]
    fn every_variant_with_its_saving_and_the_rest_of_the_line_kept() {
        let (a, r) = at(
            "FROM --platform=linux/amd64 python:3.12$0 AS runtime\nCMD [\"python\"]\n",
            "python:3.12",
            Some((400_000_000, Some(1_000_000_000))),
            vec![
                variant("python:3.12-alpine", 20_000_000, Some(50_000_000)),
                variant("python:3.12-slim", 50_000_000, Some(150_000_000)),
            ],
        );
        assert_eq!(
            switches(&a, r),
            vec![
                (
                    "Switch to python:3.12-alpine (saves ≈950 MB)".to_string(),
                    "FROM --platform=linux/amd64 python:3.12-alpine AS runtime\nCMD [\"python\"]\n"
                        .to_string()
                ),
                (
                    "Switch to python:3.12-slim (saves ≈850 MB)".to_string(),
                    "FROM --platform=linux/amd64 python:3.12-slim AS runtime\nCMD [\"python\"]\n"
                        .to_string()
                ),
            ]
        );
    }

    #[test]
    fn compressed_sizes_when_unpacked_ones_are_not_known_on_both_sides() {
        // Registry facts know only the compressed size of the image itself.
        let (a, r) = at(
            "FROM node:20$0\n",
            "node:20",
            Some((380_000_000, None)),
            vec![variant("node:20-slim", 70_000_000, Some(200_000_000))],
        );
        assert_eq!(
            switches(&a, r),
            vec![(
                "Switch to node:20-slim (saves ≈310 MB)".to_string(),
                "FROM node:20-slim\n".to_string()
            )]
        );
    }

    #[test]
    fn without_figures_for_the_image_the_variant_size_is_given() {
        let (a, r) = at(
            "FROM node$0\n",
            "node",
            None,
            vec![variant("node:slim", 70_000_000, Some(200_000_000))],
        );
        assert_eq!(
            switches(&a, r),
            vec![(
                "Switch to node:slim (≈200 MB)".to_string(),
                "FROM node:slim\n".to_string()
            )]
        );
    }

    #[test]
    fn only_on_the_final_stage_and_only_for_literal_tags() {
        let v = || vec![variant("node:20-slim", 70_000_000, Some(200_000_000))];
        let sizes = Some((380_000_000, Some(1_100_000_000)));
        for text in [
            // a builder stage keeps its toolchain
            "FROM node:20$0 AS build\nRUN npm ci\nFROM scratch\nCOPY --from=build /a /a\n",
            // the cursor is not on the FROM line
            "FROM node:20\nCMD [\"node\"$0]\n",
            // an ARG decides the tag
            "ARG V=20\nFROM node:${V}$0\n",
            // a digest pins the image
            "FROM node:20@sha256:3cfe1aa2fb5f06b6127e7776e953edc53743e1dfbb60fed2da3ff33a3838194a$0\n",
        ] {
            let image = if text.contains("@sha256") {
                "node:20@sha256:3cfe1aa2fb5f06b6127e7776e953edc53743e1dfbb60fed2da3ff33a3838194a"
            } else {
                "node:20"
            };
            let (a, r) = at(text, image, sizes, v());
            assert!(switches(&a, r).is_empty(), "{text}");
        }
    }

    /// `text` (a final stage on `node:20` that runs an app, cursor on the image) with
    /// `node:20` known for amd64 (1.10 GB) and arm64 (900 MB), `node:20-slim` (if
    /// `slim_facts`) for amd64 (200 MB) and arm64 (190 MB), and `variants` as its list.
    fn two_platforms(
        text: &str,
        slim_facts: bool,
        variants: Vec<VariantSize>,
    ) -> (Analysis, TextRange) {
        use layerwise_test_support::facts::{two_platform_node, two_platform_node_slim};
        let offset = text.find("$0").expect("cursor marker") as u32;
        let mut a = Analysis::from_text(&text.replace("$0", ""));
        let node = two_platform_node();
        a.facts
            .variants
            .insert(node.reference.canonical(), variants);
        a.facts.images.insert(node.reference.canonical(), node);
        if slim_facts {
            let slim = two_platform_node_slim();
            a.facts.images.insert(slim.reference.canonical(), slim);
        }
        (a, TextRange::empty(offset))
    }

    /// The slimmer-variant action's titles, and toolchain-final-image's message and fix title.
    fn figures(a: &Analysis, r: TextRange) -> (Vec<String>, String, String) {
        let titles = actions(a, r).into_iter().map(|x| x.title).collect();
        let d = a
            .diagnostics()
            .iter()
            .find(|d| d.rule.name == "toolchain-final-image")
            .expect("toolchain-final-image fires");
        (titles, d.message.to_string(), d.fixes[0].title.to_string())
    }

    fn arm() -> Platform {
        Platform::parse("linux/arm64").unwrap()
    }

    #[test]
    fn the_saving_is_for_the_stage_platform() {
        let both_lists = || {
            vec![
                variant("node:20-slim", 70_000_000, Some(200_000_000)),
                variant_on(arm(), "node:20-slim", 65_000_000, Some(190_000_000)),
            ]
        };
        let arm64 = "FROM --platform=linux/arm64 node:20$0\nCMD [\"node\", \"server.js\"]\n";
        let arm64_via_arg =
            "ARG P=linux/arm64\nFROM --platform=$P node:20$0\nCMD [\"node\", \"server.js\"]\n";
        let want_arm = "Switch to node:20-slim (saves ≈710 MB)";
        // from the slim image's own facts, and from the variant list alone
        for (text, slim_facts) in [(arm64, true), (arm64, false), (arm64_via_arg, true)] {
            let (a, r) = two_platforms(text, slim_facts, both_lists());
            let (titles, message, fix) = figures(&a, r);
            assert_eq!(titles, [want_arm], "{text} {slim_facts}");
            assert_eq!(fix, want_arm, "{text} {slim_facts}");
            assert!(message.contains("`node:20` (≈ 900 MB)"), "{message}");
            assert!(
                message.ends_with("`node:20-slim` would save ≈ 710 MB"),
                "{message}"
            );
        }
        // without --platform, or for a platform without figures: the first ones, as before
        for text in [
            "FROM node:20$0\nCMD [\"node\", \"server.js\"]\n",
            "FROM --platform=linux/s390x node:20$0\nCMD [\"node\", \"server.js\"]\n",
        ] {
            let (a, r) = two_platforms(text, true, vec![variant("node:20-slim", 1, Some(2))]);
            let (titles, message, fix) = figures(&a, r);
            let want = "Switch to node:20-slim (saves ≈900 MB)";
            assert_eq!(
                (titles, fix.as_str()),
                (vec![want.to_string()], want),
                "{text}"
            );
            assert!(message.contains("`node:20` (≈ 1.10 GB)"), "{message}");
            assert!(
                message.ends_with("`node:20-slim` would save ≈ 900 MB"),
                "{message}"
            );
        }
        // the variant is known only for amd64: no saving made up from two platforms
        let (a, r) = two_platforms(
            arm64,
            false,
            vec![variant("node:20-slim", 70_000_000, Some(200_000_000))],
        );
        let (titles, message, fix) = figures(&a, r);
        assert_eq!(titles, ["Switch to node:20-slim"]);
        assert_eq!(fix, "Switch to node:20-slim");
        assert!(!message.contains("would save"), "{message}");
    }
}
