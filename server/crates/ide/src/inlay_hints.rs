//! Inlay hints with layer sizes: after each `FROM` the base's size, after `COPY`/`ADD`/`RUN`
//! what the step adds, at the end of each stage its total (and its role: part of the image or
//! discarded), and the final image's total. Each hint's tooltip says where the figure came
//! from. Sizes come from [`crate::sizes`]; this module only places and words them.

use layerwise_analysis::image_facts::format_bytes;
use layerwise_syntax::TextRange;

use crate::sizes::{FileSizes, SizeEstimate, StageRole, StageSizes, Total};
use crate::Analysis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HintKind {
    /// The base image's size on a `FROM` line.
    Base,
    /// What one step adds.
    Step,
    /// A stage's total, or the final image's.
    Total,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlayHint {
    /// Byte offset the hint is shown at (the end of an instruction).
    pub offset: u32,
    pub label: String,
    /// Markdown: how the figure was made and where it came from.
    pub tooltip: String,
    pub kind: HintKind,
}

/// The hints whose position is inside `range`, in document order.
pub fn inlay_hints(a: &Analysis, sizes: &FileSizes, range: TextRange) -> Vec<InlayHint> {
    let mut out = Vec::new();
    let inside = |offset: u32| range.start <= offset && offset <= range.end;
    for stage in &sizes.stages {
        if inside(stage.from.range.end) {
            out.push(InlayHint {
                offset: stage.from.range.end,
                label: format!("base {}", stage.from.estimate.display()),
                tooltip: tooltip(&stage.from.estimate),
                kind: HintKind::Base,
            });
        }
        for step in stage.steps.iter().filter(|s| s.adds_files) {
            if inside(step.range.end) {
                out.push(InlayHint {
                    offset: step.range.end,
                    label: format!("+{}", step.estimate.display()),
                    tooltip: tooltip(&step.estimate),
                    kind: HintKind::Step,
                });
            }
        }
        let end = stage
            .steps
            .last()
            .map_or(stage.from.range.end, |s| s.range.end);
        if inside(end) {
            out.push(InlayHint {
                offset: end,
                label: total_label(a, sizes, stage),
                tooltip: total_tooltip(a, sizes, stage),
                kind: HintKind::Total,
            });
        }
    }
    out
}

fn tooltip(e: &SizeEstimate) -> String {
    let mut s = e.note.clone();
    if !s.is_empty() {
        s.push_str("\n\n");
    }
    s.push_str(&format!("_Source: {}._", e.source.label()));
    if e.plus_unknown {
        s.push_str(" Parts of this step could not be sized (`+ ?`).");
    }
    s
}

fn stage_name(a: &Analysis, index: usize) -> String {
    a.model
        .stages
        .get(index)
        .map_or_else(|| index.to_string(), |s| s.label())
}

/// `final image ≈ 182 MB`, `stage total ≈ 1.2 GB · discarded`.
fn total_label(a: &Analysis, sizes: &FileSizes, stage: &StageSizes) -> String {
    match stage.role {
        StageRole::Final => {
            let mut s = format!("final image {}", stage.total.display());
            if sizes.discarded.known + sizes.discarded.unknown + sizes.discarded.pending > 0 {
                s.push_str(&format!(" ({} discarded)", builders_phrase(a, sizes)));
            }
            s
        }
        role => format!("stage total {} · {}", stage.total.display(), role.label()),
    }
}

/// `build ≈ 1.2 GB` (the builder stage's name) or `2 builders ≈ 1.5 GB`.
pub fn builders_phrase(a: &Analysis, sizes: &FileSizes) -> String {
    let builders: Vec<&StageSizes> = sizes
        .stages
        .iter()
        .filter(|s| s.role == StageRole::Builder)
        .collect();
    match builders.as_slice() {
        [one] => format!("{} {}", stage_name(a, one.index), sizes.discarded.display()),
        many => format!("{} builders {}", many.len(), sizes.discarded.display()),
    }
}

fn total_tooltip(a: &Analysis, sizes: &FileSizes, stage: &StageSizes) -> String {
    let mut s = format!(
        "Stage `{}`: base {} + {} added = {}.",
        stage_name(a, stage.index),
        stage.from.estimate.display(),
        stage.added.display(),
        stage.total.display()
    );
    push_missing(&mut s, &stage.total);
    match stage.role {
        StageRole::Final => {
            s.push_str("\n\nThis is the image `docker build` produces; sizes are on disk, unpacked (what `docker images` shows).");
            if sizes.discarded.known + sizes.discarded.unknown > 0 {
                s.push_str(&format!(
                    " Builder stages ({}) are not part of it: only what `COPY --from` takes out of them is.",
                    sizes.discarded.display()
                ));
            }
        }
        StageRole::Inherited => {
            s.push_str("\n\nA later stage is built on it: all of it is in the final image.")
        }
        StageRole::Builder => {
            let users: Vec<String> = stage
                .used_by
                .iter()
                .map(|u| format!("`{}`", stage_name(a, *u)))
                .collect();
            s.push_str(&format!(
                "\n\nDiscarded: only files copied out of it (by {}) reach the final image.",
                if users.is_empty() {
                    "other stages".to_string()
                } else {
                    users.join(", ")
                }
            ));
        }
        StageRole::Unused => s.push_str("\n\nNot needed by the final stage: BuildKit skips it."),
    }
    if stage.total.approximate {
        s.push_str(&format!(
            "\n\nApproximate: the known part is between {} and {}.",
            format_bytes(stage.total.low),
            format_bytes(stage.total.high)
        ));
    }
    s
}

fn push_missing(s: &mut String, t: &Total) {
    if let Some(m) = t.missing_note() {
        s.push_str(&format!(" ({m}.)"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sizes::{estimate, SizeInputs};
    use layerwise_analysis::image_facts::{FactSource, ImageFacts, Platform, PlatformFacts};
    use layerwise_analysis::image_ref::ImageRef;

    fn with_facts(text: &str) -> Analysis {
        let mut a = Analysis::from_text(text);
        for (r, c, u) in [
            ("golang:1.22", 290_000_000, 820_000_000),
            ("alpine:3.20", 3_600_000, 8_000_000),
        ] {
            let f = ImageFacts {
                reference: ImageRef::parse(r).unwrap(),
                digest: None,
                platforms: vec![PlatformFacts::sizes_only(
                    Platform::linux_amd64(),
                    c,
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
        a
    }

    fn labels(text: &str) -> Vec<(String, String)> {
        let a = with_facts(text);
        let sizes = estimate(&a, &SizeInputs::default());
        let all = TextRange::new(0, a.text.len() as u32);
        inlay_hints(&a, &sizes, all)
            .into_iter()
            .map(|h| {
                let line = a.text[..h.offset as usize]
                    .lines()
                    .last()
                    .unwrap_or("")
                    .to_string();
                (line, h.label)
            })
            .collect()
    }

    #[test]
    fn multi_stage_hints_mark_the_builder_discarded() {
        let text = "FROM golang:1.22 AS build\nWORKDIR /src\nRUN go build -o /out/app .\n\nFROM alpine:3.20\nRUN apk add --no-cache ca-certificates\nCOPY --from=build /out/app /app\nCMD [\"/app\"]\n";
        let got = labels(text);
        let expected: Vec<(&str, &str)> = vec![
            ("FROM golang:1.22 AS build", "base ≈ 820 MB"),
            ("RUN go build -o /out/app .", "+?"),
            (
                "RUN go build -o /out/app .",
                "stage total ≈ 820 MB + ? · discarded",
            ),
            ("FROM alpine:3.20", "base ≈ 8.00 MB"),
            ("RUN apk add --no-cache ca-certificates", "+490–910 kB"),
            ("COPY --from=build /out/app /app", "+?"),
            (
                "CMD [\"/app\"]",
                "final image 8.49–8.91 MB + ? (build ≈ 820 MB + ? discarded)",
            ),
        ];
        let got_ref: Vec<(&str, &str)> =
            got.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(got_ref, expected);
    }

    #[test]
    fn range_filters_and_tooltips_name_sources() {
        let a = with_facts("FROM alpine:3.20\nCOPY . .\n");
        let sizes = estimate(&a, &SizeInputs::default());
        let first_line = inlay_hints(&a, &sizes, TextRange::new(0, 16));
        assert_eq!(first_line.len(), 1);
        assert!(
            first_line[0].tooltip.contains("offline catalogue"),
            "{}",
            first_line[0].tooltip
        );
        let all = inlay_hints(&a, &sizes, TextRange::new(0, 100));
        let copy = all.iter().find(|h| h.kind == HintKind::Step).unwrap();
        assert_eq!(copy.label, "+?");
        assert!(
            copy.tooltip.contains("build context is not known"),
            "{}",
            copy.tooltip
        );
        assert!(inlay_hints(&a, &sizes, TextRange::new(200, 300)).is_empty());
    }

    #[test]
    fn files_without_stages_have_no_hints() {
        let a = Analysis::from_text("# just a comment\nARG X=1\n");
        let sizes = estimate(&a, &SizeInputs::default());
        assert!(inlay_hints(&a, &sizes, TextRange::new(0, 100)).is_empty());
    }
}
