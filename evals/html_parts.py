"""Building blocks of the HTML report: styles, tables, the gates and baseline sections."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from evals import fmt

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1a202c;
 background:#f7fafc}
header{background:#1a365d;color:#fff;padding:18px 28px}
header h1{margin:0 0 8px;font-size:22px}
.meta{display:flex;flex-wrap:wrap;gap:6px 22px;font-size:13px;opacity:.9}
section{background:#fff;margin:18px 28px;padding:14px 20px;border-radius:8px;
 box-shadow:0 1px 3px rgba(0,0,0,.08)}
h2{margin:4px 0 10px;font-size:18px}
h3{font-size:15px;margin:16px 0 6px}
table{border-collapse:collapse;margin:6px 0 10px;font-size:13px}
th,td{border-bottom:1px solid #e2e8f0;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#edf2f7;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.bad td{background:#fff5f5}
tr.good td{background:#f0fff4}
.badge{font-size:13px;padding:2px 10px;border-radius:12px;vertical-align:middle}
.badge.pass{background:#c6f6d5;color:#22543d}
.badge.fail{background:#fed7d7;color:#822727}
.pass{color:#2f855a;font-weight:600}
.fail{color:#c53030;font-weight:600}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0}
.card{border:1px solid #e2e8f0;border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:20px}
.card span{font-size:12px;color:#4a5568}
.charts{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
svg text{font-size:12px;fill:#2d3748}
svg text.count{font-size:11px;fill:#1a202c;font-weight:600}
svg text.axis{fill:#718096;font-style:italic}
.note{color:#4a5568;font-size:12px}
details summary{cursor:pointer;color:#2b6cb0}
"""


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    raw: bool = False,
    classes: Sequence[str] | None = None,
) -> str:
    """An HTML table; cells are escaped unless `raw` (for cells built from escaped parts)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        css = f' class="{classes[i]}"' if classes and classes[i] else ""
        cells = "".join(
            f"<td{' class=num' if _numeric(c) else ''}>{c if raw else escape(str(c))}</td>"
            for c in row
        )
        body.append(f"<tr{css}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _numeric(cell: object) -> bool:
    text = str(cell).lstrip("+-$").replace(",", "").replace("%", "").replace(" ms", "")
    return text.replace(".", "", 1).replace(" pts", "").isdigit()


def cards(items: Sequence[tuple[str, str]]) -> str:
    """Big-number cards: (value, caption)."""
    inner = "".join(
        f"<div class='card'><b>{escape(v)}</b><span>{escape(c)}</span></div>" for v, c in items
    )
    return f"<div class='cards'>{inner}</div>"


def gates_section(gates: dict[str, Any]) -> str:
    """Every gate: threshold, measured value and PASS or FAIL."""
    rows, classes = [], []
    for check in gates["checks"]:
        m = check["metric"]
        gate = fmt.threshold(m, check["op"], check["threshold"])
        result = "PASS" if check["passed"] else "FAIL"
        rows.append([check["suite"], m, gate, fmt.value(m, check["value"]), result])
        classes.append("" if check["passed"] else "bad")
    verdict = "all gates pass" if gates["passed"] else "gates FAILED"
    note = f"<p class='note'>{escape(gates['note'])}</p>" if gates.get("note") else ""
    return (
        f"<section id='gates'><h2>Gates <span class='{'pass' if gates['passed'] else 'fail'}'>"
        f"{verdict}</span></h2><p class='note'>{escape(gates['file'])}</p>{note}"
        + table(["suite", "metric", "gate", "value", "result"], rows, classes=classes)
        + "</section>"
    )


def baseline_section(comparison: dict[str, Any]) -> str:
    """The run next to its baseline, metric by metric, with the cases that flipped."""
    base, now = comparison["baseline"], comparison["current"]
    rows, classes = [], []
    for suite, compared in comparison["suites"].items():
        for row in compared["metrics"]:
            m = row["metric"]
            mark = "▼ regression" if row["regression"] else "▲ better" if row["improvement"] else ""
            values = [fmt.value(m, row["baseline"]), fmt.value(m, row["current"])]
            rows.append([suite, fmt.title(m), *values, fmt.delta(m, row["delta"]), mark])
            classes.append("bad" if row["regression"] else "good" if row["improvement"] else "")
    flips = []
    for suite, compared in comparison["suites"].items():
        for kind in ("newly_failing", "newly_passing"):
            keys, total = compared["flips"][kind], compared["flips"]["counts"][kind]
            if keys:
                items = "".join(f"<li>{escape(k)}</li>" for k in keys)
                flips.append(
                    f"<details><summary>{suite}: {total} {kind.replace('_', ' ')}"
                    f"</summary><ul>{items}</ul></details>"
                )
    heading = f"{base.get('label')} ({base.get('started_at')}) → {now.get('label')}"
    return (
        f"<section id='baseline'><h2>Baseline comparison: {comparison['regressions']} "
        f"regression(s)</h2><p class='note'>{escape(heading)}</p>"
        + table(["suite", "metric", "baseline", "current", "delta", ""], rows, classes=classes)
        + "".join(flips)
        + "</section>"
    )
