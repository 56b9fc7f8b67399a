"""Per-suite detail tables for the terminal: intent scores, confusions, errors, failures."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evals import fmt


def _short(text: str, width: int = 70) -> str:
    flat = " ".join(str(text).split())
    return escape(flat if len(flat) <= width else flat[: width - 1] + "…")


def top_confusions(confusion: dict[str, Any], limit: int = 8) -> list[tuple[str, str, int]]:
    """The most frequent (gold, predicted) mistakes, largest first."""
    labels, matrix = confusion["labels"], confusion["matrix"]
    pairs = [
        (labels[i], labels[j], count)
        for i, row in enumerate(matrix)
        for j, count in enumerate(row)
        if i != j and count
    ]
    return sorted(pairs, key=lambda p: -p[2])[:limit]


def print_intents(console: Console, suite: dict[str, Any], errors: int) -> None:
    """Per-intent precision/recall/F1/support, averages, top confusions and the first errors."""
    table = Table(box=box.SIMPLE_HEAD, title="Intents", title_justify="left")
    for column in ("intent", "precision", "recall", "f1", "support"):
        table.add_column(column, justify="left" if column == "intent" else "right")
    details = suite["details"]
    for row in [*details["per_intent"], *details["averages"]]:
        table.add_row(
            row["label"],
            *(f"{row[k]:.3f}" for k in ("precision", "recall", "f1")),
            str(row["support"]),
        )
    console.print(table)
    console.print(f"accuracy {fmt.value('accuracy', suite['metrics']['accuracy'])}")
    confusions = top_confusions(details["confusion"])
    if confusions:
        console.print("top confusions: " + ", ".join(f"{g}→{p} ×{n}" for g, p, n in confusions))
    by_source = ", ".join(
        f"{s} {v['passed']}/{v['cases']}" for s, v in sorted(details["by_source"].items())
    )
    console.print(f"correct by source: {by_source}")
    print_by_language(console, "intents", details)
    _print_errors(console, details["errors"], errors)


def _print_errors(console: Console, rows: list[dict[str, Any]], limit: int) -> None:
    if not rows or not limit:
        return
    table = Table(
        box=box.SIMPLE_HEAD,
        title=f"Intent errors ({len(rows)}, first {min(limit, len(rows))})",
        title_justify="left",
    )
    for column in ("text", "state", "expected", "predicted", "source", "conf"):
        table.add_column(column)
    for row in rows[:limit]:
        state = f"S{row['current_session']}" if row["current_session"] else "-"
        state += " training" if row["in_training"] else ""
        confidence = "" if row["confidence"] is None else f"{row['confidence']:.2f}"
        source = "fallback" if row["fallback_reason"] else row["source"]
        table.add_row(
            _short(row["text"], 50), state, row["expected"], row["predicted"], source, confidence
        )
    console.print(table)


def _print_failures(
    console: Console, title: str, rows: list[dict[str, Any]], limit: int, describe: Any
) -> None:
    if not rows or not limit:
        return
    console.print(f"[bold]{title} failures ({len(rows)}, first {min(limit, len(rows))})[/bold]")
    for row in rows[:limit]:
        console.print(f"  ✗ {_short(row['key'])}\n    {describe(row)}")


def _question_problem(row: dict[str, Any]) -> str:
    if row["expected_session"] is None:
        return escape(f"should say not covered; cited {row['sessions']}: {_short(row['reply'])}")
    return escape(
        f"expected S{row['expected_session']}, got {row['sessions'] or 'none'}; "
        f"missing {row['missing']}; banned {row['banned_found']}"
    )


def _story_problem(row: dict[str, Any]) -> str:
    turn = row["failed_turns"][0]
    return escape(f"turn {turn['turn']} {turn['user']!r}: {'; '.join(turn['problems'])}")


def print_by_language(console: Console, suite: str, details: dict[str, Any]) -> None:
    """One line: the suite's accuracy (pass rate) per language, when it has several."""
    languages = details.get("by_language") or {}
    if len(languages) > 1:
        parts = [
            f"{lang} {v['passed']}/{v['cases']} ({fmt.value('rate', v['rate'])})"
            for lang, v in languages.items()
        ]
        console.print(f"{suite} by language: " + ", ".join(parts))


def print_details(console: Console, run: dict[str, Any], errors: int) -> None:
    """Details of every suite in the run."""
    suites = run["suites"]
    if "intents" in suites:
        print_intents(console, suites["intents"], errors)
    if "questions" in suites:
        print_by_language(console, "questions", suites["questions"]["details"])
        failures = suites["questions"]["details"]["failures"]
        _print_failures(console, "Question", failures, errors, _question_problem)
    if "safety" in suites:
        failures = suites["safety"]["details"]["failures"]
        _print_failures(
            console, "Safety", failures, errors, lambda r: escape("; ".join(r["problems"]))
        )
    if "stories" in suites:
        failures = suites["stories"]["details"]["failures"]
        _print_failures(console, "Story", failures, errors, _story_problem)
