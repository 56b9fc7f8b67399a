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
# Closeness that is not enough to answer but enough to point at the closest session in the
# "not covered" reply (with some shared words, agent/retrieval.py): on the DEV2 tuning set the
# session pointed at was the right one for 24 of the 27 answerable questions it caught.
SUGGESTING_SIMILARITY = {"all-MiniLM-L6-v2": 0.5}


@dataclass(frozen=True)
class DenseEvidence:
    """Per passage (unit) its best cosine, the best of all, and whether that vouches for an
    answer or only suggests the closest session."""

    unit_scores: list[float]
    best: float
    vouches: bool
    suggests: bool = False


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
    sentence_count = sum(len(unit) for unit in unit_sentences)
    by_example: dict[int, float] = {}
    for (s_no, _), score in zip(examples, similarity[sentence_count:], strict=True):
        by_example[s_no] = max(by_example.get(s_no, -1.0), float(score))
    unit_scores = []
    start = 0
    for unit, s_no in zip(unit_sentences, unit_sessions, strict=True):
        closest = float(similarity[start : start + len(unit)].max(initial=-1.0))
        unit_scores.append(max(closest, by_example.get(s_no, -1.0)))
        start += len(unit)
    best = float(np.max(similarity)) if len(similarity) else -1.0
    vouches = _reaches(VOUCHING_SIMILARITY, ranker.model, best)
    suggests = _reaches(SUGGESTING_SIMILARITY, ranker.model, best)
    return DenseEvidence(unit_scores, best, vouches, suggests)


def _reaches(thresholds: dict[str, float], model: str, similarity: float) -> bool:
    threshold = thresholds.get(model)
    return threshold is not None and similarity >= threshold
