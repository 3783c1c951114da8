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

/// The hints whose position is inside `range`, in document order, with their tooltips.
///
/// Cost: a full pass formats two strings per hint (label and tooltip) and is dominated by
/// turning sizes into text (`format_bytes`). Figures shared by every stage's total (the
/// discarded builders) are worded once per call, each stage's total once, and stages wholly
/// outside `range` are skipped without formatting anything, so an editor asking for the
/// visible lines of a long file pays for those lines only.
pub fn inlay_hints(a: &Analysis, sizes: &FileSizes, range: TextRange) -> Vec<InlayHint> {
    hints(a, sizes, range, true)
}

/// The hints of [`inlay_hints`] with empty tooltips, for an editor that asks for a hint's
/// tooltip only when it shows one ([`tooltip_at`]): about half the work, and a much smaller
/// answer (tooltips are most of its bytes).
pub fn inlay_hints_without_tooltips(
    a: &Analysis,
    sizes: &FileSizes,
    range: TextRange,
) -> Vec<InlayHint> {
    hints(a, sizes, range, false)
}

/// The tooltip [`inlay_hints`] gives the hint of `kind` at `offset`, if there is such a hint.
pub fn tooltip_at(a: &Analysis, sizes: &FileSizes, offset: u32, kind: HintKind) -> Option<String> {
    let stage = sizes
        .stages
        .iter()
        .find(|st| st.from.range.end <= offset && offset <= stage_end(st))?;
    match kind {
        HintKind::Base => (stage.from.range.end == offset).then(|| tooltip(&stage.from.estimate)),
        HintKind::Step => stage
            .steps
            .iter()
            .find(|s| s.adds_files && s.range.end == offset)
            .map(|s| tooltip(&s.estimate)),
        HintKind::Total => (stage_end(stage) == offset).then(|| {
            let shared = Shared::new(a, sizes);
            total_tooltip(a, stage, &stage.total.display(), &shared)
        }),
    }
}

/// Where a stage's last hint goes: the end of its last instruction.
fn stage_end(stage: &StageSizes) -> u32 {
    stage
        .steps
        .last()
        .map_or(stage.from.range.end, |s| s.range.end)
}

fn hints(a: &Analysis, sizes: &FileSizes, range: TextRange, tooltips: bool) -> Vec<InlayHint> {
    let mut out = Vec::new();
    let inside = |offset: u32| range.start <= offset && offset <= range.end;
    let mut shared: Option<Shared> = None;
    for stage in &sizes.stages {
        // Every hint of a stage is at or after its FROM and at or before its last step.
        if stage.from.range.end > range.end {
            continue;
        }
        let end = stage_end(stage);
        if end < range.start {
            continue;
        }
        if inside(stage.from.range.end) {
            out.push(InlayHint {
                offset: stage.from.range.end,
                label: format!("base {}", stage.from.estimate.display()),
                tooltip: if tooltips {
                    tooltip(&stage.from.estimate)
                } else {
                    String::new()
                },
                kind: HintKind::Base,
            });
        }
        for step in stage.steps.iter().filter(|s| s.adds_files) {
            if inside(step.range.end) {
                let mut label = String::from("+");
                label.push_str(&step.estimate.display());
                out.push(InlayHint {
                    offset: step.range.end,
                    label,
                    tooltip: if tooltips {
                        tooltip(&step.estimate)
                    } else {
                        String::new()
                    },
                    kind: HintKind::Step,
                });
            }
        }
        if inside(end) {
            let shared = shared.get_or_insert_with(|| Shared::new(a, sizes));
            let total = stage.total.display();
            out.push(InlayHint {
                offset: end,
                label: total_label(stage, &total, shared),
                tooltip: if tooltips {
                    total_tooltip(a, stage, &total, shared)
                } else {
                    String::new()
                },
                kind: HintKind::Total,
            });
        }
    }
    out
}

/// Wording that is the same for every stage of the file.
struct Shared {
    /// `build ≈ 1.2 GB`, when some builder's weight is known, unknown or pending.
    builders: Option<String>,
    /// What the builders weigh, when any of it is known or unknown (not only pending).
    discarded: Option<String>,
}

impl Shared {
    fn new(a: &Analysis, sizes: &FileSizes) -> Self {
        let d = &sizes.discarded;
        Shared {
            builders: (d.known + d.unknown + d.pending > 0).then(|| builders_phrase(a, sizes)),
            discarded: (d.known + d.unknown > 0).then(|| d.display()),
        }
    }
}

