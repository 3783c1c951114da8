//! Code lenses: one per stage ("stage `build` · from node:20 (≈ 1.10 GB) · ≈ 1.2 GB ·
//! discarded · used by: runtime") on its `FROM` line, and one for the file on its first
//! instruction ("final image ≈ 182 MB (build ≈ 1.2 GB discarded)"). Plain text; the protocol
//! side attaches a harmless command.

use layerwise_analysis::{Base, Stage};
use layerwise_syntax::TextRange;

use crate::inlay_hints::builders_phrase;
use crate::sizes::{FileSizes, StageRole, StageSizes};
use crate::Analysis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeLens {
    /// Where the lens sits (the `FROM` line of its stage; the first instruction for the file).
    pub range: TextRange,
    pub title: String,
    /// The base image of the stage, when it is one (for a command that shows its facts).
    pub image: Option<String>,
}

pub fn code_lenses(a: &Analysis, sizes: &FileSizes) -> Vec<CodeLens> {
    capped_lenses(a, sizes, usize::MAX).lenses
}

/// At most `max` lenses and how many more the file has (see [`capped_lenses`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CappedLenses {
    /// The first lenses of [`code_lenses`], in its order.
    pub lenses: Vec<CodeLens>,
    /// How many lenses come after them (counted, not built).
    pub left_out: usize,
    /// Where the first of those sits; `None` when nothing was left out.
    pub first_left_out: Option<TextRange>,
}

/// The first `max` lenses of [`code_lenses`] and a count of the others that words nothing:
/// a server caps its answer anyway, and a title per stage of a 4 MB file of one-line stages
/// is hundreds of MB (F16).
pub fn capped_lenses(a: &Analysis, sizes: &FileSizes, max: usize) -> CappedLenses {
    // The file's lens first, then one per stage the model knows (all of them, in a consistent
    // file); nothing is worded until taken.
    let file = file_lens_range(sizes).map(|range| (range, None));
    let stages = sizes.stages.iter().filter_map(|stage| {
        let st = a.model.stages.get(stage.index)?;
        Some((stage.from.range, Some((stage, st))))
    });
    let mut places = file.into_iter().chain(stages);
    let lenses = places
        .by_ref()
        .take(max)
        .filter_map(|(_, stage)| match stage {
            None => file_lens(a, sizes),
            Some((stage, st)) => Some(stage_lens(a, stage, st)),
        })
        .collect();
    let first_left_out = places.next().map(|(range, _)| range);
    let left_out = first_left_out.map_or(0, |_| 1 + places.count());
    CappedLenses {
        lenses,
        left_out,
        first_left_out,
    }
}

/// Where the file's lens sits, when there is one: the first stage's `FROM`.
fn file_lens_range(sizes: &FileSizes) -> Option<TextRange> {
    sizes.target?;
    sizes.stages.first().map(|first| first.from.range)
}

/// The lens for the whole file: the final image's size and what the builders weigh.
fn file_lens(a: &Analysis, sizes: &FileSizes) -> Option<CodeLens> {
    let (Some(target), Some(first)) = (sizes.target, sizes.stages.first()) else {
        return None;
    };
    let mut title = format!("final image {}", sizes.image.display());
    if sizes.discarded.known + sizes.discarded.unknown + sizes.discarded.pending > 0 {
        title.push_str(&format!(" ({} discarded)", builders_phrase(a, sizes)));
    }
    let image = a.model.stages.get(target).and_then(|s| match &s.base {
        Base::Image(r) => Some(r.display_name()),
        _ => None,
    });
    Some(CodeLens {
        range: first.from.range,
        title,
        image,
    })
}

