"""The HTML section of each suite: cards, charts, score tables and the cases that failed."""

from __future__ import annotations

from html import escape
from typing import Any

from evals import fmt
from evals.html_parts import cards, table
from evals.html_svg import bar_chart, heatmap


def _cards(suite: dict[str, Any]) -> str:
    return cards([(fmt.value(m, v), fmt.title(m)) for m, v in suite["metrics"].items()])


def _tag_chart(suite: dict[str, Any]) -> str:
    tags = suite["details"].get("by_tag") or {}
    if not tags:
        return ""
    items = [(f"{tag} ({v['cases']})", v["rate"]) for tag, v in tags.items()]
    chart = f"<div><h3>Pass rate by tag</h3>{bar_chart(items, max_value=1.0, title='by tag')}</div>"
    return chart + _language_chart(suite)


def _language_chart(suite: dict[str, Any]) -> str:
    languages = suite["details"].get("by_language") or {}
    if len(languages) < 2:
        return ""
    items = [(f"{lang} ({v['cases']})", v["rate"]) for lang, v in languages.items()]
    chart = bar_chart(items, max_value=1.0, title="by language")
    return f"<div><h3>Pass rate by language</h3>{chart}</div>"


def _intents(suite: dict[str, Any]) -> str:
    details = suite["details"]
    per_intent = details["per_intent"]
    f1_chart = bar_chart(
        [(f"{r['label']} ({r['support']})", r["f1"]) for r in per_intent],
        max_value=1.0,
        title="F1 per intent",
    )
    scores = [
        [r["label"], *(f"{r[k]:.3f}" for k in ("precision", "recall", "f1")), str(r["support"])]
        for r in [*per_intent, *details["averages"]]
    ]
    confusion = details["confusion"]
    sources = [
        [s, str(v["cases"]), str(v["passed"]), fmt.value("rate", v["rate"])]
        for s, v in sorted(details["by_source"].items())
    ]
    errors = [
        [
            e["text"],
            f"S{e['current_session'] or '-'}{' training' if e['in_training'] else ''}",
            e["expected"],
            e["predicted"],
            "fallback" if e["fallback_reason"] else e["source"],
            "" if e["confidence"] is None else f"{e['confidence']:.2f}",
            f"{e['llm_calls']} / {e['tokens']:,} / {e['latency_ms']:.1f}",
        ]
        for e in details["errors"]
    ]
    error_columns = ["text", "state", "expected", "predicted", "source", "confidence"]
    return (
        f"<div class='charts'><div><h3>F1 per intent</h3>{f1_chart}</div>{_tag_chart(suite)}</div>"
        + table(["intent", "precision", "recall", "f1", "support"], scores)
        + "<h3>Confusion matrix</h3><p class='note'>Rows: expected intent; columns: predicted. "
        f"The jump→jump cell includes {confusion['wrong_session_jumps']} jump(s) to the wrong "
        "session, counted as errors.</p>"
        + heatmap(confusion["labels"], confusion["matrix"])
        + "<h3>Correct by source</h3>"
        + table(["source", "cases", "correct", "rate"], sources)
        + f"<h3>Errors ({len(errors)})</h3>"
        + table([*error_columns, "LLM calls / tokens / ms"], errors)
    )


def _questions(suite: dict[str, Any]) -> str:
    rows = [
        [
            c["question"],
            str(c["expected_session"] or "not covered"),
            ", ".join(map(str, c["sessions"])) or "-",
            ", ".join(c["missing"]),
            ", ".join(c["banned_found"]),
            c["reply"][:240],
        ]
        for c in suite["details"]["failures"]
    ]
    counts = suite["details"]["counts"]
    return (
        f"<p class='note'>{counts['answerable']} answerable questions, {counts['not_covered']} "
        "the training does not cover. hit@k: the expected session among the first k passages "
        "(or cited sessions).</p><div class='charts'>"
        + _tag_chart(suite)
        + "</div>"
        + f"<h3>Failures ({len(rows)})</h3>"
        + table(["question", "expected", "sessions", "missing", "banned found", "reply"], rows)
    )


def _safety(suite: dict[str, Any]) -> str:
    rows = [
        [c["text"][:160], "; ".join(c["problems"]), c["intent"], c["reply"][:200]]
        for c in suite["details"]["failures"]
    ]
    return f"<div class='charts'>{_tag_chart(suite)}</div><h3>Failures ({len(rows)})</h3>" + table(
        ["message", "problems", "intent", "reply"], rows
    )


def _stories(suite: dict[str, Any]) -> str:
    rows = [
        [
            c["file"],
            c["story"],
            str(c["turns"]),
            "pass" if c["passed"] else "FAIL",
            "; ".join(
                f"turn {t['turn']} {t['user']!r}: {', '.join(t['problems'])}"
                for t in c["failed_turns"]
            ),
        ]
        for c in suite["cases"]
    ]
    classes = ["" if c["passed"] else "bad" for c in suite["cases"]]
    return table(["file", "story", "turns", "result", "failed turns"], rows, classes=classes)


_RENDERERS = {"intents": _intents, "questions": _questions, "safety": _safety, "stories": _stories}


def render_suite(name: str, suite: dict[str, Any]) -> str:
    """One suite's section."""
    datasets = ", ".join(escape(d) for d in suite["datasets"])
    body = _RENDERERS[name](suite) if name in _RENDERERS else ""
    return (
        f"<section id='{escape(name)}'><h2>{escape(name.capitalize())}</h2>"
        f"<p class='note'>{len(suite['cases'])} cases from {datasets}</p>"
        + _cards(suite)
        + body
        + "</section>"
    )
