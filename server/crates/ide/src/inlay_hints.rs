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

/// At most `max` hints of a range and how many more the range has (see [`capped_hints`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CappedHints {
    /// The first hints of the range, in document order, each with its tooltip if asked for.
    pub hints: Vec<InlayHint>,
    /// How many hints of the range come after them (counted, not built).
    pub left_out: usize,
    /// Where the first of those is shown; `None` when nothing was left out.
    pub first_left_out: Option<u32>,
}

/// The first `max` hints of [`inlay_hints`] (or of [`inlay_hints_without_tooltips`] when
/// `tooltips` is false), and a count of the others that words nothing.
///
/// Why: a server caps its answer anyway, and building every hint of a whole-file range first
/// (two strings each) cost 300-400 MB on a 4 MB file of one-line stages (F16); counting the
/// rest walks the estimates only.
pub fn capped_hints(
    a: &Analysis,
    sizes: &FileSizes,
    range: TextRange,
    tooltips: bool,
    max: usize,
) -> CappedHints {
    let mut places = places(sizes, range);
    let mut shared: Option<Shared> = None;
    let hints = places
        .by_ref()
        .take(max)
        .map(|p| build(a, sizes, p, tooltips, &mut shared))
        .collect();
    let first_left_out = places.next().map(|p| p.offset);
    let left_out = first_left_out.map_or(0, |_| 1 + places.count());
    CappedHints {
        hints,
        left_out,
        first_left_out,
    }
}

fn hints(a: &Analysis, sizes: &FileSizes, range: TextRange, tooltips: bool) -> Vec<InlayHint> {
    capped_hints(a, sizes, range, tooltips, usize::MAX).hints
}

/// Where a hint goes and what it is about, before anything is worded.
#[derive(Clone, Copy)]
struct Place<'s> {
    offset: u32,
    stage: &'s StageSizes,
    what: What<'s>,
}

#[derive(Clone, Copy)]
enum What<'s> {
    Base,
    Step(&'s SizeEstimate),
    Total,
}

/// Every hint place inside `range`, in document order: a stage's base, the steps that add
/// files, its total. Cheap: no text is made.
fn places<'s>(sizes: &'s FileSizes, range: TextRange) -> impl Iterator<Item = Place<'s>> + 's {
    let inside = move |offset: u32| range.start <= offset && offset <= range.end;
    sizes
        .stages
        .iter()
        // Every hint of a stage is at or after its FROM and at or before its last step.
        .filter(move |stage| stage.from.range.end <= range.end && stage_end(stage) >= range.start)
        .flat_map(move |stage| {
            let base = Place {
                offset: stage.from.range.end,
                stage,
                what: What::Base,
            };
            let steps = stage
                .steps
                .iter()
                .filter(move |s| s.adds_files && inside(s.range.end))
                .map(move |s| Place {
                    offset: s.range.end,
                    stage,
                    what: What::Step(&s.estimate),
                });
            let total = Place {
                offset: stage_end(stage),
                stage,
                what: What::Total,
            };
            std::iter::once(base)
                .filter(move |p| inside(p.offset))
                .chain(steps)
                .chain(std::iter::once(total).filter(move |p| inside(p.offset)))
        })
}

/// The hint at `p`, worded.
fn build(
    a: &Analysis,
    sizes: &FileSizes,
    p: Place<'_>,
    tooltips: bool,
    shared: &mut Option<Shared>,
) -> InlayHint {
    let stage = p.stage;
    match p.what {
        What::Base => InlayHint {
            offset: p.offset,
            label: format!("base {}", stage.from.estimate.display()),
            tooltip: if tooltips {
                tooltip(&stage.from.estimate)
            } else {
                String::new()
            },
            kind: HintKind::Base,
        },
        What::Step(estimate) => {
            let mut label = String::from("+");
            label.push_str(&estimate.display());
            InlayHint {
                offset: p.offset,
                label,
                tooltip: if tooltips {
                    tooltip(estimate)
                } else {
                    String::new()
                },
                kind: HintKind::Step,
            }
        }
        What::Total => {
            let shared = shared.get_or_insert_with(|| Shared::new(a, sizes));
            let total = stage.total.display();
            InlayHint {
                offset: p.offset,
                label: total_label(stage, &total, shared),
                tooltip: if tooltips {
                    total_tooltip(a, stage, &total, shared)
                } else {
                    String::new()
                },
                kind: HintKind::Total,
            }
        }
    }
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

    /// A capped answer is the full pass's first hints, and counts exactly the ones after them.
    #[test]
    fn capped_hints_are_the_first_of_the_full_pass_and_count_the_rest() {
        let text = "FROM golang:1.22 AS build\nWORKDIR /src\nRUN go build -o /out/app .\n\nFROM alpine:3.20 AS mid\nRUN apk add --no-cache git\n\nFROM alpine:3.20\nRUN apk add --no-cache ca-certificates\nCOPY --from=build /out/app /app\nCMD [\"/app\"]\n";
        let a = with_facts(text);
        let sizes = estimate(&a, &SizeInputs::default());
        let len = text.len() as u32;
        for tooltips in [true, false] {
            for (start, end) in [(0, len), (30, len), (0, 90), (120, 130)] {
                let range = TextRange::new(start, end);
                let full = hints(&a, &sizes, range, tooltips);
                for max in 0..=full.len() + 1 {
                    let got = capped_hints(&a, &sizes, range, tooltips, max);
                    let kept = max.min(full.len());
                    assert_eq!(got.hints, full[..kept], "{start}..{end} max {max}");
                    assert_eq!(got.left_out, full.len() - kept, "{start}..{end} max {max}");
                    assert_eq!(
                        got.first_left_out,
                        full.get(max).map(|h| h.offset),
                        "{start}..{end} max {max}"
                    );
                }
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