/// One stage's lens: its label, base, size, role and the stages that use it.
fn stage_lens(a: &Analysis, stage: &StageSizes, st: &Stage) -> CodeLens {
    let mut parts = vec![format!("stage `{}`", st.label())];
    let base = match &st.base {
        Base::Stage(b) => format!(
            "from stage `{}`",
            a.model
                .stages
                .get(*b)
                .map_or_else(|| b.to_string(), |s| s.label())
        ),
        _ => format!("from {}", st.base_resolved),
    };
    parts.push(format!("{base} ({})", stage.from.estimate.display()));
    parts.push(stage.total.display());
    if stage.role != StageRole::Final {
        parts.push(stage.role.label().to_string());
    } else {
        parts.push("final".to_string());
    }
    if !stage.used_by.is_empty() {
        let users: Vec<String> = stage
            .used_by
            .iter()
            .map(
                |u| match a.model.stages.get(*u).and_then(|s| s.name.clone()) {
                    Some(name) => name,
                    None => format!("stage {u}"),
                },
            )
            .collect();
        parts.push(format!("used by: {}", users.join(", ")));
    }
    CodeLens {
        range: stage.from.range,
        title: parts.join(" · "),
        image: match &st.base {
            Base::Image(r) => Some(r.display_name()),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sizes::{estimate, SizeInputs};
    use layerwise_analysis::image_facts::{FactSource, ImageFacts, Platform, PlatformFacts};
    use layerwise_analysis::image_ref::ImageRef;

    #[test]
    fn stage_and_file_lenses() {
        let mut a = Analysis::from_text(
            "FROM node:20 AS build\nRUN npm run build\n\nFROM node:20-slim AS runtime\nCOPY --from=build /app/dist /app\n",
        );
        for (r, u) in [("node:20", 1_100_000_000), ("node:20-slim", 200_000_000)] {
            let f = ImageFacts {
                reference: ImageRef::parse(r).unwrap(),
                digest: None,
                platforms: vec![PlatformFacts::sizes_only(
                    Platform::linux_amd64(),
                    u / 3,
                    Some(u),
                )],
                available_platforms: Vec::new(),
                source: FactSource::Catalogue {
                    entry: r.into(),
                    exact: true,
                    provenance: "test".into(),
                },
                fetched_at: None,
                fallback_reason: None,
            };
            a.facts.images.insert(f.reference.canonical(), f);
        }
        let sizes = estimate(&a, &SizeInputs::default());
        let lenses = code_lenses(&a, &sizes);
        let titles: Vec<&str> = lenses.iter().map(|l| l.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "final image ≈ 200 MB + ? (build ≈ 1.10 GB + ? discarded)",
                "stage `build` · from node:20 (≈ 1.10 GB) · ≈ 1.10 GB + ? · discarded · used by: runtime",
                "stage `runtime` · from node:20-slim (≈ 200 MB) · ≈ 200 MB + ? · final",
            ]
        );
        assert_eq!(lenses[1].image.as_deref(), Some("node:20"));
        assert_eq!(a.slice(lenses[2].range), "FROM node:20-slim AS runtime");
        assert!(code_lenses(&Analysis::from_text(""), &FileSizes::default()).is_empty());
    }

    /// A capped answer is the full list's first lenses, and counts exactly the ones after them.
    #[test]
    fn capped_lenses_are_the_first_of_the_full_list_and_count_the_rest() {
        for text in [
            "FROM node:20 AS build\nRUN npm run build\n\nFROM node:20-slim AS runtime\nCOPY --from=build /app/dist /app\n",
            "FROM a\nFROM b AS x\nFROM x\n",
            "ARG A=1\n",
            "",
        ] {
            let a = Analysis::from_text(text);
            let sizes = estimate(&a, &SizeInputs::default());
            let full = code_lenses(&a, &sizes);
            for max in 0..=full.len() + 1 {
                let got = capped_lenses(&a, &sizes, max);
                let kept = max.min(full.len());
                assert_eq!(got.lenses, full[..kept], "{text:?} max {max}");
                assert_eq!(got.left_out, full.len() - kept, "{text:?} max {max}");
                assert_eq!(got.first_left_out, full.get(max).map(|l| l.range));
            }
        }
    }

    /// `node:20` with figures for amd64 (1.10 GB, first) and arm64 (900 MB).
    fn two_platform_facts(a: &mut Analysis) {
        let f = layerwise_test_support::facts::two_platform_node();
        a.facts.images.insert(f.reference.canonical(), f);
    }

    fn stage_lens(text: &str) -> String {
        let mut a = Analysis::from_text(text);
        two_platform_facts(&mut a);
        let sizes = estimate(&a, &SizeInputs::default());
        let lenses = code_lenses(&a, &sizes);
        // The file's lens first, then the one stage's.
        assert_eq!(lenses.len(), 2, "{lenses:?}");
        lenses[1].title.clone()
    }

    #[test]
    fn the_base_size_is_for_the_stage_platform() {
        let default = stage_lens("FROM node:20\n");
        assert!(default.contains("from node:20 (≈ 1.10 GB)"), "{default}");
        let arm = stage_lens("FROM --platform=linux/arm64 node:20\n");
        assert!(arm.contains("from node:20 (≈ 900 MB)"), "{arm}");
        // Expanded like BuildKit expands FROM: global ARGs.
        let via_arg = stage_lens("ARG P=linux/arm64\nFROM --platform=$P node:20\n");
        assert!(via_arg.contains("from node:20 (≈ 900 MB)"), "{via_arg}");
        let amd = stage_lens("FROM --platform=linux/amd64 node:20\n");
        assert!(amd.contains("from node:20 (≈ 1.10 GB)"), "{amd}");
    }

    #[test]
    fn a_platform_without_figures_uses_the_first_and_says_so() {
        let mut a = Analysis::from_text("FROM --platform=linux/s390x node:20\n");
        two_platform_facts(&mut a);
        let sizes = estimate(&a, &SizeInputs::default());
        let lenses = code_lenses(&a, &sizes);
        assert_eq!(
            lenses[1].title,
            "stage `0` · from node:20 (≈ 1.10 GB) · ≈ 1.10 GB · final"
        );
        let note = &sizes.stages[0].from.estimate.note;
        assert!(
            note.contains("no figures for linux/s390x, these are for linux/amd64"),
            "{note}"
        );
        assert!(sizes.stages[0].from.estimate.approximate, "{note}");
    }
}
