//! "Pin node:20 to its current digest": `FROM node:20` becomes `FROM node:20@sha256:…`, so
//! the build keeps using the image the tag points to today (BuildKit pulls by the digest and
//! ignores the tag, which stays for people reading the file).
//!
//! The digest is the one the registry resolved the tag to, from the registry itself or from
//! layerwise's cache of it — never from the offline catalogue, whose figures describe an image
//! family, not a particular image. For a multi-platform image it is the index's digest, so the
//! pinned reference still works on every platform. The fix is unsafe: it freezes the base,
//! which also stops security updates of the tag from reaching the build.

use layerwise_analysis::image_facts::{FactSource, ImageFacts};
use layerwise_analysis::image_ref::ImageRef;
use layerwise_analysis::Base;
use layerwise_lint::{Applicability, Edit};
use layerwise_syntax::TextRange;

use super::{meets, ActionKind, CodeAction};
use crate::Analysis;

pub(super) fn actions(a: &Analysis, range: TextRange) -> Vec<CodeAction> {
    let mut out = Vec::new();
    for stage in &a.model.stages {
        let Some(from) = a.model.instructions.get(stage.from) else {
            continue;
        };
        if !meets(from.range, range) {
            continue;
        }
        let Base::Image(image) = &stage.base else {
            continue;
        };
        // A digest already pins it; `$` means the text names different images per build.
        if image.digest.is_some() || image.is_scratch() || stage.base_text.contains('$') {
            continue;
        }
        let Some(facts) = a.facts.images.get(&image.canonical()) else {
            continue;
        };
        let Some(digest) = known_digest(facts) else {
            continue;
        };
        let Ok((_, spans)) = ImageRef::parse_spanned(&stage.base_text) else {
            continue;
        };
        let end = spans.tag.as_ref().map_or(spans.name.end, |t| t.end);
        let Ok(end) = u32::try_from(end) else {
            continue;
        };
        let edit = Edit {
            range: TextRange::empty(stage.base_range.start + end),
            text: format!("@{digest}").into(),
        };
        let mut act = CodeAction::new(
            title(&image.display_name(), digest, &facts.source),
            ActionKind::RefactorRewrite,
            vec![edit],
        );
        act.applicability = Applicability::Unsafe;
        out.push(act);
    }
    out
}

