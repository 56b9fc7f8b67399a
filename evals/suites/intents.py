"""Intent suite: each message on a fresh store in its row's state; Rasa-style scores."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from agent.intent_rules import IntentClassifier
from agent.intents import Intent
from evals.harness import PHONE, Harness, PartnerState
from evals.metrics import classification_report, confusion_matrix, ratio
from evals.results import SuiteResult
from evals.suites.common import Tick, finish, row_language, usage_fields
from store.models import Progress

LABEL_ORDER = [i.value for i in Intent]


def shown(intent: str, session: int | None) -> str:
    """An intent as the reports show it: jump with its session, e.g. "jump(5)"."""
    return f"{intent}({session})" if intent == "jump" else intent


def score_row(
    row: dict[str, Any], harness: Harness, classifier: IntentClassifier
) -> dict[str, Any]:
    """Run one labelled message and compare the engine's intent with the label."""
    state = PartnerState(bool(row["in_training"]), row.get("current_session"))
    with harness.case(state) as engine:
        turn = harness.turn(engine, row["text"])
    result = turn.result
    predicted, gold = result.intent.value, row["intent"]
    # The LLM path may not report the jump argument; where the partner landed tells it.
    session = result.session_arg if result.session_arg is not None else turn.current_session
    correct = predicted == gold and (gold != "jump" or session == row.get("session"))
    confidence = None
    if result.source != "llm":  # the offline classifier's own confidence for the same message
        started = state.current_session is not None
        progress = Progress(
            phone=PHONE, in_training_mode=state.in_training,
            current_section=state.current_session, training_started=started,
        )  # fmt: skip
        confidence = classifier.classify(row["text"], progress).confidence
    return {
        "key": row["text"],
        "text": row["text"],
        "line": row.get("_line"),
        "gold": gold,
        "predicted_intent": predicted,
        "expected": shown(gold, row.get("session")),
        "predicted": shown(predicted, session),
        "passed": correct,
        "source": result.source,
        "confidence": confidence,
        "in_training": state.in_training,
        "current_session": state.current_session,
        "tags": row.get("tags") or [],
        "language": row_language(row, row["text"]),
        **usage_fields([turn.record]),
    }


def _by_source(cases: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in cases:
        source = "fallback" if case["fallback_reason"] else case["source"]
        counts[source][0] += 1
        counts[source][1] += bool(case["passed"])
    return {s: {"cases": n, "passed": ok, "rate": ratio(ok, n)} for s, (n, ok) in counts.items()}


def run_intents(
    rows: list[dict[str, Any]], harness: Harness, tick: Tick, datasets: list[str]
) -> SuiteResult:
    """Score every row; metrics: accuracy, macro/weighted precision, recall and F1."""
    classifier = IntentClassifier()
    cases = harness.map(lambda row: score_row(row, harness, classifier), rows, tick)
    gold = [c["gold"] for c in cases]
    predicted = [c["predicted_intent"] for c in cases]
    report = classification_report(gold, predicted, [c["passed"] for c in cases])
    present = set(gold) | set(predicted)
    labels, matrix = confusion_matrix(gold, predicted, [n for n in LABEL_ORDER if n in present])
    wrong_jumps = sum(
        1 for c in cases if c["gold"] == "jump" == c["predicted_intent"] and not c["passed"]
    )
    metrics: dict[str, float | None] = {
        "accuracy": report.accuracy,
        "macro_precision": report.macro.precision,
        "macro_recall": report.macro.recall,
        "macro_f1": report.macro.f1,
        "weighted_f1": report.weighted.f1,
        "errors": float(sum(not c["passed"] for c in cases)),
    }
    details = {
        "per_intent": [vars(s) for s in report.labels],
        "averages": [vars(report.macro), vars(report.weighted)],
        "confusion": {"labels": labels, "matrix": matrix, "wrong_session_jumps": wrong_jumps},
        "by_source": _by_source(cases),
        "errors": [c for c in cases if not c["passed"]],
    }
    return finish("intents", datasets, metrics, details, cases, harness)
