"""Extractive answers: the sentences that hold the answer, from up to two passages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent import answer_cues
from agent.completion import SentenceScorer, complete
from agent.retrieval import Finding, KnowledgeIndex, Unit
from agent.terms import lexicon, stem, words

MAX_PARTS = 2  # a multi-part question may need a second passage, never more
MAX_SENTENCES = 3  # per part
_TOP_PASSAGE_BONUS = 0.1  # share of the question's weight: ties go to the best-ranked passage
_FUNCTION_WORDS = frozenset({
    "a", "an", "the", "is", "are", "was", "be", "been", "am", "do", "does", "did", "i", "me",
    "my", "you", "your", "we", "our", "it", "its", "to", "of", "in", "on", "at", "for", "and",
    "or", "if", "so", "as", "by", "with", "from", "this", "that", "what", "how", "who", "when",
    "where", "which", "why", "can", "will", "would", "should", "could", "there", "their",
    "they", "them", "he", "she", "his", "her", "us", "not", "no", "yes", "any",
})  # fmt: skip
_SECOND_SENTENCE = 0.4  # a second sentence must score this share of the best one
_CLOSE_SECOND = 0.8  # a sentence this close to the best joins it even with nothing new
_SECOND_PART = 0.3  # a second passage must cover this share of the question left unanswered
_FOLLOW_ON = re.compile(r"^(this|that|these|those|it|they|so)\b", re.IGNORECASE)
_EXAMPLE = re.compile(r"^example\b", re.IGNORECASE)  # a worked example reads as a whole
_SHORT_WORDS = 8


@dataclass(frozen=True)
class AnswerPart:
    """Sentences from one session that answer (part of) a question."""

    s_no: int
    heading: str
    text: str


def _pick(
    unit: Unit, scorer: SentenceScorer, open_slots: set[int], bonus: float
) -> tuple[float, list[int]]:
    """The best sentences of a passage (indexes, in reading order) and their score."""
    scores = [
        scorer.score(s, t, open_slots)
        for s, t in zip(unit.sentences, unit.sentence_terms, strict=True)
    ]
    if not scores or max(scores) <= 0:
        return 0.0, []
    best = max(range(len(scores)), key=scores.__getitem__)
    if _EXAMPLE.match(unit.sentences[0]):
        return scores[best] + bonus, list(range(min(len(scores), MAX_SENTENCES)))
    chosen = {best}
    if _FOLLOW_ON.match(unit.sentences[best]) and best > 0:
        chosen.add(best - 1)  # "This is called KYC": the sentence before says what "this" is
    nxt = best + 1
    if nxt < len(scores) and (
        len(unit.sentences[best].split()) < _SHORT_WORDS or _FOLLOW_ON.match(unit.sentences[nxt])
    ):
        chosen.add(nxt)
    left = open_slots - scorer.covered(set().union(*(unit.sentence_terms[i] for i in chosen)))
    for i in sorted(range(len(scores)), key=scores.__getitem__, reverse=True):
        if len(chosen) >= MAX_SENTENCES:
            break
        adds = scorer.covered(unit.sentence_terms[i]) & left
        if len(chosen) == 1 and scores[i] >= _CLOSE_SECOND * scores[best]:
            adds = adds or {-1}  # a close second (or "A vs B"): two sentences read better
        elif "compare" in scorer.kinds and len(chosen) == 1:
            adds = adds or {-1}
        if i not in chosen and adds and scores[i] >= _SECOND_SENTENCE * scores[best]:
            chosen.add(i)
            left -= adds
    return scores[best] + bonus, sorted(chosen)


def extract(index: KnowledgeIndex, finding: Finding) -> list[AnswerPart]:
    """The answer to a covered question: its best sentences, then a second passage's for a
    part of the question the first leaves open. [] when the finding is not covered."""
    if not finding.covered or not finding.ranked:
        return []
    weights = index.slot_weight(finding.query)
    kinds = answer_cues.question_kinds(finding.query.text)
    required = [answer_cues.REQUIRED[k][1] for k in kinds & set(answer_cues.REQUIRED)]
    shape = frozenset(
        stem(w)
        for w in words(finding.query.text)
        if w in lexicon().stopwords and w not in _FUNCTION_WORDS and w.isalpha() and len(w) > 2
    )
    parts = _parts(index, finding, SentenceScorer(finding.query, weights, kinds, shape))
    if any(not any(p.search(part.text.lower()) for part in parts) for p in required):
        return []  # the passages name the subject but not what is asked about it
    return parts


def _parts(index: KnowledgeIndex, finding: Finding, scorer: SentenceScorer) -> list[AnswerPart]:
    """The best sentences of the best session, then a second passage's when needed."""
    weights = scorer.weights
    total = sum(weights) or 1.0
    top = finding.ranked[0]
    open_slots = set(range(len(weights)))
    # First part: any passage of the best session (the ranked one wins ties).
    candidates = []
    for u in index.units:
        if u.passage.s_no == top.s_no:
            bonus = _TOP_PASSAGE_BONUS * total if u.passage.text == top.text else 0.0
            candidates.append((*_pick(u, scorer, open_slots, bonus), u))
    score, chosen, unit = max(candidates, key=lambda c: c[0])
    if not chosen:
        return [AnswerPart(top.s_no, top.heading, top.text)]
    session = [u for u in index.units if u.passage.s_no == top.s_no]
    picked = complete(session, scorer, [(session.index(unit), i) for i in chosen])
    text = " ".join(session[u].sentences[i] for u, i in picked)
    parts = [AnswerPart(unit.passage.s_no, unit.passage.heading, text)]
    used = set().union(*(session[u].sentence_terms[i] for u, i in picked))
    left = open_slots - scorer.covered(used)
    if sum(weights[i] for i in left) / total < _SECOND_PART:
        return parts
    near = {p.s_no for p in finding.ranked[:2]}  # a second passage from a well-ranked session
    others = [
        (*_pick(u, scorer, left, 0.0), u)
        for u in index.units
        if u is not unit and u.passage.s_no in near
    ]
    score, chosen, second = max(others, key=lambda c: c[0], default=(0.0, [], unit))
    if chosen and score / total >= _SECOND_PART:
        parts.append(AnswerPart(second.passage.s_no, second.passage.heading, _join(second, chosen)))
    return parts[:MAX_PARTS]


def _join(unit: Unit, chosen: list[int]) -> str:
    return " ".join(unit.sentences[i] for i in chosen)
