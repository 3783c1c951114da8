"""Turns session results into medians, ratios and a Markdown table.

Samples of the same (server, size, figure) are pooled across repeats and summarised by the
median: on a shared, noisy machine the median ignores the few samples that lost the CPU to a
neighbour, where a mean would not.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from scenarios import METRICS, SessionResult

# When a figure has no samples, the worst status seen explains why (worst first).
_STATUS_ORDER = ["error", "timeout", "n/a"]


@dataclass
class Summary:
    """All repeats of one (server, size, figure), pooled."""

    samples: list[float] = field(default_factory=list)
    empty: int = 0
    statuses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def status(self) -> str:
        """"ok" if every session measured it, else the worst failure seen."""
        for bad in _STATUS_ORDER:
            if bad in self.statuses:
                return bad
        return "ok"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status, "n": len(self.samples), "empty": self.empty}
        if self.samples:
            ordered = sorted(self.samples)
            data.update(median=round(statistics.median(ordered), 4), min=round(ordered[0], 4),
                        max=round(ordered[-1], 4),
                        p90=round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 4))
        if self.notes:
            data["notes"] = sorted(set(self.notes))[:5]
        return data


def summarise(results: list[SessionResult]) -> dict[tuple[str, int, str], Summary]:
    table: dict[tuple[str, int, str], Summary] = {}
    for run in results:
        for key, metric in run.metrics.items():
            summary = table.setdefault((run.server, run.size, key), Summary())
            summary.samples += metric.samples
            summary.empty += metric.empty
            summary.statuses.append(metric.status)
            if metric.status != "ok" and metric.note:
                summary.notes.append(metric.note.splitlines()[0][:300])
    return table


def fmt_value(value: float | None) -> str:
    """Three significant figures, no exponent: 0.123, 4.56, 78.9, 1234."""
    if value is None:
        return "—"
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:.0f}"


def fmt_ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or denominator is None or denominator <= 0:
        return "—"
    ratio = numerator / denominator
    return f"{ratio:.1f}×" if ratio < 100 else f"{ratio:.0f}×"


def cell(summary: Summary | None, footnotes: list[str]) -> str:
    """Median if every session measured the figure; otherwise the failure, with a footnote."""
    if summary is None:
        return "—"
    if summary.status == "ok":
        text = fmt_value(summary.median)
        if summary.empty:
            text += f" ({summary.empty}/{len(summary.samples)} empty)"
        return text
    note = summary.notes[0] if summary.notes else ""
    if note and note not in footnotes:
        footnotes.append(note)
    mark = f" [{footnotes.index(note) + 1}]" if note else ""
    partial = f" ({fmt_value(summary.median)} in some runs)" if summary.samples else ""
    return f"{summary.status}{mark}{partial}"


def markdown(table: dict[tuple[str, int, str], Summary], servers: list[str], sizes: list[int],
             ratio_pair: tuple[str, str] | None) -> str:
    """The report table: one row per (size, figure), one column per server, then the ratio."""
    header = ["lines", "figure", *servers]
    if ratio_pair:
        header.append(f"{ratio_pair[0]} / {ratio_pair[1]}")
    rows = ["| " + " | ".join(header) + " |",
            "|" + "|".join(["---:", "---", *["---:"] * (len(header) - 2)]) + "|"]
    footnotes: list[str] = []
    for size in sizes:
        for key, label in METRICS:
            cells = [cell(table.get((name, size, key)), footnotes) for name in servers]
            row = [f"{size:,}", label, *cells]
            if ratio_pair:
                top = table.get((ratio_pair[0], size, key))
                bottom = table.get((ratio_pair[1], size, key))
                row.append(fmt_ratio(
                    top.median if top and top.status == "ok" else None,
                    bottom.median if bottom and bottom.status == "ok" else None))
            rows.append("| " + " | ".join(row) + " |")
    text = "\n".join(rows)
    if footnotes:
        text += "\n\n" + "\n".join(f"[{i + 1}] {note}" for i, note in enumerate(footnotes))
    return text
