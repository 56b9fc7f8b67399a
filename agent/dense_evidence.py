"""What embeddings say about a question: how close each passage's sentences (and its session's
example questions) come to it, and whether that closeness alone vouches for an answer.

Sentences and example questions are embedded, not whole passages: sentence models match
a question best against text of a question's length, and a sentence that matches is the
answer's sentence too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agent.dense import DenseRanker

# A readable question this close (cosine) to a sentence or an example question is taken as
# covered even when its words miss the content's ("when do I get my money" for the payout
# day). Per model, because cosines are not comparable across models; calibrated on the
# tuning question sets (docs/evals.md). A model not listed only re-ranks: it never vouches.
VOUCHING_SIMILARITY = {"all-MiniLM-L6-v2": 0.65}


@dataclass(frozen=True)
class DenseEvidence:
    """Per passage (unit) its best cosine and its sentences' cosines; the best of all."""

    unit_scores: list[float]
    sentence_scores: list[list[float]]
    best: float
    vouches: bool


def dense_texts(
    unit_sentences: Sequence[Sequence[str]], examples: Sequence[tuple[int, str]]
) -> list[str]:
    """What is embedded: every passage's sentences, then the example questions."""
    return [*(s for unit in unit_sentences for s in unit), *(q for _, q in examples)]


def gather(
    ranker: DenseRanker,
    question: str,
    unit_sentences: Sequence[Sequence[str]],
    unit_sessions: Sequence[int],
    examples: Sequence[tuple[int, str]],
) -> DenseEvidence | None:
    """The evidence for `question` over the passages (as their sentences, with their
    sessions) and the example questions; None when the embeddings cannot help."""
    if not unit_sentences or not ranker.readable(question):
        return None
    similarity = ranker.similarities(question, dense_texts(unit_sentences, examples))
    if similarity is None:
        return None
    per_sentence: list[list[float]] = []
    start = 0
    for unit in unit_sentences:
        per_sentence.append([float(x) for x in similarity[start : start + len(unit)]])
        start += len(unit)
    by_example: dict[int, float] = {}
    for (s_no, _), score in zip(examples, similarity[start:], strict=True):
        by_example[s_no] = max(by_example.get(s_no, -1.0), float(score))
    unit_scores = [
        max([*scores, by_example.get(s_no, -1.0)])
        for scores, s_no in zip(per_sentence, unit_sessions, strict=True)
    ]
    best = float(np.max(similarity)) if len(similarity) else -1.0
    threshold = VOUCHING_SIMILARITY.get(ranker.model)
    vouches = threshold is not None and best >= threshold
    return DenseEvidence(unit_scores, per_sentence, best, vouches)
