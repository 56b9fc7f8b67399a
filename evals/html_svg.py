"""Inline SVG charts for the HTML report: horizontal bars and a confusion-matrix heatmap."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

LABEL_WIDTH = 150
BAR_HEIGHT = 20
GAP = 6


def bar_chart(
    items: Sequence[tuple[str, float | None]],
    *,
    max_value: float | None = None,
    show: Callable[[float], str] = lambda v: f"{100 * v:.1f}%",
    width: int = 520,
    title: str = "",
) -> str:
    """Horizontal bars, one per (label, value); a missing value draws no bar and says n/a."""
    top = max_value or max((v for _, v in items if v is not None), default=1.0) or 1.0
    plot = width - LABEL_WIDTH - 70
    height = len(items) * (BAR_HEIGHT + GAP) + GAP
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, number) in enumerate(items):
        y = GAP + i * (BAR_HEIGHT + GAP)
        length = 0.0 if number is None else max(0.0, min(1.0, number / top)) * plot
        colour = _bar_colour(None if number is None else number / top)
        shown = "n/a" if number is None else show(number)
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{colour}" rx="3"><title>{escape(label)}: {escape(shown)}</title></rect>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 14}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _bar_colour(share: float | None) -> str:
    """Green from 90% of the scale, amber from 70%, red below: weak spots stand out."""
    if share is None or share < 0.7:
        return "#c53030"
    return "#2f855a" if share >= 0.9 else "#d69e2e"


def _cell_colour(count: int, row_total: int, diagonal: bool) -> str:
    """Green shades on the diagonal (right), red off it (wrong), by share of the row."""
    if not count:
        return "#f7fafc"
    share = count / row_total if row_total else 0.0
    alpha = 0.15 + 0.85 * share
    return f"rgba(47,133,90,{alpha:.2f})" if diagonal else f"rgba(197,48,48,{alpha:.2f})"


def heatmap(labels: Sequence[str], matrix: Sequence[Sequence[int]], cell: int = 38) -> str:
    """The confusion matrix: rows are the expected intent, columns the predicted one."""
    margin = 110
    size = margin + cell * len(labels) + 10
    parts = [
        f'<svg class="heatmap" role="img" aria-label="confusion matrix" width="{size}" '
        f'height="{size}" viewBox="0 0 {size} {size}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="{margin}" y="12" class="axis">predicted →</text>',
        f'<text x="4" y="{margin - 4}" class="axis">expected ↓</text>',
    ]
    for j, label in enumerate(labels):
        x = margin + j * cell + cell / 2
        parts.append(
            f'<text transform="translate({x:.1f},{margin - 8}) rotate(-55)">{escape(label)}</text>'
        )
    for i, (label, row) in enumerate(zip(labels, matrix, strict=True)):
        y = margin + i * cell
        total = sum(row)
        parts.append(
            f'<text x="{margin - 6}" y="{y + cell / 2 + 4:.1f}" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        for j, count in enumerate(row):
            x = margin + j * cell
            tip = f"{label} → {labels[j]}: {count}"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{_cell_colour(count, total, i == j)}"><title>{escape(tip)}</title></rect>'
            )
            if count:
                parts.append(
                    f'<text x="{x + cell / 2 - 1:.1f}" y="{y + cell / 2 + 4:.1f}" '
                    f'text-anchor="middle" class="count">{count}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)