/// The digest the tag resolved to, when it came from a registry (directly or cached) and is
/// well formed (cache files are read from disk and could hold anything).
fn known_digest(f: &ImageFacts) -> Option<&str> {
    if matches!(f.source, FactSource::Catalogue { .. }) {
        return None;
    }
    let d = f.digest.as_deref()?;
    let hex = d.strip_prefix("sha256:")?;
    (hex.len() == 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then_some(d)
}

/// `Pin node:20 to its current digest (sha256:3cfe1aa2fb5f…)`; a cache entry past its TTL
/// says how old it is, since the tag may have moved since.
fn title(shown: &str, digest: &str, source: &FactSource) -> String {
    let short = digest.get(..19).unwrap_or(digest);
    let mut t = format!("Pin {shown} to its current digest ({short}…)");
    if let FactSource::Cache { stale: true, .. } = source {
        t.push_str(&format!(" — {}, the tag may have moved", source.label()));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code_actions::{apply, code_actions};
    use layerwise_analysis::image_facts::{Platform, PlatformFacts};

    const DIGEST: &str = "sha256:3cfe1aa2fb5f06b6127e7776e953edc53743e1dfbb60fed2da3ff33a3838194a";

    fn facts(reference: &str, digest: Option<&str>, source: FactSource) -> ImageFacts {
        ImageFacts {
            reference: ImageRef::parse(reference).unwrap(),
            digest: digest.map(str::to_string),
            platforms: vec![PlatformFacts::sizes_only(
                Platform::linux_amd64(),
                400_000_000,
                None,
            )],
            available_platforms: Vec::new(),
            source,
            fetched_at: Some(0),
            fallback_reason: None,
        }
    }

    /// The analysis of `text` (cursor at `$0`) with facts for `reference`.
    fn at(text: &str, reference: &str, f: Option<ImageFacts>) -> (Analysis, TextRange) {
        let offset = text.find("$0").expect("cursor marker") as u32;
        let mut a = Analysis::from_text(&text.replace("$0", ""));
        if let Some(f) = f {
            a.facts
                .images
                .insert(ImageRef::parse(reference).unwrap().canonical(), f);
        }
        (a, TextRange::empty(offset))
    }

    fn pin_titles(a: &Analysis, r: TextRange) -> Vec<String> {
        code_actions(a, r)
            .into_iter()
            .filter(|x| x.title.starts_with("Pin "))
            .map(|x| x.title)
            .collect()
    }

    fn pinned(text: &str, reference: &str, source: FactSource) -> String {
        let (a, r) = at(
            text,
            reference,
            Some(facts(reference, Some(DIGEST), source)),
        );
        let acts = code_actions(&a, r);
        let act = acts
            .iter()
            .find(|x| x.title.starts_with("Pin "))
            .unwrap_or_else(|| panic!("no pin action for {text}"));
        assert_eq!(act.applicability, Applicability::Unsafe);
        assert_eq!(act.kind, ActionKind::RefactorRewrite);
        apply(&a, &act.edits)
    }

    #[test]
    fn pins_the_tag_to_the_registry_digest() {
        let out = pinned(
            "FROM no$0de:20 AS build\nRUN npm ci\n",
            "node:20",
            FactSource::Registry,
        );
        assert_eq!(out, format!("FROM node:20@{DIGEST} AS build\nRUN npm ci\n"));
    }

    #[test]
    fn keeps_flags_registry_ports_and_the_rest_of_the_file() {
        let out = pinned(
            "# base\nFROM --platform=linux/arm64 127.0.0.1:5000/team/app:1.0$0 AS app\r\nCMD [\"x\"]\r\n",
            "127.0.0.1:5000/team/app:1.0",
            FactSource::Cache {
                age_secs: 60,
                stale: false,
            },
        );
        assert_eq!(
            out,
            format!("# base\nFROM --platform=linux/arm64 127.0.0.1:5000/team/app:1.0@{DIGEST} AS app\r\nCMD [\"x\"]\r\n")
        );
    }

    #[test]
    fn an_untagged_name_gets_the_digest_after_the_name() {
        let out = pinned("FROM $0debian\n", "debian", FactSource::Registry);
        assert_eq!(out, format!("FROM debian@{DIGEST}\n"));
    }

    #[test]
    fn title_names_the_image_and_a_stale_cache_says_so() {
        let (a, r) = at(
            "FROM node:20$0\n",
            "node:20",
            Some(facts("node:20", Some(DIGEST), FactSource::Registry)),
        );
        assert_eq!(
            pin_titles(&a, r),
            vec!["Pin node:20 to its current digest (sha256:3cfe1aa2fb5f…)"]
        );
        let stale = FactSource::Cache {
            age_secs: 3 * 86400,
            stale: true,
        };
        let (a, r) = at(
            "FROM node:20$0\n",
            "node:20",
            Some(facts("node:20", Some(DIGEST), stale)),
        );
        assert_eq!(
            pin_titles(&a, r),
            vec!["Pin node:20 to its current digest (sha256:3cfe1aa2fb5f…) — cache (3d old, stale), the tag may have moved"]
        );
    }

    #[test]
    fn not_offered_without_a_registry_digest() {
        let catalogue = FactSource::Catalogue {
            entry: "node:20".into(),
            exact: true,
            provenance: "test".into(),
        };
        let cases: Vec<(&str, Option<ImageFacts>)> = vec![
            // no facts at all
            ("FROM node:20$0\n", None),
            // the catalogue has no digest of this image, even if one were filled in
            (
                "FROM node:20$0\n",
                Some(facts("node:20", Some(DIGEST), catalogue)),
            ),
            // the registry answer had no digest
            (
                "FROM node:20$0\n",
                Some(facts("node:20", None, FactSource::Registry)),
            ),
            // a malformed digest (cache files are read from disk)
            (
                "FROM node:20$0\n",
                Some(facts(
                    "node:20",
                    Some("sha256:../../etc"),
                    FactSource::Registry,
                )),
            ),
        ];
        for (text, f) in cases {
            let (a, r) = at(text, "node:20", f);
            assert!(pin_titles(&a, r).is_empty(), "{text}");
        }
    }

    #[test]
    fn not_offered_where_pinning_makes_no_sense() {
        let registry = || Some(facts("node:20", Some(DIGEST), FactSource::Registry));
        for text in [
            // already pinned
            &format!("FROM node:20@{DIGEST}$0\n")[..],
            // an ARG decides the image
            "ARG V=20\nFROM node:${V}$0\n",
            // the cursor is on another line
            "FROM node:20\nRUN echo$0 hi\n",
            "FROM scratch$0\n",
        ] {
            let (a, r) = at(text, "node:20", registry());
            assert!(pin_titles(&a, r).is_empty(), "{text}");
        }
    }

    #[test]
    fn only_the_stage_under_the_cursor() {
        let mut text =
            "FROM node:20 AS build\nRUN npm ci\nFROM node:20-slim$0\nCOPY --from=build /a /a\n"
                .to_string();
        let offset = text.find("$0").unwrap() as u32;
        text = text.replace("$0", "");
        let mut a = Analysis::from_text(&text);
        for r in ["node:20", "node:20-slim"] {
            a.facts.images.insert(
                ImageRef::parse(r).unwrap().canonical(),
                facts(r, Some(DIGEST), FactSource::Registry),
            );
        }
        let titles = pin_titles(&a, TextRange::empty(offset));
        assert_eq!(titles.len(), 1);
        assert!(titles[0].starts_with("Pin node:20-slim "), "{titles:?}");
        // a selection over both FROM lines offers both
        assert_eq!(
            pin_titles(&a, TextRange::new(0, text.len() as u32)).len(),
            2
        );
    }
}
