//! Code lenses: one per stage ("stage `build` · from node:20 (≈ 1.10 GB) · ≈ 1.2 GB ·
//! discarded · used by: runtime") on its `FROM` line, and one for the file on its first
//! instruction ("final image ≈ 182 MB (build ≈ 1.2 GB discarded)"). Plain text; the protocol
//! side attaches a harmless command.

use layerwise_analysis::Base;
use layerwise_syntax::TextRange;

use crate::inlay_hints::builders_phrase;
use crate::sizes::{FileSizes, StageRole};
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
    let mut out = Vec::new();
    if let (Some(target), Some(first)) = (sizes.target, sizes.stages.first()) {
        let mut title = format!("final image {}", sizes.image.display());
        if sizes.discarded.known + sizes.discarded.unknown + sizes.discarded.pending > 0 {
            title.push_str(&format!(" ({} discarded)", builders_phrase(a, sizes)));
        }
        let image = a.model.stages.get(target).and_then(|s| match &s.base {
            Base::Image(r) => Some(r.display_name()),
            _ => None,
        });
        out.push(CodeLens {
            range: first.from.range,
            title,
            image,
        });
    }
    for stage in &sizes.stages {
        let Some(st) = a.model.stages.get(stage.index) else {
            continue;
        };
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
        out.push(CodeLens {
            range: stage.from.range,
            title: parts.join(" · "),
            image: match &st.base {
                Base::Image(r) => Some(r.display_name()),
                _ => None,
            },
        });
    }
    out
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