fn tooltip(e: &SizeEstimate) -> String {
    let source = e.source.label();
    let mut s = String::with_capacity(e.note.len() + source.len() + 72);
    s.push_str(&e.note);
    if !s.is_empty() {
        s.push_str("\n\n");
    }
    s.push_str("_Source: ");
    s.push_str(&source);
    s.push_str("._");
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

/// `final image ≈ 182 MB`, `stage total ≈ 1.2 GB · discarded`; `total` is the stage's total,
/// already worded.
fn total_label(stage: &StageSizes, total: &str, shared: &Shared) -> String {
    match stage.role {
        StageRole::Final => {
            let mut s = format!("final image {total}");
            if let Some(b) = &shared.builders {
                s.push_str(&format!(" ({b} discarded)"));
            }
            s
        }
        role => format!("stage total {total} · {}", role.label()),
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

fn total_tooltip(a: &Analysis, stage: &StageSizes, total: &str, shared: &Shared) -> String {
    let mut s = format!(
        "Stage `{}`: base {} + {} added = {total}.",
        stage_name(a, stage.index),
        stage.from.estimate.display(),
        stage.added.display(),
    );
    push_missing(&mut s, &stage.total);
    match stage.role {
        StageRole::Final => {
            s.push_str("\n\nThis is the image `docker build` produces; sizes are on disk, unpacked (what `docker images` shows).");
            if let Some(d) = &shared.discarded {
                s.push_str(&format!(
                    " Builder stages ({d}) are not part of it: only what `COPY --from` takes out of them is."
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

    /// Skipping stages outside the range changes nothing: any range gives exactly the hints of
    /// the whole file that fall inside it.
    #[test]
    fn a_range_gives_the_full_passes_hints_inside_it() {
        let text = "FROM golang:1.22 AS build\nWORKDIR /src\nRUN go build -o /out/app .\n\nFROM alpine:3.20 AS mid\nRUN apk add --no-cache git\n\nFROM alpine:3.20\nRUN apk add --no-cache ca-certificates\nCOPY --from=build /out/app /app\nCMD [\"/app\"]\n";
        let a = with_facts(text);
        let sizes = estimate(&a, &SizeInputs::default());
        let len = text.len() as u32;
        let full = inlay_hints(&a, &sizes, TextRange::new(0, len));
        assert_eq!(full.len(), 10, "{full:?}");
        for start in (0..=len).step_by(7) {
            for end in (start..=len).step_by(11) {
                let want: Vec<&InlayHint> = full
                    .iter()
                    .filter(|h| start <= h.offset && h.offset <= end)
                    .collect();
                let got = inlay_hints(&a, &sizes, TextRange::new(start, end));
                assert_eq!(got.iter().collect::<Vec<_>>(), want, "{start}..{end}");
            }
        }
    }

    /// Tooltips asked for later are the ones a full pass gives.
    #[test]
    fn tooltips_later_equal_tooltips_now() {
        let text = "FROM golang:1.22 AS build\nWORKDIR /src\nRUN go build -o /out/app .\n\nFROM alpine:3.20\nRUN apk add --no-cache ca-certificates\nCOPY --from=build /out/app /app\nCMD [\"/app\"]\n";
        let a = with_facts(text);
        let sizes = estimate(&a, &SizeInputs::default());
        let all = TextRange::new(0, text.len() as u32);
        let now = inlay_hints(&a, &sizes, all);
        let later = inlay_hints_without_tooltips(&a, &sizes, all);
        assert_eq!(now.len(), later.len());
        for (n, l) in now.iter().zip(&later) {
            assert_eq!((n.offset, &n.label, n.kind), (l.offset, &l.label, l.kind));
            assert!(l.tooltip.is_empty());
            assert_eq!(
                tooltip_at(&a, &sizes, l.offset, l.kind).as_ref(),
                Some(&n.tooltip)
            );
        }
        // No hint of that kind there: nothing.
        assert_eq!(tooltip_at(&a, &sizes, 3, HintKind::Step), None);
        assert_eq!(tooltip_at(&a, &sizes, 25, HintKind::Total), None);
        assert_eq!(tooltip_at(&a, &sizes, 100_000, HintKind::Base), None);
    }

    #[test]
    fn files_without_stages_have_no_hints() {
        let a = Analysis::from_text("# just a comment\nARG X=1\n");
        let sizes = estimate(&a, &SizeInputs::default());
        assert!(inlay_hints(&a, &sizes, TextRange::new(0, 100)).is_empty());
    }
}
