"""Question suite: retrieval hit@1/hit@3, required and banned facts, honest "not covered"."""

from __future__ import annotations

import re
from typing import Any

from evals.harness import Harness, PartnerState
from evals.metrics import ratio
from evals.results import SuiteResult
from evals.suites.common import Tick, finish, row_language, usage_fields
from prompts import message_languages, template

_CITATION = re.compile(r"\(\s*_?from\s+session\s+(\d+)", re.IGNORECASE)


# Replies that decline without guessing: "not in the training material" for a question about
# the programme, and the assistant's "I can't help with that one" for anything else.
DECLINE_KEYS = ("answer_not_covered", "assistant_fallback")


def not_covered_marker(language: str = "en", key: str = "answer_not_covered") -> str:
    """The fixed start of the reply `key` in `language` (the text before its first
    placeholder that is not at the very start, e.g. "{name}, ...")."""
    text = template(key, language)
    if text.startswith("{"):
        text = text.split("}", 1)[1]
    return text.split("{", 1)[0].strip().strip(",").strip().lower()


def not_covered_markers() -> list[str]:
    """The marker of every declining reply in every language Genie speaks."""
    languages = message_languages()
    return [not_covered_marker(language, key) for key in DECLINE_KEYS for language in languages]


def ranked_sessions(passages: list[tuple[int, str]], replies: list[str]) -> list[int]:
    """Sessions the answer drew on, best first: the passages, else the reply's citations."""
    if passages:
        return [s_no for s_no, _ in passages]
    return [int(n) for n in _CITATION.findall("\n".join(replies))]


def score_row(row: dict[str, Any], harness: Harness, markers: list[str]) -> dict[str, Any]:
    """Ask one question while in training and check the answer (rows in another language
    are asked by a partner who chose that language)."""
    language = row_language(row, row["question"])
    # No current session by default, so the current-session boost cannot hand out free hits.
    state = PartnerState(True, row.get("current_session"), language=language)
    with harness.case(state) as engine:
        turn = harness.turn(engine, row["question"])
    text = "\n".join(turn.replies).lower()
    ranked = ranked_sessions(turn.result.passages, turn.replies)
    expected = row["expected_session"]
    missing = [s for s in row["must_contain"] if s.lower() not in text]
    banned = [s for s in row["must_not_contain"] if s.lower() in text]
    said_not_covered = any(marker in text for marker in markers)
    case: dict[str, Any] = {
        "key": row["question"],
        "question": row["question"],
        "line": row.get("_line"),
        "expected_session": expected,
        "sessions": ranked[:3],
        "missing": missing,
        "banned_found": banned,
        "said_not_covered": said_not_covered,
        "reply": "\n".join(turn.replies)[:600],
        "source": turn.result.source,
        "tags": row.get("tags") or [],
        "language": language,
        **usage_fields([turn.record]),
    }
    if expected is None:
        case["honest"] = not ranked and said_not_covered
        case["passed"] = case["honest"] and not banned
    else:
        case["hit_at_1"] = ranked[:1] == [expected]
        case["hit_at_3"] = expected in ranked[:3]
        case["passed"] = not missing and not banned
    return case


def run_questions(
    rows: list[dict[str, Any]], harness: Harness, tick: Tick, datasets: list[str]
) -> SuiteResult:
    """Score every question; metrics: hit@1, hit@3, must_contain, must_not_contain, not_covered."""
    markers = not_covered_markers()
    cases = harness.map(lambda row: score_row(row, harness, markers), rows, tick)
    answerable = [c for c in cases if c["expected_session"] is not None]
    uncovered = [c for c in cases if c["expected_session"] is None]

    def share(group: list[dict[str, Any]], test: str) -> float | None:
        return ratio(sum(bool(c[test]) for c in group), len(group)) if group else None

    metrics: dict[str, float | None] = {
        "pass_rate": share(cases, "passed"),
        "hit_at_1": share(answerable, "hit_at_1"),
        "hit_at_3": share(answerable, "hit_at_3"),
        "must_contain": ratio(sum(not c["missing"] for c in answerable), len(answerable))
        if answerable
        else None,
        "must_not_contain": ratio(sum(not c["banned_found"] for c in cases), len(cases))
        if cases
        else None,
        "not_covered": share(uncovered, "honest"),
        "false_not_covered": float(sum(c["said_not_covered"] for c in answerable)),
    }
    details = {
        "counts": {"answerable": len(answerable), "not_covered": len(uncovered)},
        "failures": [c for c in cases if not c["passed"]],
    }
    return finish("questions", datasets, metrics, details, cases, harness)
