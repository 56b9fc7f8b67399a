"""Scoring an answer's sentences, and completing an answer with what the question asks for.

The topical sentences of an answer can miss the asked-for value: "gold tier ke liye kitna
billing" picks the sentence about tiers, not the one with "₹50 lakh"; "SS304 vs SS316" picks
the sentence naming both, not the one saying what SS316 adds. `complete` adds the best
sentence of the same session that holds the missing kind (a number, a reason, a list, a
limit...) or describes a compared item alone, keeping the answer short.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agent import answer_cues
from agent.query import Query
from agent.retrieval import Unit
from agent.terms import stem, words

MAX_SENTENCES = 3  # per part: a completion never makes an answer longer than this
_KIND_BONUS = 0.25
# Per word of the question's shape ("take", "without", "only": not searched) the sentence
# also uses, in units of the heaviest slot: breaks ties between sentences with the same topic.
_SHAPE_BONUS = 0.06
# A completing sentence must score this share of the best one: on the topic, not just a number.
_FILL_SHARE = 0.3

Pick = tuple[int, int]  # (unit index within the session, sentence index)


@dataclass
class SentenceScorer:
    """Scores a sentence by the question's slots it covers and the answer kinds it holds."""

    query: Query
    weights: list[float]
    kinds: set[str]
    shape: frozenset[str] = frozenset()  # stems of the question's unsearched words

    def covered(self, terms: set[str]) -> set[int]:
        """Indexes of the slots a sentence's terms cover."""
        return {i for i, slot in enumerate(self.query.slots) if slot.trust(terms)}

    def score(self, sentence: str, terms: set[str], open_slots: set[int]) -> float:
        """The weight of the open slots the sentence covers, plus a bonus for the wanted kind."""
        score = 0.0
        for i in self.covered(terms) & open_slots:
            slot = self.query.slots[i]
            score += slot.trust(terms) * self.weights[i]
        if score:  # each wanted kind the sentence holds: "how long" wants a number of days
            found = [k for k in self.kinds if answer_cues.holds(k, sentence)]
            score += _KIND_BONUS * len(found) * max(self.weights)
        if score and self.shape:
            shared = self.shape & {stem(w) for w in words(sentence)}
            score += _SHAPE_BONUS * len(shared) * max(self.weights)
        return score


def complete(session: Sequence[Unit], scorer: SentenceScorer, picked: list[Pick]) -> list[Pick]:
    """`picked` (sentences of one session's passages) with at most one more sentence: the best
    one holding a wanted kind the picked ones lack, else one about a compared item alone."""
    every = set(range(len(scorer.weights)))

    def score(p: Pick) -> float:
        unit = session[p[0]]
        return scorer.score(unit.sentences[p[1]], unit.sentence_terms[p[1]], every)

    def text(p: Pick) -> str:
        return session[p[0]].sentences[p[1]]

    if len(picked) >= MAX_SENTENCES:
        return picked  # already as long as an answer part gets
    best = max(picked, key=score)
    floor = _FILL_SHARE * score(best)
    pool = [
        (u, i)
        for u, unit in enumerate(session)
        for i in range(len(unit.sentences))
        if (u, i) not in picked
    ]
    # A required kind ("Neha's mobile number") is never filled in from another sentence:
    # its absence means the content does not answer the question.
    required = {answer_cues.REQUIRED[k][0] for k in scorer.kinds & set(answer_cues.REQUIRED)}
    missing = {
        k
        for k in scorer.kinds & answer_cues.FILLED - required
        if not any(answer_cues.holds(k, text(p)) for p in picked)
    }
    wanted = [p for p in pool if any(answer_cues.holds(k, text(p)) for k in missing)]
    if not wanted and "compare" in scorer.kinds:
        wanted = _alone(session, scorer, best, picked, pool)
    extra = max(wanted, key=score, default=None)
    if extra is None or score(extra) < floor:
        return picked
    return sorted([*picked, extra])


def _alone(
    session: Sequence[Unit],
    scorer: SentenceScorer,
    best: Pick,
    picked: list[Pick],
    pool: list[Pick],
) -> list[Pick]:
    """Sentences about one compared item alone ("SS316 adds molybdenum"), for an item the
    picked sentences only name together with the others."""
    compared = scorer.covered(session[best[0]].sentence_terms[best[1]])
    if len(compared) < 2:
        return []

    def items(p: Pick) -> set[int]:
        return scorer.covered(session[p[0]].sentence_terms[p[1]]) & compared

    described = {next(iter(items(p))) for p in picked if len(items(p)) == 1}
    return [p for p in pool if len(items(p)) == 1 and not items(p) <= described]
