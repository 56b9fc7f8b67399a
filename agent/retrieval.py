"""Extractive knowledge retrieval: BM25 over training passages, current session first."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import bm25s
import snowballstemmer
from bm25s.stopwords import STOPWORDS_EN

from store.models import TrainingSession

_MAX_PASSAGE_CHARS = 700
_MIN_COVERAGE = 0.4  # share of the question's weight (IDF) its session must contain
_CURRENT_SESSION_SLACK = 0.8  # prefer the current session unless another scores clearly higher


_STEMMER = snowballstemmer.stemmer("english")
# Words that carry the shape of a question, not its subject.
_QUESTION_WORDS = {
    "what", "how", "tell", "explain", "again", "please", "much", "many", "long", "get", "make",
    "need", "happen", "someone", "take", "give", "want", "will", "would", "could", "should",
    "can", "do", "does", "did", "know", "ok", "still", "kind", "sort", "way",
}  # fmt: skip
_STOPWORDS = frozenset(STOPWORDS_EN) | _QUESTION_WORDS


def stem(word: str) -> str:
    """The Snowball (Porter 2) stem, so "commissions" matches "commission"."""
    return str(_STEMMER.stemWord(word))


def _tokens(text: str) -> list[str]:
    words = re.findall(r"\w\w+", text.lower())
    return [stem(w) for w in words if w not in _STOPWORDS]


@dataclass(frozen=True)
class Passage:
    """A piece of training content and the session it came from."""

    s_no: int
    heading: str
    text: str
    score: float = 0.0


def _split_passages(session: TrainingSession) -> list[Passage]:
    passages = []
    for para in re.split(r"\n\s*\n", session.content.strip()):
        chunk = ""
        for sentence in re.split(r"(?<=[.!?])\s+", para.strip()):
            if chunk and len(chunk) + len(sentence) > _MAX_PASSAGE_CHARS:
                passages.append(Passage(session.s_no, session.heading, chunk))
                chunk = ""
            chunk = f"{chunk} {sentence}".strip()
        if chunk:
            passages.append(Passage(session.s_no, session.heading, chunk))
    return passages


class KnowledgeIndex:
    """BM25 index over every passage of the training content."""

    def __init__(self, sessions: list[TrainingSession]) -> None:
        self.passages = [p for s in sessions for p in _split_passages(s)]
        self._docs = [set(_tokens(f"{p.heading} {p.text}")) for p in self.passages]
        self._session_terms: dict[int, set[str]] = {}
        for passage, terms in zip(self.passages, self._docs, strict=True):
            self._session_terms.setdefault(passage.s_no, set()).update(terms)
        self._bm25: bm25s.BM25 | None = None
        if self.passages:
            self._bm25 = bm25s.BM25()
            corpus = [list(d) for d in self._docs]
            self._bm25.index(corpus, show_progress=False)

    def _idf(self, term: str) -> float:
        df = sum(term in d for d in self._docs)
        n = len(self._docs)
        return math.log((n - df + 0.5) / (df + 0.5) + 1)

    def search(self, query: str, current_session: int | None = None, k: int = 3) -> list[Passage]:
        """Passages that answer `query`, best first; [] when nothing matches well enough.

        A passage qualifies only when its session holds enough of the question's weight, so a
        question about something the training never mentions gets an honest "not covered".
        """
        terms = _tokens(query)
        if not terms or self._bm25 is None:
            return []
        scores = self._bm25.get_scores(terms)
        weights = {t: self._idf(t) for t in set(terms)}
        total = sum(weights.values())
        ranked: list[Passage] = []
        for i, passage in enumerate(self.passages):
            covered = sum(w for t, w in weights.items() if t in self._session_terms[passage.s_no])
            if scores[i] > 0 and covered / total >= _MIN_COVERAGE:
                ranked.append(
                    Passage(passage.s_no, passage.heading, passage.text, float(scores[i]))
                )
        ranked.sort(key=lambda p: p.score, reverse=True)
        if ranked and current_session is not None:
            best = ranked[0].score
            local = [p for p in ranked if p.s_no == current_session]
            if local and local[0].score >= _CURRENT_SESSION_SLACK * best:
                ranked.remove(local[0])
                ranked.insert(0, local[0])
        return ranked[:k]
