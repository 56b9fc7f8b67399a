"""Classification metrics (precision, recall, F1, confusion matrix) and percentiles, no sklearn."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LabelScore:
    """Precision, recall and F1 of one label, with its support (number of gold rows)."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class ClassReport:
    """Per-label scores with accuracy and the macro and weighted averages."""

    labels: list[LabelScore]
    accuracy: float
    macro: LabelScore
    weighted: LabelScore


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, 0.0 for an empty denominator (as Rasa and sklearn report)."""
    return numerator / denominator if denominator else 0.0


def f1_score(precision: float, recall: float) -> float:
    """The harmonic mean of precision and recall."""
    return ratio(2 * precision * recall, precision + recall)


def classification_report(
    gold: Sequence[str], predicted: Sequence[str], correct: Sequence[bool] | None = None
) -> ClassReport:
    """Score predictions against gold labels.

    `correct` overrides label equality per row: a jump to the wrong session has the right label
    but is still wrong, so it counts as a false positive and a false negative of its label.
    """
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted must have the same length")
    pairs = zip(gold, predicted, strict=True)
    hits = list(correct) if correct is not None else [g == p for g, p in pairs]
    if len(hits) != len(gold):
        raise ValueError("correct must have one flag per row")
    names = sorted(set(gold) | set(predicted))
    scores = []
    for name in names:
        tp = sum(1 for g, ok in zip(gold, hits, strict=True) if g == name and ok)
        predicted_as = sum(1 for p in predicted if p == name)
        support = sum(1 for g in gold if g == name)
        precision, recall = ratio(tp, predicted_as), ratio(tp, support)
        scores.append(LabelScore(name, precision, recall, f1_score(precision, recall), support))
    # Average over gold labels only: a label that is predicted but never gold (support 0)
    # would add a zero recall that says nothing about the dataset.
    gold_scores = [s for s in scores if s.support] or scores
    total = sum(s.support for s in gold_scores)
    macro = LabelScore(
        "macro avg",
        _mean([s.precision for s in gold_scores]),
        _mean([s.recall for s in gold_scores]),
        _mean([s.f1 for s in gold_scores]),
        total,
    )
    weighted = LabelScore(
        "weighted avg",
        ratio(sum(s.precision * s.support for s in gold_scores), total),
        ratio(sum(s.recall * s.support for s in gold_scores), total),
        ratio(sum(s.f1 * s.support for s in gold_scores), total),
        total,
    )
    return ClassReport(scores, ratio(sum(hits), len(hits)), macro, weighted)


def _mean(values: Sequence[float]) -> float:
    return ratio(sum(values), len(values))


def confusion_matrix(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] | None = None
) -> tuple[list[str], list[list[int]]]:
    """Counts of (gold row, predicted column), with the labels in row/column order."""
    names = list(labels) if labels is not None else sorted(set(gold) | set(predicted))
    index = {name: i for i, name in enumerate(names)}
    matrix = [[0] * len(names) for _ in names]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1
    return names, matrix


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
